"""Screenshots of the main pages, at phone and desktop width, in both languages.

Run against a server with the demo estate (`make run` in another terminal):

    .venv/bin/python docs/screenshots/take.py [--base-url http://127.0.0.1:8000] [--out DIR]

Uses Debian's chromium (apt-get install chromium fonts-noto-cjk). Signing in switches the
demo users' language and puts it back to Chinese at the end.
"""

import argparse
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

PASSWORD = "covenant-demo"
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
LANGUAGES = {"zh": "zh-hans", "en": "en"}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]  # fmt: skip

# (name, who signs in or None, path)
PAGES = [
    ("home-visitor", None, "/"),
    ("signup", None, "/accounts/signup/"),
    ("login", None, "/accounts/login/"),
    ("home-awaiting", "newcomer01", "/"),
    ("join", "newcomer01", "/households/join/?building=3&floor=12"),
    ("my-household", "newcomer01", "/memberships/"),
    ("home-resident", "resident0033", "/"),
    ("queue", "captain03", "/memberships/queue/"),
    ("home-captain", "captain03", "/"),
    ("profile", "resident0033", "/profile/"),
    ("delete-account", "resident0033", "/profile/delete/"),
    ("forbidden", "resident0033", "/memberships/queue/"),
]


def sign_in(page, base_url, local_part):
    page.goto(f"{base_url}/accounts/login/")
    form = page.locator("form").filter(has=page.locator("input[name=login]"))
    form.locator("input[name=login]").fill(f"{local_part}@demo.covenant.invalid")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def switch_language(page, code):
    """The switcher offers only the other language; nothing to do if it is current."""
    button = page.locator(f"form.language-switcher button[value={code}]")
    if button.count():
        button.click()
        page.wait_for_load_state("networkidle")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default=str(Path(__file__).parent))
    options = parser.parse_args()
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
        for short, code in LANGUAGES.items():
            for width_name, (width, height) in WIDTHS.items():
                for name, who, path in PAGES:
                    context = browser.new_context(viewport={"width": width, "height": height})
                    page = context.new_page()
                    if who:
                        sign_in(page, options.base_url, who)
                    page.goto(f"{options.base_url}/")
                    switch_language(page, code)
                    page.goto(f"{options.base_url}{path}")
                    page.wait_for_load_state("networkidle")
                    target = out / f"{name}-{short}-{width_name}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target)
                    if who:
                        switch_language(page, "zh-hans")
                    context.close()
        browser.close()


if __name__ == "__main__":
    main()
