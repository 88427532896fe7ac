"""A reply form loaded when "Reply" is pressed (issue 16), in headless Chromium: htmx
swaps the form in under the comment, and the reply posted from it joins the thread."""

import os

import pytest
from playwright.sync_api import expect

from proposals.models import Comment
from tests.e2e.test_ideas_journey import sign_in
from tests.proposals.factories import CommentFactory, IdeaFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_resident_opens_a_reply_form_in_place_and_replies(
    new_context, console_errors, resident, neighbour, unit_5_0802
):
    idea = IdeaFactory(household=unit_5_0802, author=neighbour, title="5栋电梯经常故障")
    comment = CommentFactory(idea=idea, author=neighbour, body="上周又停了两天。")
    page = new_context().new_page()
    sign_in(page, resident.email)

    page.goto(idea.get_absolute_url())
    assert page.locator("#comments textarea").count() == 1, "only the new comment's form"
    page.locator(f"#comment-{comment.pk} a[hx-get]").click()
    reply = page.locator(f"#comment-{comment.pk} textarea[name=body]")
    expect(reply).to_be_visible()
    if shots := os.environ.get("E2E_SCREENSHOTS"):
        page.screenshot(path=f"{shots}/reply-on-demand.png", full_page=True)
    reply.fill("我也遇到过，支持尽快维修。")
    page.locator(f"#comment-{comment.pk} form button[type=submit]").click()
    page.wait_for_load_state()

    expect(page.get_by_text("我也遇到过，支持尽快维修。")).to_be_visible()
    assert Comment.objects.get(author=resident).parent_id == comment.pk
    assert console_errors == []
