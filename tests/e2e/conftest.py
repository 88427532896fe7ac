"""Fixtures for the end-to-end tests: one headless Chromium per session, a context per test.

Only Debian's chromium is used, never a browser downloaded by Playwright. Where it is
missing, the tests are skipped on a developer's machine and fail in CI, which installs it.
"""

import os
import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
TIMEOUT_MS = 10_000


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must provide it)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file() or not os.access(path, os.X_OK):
        _unavailable("e2e tests need Debian's chromium (apt-get install chromium)")
    return path


@pytest.fixture(scope="module")
def browser(chromium_path):
    # Playwright's sync API runs an asyncio event loop in the test's thread, so Django
    # sees a running loop and refuses ORM calls from the test (fixtures, factories,
    # assertions) as SynchronousOnlyOperation. The test code is plain synchronous code
    # that only drives the browser from that loop, so the check does not apply here; it
    # is lifted for this module only, and Playwright stops with it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def console_errors() -> list[str]:
    """Console errors and uncaught exceptions of every page opened by new_context."""
    return []


@pytest.fixture
def new_context(browser, live_server, console_errors):
    """Open a fresh browser context (its own cookies) on the live server; closed after."""
    expect.set_options(timeout=TIMEOUT_MS)

    def open_context():
        context = browser.new_context(base_url=live_server.url, locale="zh-CN")
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)

        def watch(page):
            page.on(
                "console",
                lambda message: (
                    console_errors.append(f"{page.url}: {message.text}")
                    if message.type == "error"
                    else None
                ),
            )
            page.on("pageerror", lambda error: console_errors.append(f"{page.url}: {error}"))

        context.on("page", watch)
        return opened.track(context)

    opened = OpenedContexts()
    yield open_context
    opened.close()


class OpenedContexts:
    """Browser contexts opened for a test, closed once their last requests have finished.

    With in-memory SQLite the live server's threads share the test's connection, so a
    request still running (an htmx load, a photo) while the database is flushed breaks the
    flush, and what it leaves behind fails the next test. Closing a browser context does
    not stop the server's work, so the close waits for the browser's answers first.
    """

    def __init__(self):
        self.contexts = []
        self.in_flight = set()

    def track(self, context):
        context.on("request", lambda request: self.in_flight.add(request))
        context.on("requestfinished", lambda request: self.in_flight.discard(request))
        context.on("requestfailed", lambda request: self.in_flight.discard(request))
        self.contexts.append(context)
        return context

    def close(self, seconds: float = 10):
        pages = [page for context in self.contexts for page in context.pages]
        deadline = time.monotonic() + seconds
        while self.in_flight and pages and time.monotonic() < deadline:
            pages[0].wait_for_timeout(25)  # lets Playwright deliver the pending events
        for context in self.contexts:
            context.close()
