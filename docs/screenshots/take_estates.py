"""Screenshots of the estate switcher and the estates side by side, at phone and desktop
width, in Chinese, as the community's Party branch member of the demo sees them.

Run against a server with the demo estates (`make run` in another terminal):

    .venv/bin/python docs/screenshots/take_estates.py [--base-url http://127.0.0.1:8000] [--out DIR]
"""

import argparse
import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).parent))
from take import ARGS, WIDTHS, sign_in

WHO = "district-party"  # the Party branch in both demo estates


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
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            sign_in(page, options.base_url, WHO)
            page.goto(f"{options.base_url}/")
            if page.locator("button.navbar-toggler").is_visible():
                page.locator("button.navbar-toggler").click()
                page.wait_for_timeout(400)
            page.locator("#account-menu").click()
            page.wait_for_timeout(400)
            target = out / f"estates-switcher-{width_name}.png"
            page.screenshot(path=str(target), full_page=True)
            print(target)
            page.goto(f"{options.base_url}/ideas/dashboards/estates/")
            page.wait_for_load_state("networkidle")
            target = out / f"estates-overview-{width_name}.png"
            page.screenshot(path=str(target), full_page=True)
            print(target)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
