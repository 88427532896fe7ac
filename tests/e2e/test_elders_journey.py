"""长辈模式 and the building's WeChat group, end to end in headless Chromium at 390 px, in
Chinese, under the site's own CSP.

- In elders' mode the computed type is measured against MIIT's figures (body ≥ 20 px,
  headings larger, line spacing ≥ 1.5, paragraph spacing ≥ 1.3 × the line spacing), tap
  targets against 48 px, and axe-core finds no WCAG AAA colour-contrast violation
  (`color-contrast-enhanced`) on the elders' home, an announcement, a vote, the idea list.
- Read aloud calls speechSynthesis.speak with the title and the text (a stub records it).
- A captain copies the group text and makes the poster; a verified member opens the
  building's short link, signs in, is reached, and the coverage page credits the group.
- Text typed into a form survives the session running out.
Screenshots go to artifacts/e2e/elders-*.png (E2E_SCREENSHOTS=docs/screenshots for the README's).
"""

import base64
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from notices import services as notices_services
from notices.models import Audience, HouseholdReach, RelayVisit
from tests.e2e.conftest import TIMEOUT_MS, OpenedContexts
from tests.factories import PASSWORD
from tests.proposals.factories import IdeaFactory
from tests.proposals.owners_votes import open_vote

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
# Screenshots go to artifacts/e2e (git-ignored); E2E_SCREENSHOTS=docs/screenshots refreshes the
# README's.
SHOTS = Path(
    os.environ.get("E2E_SCREENSHOTS") or Path(__file__).resolve().parents[2] / "artifacts" / "e2e"
)
PHONE = {"width": 390, "height": 844}

BODY = (
    "因电梯年检，3栋两台电梯将于周二上午 9:00 至 12:00 停止运行，请大家提前安排出行。\n\n"
    "行动不便的长辈如需帮忙上下楼，请联系楼长，志愿者会上门协助。\n\n"
    "给大家带来不便，敬请谅解。"
)

# A stand-in for the browser's speech: records what would be spoken. Installed before
# any script of the page runs.
SPEECH_STUB = """
(() => {
  window.__spoken = [];
  const voices = %s;
  class Utterance { constructor(text) { this.text = text; this.lang = ""; this.voice = null; } }
  window.SpeechSynthesisUtterance = Utterance;
  Object.defineProperty(window, "speechSynthesis", { value: {
    speaking: false,
    getVoices: () => voices,
    speak: (u) => window.__spoken.push({ text: u.text, lang: u.lang }),
    cancel: () => {},
    addEventListener: () => {},
  }});
})();
"""

# What MIIT and WCAG AAA ask of text, measured as the browser lays it out.
MEASURE_TYPE = """
(selector) => {
  const px = (el, prop) => parseFloat(getComputedStyle(el)[prop]);
  const paragraphs = [...document.querySelectorAll(selector)].filter(p => p.offsetParent);
  const h1 = document.querySelector("main h1");
  return {
    bodySize: px(document.body, "fontSize"),
    h1Size: px(h1, "fontSize"),
    paragraphs: paragraphs.map(p => ({
      size: px(p, "fontSize"),
      line: px(p, "lineHeight"),
      gap: px(p, "marginBottom"),
    })),
  };
}
"""

SMALL_TARGETS = """
() => [...document.querySelectorAll("main a.btn, main button, main input, main select, main textarea")]
  .filter(el => el.offsetParent && el.type !== "hidden")
  // A radio or checkbox is tapped anywhere on its row, label included.
  .map(el => /radio|checkbox/.test(el.type) ? (el.closest(".form-check") || el.labels[0] || el) : el)
  .map(el => ({ what: el.outerHTML.slice(0, 80), height: el.getBoundingClientRect().height }))
  .filter(t => t.height < 47.5)
"""

TRUNCATED = """
() => [...document.querySelectorAll("main *")].filter(el => {
  const style = getComputedStyle(el);
  return el.offsetParent && (style.textOverflow === "ellipsis" && style.overflow === "hidden"
    || (style.webkitLineClamp && style.webkitLineClamp !== "none"));
}).map(el => el.outerHTML.slice(0, 80))
"""


