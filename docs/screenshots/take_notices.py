"""Screenshots of notices at phone and desktop width, and the print view as a PDF.

Run against a server with the demo estate (seed_demo), e.g. on port 8010:

    .venv/bin/python docs/screenshots/take_notices.py --base-url http://127.0.0.1:8010

Announcement 1 is the demo's estate-wide water notice, 2 the building-3 lift notice.
"""

import argparse
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright
from take import ARGS, WIDTHS, sign_in, switch_language  # docs/screenshots/take.py

# (name, who signs in or None, path, language)
PAGES = [
    ("notices-inbox", "resident0033", "/notices/", "zh-hans"),
    ("notices-inbox-en", "resident0033", "/notices/", "en"),
    ("notices-list", "resident0033", "/notices/announcements/", "zh-hans"),
    ("notices-announcement", "resident0033", "/notices/announcements/1/", "zh-hans"),
    ("notices-door-knock", "captain03", "/notices/announcements/2/reach/", "zh-hans"),
    ("notices-coverage", "admin", "/notices/announcements/1/coverage/", "zh-hans"),
    ("notices-estate-coverage", "admin", "/notices/announcements/coverage/", "zh-hans"),
    ("notices-new", "captain03", "/notices/announcements/new/", "zh-hans"),
    ("notices-preferences", "captain03", "/notices/preferences/", "zh-hans"),
    ("notices-print", None, "/notices/announcements/4/print/", "zh-hans"),
    ("notices-print-estate", "resident0033", "/notices/announcements/1/print/", "zh-hans"),
]


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
            for name, who, path, language in PAGES:
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                if who:
                    sign_in(page, options.base_url, who)
                page.goto(f"{options.base_url}/")
                switch_language(page, language)
                page.goto(f"{options.base_url}{path}")
                page.wait_for_load_state("networkidle")
                target = out / f"{name}-{width_name}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
                if name == "notices-print-estate" and width_name == "desktop":
                    pdf = out / "notices-print.pdf"
                    page.pdf(path=str(pdf), format="A4", print_background=True)
                    print(pdf)
                    page.emulate_media(media="print")
                    page.set_viewport_size({"width": 794, "height": 1123})
                    target = out / "notices-print-media-print.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target)
                if who and language != "zh-hans":
                    switch_language(page, "zh-hans")
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
