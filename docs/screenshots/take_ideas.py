"""Screenshots of the golden-ideas pages at phone and desktop width, in Chinese.

Run against a server with the demo estate (`make run` in another terminal):

    .venv/bin/python docs/screenshots/take_ideas.py [--base-url http://127.0.0.1:8000] [--out DIR]
"""

import argparse
import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).parent))
from take import ARGS, WIDTHS, sign_in

# (name, who signs in, path or a step that opens the page)
PAGES = [
    ("ideas-list", "resident0033", "/ideas/"),
    ("ideas-detail", "resident0033", "/ideas/?status=done&sort=supported"),
    ("ideas-submit", "resident0033", "/ideas/new/"),
    ("ideas-moderation", "captain03", "/ideas/moderation/"),
    ("ideas-triage", "steward1", "/ideas/triage/"),
    ("ideas-triage-detail", "steward1", "/ideas/?status=submitted&sort=supported"),
]
OPEN_FIRST_IDEA = {"ideas-detail", "ideas-triage-detail"}
MAX_HEIGHT = 2400


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
                if name in OPEN_FIRST_IDEA:
                    page.locator("article h2 a").first.click()
                if name == "ideas-submit":
                    page.fill("#id_title", "电梯经常坏，希望尽快维修")
                    page.wait_for_selector(".similar-ideas")
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