@pytest.fixture
def estate(community, building_3, unit_3_1201, resident, captain_3, admin_user, category):
    """Building 3 with a resident in elders' mode, its captain (with a phone), an
    announcement to the building, three ideas and an open owners' vote."""
    captain_3.phone = "138 0000 1234"
    captain_3.save()
    announcement = notices_services.publish(
        community=community,
        author=captain_3,
        title="3栋电梯年检停运通知",
        body=BODY,
        audience=Audience.BUILDINGS,
        buildings=[building_3],
    )
    for title in ("楼道杂物请及时清理", "建议增设电动车充电桩", "小区宠物粪便问题"):
        IdeaFactory(author=resident, household=unit_3_1201, title=title, category=category)
    vote = open_vote(community, admin_user)
    return {"announcement": announcement, "vote": vote}


@pytest.fixture
def category(db):
    from tests.proposals.factories import seeded_category

    return seeded_category("facilities")


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized context in Chinese, under the site's CSP; closed after."""
    opened = OpenedContexts()

    def open_context(**options):
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", viewport=PHONE, **options
        )
        context.set_default_timeout(TIMEOUT_MS)
        return opened.track(context)

    expect.set_options(timeout=TIMEOUT_MS)
    yield open_context
    opened.close()


def sign_in(page, email, *, start="/accounts/login/"):
    page.goto(start)
    form = page.locator("form").filter(has=page.locator("input[name=login]"))
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def axe_contrast_violations(page) -> list:
    page.evaluate(AXE.read_text())  # by the debugger protocol: the page's CSP does not apply
    return page.evaluate(
        """async () => (await axe.run(document, {runOnly: ["color-contrast-enhanced"]}))
            .violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(" ") + " " + n.failureSummary)}))"""
    )


def switch_on_elders_mode(page):
    page.goto("/")
    page.locator("main form[action='/elders/'] button[name=on][value='1']").click()
    page.wait_for_load_state()
    expect(page.locator("body")).to_have_class("elders")


def test_elders_mode_meets_miits_type_and_aaa_contrast_on_the_key_pages(
    phone, estate, resident, console_errors
):
    context = phone()
    # A Chinese voice, as on a phone, so the read-aloud buttons show (and are checked too).
    context.add_init_script(SPEECH_STUB % '[{"lang": "zh-CN", "name": "Tingting"}]')
    page = context.new_page()
    sign_in(page, resident.email)
    switch_on_elders_mode(page)
    resident.refresh_from_db()
    assert resident.elders_mode

    pages = {
        "home": "/",
        "announcement": estate["announcement"].get_absolute_url(),
        "vote": f"/votes/{estate['vote'].pk}/",
        "ideas": "/ideas/",
    }
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, url in pages.items():
        page.goto(url)
        expect(page.locator("body")).to_have_class("elders")
        assert axe_contrast_violations(page) == [], name
        assert page.evaluate(SMALL_TARGETS) == [], name
        assert page.evaluate(TRUNCATED) == [], name
        page.screenshot(path=SHOTS / f"elders-{name}.png", full_page=True)

    page.goto(pages["announcement"])
    measured = page.evaluate(MEASURE_TYPE, ".announcement-body p")
    assert measured["bodySize"] >= 20
    assert measured["h1Size"] > measured["bodySize"]
    assert len(measured["paragraphs"]) == 3
    for paragraph in measured["paragraphs"]:
        assert paragraph["size"] >= 20
        assert paragraph["line"] / paragraph["size"] >= 1.5  # line spacing (MIIT: 1.3)
        assert paragraph["gap"] + 0.5 >= 1.3 * paragraph["line"]  # paragraph spacing

    page.goto("/")
    captain = page.locator("main .elders-captain")
    expect(captain).to_contain_text("三栋楼长老张")
    expect(captain).to_contain_text("138 0000 1234")
    expect(page.locator("main a.elders-action[href='tel:13800001234']")).to_be_visible()
    assert console_errors == []


