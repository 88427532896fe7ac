"""Screenshots of the owners' votes at phone and desktop width, in Chinese.

Run against a server with the demo estate (`make run` in another terminal):

    .venv/bin/python docs/screenshots/take_votes.py [--base-url http://127.0.0.1:8000] [--out DIR]
"""

import argparse
import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).parent))
from take import ARGS, WIDTHS, sign_in

OPEN_VOTE = "修订《管理规约》：增加文明养宠条款"
PASSED_VOTE = "规范停车：地面划线停车位方案"
NO_QUORUM_VOTE = "续筹专项维修资金并更换 3、5 栋老旧电梯"

# (name, who signs in, the title of the vote to open from the list or None, then a link)
PAGES = [
    ("votes-list", "resident0033", None, None),
    ("votes-vote", "resident0033", OPEN_VOTE, None),
    ("votes-result-passed", "resident0033", PASSED_VOTE, None),
    ("votes-result-no-quorum", "captain03", NO_QUORUM_VOTE, None),
    ("votes-breakdown", "admin", PASSED_VOTE, "a[href$='/breakdown/']"),
]
MAX_HEIGHT = 2600


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
            for name, who, title, link in PAGES:
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                sign_in(page, options.base_url, who)
                page.goto(f"{options.base_url}/votes/")
                if title:
                    page.locator("main a").filter(has_text=title).first.click()
                    page.wait_for_load_state("networkidle")
                if link:
                    page.locator(link).first.click()
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
