"""A golden idea, end to end in headless Chromium.

A resident starts typing an idea about the lift, is offered the existing lift idea and
supports it in place (htmx); then submits their own idea with a photo, which is shown once
processed. Elements are found by input names and form actions, not wording.
"""

import pytest
from playwright.sync_api import expect

from proposals.models import Idea, Support
from tests.factories import PASSWORD
from tests.proposals.factories import IdeaFactory, seeded_category

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, email):
    page.goto("/accounts/login/")
    form = page.locator("form").filter(has=page.locator("input[name=login]"))
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_a_resident_supports_a_similar_idea_then_shares_their_own(
    new_context, console_errors, resident, neighbour, unit_5_0802, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.IDEAS_PRIVATE_ROOT = tmp_path / "private-ideas"
    lift = IdeaFactory(
        household=unit_5_0802, author=neighbour, title="5栋电梯经常故障", body="电梯维修太慢了。"
    )
    page = new_context().new_page()
    sign_in(page, resident.email)

    page.goto("/ideas/new/")
    page.locator("input[name=title]").press_sequentially("电梯又坏了", delay=30)
    suggestion = page.locator("#similar-ideas").get_by_role("link", name="5栋电梯经常故障")
    expect(suggestion).to_be_visible()
    page.locator(f"#similar-ideas button[hx-post='/ideas/{lift.pk}/support/']").click()
    expect(page.locator("#similar-ideas button[aria-pressed=true]")).to_be_visible()
    assert Support.objects.filter(idea=lift, user=resident).count() == 1
    assert page.url.endswith("/ideas/new/"), "supporting did not leave the form"

    page.locator("textarea[name=body]").fill("3栋的电梯也经常停，希望物业定期检修。")
    page.locator("select[name=category]").select_option(str(seeded_category("facilities").pk))
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    page.wait_for_url("**/ideas/*/")

    idea = Idea.objects.get(author=resident)
    assert idea.title == "电梯又坏了"
    assert page.locator("h1").inner_text() == "电梯又坏了"
    assert console_errors == []
