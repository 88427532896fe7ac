"""Screenshots of the three-party deliberations at phone and desktop width, in Chinese.

Run against a server with the demo estate (`make run` in another terminal):

    .venv/bin/python docs/screenshots/take_deliberations.py [--base-url http://127.0.0.1:8000] [--out DIR]
"""

import argparse
import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).parent))
from take import ARGS, WIDTHS, sign_in

# (name, who signs in, path, anchor to scroll to or "")
PAGES = [
    ("deliberations-list", "resident0033", "/deliberations/", ""),
    ("deliberations-adopted", "resident0033", "/deliberations/?status=resolved", "open"),
    ("deliberations-thread", "captain03", "/deliberations/?status=resolved", "thread"),
    ("deliberations-awaiting", "steward1", "/deliberations/?status=proposed", "open"),
    ("deliberations-record", "resident0033", "/deliberations/record/", ""),
    ("deliberations-new", "party1", "/deliberations/new/", ""),
    ("deliberations-link-ideas", "steward1", "/deliberations/?status=in_session", "ideas"),
    ("deliberations-vote-link", "admin", "/deliberations/?status=resolved", "owners-votes"),
]
MAX_HEIGHT = 2400
SECTION_HEIGHT = 700


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
            for name, who, path, step in PAGES:
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                sign_in(page, options.base_url, who)
                page.goto(f"{options.base_url}{path}")
                if step:
                    page.locator(".card h2 a").first.click()
                if step == "ideas":
                    page.goto(page.url + "ideas/?category=3")
                y = 0
                if step in ("thread", "owners-votes"):
                    page.wait_for_selector(f"#{step}")
                    y = page.evaluate(f"document.getElementById('{step}').offsetTop - 8")
                page.wait_for_load_state("networkidle")
                full_height = page.evaluate("document.documentElement.scrollHeight")
                target = out / f"{name}-{width_name}.png"
                page.screenshot(
                    path=str(target),
                    clip={
                        "x": 0,
                        "y": y,
                        "width": width,
                        "height": min(
                            full_height - y,
                            SECTION_HEIGHT if step == "owners-votes" else MAX_HEIGHT,
                        ),
                    },
                    full_page=True,
                )
                print(target)
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
