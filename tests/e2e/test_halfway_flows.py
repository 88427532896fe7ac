"""Flows that used to stop halfway, in headless Chromium on a 390 px screen: the door-knock
counter moves with a tick, the formatting toolbar writes Markdown for the resident, the
urgent preview and the signed state show. Screenshots go to $FLOWS_SCREENSHOTS if set."""

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from covenant.models import Party
from notices import services as notices
from notices.models import Audience
from proposals.deliberations import services
from tests.e2e.test_ideas_journey import sign_in
from tests.factories import HouseholdFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def shoot(page, name):
    folder = os.environ.get("FLOWS_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def phone_page(new_context, user):
    page = new_context().new_page()
    page.set_viewport_size(PHONE)
    sign_in(page, user.email)
    return page


def test_the_door_knock_counter_moves_with_a_tick_without_a_reload(
    new_context, console_errors, community, captain_3, building_3, unit_3_1201, resident
):
    for floor, unit in ((2, "0201"), (2, "0202"), (7, "0701")):
        HouseholdFactory(building=building_3, floor=floor, unit=unit)
    announcement = notices.publish(
        community=community,
        author=captain_3,
        title="3栋电梯停运通知",
        body="周二电梯检修。",
        audience=Audience.BUILDINGS,
        buildings=[building_3],
    )
    page = phone_page(new_context, captain_3)
    page.goto(reverse("notices:door_knock", args=[announcement.pk]))
    counter = page.locator("[data-testid=building-reach]")
    expect(counter).to_have_text("0 / 4")
    page.evaluate("window.__same_page = true")

    page.locator(".door-knock button[value=in_person]").first.click()

    expect(counter).to_have_text("1 / 4")
    assert page.evaluate("window.__same_page") is True  # no reload
    bar = page.locator(f"#building-reach-{building_3.pk} svg")
    expect(bar).to_have_attribute("aria-label", re.compile(r"^[^:：].*[:：] ?25%$"))
    shoot(page, "door-knock-390")
    assert console_errors == []


def test_the_toolbar_writes_bold_lists_and_links_for_the_resident(
    new_context, console_errors, resident
):
    page = phone_page(new_context, resident)
    page.goto(reverse("proposals:idea_create"))
    body = page.locator("textarea[name=body]")
    toolbar = page.locator(".format-toolbar")
    expect(toolbar).to_have_count(1)

    body.fill("楼道灯坏了")
    body.evaluate("area => area.setSelectionRange(2, 4)")
    toolbar.locator("[data-format=bold]").click()
    expect(body).to_have_value("楼道**灯坏**了")

    body.fill("第一条\n第二条")
    body.evaluate("area => area.setSelectionRange(0, area.value.length)")
    toolbar.locator("[data-format=list]").click()
    expect(body).to_have_value("- 第一条\n- 第二条")

    body.fill("物业通知")
    body.evaluate("area => area.setSelectionRange(0, 4)")
    toolbar.locator("[data-format=link]").click()
    expect(body).to_have_value("[物业通知](https://)")
    # The address is selected: typing replaces it.
    page.keyboard.type("example.org")
    expect(body).to_have_value("[物业通知](example.org)")
    # The buttons are reachable by keyboard.
    toolbar.locator("[data-format=bold]").focus()
    page.keyboard.press("Tab")
    expect(toolbar.locator("[data-format=list]")).to_be_focused()
    assert console_errors == []


def test_the_urgent_preview_shows_the_mail_and_its_reach(
    new_context, console_errors, steward, resident, neighbour
):
    page = phone_page(new_context, steward)
    page.goto(reverse("notices:announcement_create"))
    page.locator("input[name=title]").fill("紧急停水通知")
    page.locator("textarea[name=body]").fill("今晚22点至次日6点停水，请提前储水。")
    page.locator("input[name=urgent]").check()
    page.locator("form.building-grid button[type=submit]").click()

    preview = page.locator(".urgent-preview")
    expect(preview).to_be_visible()
    expect(preview).to_contain_text("紧急停水通知")
    send = page.locator("button[name=confirm]")
    expect(send).to_be_visible()
    shoot(page, "urgent-preview-390")
    send.click()
    page.wait_for_url(lambda url: "/new/" not in url)
    assert console_errors == []


def test_a_party_that_agreed_sees_its_answer(
    new_context, console_errors, community, party_member, captain_3, steward
):
    deliberation = services.open_deliberation(
        opener=party_member, community=community, topic="规范停车", background="消防通道常被占用。"
    )
    for user, party in [(captain_3, Party.RESIDENTS), (steward, Party.PROPERTY)]:
        services.name_representative(
            deliberation=deliberation, user=user, party=party, actor=party_member
        )
    services.propose_resolution(
        deliberation=deliberation, author=party_member, text="消防通道全天禁止停车。"
    )
    page = phone_page(new_context, captain_3)
    page.goto(deliberation.get_absolute_url())
    form = page.locator("form[action$='/resolution/sign/']")
    form.locator("input[name=decision][value=agree]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: url.endswith("#resolution"))

    expect(page.locator("[data-testid=signed-state]")).to_be_visible()
    expect(form).to_be_hidden()  # folded under "change the answer"
    page.locator("#resolution").scroll_into_view_if_needed()
    shoot(page, "signed-state-390")
    assert console_errors == []


@pytest.mark.parametrize("where", ["volunteers:index", "proposals:dashboard_ideas"])
def test_tabs_cut_off_on_a_phone_scroll_to_the_focused_one(
    new_context, console_errors, admin_user, where
):
    page = phone_page(new_context, admin_user)
    page.goto(reverse(where))
    tabs = page.locator(".scroll-cue").first
    assert tabs.evaluate("el => el.scrollWidth > el.clientWidth"), "the tabs fit: nothing to cue"
    assert "radial-gradient" in tabs.evaluate("el => getComputedStyle(el).backgroundImage")
    shoot(page, f"tabs-{where.split(':')[1]}-390")

    links = tabs.locator("a")
    links.first.focus()
    for _ in range(links.count() - 1):
        page.keyboard.press("Tab")
    expect(links.last).to_be_focused()

    # Focus brings the tab into view (Chromium scrolls only if it was hidden entirely).
    shown = tabs.evaluate(
        "el => { const box = el.getBoundingClientRect();"
        " const link = document.activeElement.getBoundingClientRect();"
        " return link.left >= box.left && link.left < box.right; }"
    )
    assert shown
    assert console_errors == []


def test_many_buildings_of_the_audience_sit_in_a_grid_on_a_phone(
    new_context, console_errors, community, steward
):
    from tests.factories import BuildingFactory

    for number in range(1, 27):
        BuildingFactory(community=community, number=number)
    page = phone_page(new_context, steward)
    page.goto(reverse("notices:announcement_create"))
    checks = page.locator("#div_id_buildings .form-check")
    expect(checks).to_have_count(26)

    first, second = checks.nth(0).bounding_box(), checks.nth(1).bounding_box()
    last = checks.nth(25).bounding_box()

    assert first["y"] == second["y"]  # side by side, not one column
    assert last["y"] - first["y"] < 26 * first["height"] / 2
    checks.nth(0).scroll_into_view_if_needed()
    shoot(page, "audience-buildings-390")
    assert console_errors == []
