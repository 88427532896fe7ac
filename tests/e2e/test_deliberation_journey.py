"""A resolution signed off by the three parties, end to end in headless Chromium.

The Party branch, the residents' captain and the property steward each open the
deliberation on a phone-sized screen and agree; the resolution is adopted only at the
third answer, and the linked idea moves on. Elements are found by input names and form
actions, not wording.
"""

import pytest
from playwright.sync_api import expect

from covenant.models import Party
from proposals.deliberations import services
from proposals.models import Deliberation, Idea
from tests.e2e.test_ideas_journey import sign_in
from tests.proposals.factories import IdeaFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def answer(new_context, user, deliberation):
    page = new_context().new_page()
    page.set_viewport_size(PHONE)
    sign_in(page, user.email)
    page.goto(deliberation.get_absolute_url())
    form = page.locator("form[action$='/resolution/sign/']")
    form.locator("input[name=decision][value=agree]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: url.endswith("#resolution"))
    return page


def test_three_parties_sign_off_and_the_linked_idea_moves_on(
    new_context, console_errors, community, party_member, captain_3, steward, unit_3_1201, resident
):
    deliberation = services.open_deliberation(
        opener=party_member, community=community, topic="规范停车", background="消防通道常被占用。"
    )
    for user, party in [(captain_3, Party.RESIDENTS), (steward, Party.PROPERTY)]:
        services.name_representative(
            deliberation=deliberation, user=user, party=party, actor=party_member
        )
    idea = IdeaFactory(household=unit_3_1201, author=resident, title="消防通道被占")
    services.link_ideas(deliberation=deliberation, ideas=[idea], actor=party_member)
    services.propose_resolution(
        deliberation=deliberation, author=party_member, text="消防通道全天禁止停车。"
    )

    answer(new_context, party_member, deliberation)  # the Party branch
    answer(new_context, captain_3, deliberation)  # the residents
    deliberation.refresh_from_db()
    assert deliberation.status == Deliberation.Status.RESOLUTION_PROPOSED

    page = answer(new_context, steward, deliberation)  # the property
    # Adopted: nobody is asked to sign any more, and the idea is accepted.
    expect(page.locator("form[action$='/resolution/sign/']")).to_have_count(0)
    deliberation.refresh_from_db()
    idea.refresh_from_db()
    assert deliberation.status == Deliberation.Status.RESOLVED
    assert idea.status == Idea.Status.ACCEPTED
    assert console_errors == []


def test_a_captain_opens_the_workbench_menu_on_a_phone(new_context, console_errors, captain_3):
    page = new_context().new_page()
    page.set_viewport_size(PHONE)
    sign_in(page, captain_3.email)
    page.goto("/")
    # On a phone the Workbench is a tab of the bottom bar: one tap, no hamburger.
    page.locator("#tabbar-workbench").click()
    queue = page.locator("[aria-labelledby='tabbar-workbench'] a[href$='/memberships/queue/']")
    expect(queue).to_be_visible()
    queue.click()
    page.wait_for_url(lambda url: url.endswith("/memberships/queue/"))
    assert console_errors == []
