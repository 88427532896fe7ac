"""Screenshots of the dashboards, the monthly report (also as printed, and its PDF) and the
open data page, at phone and desktop width, in Chinese.

Run against a server with the demo estate (`make run` in another terminal):

    .venv/bin/python docs/screenshots/take_dashboards.py [--base-url http://127.0.0.1:8000] [--out DIR]
"""

import argparse
import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).parent))
from take import ARGS, WIDTHS, sign_in

# (name, who signs in, path)
PAGES = [
    ("dashboards-ideas", "party1", "/ideas/dashboards/"),
    ("dashboards-responses", "steward1", "/ideas/dashboards/responses/"),
    ("dashboards-participation", "party1", "/ideas/dashboards/participation/?months=6"),
    ("dashboards-community", "admin", "/ideas/dashboards/community/"),
    ("dashboards-report", "party1", "/ideas/report/"),
    ("dashboards-open-data", "admin", "/ideas/open-data/"),
]
MAX_HEIGHT = 3200


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default=str(Path(__file__).parent))
    options = parser.parse_args()
    out = Path(options.out)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
        for width_name, (width, height) in WIDTHS.items():
            for name, who, path in PAGES:
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                sign_in(page, options.base_url, who)
                page.goto(f"{options.base_url}{path}")
                page.wait_for_load_state("networkidle")
                full_height = page.evaluate("document.documentElement.scrollHeight")
                target = out / f"{name}-{width_name}.png"
                page.screenshot(
                    path=str(target),
                    clip={"x": 0, "y": 0, "width": width, "height": min(full_height, MAX_HEIGHT)},
                    full_page=True,
                )
                print(target)
                if name == "dashboards-report" and width_name == "desktop":
                    page.emulate_media(media="print")
                    target = out / "dashboards-report-print.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target)
                    target = out / "dashboards-report.pdf"
                    page.pdf(path=str(target), format="A4", print_background=True)
                    print(target)
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
