"""Screenshots of each persona's home at 390 and 1280 px, in Chinese and English, into
docs/screenshots/home-<persona>-<width>-<lang>.png.

Against a dev server on the demo estate (not part of the test suite)::

    DEBUG=true DATABASE_URL=sqlite:////tmp/demo.sqlite3 python manage.py migrate
    DEBUG=true DATABASE_URL=sqlite:////tmp/demo.sqlite3 python manage.py seed_demo --once
    DEBUG=true DATABASE_URL=sqlite:////tmp/demo.sqlite3 python manage.py runserver 127.0.0.1:8000
    python -m tests.e2e.shoot_home http://127.0.0.1:8000

Run with the server's DATABASE_URL: before each shot the script puts the persona's last
visit (``User.home_seen_at``) 90 minutes back, so that what the demo seeded since is
marked "new" as it would be for someone coming back.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

import django
from playwright.sync_api import sync_playwright

from tests.e2e.conftest import CHROMIUM_ARGS

PASSWORD = "covenant-demo"
DOMAIN = "demo.covenant.invalid"
PERSONAS = {
    "resident": "resident0033",
    "newcomer": "newcomer01",
    "captain": "captain03",
    "steward": "steward1",
    "party": "party1",
    "admin": "admin",
}
WIDTHS = {390: 844, 1280: 900}
LANGUAGES = {"zh-hans": "zh", "en": "en"}
OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SINCE = timedelta(minutes=90)


def last_visit_back(email: str) -> None:
    from django.utils import timezone

    from covenant.models import User

    User.objects.filter(email=email).update(home_seen_at=timezone.now() - SINCE)


def shoot(base_url: str, chromium: str = "/usr/bin/chromium") -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        for persona, local_part in PERSONAS.items():
            context = browser.new_context(base_url=base_url, locale="zh-CN")
            page = context.new_page()
            page.goto("/accounts/login/")
            form = page.locator("form").filter(has=page.locator("input[name=login]"))
            form.locator("input[name=login]").fill(f"{local_part}@{DOMAIN}")
            form.locator("input[name=password]").fill(PASSWORD)
            form.locator("button[type=submit]").click()
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
            for language, short in LANGUAGES.items():
                page.set_viewport_size({"width": 1280, "height": 900})
                page.goto("/")
                switch = page.locator(f'.language-switcher button[value="{language}"]')
                if switch.count():
                    switch.click()
                    page.wait_for_load_state("networkidle")
                for width, height in WIDTHS.items():
                    page.set_viewport_size({"width": width, "height": height})
                    last_visit_back(f"{local_part}@{DOMAIN}")
                    page.goto("/")
                    page.wait_for_load_state("networkidle")
                    path = OUT / f"home-{persona}-{width}-{short}.png"
                    if width < 1200:
                        # The whole page in a viewport as tall as it, so that the fixed
                        # tab bar sits at the bottom, where a phone shows it.
                        tall = page.evaluate("document.documentElement.scrollHeight")
                        page.set_viewport_size({"width": width, "height": max(height, tall)})
                    page.screenshot(path=str(path), full_page=width >= 1200)
                    written.append(path)
            # Leave the persona in Chinese, as the demo seeds them.
            page.goto("/")
            switch = page.locator('.language-switcher button[value="zh-hans"]')
            if switch.count():
                switch.click()
            context.close()
        browser.close()
    return written


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "covenant.settings")
    # Playwright's sync API runs an event loop; the ORM calls here are plain sync code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    django.setup()
    for path in shoot(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"):
        print(path)
