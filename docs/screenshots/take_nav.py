"""The navigation with the workbench menu open, for a captain and an admin, at phone and
desktop width (run against a server with the demo estate, see take.py)."""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).parent))
from take import ARGS, WIDTHS, sign_in, switch_language

BASE = "http://127.0.0.1:8000"
OUT = Path(__file__).parent


def main():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for who in ("captain03", "admin", "resident0033"):
            for label, (width, height) in WIDTHS.items():
                for lang in ("zh-hans", "en"):
                    page = browser.new_page(viewport={"width": width, "height": height})
                    sign_in(page, BASE, who)
                    switch_language(page, lang)
                    page.goto(f"{BASE}/ideas/")
                    if label == "phone":
                        page.locator(".navbar-toggler").click()
                        page.wait_for_timeout(400)
                    if page.locator("#workbench-menu").count():
                        page.locator("#workbench-menu").click()
                        page.wait_for_timeout(300)
                    suffix = "" if lang == "zh-hans" else "-en"
                    page.screenshot(path=str(OUT / f"nav-{who}-{label}{suffix}.png"))
                    switch_language(page, "zh-hans")
                    page.close()
        browser.close()


if __name__ == "__main__":
    main()
