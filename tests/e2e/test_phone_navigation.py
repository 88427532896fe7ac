"""The phone's tab bar, end to end in headless Chromium: at 390 px a resident reaches
golden ideas and announcements from the bar at the bottom, without opening the
hamburger menu, and the current tab is marked for screen readers."""

import pytest
from playwright.sync_api import expect

from notices.models import Announcement, Audience
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# The contrast ratio of each element's text colour on the navbar's background.
CONTRASTS = """(selector) => {
  const rgba = (value) => {
    const parts = value.match(/[0-9.]+/g).map(Number);
    return [parts.slice(0, 3), parts.length > 3 ? parts[3] : 1];
  };
  const luminance = (channels) => {
    const [R, G, B] = channels.map((c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  const [back] = rgba(getComputedStyle(document.querySelector(".navbar")).backgroundColor);
  const background = luminance(back);
  return [...document.querySelectorAll(selector)]
    .filter((element) => element.offsetParent !== null)
    .map((element) => {
      // A translucent text colour (Bootstrap's navbar-dark) is blended onto the red.
      const [fore, alpha] = rgba(getComputedStyle(element).color);
      const text = luminance(fore.map((c, i) => alpha * c + (1 - alpha) * back[i]));
      const [light, dark] = text > background ? [text, background] : [background, text];
      return (light + 0.05) / (dark + 0.05);
    });
}"""


def sign_in(page, email):
    page.goto("/accounts/login/")
    form = page.locator("form").filter(has=page.locator("input[name=login]"))
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_at_390_px_the_tab_bar_reaches_ideas_and_announcements(
    new_context, resident, building_3, console_errors
):
    notice = Announcement.objects.create(
        community=building_3.community,
        author=resident,
        title="3栋紧急停水通知",
        body="周三停水。",
        audience=Audience.BUILDINGS,
        urgent=True,
    )
    notice.buildings.set([building_3])
    page = new_context().new_page()
    page.set_viewport_size(PHONE)
    sign_in(page, resident.email)
    page.goto("/")

    tabbar = page.locator("nav.tabbar")
    expect(tabbar).to_be_visible()
    expect(page.locator("#main-nav")).to_be_hidden()  # the hamburger stays closed
    expect(tabbar.locator('a[aria-current="page"]')).to_have_attribute("href", "/")
    expect(page.get_by_text(notice.title)).to_be_visible()
    # Every tab is a tap target of at least 44 × 44 px, inside the viewport.
    for box in [item.bounding_box() for item in tabbar.locator(".tabbar-item").all()]:
        assert box["width"] >= 44 and box["height"] >= 44
        assert box["y"] + box["height"] <= PHONE["height"]

    tabbar.locator('a[href="/ideas/"]').click()
    page.wait_for_url("**/ideas/")
    expect(page.locator('nav.tabbar a[aria-current="page"]')).to_have_attribute("href", "/ideas/")

    tabbar = page.locator("nav.tabbar")
    tabbar.locator('a[href="/notices/announcements/"]').click()
    page.wait_for_url("**/notices/announcements/")
    expect(page.locator('nav.tabbar a[aria-current="page"]')).to_have_attribute(
        "href", "/notices/announcements/"
    )
    # 我的 opens its menu upwards: notifications, household, profile.
    page.locator("#tabbar-me").click()
    expect(page.locator('nav.tabbar a[href="/notices/"]')).to_be_visible()
    assert console_errors == []


def test_at_1280_px_the_tab_bar_is_hidden(new_context, resident):
    page = new_context().new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, resident.email)
    page.goto("/")

    expect(page.locator("nav.tabbar")).to_be_hidden()
    expect(page.locator("#main-nav")).to_be_visible()
    # The navbar's links read at least 4.5:1 on its red (WCAG 1.4.3).
    ratios = page.evaluate(CONTRASTS, ".navbar .nav-link, .navbar .navbar-brand")
    assert ratios and min(ratios) >= 4.5, ratios
