"""Screenshots of the themes and priority-work pages at phone and desktop width, in Chinese.

Run against a server with the demo estate (`make run` in another terminal):

    .venv/bin/python docs/screenshots/take_themes.py [--base-url http://127.0.0.1:8000] [--out DIR]
"""

import argparse
import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).parent))
from take import ARGS, WIDTHS, sign_in

# (name, who signs in, path, link to follow first or None)
PAGES = [
    ("themes-list", "steward1", "/ideas/themes/", None),
    ("themes-detail", "steward1", "/ideas/themes/?category=parking", ".theme-card h3 a"),
    ("themes-priorities", "resident0033", "/priorities/", None),
    # The parking work: its deliberation adopted a resolution with action items.
    ("themes-priority", "resident0033", "/priorities/", "article h2 a:has-text('规范停车')"),
]
MAX_HEIGHT = 3000


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
            for name, who, path, follow in PAGES:
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                sign_in(page, options.base_url, who)
                page.goto(f"{options.base_url}{path}")
                if follow:
                    page.locator(follow).first.click()
                page.wait_for_load_state("networkidle")
                full_height = page.evaluate("document.documentElement.scrollHeight")
                target = out / f"{name}-{width_name}.png"
                page.screenshot(
                    path=str(target),
                    clip={"x": 0, "y": 0, "width": width, "height": min(full_height, MAX_HEIGHT)},
                    full_page=True,
                )
                print(target)
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
