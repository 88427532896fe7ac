"""Per-user limits on ideas, comments and reports: over them, a friendly 429 page and
nothing stored; another user is not affected."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from covenant import middleware
from proposals.models import Comment, Idea, Report
from tests.factories import HouseholdFactory, MembershipFactory, UserFactory
from tests.proposals.factories import CommentFactory, IdeaFactory

CREATE = reverse("proposals:idea_create")
RECORD = reverse("proposals:idea_record")


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.IDEA_RATE_LIMITS = {"idea": "2/h", "comment": "2/h", "report": "2/h"}


def page_language() -> str:
    """The language the middleware serves an anonymous request in (patched by conftest)."""
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    return middleware.language_for(request)


def shown(msgid: str) -> str:
    """A message as the pages show it: in the language they are served in (English under
    tests/proposals/conftest.py, the portal's Chinese without it), escaped like the page."""
    with translation.override(page_language()):
        return escape(translation.gettext(msgid))


def assert_friendly_429(response):
    assert response.status_code == 429
    assert "proposals/rate_limited.html" in [template.name for template in response.templates]
    html = response.content.decode()
    assert shown("Slow down a little") in html
    assert reverse("proposals:idea_list") in html  # a way back


def assert_form_kept_with_429(response, typed_title):
    """Over the idea limit the form comes back as typed, saying why, with status 429."""
    assert response.status_code == 429
    html = response.content.decode()
    assert (
        shown(
            "You have shared many ideas in a short time. Please wait a while, then send this one again."
        )
        in html
    )
    assert f'value="{typed_title}"' in html


def idea_data(category, number):
    return {
        "title": f"第{number}个关于停车的建议",
        "body": "晚上车位不够，很多车停在消防通道上。",
        "category": category.pk,
    }


def comment_url(idea):
    return reverse("proposals:comment_create", args=[idea.pk])


# --- Ideas ---------------------------------------------------------------------------


def test_over_the_idea_limit_the_user_is_asked_to_slow_down_and_nothing_is_stored(
    client, resident, category
):
    client.force_login(resident)
    for number in range(2):
        assert client.post(CREATE, idea_data(category, number)).status_code == 302
    response = client.post(CREATE, idea_data(category, 2))
    assert_form_kept_with_429(response, "第2个关于停车的建议")
    assert Idea.objects.filter(author=resident).count() == 2
    assert not Idea.objects.filter(title="第2个关于停车的建议").exists()


def test_another_user_may_still_submit_when_one_is_over_the_idea_limit(
    client, resident, neighbour, category
):
    client.force_login(resident)
    for number in range(3):
        client.post(CREATE, idea_data(category, number))
    client.force_login(neighbour)
    assert client.post(CREATE, idea_data(category, 9)).status_code == 302
    assert Idea.objects.filter(author=neighbour).count() == 1


def test_a_form_with_mistakes_does_not_use_up_the_limit(client, resident, category):
    client.force_login(resident)
    for _attempt in range(3):
        response = client.post(CREATE, {"title": "停车", "body": "太短", "category": category.pk})
        assert response.status_code == 200
    assert client.post(CREATE, idea_data(category, 1)).status_code == 302
    assert Idea.objects.filter(author=resident).count() == 1


def test_recording_ideas_for_residents_is_limited_too(client, captain_3, unit_3_1201, category):
    client.force_login(captain_3)
    data = {"household": unit_3_1201.pk, "resident_name": "刘奶奶"}
    for number in range(2):
        assert client.post(RECORD, {**data, **idea_data(category, number)}).status_code == 302
    assert_form_kept_with_429(
        client.post(RECORD, {**data, **idea_data(category, 2)}), "第2个关于停车的建议"
    )
    assert Idea.objects.filter(recorded_by=captain_3).count() == 2


# --- Comments ------------------------------------------------------------------------


def test_over_the_comment_limit_the_user_is_asked_to_slow_down_and_nothing_is_stored(
    client, idea, neighbour
):
    client.force_login(neighbour)
    for number in range(2):
        assert client.post(comment_url(idea), {"body": f"同意 {number}"}).status_code == 302
    response = client.post(comment_url(idea), {"body": "第三条评论"})
    assert_friendly_429(response)
    assert "第三条评论" in response.content.decode(), "what they wrote is kept to copy"
    assert not Comment.objects.filter(body="第三条评论").exists()
    idea.refresh_from_db()
    assert idea.comment_count == 2


def test_another_user_may_still_comment_when_one_is_over_the_comment_limit(
    client, idea, neighbour, resident
):
    client.force_login(neighbour)
    for number in range(3):
        client.post(comment_url(idea), {"body": f"同意 {number}"})
    client.force_login(resident)
    assert client.post(comment_url(idea), {"body": "谢谢大家"}).status_code == 302
    assert Comment.objects.filter(author=resident).count() == 1


def test_the_comment_limit_counts_across_ideas(client, idea, neighbours_idea, neighbour):
    client.force_login(neighbour)
    client.post(comment_url(idea), {"body": "一"})
    client.post(comment_url(neighbours_idea), {"body": "二"})
    assert_friendly_429(client.post(comment_url(idea), {"body": "三"}))
    assert Comment.objects.filter(author=neighbour).count() == 2


# --- Reports -------------------------------------------------------------------------


@pytest.fixture
def three_ideas(neighbour, unit_5_0802, category):
    return [
        IdeaFactory(author=neighbour, household=unit_5_0802, category=category) for _ in range(3)
    ]


def report_url(idea):
    return reverse("proposals:idea_report", args=[idea.pk])


def test_over_the_report_limit_the_user_is_asked_to_slow_down_and_nothing_is_stored(
    client, resident, three_ideas
):
    client.force_login(resident)
    for idea in three_ideas[:2]:
        assert client.post(report_url(idea), {"reason": "spam"}).status_code == 302
    response = client.post(report_url(three_ideas[2]), {"reason": "spam"})
    assert_friendly_429(response)
    assert not Report.objects.filter(idea=three_ideas[2]).exists()
    three_ideas[2].refresh_from_db()
    assert three_ideas[2].report_count == 0


def test_reports_on_comments_count_towards_the_same_limit(client, resident, three_ideas):
    comments = [CommentFactory(idea=idea, author=idea.author) for idea in three_ideas]
    client.force_login(resident)
    client.post(report_url(three_ideas[0]), {"reason": "spam"})
    client.post(reverse("proposals:comment_report", args=[comments[0].pk]), {"reason": "abuse"})
    response = client.post(
        reverse("proposals:comment_report", args=[comments[1].pk]), {"reason": "abuse"}
    )
    assert_friendly_429(response)
    assert Report.objects.filter(reporter=resident).count() == 2


def test_another_user_may_still_report_when_one_is_over_the_report_limit(
    client, resident, three_ideas, building_3
):
    client.force_login(resident)
    for idea in three_ideas:
        client.post(report_url(idea), {"reason": "spam"})
    other = UserFactory()
    household = HouseholdFactory(building=building_3, floor=7, unit="0701")
    MembershipFactory(user=other, household=household, verified=True)
    client.force_login(other)
    assert client.post(report_url(three_ideas[2]), {"reason": "spam"}).status_code == 302
    assert Report.objects.filter(idea=three_ideas[2]).get().reporter == other


def test_reading_is_never_limited(client, resident, three_ideas):
    client.force_login(resident)
    for idea in three_ideas:
        client.post(report_url(idea), {"reason": "spam"})
    assert client.get(reverse("proposals:idea_list")).status_code == 200
    assert client.get(report_url(three_ideas[2])).status_code == 200