def test_read_aloud_speaks_the_title_and_the_text_in_chinese(phone, estate, resident):
    context = phone()
    context.add_init_script(SPEECH_STUB % '[{"lang": "zh-CN", "name": "Tingting"}]')
    page = context.new_page()
    sign_in(page, resident.email)
    page.goto(estate["announcement"].get_absolute_url())
    button = page.locator("button[data-read-aloud]")
    expect(button).to_be_visible()
    button.click()
    spoken = page.evaluate("window.__spoken")
    text = "".join(part["text"] for part in spoken)
    assert "3栋电梯年检停运通知" in text
    assert "行动不便的长辈如需帮忙上下楼" in text
    assert {part["lang"] for part in spoken} == {"zh-CN"}


def test_read_aloud_is_hidden_without_a_chinese_voice(phone, estate, resident):
    context = phone()
    context.add_init_script(SPEECH_STUB % '[{"lang": "en-US", "name": "Samantha"}]')
    page = context.new_page()
    sign_in(page, resident.email)
    page.goto(estate["announcement"].get_absolute_url())
    expect(page.locator("button[data-read-aloud]")).to_be_hidden()


def test_a_captain_relays_to_the_group_and_the_coverage_page_credits_it(
    phone, estate, resident, captain_3, unit_3_1201, settings, live_server
):
    settings.SITE_URL = live_server.url
    announcement = estate["announcement"]
    captain_context = phone(permissions=["clipboard-read", "clipboard-write"])
    page = captain_context.new_page()
    sign_in(page, captain_3.email)
    page.goto(announcement.get_absolute_url())
    page.locator(f"a[href='/notices/announcements/{announcement.pk}/relay/']").click()
    page.wait_for_url("**/relay/")
    page.wait_for_load_state("load")  # relay.js has run
    section = page.locator("section.relay").first
    section.locator("button.relay-copy").click()
    expect(section.locator(".relay-copied")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "3栋电梯年检停运通知" in copied
    assert "因电梯年检" in copied
    short_link = copied.splitlines()[-1]
    assert short_link.startswith(f"{live_server.url}/r/")

    section.locator("button.relay-poster").click()
    poster = section.locator("img.relay-poster-image")
    expect(poster).to_have_attribute("src", re.compile(r"^data:image/png;base64,"))
    png = base64.b64decode(poster.get_attribute("src").split(",", 1)[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "elders-poster.png").write_bytes(png)

    # A neighbour of building 3 taps the link in the group, signs in, and reads it.
    neighbour_page = phone().new_page()
    neighbour_page.goto(short_link)
    neighbour_page.wait_for_url("**/accounts/login/**")
    form = neighbour_page.locator("form").filter(has=neighbour_page.locator("input[name=login]"))
    form.locator("input[name=login]").fill(resident.email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    neighbour_page.wait_for_url(f"**{announcement.get_absolute_url()}")
    reach = HouseholdReach.objects.get(announcement=announcement)
    assert (reach.household, reach.method) == (unit_3_1201, "read")
    assert RelayVisit.objects.get().household == unit_3_1201

    page.goto(f"/notices/announcements/{announcement.pk}/coverage/")
    expect(page.locator("[data-testid=via-group-3]")).to_have_text("1")


def test_what_was_typed_survives_the_session_running_out(phone, estate, resident, category):
    context = phone()
    page = context.new_page()
    sign_in(page, resident.email)
    page.goto("/ideas/new/")
    words = "楼下的路灯坏了两个星期，晚上老人出门看不清台阶。"
    page.locator("textarea[name=body]").fill(words)
    # The session runs out (the CSRF cookie stays, as it does).
    session = [c for c in context.cookies() if c["name"].endswith("sessionid")]
    context.clear_cookies(name=session[0]["name"])
    page.locator("input[name=title]").fill("路灯坏了")
    page.locator("main form[method=post] button[type=submit]").last.click()
    page.wait_for_url("**/accounts/login/**")
    sign_in(page, resident.email, start=page.url)
    page.wait_for_url("**/ideas/new/")
    expect(page.locator("textarea[name=body]")).to_have_value(words)
    expect(page.locator("input[name=title]")).to_have_value("路灯坏了")

    # Sent for good this time: the draft has done its job, the next form starts empty.
    page.locator("select[name=category]").select_option(str(category.pk))
    page.locator("main form[method=post] button[type=submit]").last.click()
    page.wait_for_url("**/ideas/*/")
    page.goto("/ideas/new/")
    page.wait_for_load_state("load")
    expect(page.locator("textarea[name=body]")).to_have_value("")
