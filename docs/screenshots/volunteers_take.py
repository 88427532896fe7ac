"""Screenshots of the volunteers area at phone and desktop width.

Run against a server with the demo estate (`make run` in another terminal):

    .venv/bin/python docs/screenshots/volunteers_take.py [--base-url URL] [--lang zh|en]

Finds the demo's full activity (the one with a waitlist) by its page, signs in as the
people who see each page, and saves docs/screenshots/volunteers-<page>-<lang>-<width>.png.
"""

import argparse
import re
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright
from take import ARGS, WIDTHS, sign_in, switch_language  # same folder

LANGUAGES = {"zh": "zh-hans", "en": "en"}


def full_activity_path(page, base_url):
    """The first coming activity marked full (the demo has one, with a waitlist)."""
    page.goto(f"{base_url}/volunteers/activities/")
    card = page.locator("article.card").filter(has=page.locator(".badge.text-bg-secondary")).first
    return card.locator("h2 a").get_attribute("href")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--lang", default="zh", choices=LANGUAGES)
    options = parser.parse_args()
    base = options.base_url
    out = Path(__file__).parent
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
        probe = browser.new_page()
        sign_in(probe, base, "admin")
        activity = full_activity_path(probe, base)
        building = probe.goto(f"{base}/volunteers/buildings/") and None
        probe.close()
        number = re.search(r"/activities/(\d+)/", activity).group(1)
        pages = [
            ("activities", "volunteer01", "/volunteers/activities/"),
            ("activity-waitlist", "admin", activity),
            ("activity-my-place", "captain03", activity),
            ("check-in", "admin", f"/volunteers/activities/{number}/check-in/"),
            ("ledger", "captain03", "/volunteers/hours/"),
            ("statement", "captain03", None),  # the captain's own, from the ledger's link
            ("building", "captain03", "/volunteers/buildings/"),
            ("roster", "resident0033", "/volunteers/roster/"),
            ("home-resident", "resident0033", "/volunteers/"),
        ]
        del building
        for width_name, (width, height) in WIDTHS.items():
            for name, who, path in pages:
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                sign_in(page, base, who)
                page.goto(f"{base}/")
                switch_language(page, LANGUAGES[options.lang])
                if path is None:
                    page.goto(f"{base}/volunteers/hours/")
                    path = page.locator("a[href*='/volunteers/hours/']").last.get_attribute("href")
                page.goto(f"{base}{path}")
                page.wait_for_load_state("networkidle")
                target = out / f"volunteers-{name}-{options.lang}-{width_name}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
