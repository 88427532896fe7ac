"""Reports, the moderation queue and the moderators' actions, as residents and moderators
see them: building 3's captain moderates building 3, admins moderate everything."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from covenant import middleware
from covenant.models import Role
from proposals.ideas import services
from proposals.models import (
    Comment,
    Idea,
    IdeaBoxSettings,
    Moderation,
    ModerationAction,
    Report,
    Support,
)
from tests.factories import HouseholdFactory, MembershipFactory, RoleGrantFactory, UserFactory
from tests.proposals.factories import CommentFactory, IdeaFactory

LIST = reverse("proposals:idea_list")
QUEUE = reverse("proposals:moderation_queue")
CREATE = reverse("proposals:idea_create")


def detail_url(idea):
    return reverse("proposals:idea_detail", args=[idea.pk])


def report_url(item):
    if isinstance(item, Comment):
        return reverse("proposals:comment_report", args=[item.pk])
    return reverse("proposals:idea_report", args=[item.pk])


def moderate_url(item):
    if isinstance(item, Comment):
        return reverse("proposals:comment_moderate", args=[item.pk])
    return reverse("proposals:idea_moderate", args=[item.pk])


def comment_url(idea):
    return reverse("proposals:comment_create", args=[idea.pk])


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


def messages_of(response, level: str) -> list[str]:
    return [str(message) for message in response.context["messages"] if message.level_tag == level]


def listed_titles(client, user) -> set[str]:
    client.force_login(user)
    response = client.get(LIST)
    assert response.status_code == 200
    return {idea.title for idea in response.context["ideas"]}


@pytest.fixture
def reporters(unit_3_1201, building_3):
    """Three more verified residents of building 3, each with their own flat."""
    users = []
    for number in range(3):
        user = UserFactory(name=f"举报人{number}")
        household = HouseholdFactory(building=building_3, floor=9, unit=f"090{number + 1}")
        MembershipFactory(user=user, household=household, verified=True)
        users.append(user)
    return users


@pytest.fixture
def titled_idea(resident, unit_3_1201, category):
    return IdeaFactory(
        author=resident, household=unit_3_1201, category=category, title="小区东门晚上太暗"
    )


def report_three_times(client, item, reporters):
    for reporter in reporters:
        client.force_login(reporter)
        response = client.post(report_url(item), {"reason": Report.Reason.ABUSE})
        assert response.status_code == 302


# --- Reporting ---------------------------------------------------------------------


def test_reporting_sends_visitors_to_sign_in(client, idea):
    response = client.get(report_url(idea))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_resident_reports_an_idea_with_a_reason(client, idea, neighbour):
    client.force_login(neighbour)
    response = client.post(
        report_url(idea), {"reason": Report.Reason.PRIVACY, "note": "有电话号码"}, follow=True
    )
    assert messages_of(response, "success") == [shown("Thank you. The moderators have been told.")]
    report = Report.objects.get(idea=idea)
    assert (report.reporter, report.reason, report.note) == (neighbour, "privacy", "有电话号码")
    idea.refresh_from_db()
    assert idea.report_count == 1
    assert idea.moderation == Moderation.VISIBLE


def test_a_report_without_a_reason_is_refused_and_nothing_is_stored(client, idea, neighbour):
    client.force_login(neighbour)
    response = client.post(report_url(idea), {"reason": "", "note": "不好"})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert not Report.objects.exists()
    idea.refresh_from_db()
    assert idea.report_count == 0


def test_a_report_with_an_unknown_reason_is_refused(client, idea, neighbour):
    client.force_login(neighbour)
    response = client.post(report_url(idea), {"reason": "because"})
    assert response.context["form"].errors["reason"]
    assert not Report.objects.exists()


def test_a_second_report_by_the_same_person_says_so_and_changes_nothing(client, idea, neighbour):
    client.force_login(neighbour)
    client.post(report_url(idea), {"reason": Report.Reason.SPAM})
    response = client.post(report_url(idea), {"reason": Report.Reason.ABUSE}, follow=True)
    assert messages_of(response, "info") == [
        shown("You have reported this already; the moderators have it.")
    ]
    assert list(Report.objects.values_list("reason", flat=True)) == ["spam"]
    idea.refresh_from_db()
    assert idea.report_count == 1


def test_the_author_cannot_report_their_own_idea(client, idea, resident, neighbour):
    client.force_login(resident)
    assert client.get(report_url(idea)).status_code == 403
    assert client.post(report_url(idea), {"reason": "abuse"}).status_code == 403
    assert not Report.objects.exists()
    # The same request from someone else is taken.
    client.force_login(neighbour)
    assert client.post(report_url(idea), {"reason": "abuse"}).status_code == 302
    assert Report.objects.count() == 1


def test_the_author_sees_no_report_link_on_their_own_idea(client, idea, resident, neighbour):
    client.force_login(resident)
    assert report_url(idea) not in client.get(detail_url(idea)).content.decode()
    client.force_login(neighbour)
    assert report_url(idea) in client.get(detail_url(idea)).content.decode()


def test_a_resident_reports_a_comment(client, comment, resident):
    client.force_login(resident)
    response = client.post(report_url(comment), {"reason": Report.Reason.ABUSE})
    assert response.status_code == 302
    assert response["Location"] == detail_url(comment.idea)
    assert Report.objects.get().comment == comment
    comment.refresh_from_db()
    assert comment.report_count == 1


def test_a_comment_is_reported_once_per_person(client, comment, resident):
    client.force_login(resident)
    client.post(report_url(comment), {"reason": Report.Reason.ABUSE})
    response = client.post(report_url(comment), {"reason": Report.Reason.SPAM}, follow=True)
    assert messages_of(response, "info")
    assert Report.objects.filter(comment=comment).count() == 1
    comment.refresh_from_db()
    assert comment.report_count == 1


def test_a_comment_report_without_a_reason_is_refused(client, comment, resident):
    client.force_login(resident)
    response = client.post(report_url(comment), {"note": "骂人"})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert not Report.objects.exists()


def test_the_author_cannot_report_their_own_comment(client, comment, neighbour, resident):
    client.force_login(neighbour)
    assert client.post(report_url(comment), {"reason": "abuse"}).status_code == 403
    assert not Report.objects.exists()
    client.force_login(resident)
    assert client.post(report_url(comment), {"reason": "abuse"}).status_code == 302
    assert Report.objects.count() == 1


def test_a_newcomer_cannot_report(client, idea, newcomer):
    client.force_login(newcomer)
    assert client.post(report_url(idea), {"reason": "abuse"}).status_code == 403
    assert not Report.objects.exists()


# --- Hidden after three reports ----------------------------------------------------


def test_two_reports_do_not_hide_an_idea(client, titled_idea, reporters, neighbour):
    report_three_times(client, titled_idea, reporters[:2])
    titled_idea.refresh_from_db()
    assert titled_idea.moderation == Moderation.VISIBLE
    assert "小区东门晚上太暗" in listed_titles(client, neighbour)


def test_three_reports_from_different_residents_hide_an_idea_until_a_moderator_decides(
    client, titled_idea, reporters, neighbour, resident, captain_3
):
    report_three_times(client, titled_idea, reporters)
    titled_idea.refresh_from_db()
    assert titled_idea.moderation == Moderation.AUTO_HIDDEN
    assert ModerationAction.objects.get(idea=titled_idea).action == "auto_hide"

    # Gone for other residents, from the list and the page.
    assert "小区东门晚上太暗" not in listed_titles(client, neighbour)
    assert client.get(detail_url(titled_idea)).status_code == 404

    # The author still sees it, with a notice.
    client.force_login(resident)
    page = client.get(detail_url(titled_idea))
    assert page.status_code == 200
    assert shown("Hidden after several reports, until a moderator has looked at it.") in (
        page.content.decode()
    )

    # It waits in the queue of building 3's captain, with its reports.
    client.force_login(captain_3)
    queue = client.get(QUEUE)
    entries = [entry for entry in queue.context["items"] if entry.item == titled_idea]
    assert len(entries) == 1
    assert len(entries[0].reports) == 3
    assert "小区东门晚上太暗" in queue.content.decode()


def test_three_reports_hide_a_comment_and_take_it_off_the_count(
    client, comment, reporters, resident, neighbour
):
    comment.body = "楼上那家天天半夜装修"
    comment.save()
    report_three_times(client, comment, reporters)
    comment.refresh_from_db()
    assert comment.moderation == Moderation.AUTO_HIDDEN
    idea = Idea.objects.get(pk=comment.idea_id)
    assert idea.comment_count == 0

    client.force_login(resident)
    assert "楼上那家天天半夜装修" not in client.get(detail_url(idea)).content.decode()
    # Its author still sees it.
    client.force_login(neighbour)
    assert "楼上那家天天半夜装修" in client.get(detail_url(idea)).content.decode()


@pytest.mark.parametrize("role_holder", ["steward", "party_member", "admin_user"])
def test_content_by_the_staff_is_never_hidden_by_reports(
    client, persona, role_holder, community, category, reporters, captain_3, admin_user
):
    author = persona(role_holder)
    idea = IdeaFactory(
        author=author, household=None, community=community, category=category, title="停车新规"
    )
    report_three_times(client, idea, reporters)
    idea.refresh_from_db()
    assert idea.moderation == Moderation.VISIBLE
    assert idea.report_count == 3
    assert "停车新规" in listed_titles(client, reporters[0])


def test_a_staff_comment_is_never_hidden_by_reports(client, idea, steward, reporters, resident):
    staff_comment = CommentFactory(idea=idea, author=steward, body="物业明天来处理。")
    report_three_times(client, staff_comment, reporters)
    staff_comment.refresh_from_db()
    assert staff_comment.moderation == Moderation.VISIBLE
    client.force_login(resident)
    assert "物业明天来处理。" in client.get(detail_url(idea)).content.decode()


def test_a_report_on_a_staff_idea_reaches_the_admins_queue(
    client, steward, community, category, neighbour, admin_user
):
    idea = IdeaFactory(author=steward, household=None, community=community, category=category)
    client.force_login(neighbour)
    client.post(report_url(idea), {"reason": Report.Reason.FALSE})
    client.force_login(admin_user)
    assert [entry.item for entry in client.get(QUEUE).context["items"]] == [idea]


# --- Hiding, restoring, the log ----------------------------------------------------


def test_a_captain_hides_an_idea_with_a_reason_the_author_sees(
    client, titled_idea, captain_3, resident, neighbour
):
    client.force_login(captain_3)
    response = client.post(
        moderate_url(titled_idea), {"action": "hide", "reason": "含有邻居的电话号码"}
    )
    assert response.status_code == 302
    titled_idea.refresh_from_db()
    assert titled_idea.moderation == Moderation.HIDDEN
    assert titled_idea.hidden_reason == "含有邻居的电话号码"

    client.force_login(resident)
    page = client.get(detail_url(titled_idea))
    assert page.status_code == 200
    assert "含有邻居的电话号码" in page.content.decode()

    assert "小区东门晚上太暗" not in listed_titles(client, neighbour)
    assert client.get(detail_url(titled_idea)).status_code == 404


def test_hiding_without_a_reason_is_refused_and_changes_nothing(client, idea, captain_3):
    client.force_login(captain_3)
    response = client.post(moderate_url(idea), {"action": "hide", "reason": "  "}, follow=True)
    assert messages_of(response, "error")
    idea.refresh_from_db()
    assert idea.moderation == Moderation.VISIBLE
    assert not ModerationAction.objects.exists()


def test_an_unknown_moderation_action_is_a_bad_request(client, idea, captain_3):
    client.force_login(captain_3)
    assert client.post(moderate_url(idea), {"action": "delete"}).status_code == 400
    idea.refresh_from_db()
    assert idea.moderation == Moderation.VISIBLE


def test_a_captain_restores_a_hidden_idea_and_settles_its_reports(
    client, titled_idea, reporters, captain_3, neighbour
):
    report_three_times(client, titled_idea, reporters)
    client.force_login(captain_3)
    client.post(moderate_url(titled_idea), {"action": "restore"})
    titled_idea.refresh_from_db()
    assert titled_idea.moderation == Moderation.VISIBLE
    assert titled_idea.report_count == 0
    assert not Report.objects.filter(resolved_at__isnull=True).exists()
    assert "小区东门晚上太暗" in listed_titles(client, neighbour)
    client.force_login(captain_3)
    assert titled_idea not in [entry.item for entry in client.get(QUEUE).context["items"]]


def test_a_captain_hides_and_restores_a_comment(client, comment, captain_3, resident):
    client.force_login(captain_3)
    client.post(moderate_url(comment), {"action": "hide", "reason": "人身攻击"})
    comment.refresh_from_db()
    assert comment.moderation == Moderation.HIDDEN
    assert Idea.objects.get(pk=comment.idea_id).comment_count == 0
    client.force_login(resident)
    assert comment.body not in client.get(detail_url(comment.idea)).content.decode()

    client.force_login(captain_3)
    client.post(moderate_url(comment), {"action": "restore"})
    comment.refresh_from_db()
    assert comment.moderation == Moderation.VISIBLE
    assert Idea.objects.get(pk=comment.idea_id).comment_count == 1


def test_the_author_of_a_hidden_comment_sees_the_reason(client, comment, captain_3, neighbour):
    client.force_login(captain_3)
    client.post(moderate_url(comment), {"action": "hide", "reason": "人身攻击"})
    client.force_login(neighbour)
    html = client.get(detail_url(comment.idea)).content.decode()
    assert "人身攻击" in html
    assert comment.body in html


@pytest.mark.parametrize("name", ["steward", "admin_user"])
def test_the_staff_and_admins_see_the_moderation_log_on_the_item(
    client, persona, name, idea, captain_3
):
    client.force_login(captain_3)
    client.post(moderate_url(idea), {"action": "hide", "reason": "广告内容"})
    client.force_login(persona(name))
    html = client.get(detail_url(idea)).content.decode()
    assert 'id="audit-heading"' in html
    assert "广告内容" in html
    assert "三栋楼长老张" in html  # who did it


@pytest.mark.parametrize("name", ["resident", "neighbour", "party_member"])
def test_residents_do_not_see_the_moderation_log(client, persona, name, idea, captain_3):
    client.force_login(captain_3)
    client.post(moderate_url(idea), {"action": "hide", "reason": "广告内容"})
    client.post(moderate_url(idea), {"action": "restore"})
    client.force_login(persona(name))
    html = client.get(detail_url(idea)).content.decode()
    assert 'id="audit-heading"' not in html
    assert "三栋楼长老张" not in html


def test_every_moderation_action_is_logged_with_its_actor(client, idea, captain_3):
    client.force_login(captain_3)
    client.post(moderate_url(idea), {"action": "hide", "reason": "广告内容"})
    client.post(moderate_url(idea), {"action": "restore"})
    assert list(ModerationAction.objects.values_list("action", "actor", "reason")) == [
        ("hide", captain_3.pk, "广告内容"),
        ("restore", captain_3.pk, ""),
    ]


# --- Who may moderate ----------------------------------------------------------------


def test_a_captain_of_building_5_cannot_moderate_an_idea_from_building_3(
    client, idea, captain_5, captain_3
):
    data = {"action": "hide", "reason": "不合适"}
    client.force_login(captain_5)
    assert client.post(moderate_url(idea), data).status_code == 403
    idea.refresh_from_db()
    assert idea.moderation == Moderation.VISIBLE
    assert not ModerationAction.objects.exists()
    # Building 3's captain, with the same request, is obeyed.
    client.force_login(captain_3)
    assert client.post(moderate_url(idea), data).status_code == 302
    idea.refresh_from_db()
    assert idea.moderation == Moderation.HIDDEN


def test_a_captain_of_building_5_cannot_moderate_a_comment_under_a_building_3_idea(
    client, comment, captain_5
):
    client.force_login(captain_5)
    response = client.post(moderate_url(comment), {"action": "hide", "reason": "不合适"})
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.moderation == Moderation.VISIBLE


def test_a_captain_of_floors_1_to_6_cannot_moderate_a_floor_12_idea(
    client, idea, captain_3_lower_floors
):
    client.force_login(captain_3_lower_floors)
    response = client.post(moderate_url(idea), {"action": "hide", "reason": "不合适"})
    assert response.status_code == 403
    idea.refresh_from_db()
    assert idea.moderation == Moderation.VISIBLE


def test_a_captain_cannot_moderate_their_own_idea(client, captain_3, unit_3_1201, category):
    own = IdeaFactory(author=captain_3, household=unit_3_1201, category=category)
    Idea.objects.filter(pk=own.pk).update(moderation=Moderation.AUTO_HIDDEN)
    client.force_login(captain_3)
    assert client.post(moderate_url(own), {"action": "restore"}).status_code == 403
    own.refresh_from_db()
    assert own.moderation == Moderation.AUTO_HIDDEN
    assert own not in [entry.item for entry in client.get(QUEUE).context["items"]]


@pytest.mark.parametrize("name", ["resident", "neighbour", "steward", "party_member"])
def test_those_who_moderate_nothing_are_refused_moderating(client, persona, name, idea):
    client.force_login(persona(name))
    response = client.post(moderate_url(idea), {"action": "hide", "reason": "不合适"})
    assert response.status_code == 403
    idea.refresh_from_db()
    assert idea.moderation == Moderation.VISIBLE


def test_an_admin_moderates_in_any_building(client, neighbours_idea, admin_user):
    client.force_login(admin_user)
    client.post(moderate_url(neighbours_idea), {"action": "hide", "reason": "重复发帖"})
    neighbours_idea.refresh_from_db()
    assert neighbours_idea.moderation == Moderation.HIDDEN


def test_moderating_sends_visitors_to_sign_in(client, idea):
    response = client.post(moderate_url(idea), {"action": "hide", "reason": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    idea.refresh_from_db()
    assert idea.moderation == Moderation.VISIBLE


def test_a_moderation_never_redirects_to_another_site(client, idea, captain_3):
    client.force_login(captain_3)
    response = client.post(
        moderate_url(idea), {"action": "restore", "next": "//evil.example/steal"}
    )
    assert response["Location"] == detail_url(idea)


# --- Duplicates ----------------------------------------------------------------------


@pytest.fixture
def original(neighbour, unit_3_1201, category, reporters):
    """An earlier idea about the same thing, by another resident of building 3."""
    return IdeaFactory(
        author=reporters[2], household=unit_3_1201, category=category, title="东门路灯坏了"
    )


def test_marking_a_duplicate_moves_its_supports_without_counting_anyone_twice(
    client, titled_idea, original, resident, neighbour, reporters, captain_3
):
    both, only_duplicate = neighbour, reporters[0]
    services.set_support(idea=original, user=both, supported=True)
    services.set_support(idea=titled_idea, user=both, supported=True)
    services.set_support(idea=titled_idea, user=only_duplicate, supported=True)

    client.force_login(captain_3)
    response = client.post(moderate_url(titled_idea), {"action": "merge", "original": original.pk})
    assert response.status_code == 302

    original.refresh_from_db()
    titled_idea.refresh_from_db()
    assert titled_idea.duplicate_of == original
    supporters = set(Support.objects.filter(idea=original).values_list("user", flat=True))
    # The duplicate's author now supports the original too.
    assert supporters == {both.pk, only_duplicate.pk, resident.pk}
    assert original.support_count == 3
    assert ModerationAction.objects.get(idea=titled_idea).action == "merge"


def test_a_merged_idea_leaves_the_list_and_points_to_the_original(
    client, titled_idea, original, captain_3, neighbour
):
    client.force_login(captain_3)
    client.post(moderate_url(titled_idea), {"action": "merge", "original": original.pk})
    titles = listed_titles(client, neighbour)
    assert "小区东门晚上太暗" not in titles
    assert "东门路灯坏了" in titles
    page = client.get(detail_url(titled_idea))
    assert detail_url(original) in page.content.decode()


def test_an_idea_cannot_be_marked_a_duplicate_of_itself(client, titled_idea, captain_3):
    client.force_login(captain_3)
    response = client.post(
        moderate_url(titled_idea), {"action": "merge", "original": titled_idea.pk}, follow=True
    )
    assert messages_of(response, "error")
    titled_idea.refresh_from_db()
    assert titled_idea.duplicate_of is None


def test_a_missing_original_is_refused(client, titled_idea, captain_3):
    client.force_login(captain_3)
    response = client.post(
        moderate_url(titled_idea), {"action": "merge", "original": 999999}, follow=True
    )
    assert messages_of(response, "error")
    titled_idea.refresh_from_db()
    assert titled_idea.duplicate_of is None


def test_a_captain_of_building_5_cannot_mark_a_building_3_duplicate(
    client, titled_idea, original, captain_5
):
    client.force_login(captain_5)
    response = client.post(moderate_url(titled_idea), {"action": "merge", "original": original.pk})
    assert response.status_code == 403
    titled_idea.refresh_from_db()
    original.refresh_from_db()
    assert titled_idea.duplicate_of is None
    assert original.support_count == 0


# --- The queue -----------------------------------------------------------------------


def test_the_queue_sends_visitors_to_sign_in(client, db):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["newcomer", "resident", "neighbour", "steward", "party_member"])
def test_the_queue_is_refused_to_those_who_moderate_nothing(client, persona, name):
    client.force_login(persona(name))
    assert client.get(QUEUE).status_code == 403


def test_a_captain_of_another_building_sees_nothing_of_building_3_in_the_queue(
    client, titled_idea, reporters, captain_5, admin_user
):
    report_three_times(client, titled_idea, reporters)
    client.force_login(captain_5)
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert list(response.context["items"]) == []
    assert "小区东门晚上太暗" not in response.content.decode()
    client.force_login(admin_user)
    assert [entry.item for entry in client.get(QUEUE).context["items"]] == [titled_idea]


def test_an_empty_queue_says_so(client, captain_3):
    client.force_login(captain_3)
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert shown("Nothing waits for you.") in response.content.decode()


# --- Pre-moderation ------------------------------------------------------------------


@pytest.fixture
def premoderation(community):
    return IdeaBoxSettings.objects.create(community=community, premoderation=True)


def test_with_premoderation_a_new_idea_waits_for_a_moderator(
    client, premoderation, resident, neighbour, captain_3, category
):
    client.force_login(resident)
    response = client.post(
        CREATE,
        {
            "title": "垃圾分类点搬远一点",
            "body": "夏天气味太大，影响一楼住户。",
            "category": category.pk,
        },
    )
    assert response.status_code == 302
    idea = Idea.objects.get(title="垃圾分类点搬远一点")
    assert idea.moderation == Moderation.PENDING

    # Its author sees it, with a notice; others do not.
    page = client.get(detail_url(idea))
    assert shown("Waiting for a moderator; others will see it once approved.") in (
        page.content.decode()
    )
    assert "垃圾分类点搬远一点" not in listed_titles(client, neighbour)
    assert client.get(detail_url(idea)).status_code == 404

    client.force_login(captain_3)
    assert idea in [entry.item for entry in client.get(QUEUE).context["items"]]
    client.post(moderate_url(idea), {"action": "restore"})
    idea.refresh_from_db()
    assert idea.moderation == Moderation.VISIBLE
    assert ModerationAction.objects.get(idea=idea).action == "approve"
    assert "垃圾分类点搬远一点" in listed_titles(client, neighbour)


def test_with_premoderation_a_new_comment_waits_for_a_moderator(
    client, premoderation, idea, resident, neighbour, captain_3
):
    client.force_login(neighbour)
    response = client.post(comment_url(idea), {"body": "我也觉得停车位太少"})
    assert response.status_code == 302
    comment = Comment.objects.get(idea=idea)
    assert comment.moderation == Moderation.PENDING
    idea.refresh_from_db()
    assert idea.comment_count == 0

    client.force_login(resident)
    assert "我也觉得停车位太少" not in client.get(detail_url(idea)).content.decode()

    client.force_login(captain_3)
    queue = client.get(QUEUE)
    assert comment in [entry.item for entry in queue.context["items"]]
    client.post(moderate_url(comment), {"action": "restore"})
    comment.refresh_from_db()
    idea.refresh_from_db()
    assert comment.moderation == Moderation.VISIBLE
    assert idea.comment_count == 1
    client.force_login(resident)
    assert "我也觉得停车位太少" in client.get(detail_url(idea)).content.decode()


def test_without_premoderation_a_new_idea_is_published_at_once(
    client, resident, neighbour, category
):
    client.force_login(resident)
    client.post(
        CREATE,
        {
            "title": "垃圾分类点搬远一点",
            "body": "夏天气味太大，影响一楼住户。",
            "category": category.pk,
        },
    )
    assert Idea.objects.get().moderation == Moderation.VISIBLE
    assert "垃圾分类点搬远一点" in listed_titles(client, neighbour)


# --- The queue's query count ---------------------------------------------------------


def _fill_queue(count, *, household, category, authors, community):
    """`count` pending ideas and `count` reported comments in building 3."""
    for number in range(count):
        idea = IdeaFactory(
            author=authors[number % len(authors)],
            household=household,
            category=category,
            moderation=Moderation.PENDING,
            title=f"待审核 {number}",
        )
        comment = CommentFactory(idea=idea, author=authors[(number + 1) % len(authors)])
        Report.objects.create(
            comment=comment, reporter=authors[number % len(authors)], reason="spam"
        )
        Comment.objects.filter(pk=comment.pk).update(report_count=1)


@pytest.mark.parametrize("count", [10, 200])
def test_the_queue_query_count_does_not_grow_with_queued_items(
    client, captain_3, unit_3_1201, category, reporters, community, count
):
    _fill_queue(
        count, household=unit_3_1201, category=category, authors=reporters, community=community
    )
    client.force_login(captain_3)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE)
    assert response.status_code == 200
    # Pending ideas and reported comments, the 30 oldest of them.
    assert len(response.context["items"]) == min(30, 2 * count)
    # 1. session  2. user  3. role grants  4. verified memberships' estates
    # 5. queued ideas (author, building, category joined)
    # 6. queued comments (author, idea and building joined)  7. their open reports
    # 8. the navigation's badge: waiting ideas and comments (one COUNT over a UNION)
    # 9. the navigation's count of membership requests waiting for the captain
    assert len(queries) == 9, "\n".join(query["sql"] for query in queries)


def test_the_queue_shows_the_oldest_items_first(
    client, captain_3, unit_3_1201, category, reporters, community
):
    _fill_queue(3, household=unit_3_1201, category=category, authors=reporters, community=community)
    client.force_login(captain_3)
    items = [entry.item for entry in client.get(QUEUE).context["items"]]
    created = [item.created_at for item in items]
    assert created == sorted(created)


def test_a_staff_grant_does_not_make_a_moderator(client, idea, community):
    """A property staff member who is also a resident still moderates nothing."""
    user = UserFactory()
    RoleGrantFactory(user=user, community=community, role=Role.PROPERTY_STAFF)
    client.force_login(user)
    assert client.post(moderate_url(idea), {"action": "restore"}).status_code == 403


def test_hiding_an_auto_hidden_comment_does_not_count_it_off_twice(
    client, comment, reporters, captain_3
):
    report_three_times(client, comment, reporters)
    client.force_login(captain_3)
    client.post(moderate_url(comment), {"action": "hide", "reason": "人身攻击"})
    comment.refresh_from_db()
    assert comment.moderation == Moderation.HIDDEN
    assert Idea.objects.get(pk=comment.idea_id).comment_count == 0
    client.post(moderate_url(comment), {"action": "restore"})
    assert Idea.objects.get(pk=comment.idea_id).comment_count == 1


def test_an_idea_cannot_be_merged_into_a_hidden_idea(
    client, titled_idea, original, captain_3, resident
):
    Idea.objects.filter(pk=original.pk).update(moderation=Moderation.HIDDEN, hidden_reason="广告")
    client.force_login(captain_3)
    response = client.post(
        moderate_url(titled_idea), {"action": "merge", "original": original.pk}, follow=True
    )
    assert messages_of(response, "error")
    titled_idea.refresh_from_db()
    assert titled_idea.duplicate_of is None
    assert not Support.objects.filter(idea=original, user=resident).exists()


def test_an_idea_cannot_be_merged_into_a_withdrawn_idea(client, titled_idea, original, captain_3):
    Idea.objects.filter(pk=original.pk).update(status=Idea.Status.WITHDRAWN)
    client.force_login(captain_3)
    response = client.post(
        moderate_url(titled_idea), {"action": "merge", "original": original.pk}, follow=True
    )
    assert messages_of(response, "error")
    titled_idea.refresh_from_db()
    assert titled_idea.duplicate_of is None


def test_an_idea_cannot_be_merged_into_one_that_was_merged_itself(
    client, titled_idea, original, captain_3, neighbours_idea
):
    Idea.objects.filter(pk=original.pk).update(duplicate_of=neighbours_idea)
    client.force_login(captain_3)
    response = client.post(
        moderate_url(titled_idea), {"action": "merge", "original": original.pk}, follow=True
    )
    assert messages_of(response, "error")
    titled_idea.refresh_from_db()
    assert titled_idea.duplicate_of is None


def test_a_floor_range_captain_sees_only_their_floors_in_the_queue(
    client, titled_idea, reporters, captain_3_lower_floors, building_3, category
):
    low = HouseholdFactory(building=building_3, floor=3, unit="0301")
    author = UserFactory()
    MembershipFactory(user=author, household=low, verified=True)
    low_idea = IdeaFactory(author=author, household=low, category=category, title="三楼漏水")
    report_three_times(client, titled_idea, reporters)
    report_three_times(client, low_idea, reporters)
    client.force_login(captain_3_lower_floors)
    response = client.get(QUEUE)
    assert [entry.item for entry in response.context["items"]] == [low_idea]
    assert "小区东门晚上太暗" not in response.content.decode()


def test_the_comments_of_a_hidden_idea_cannot_be_reached_by_others(
    client, comment, captain_3, resident
):
    client.force_login(captain_3)
    client.post(moderate_url(comment.idea), {"action": "hide", "reason": "泄露隐私"})
    client.force_login(resident)  # author of the idea: still sees it
    assert client.get(report_url(comment)).status_code == 200
    other = UserFactory()
    MembershipFactory(user=other, household=comment.idea.household, verified=True)
    client.force_login(other)
    assert client.get(report_url(comment)).status_code == 404
    assert client.post(report_url(comment), {"reason": "abuse"}).status_code == 404
    assert not Report.objects.exists()


def test_keeping_a_reported_idea_visible_settles_its_reports(
    client, titled_idea, reporters, captain_3, neighbour
):
    report_three_times(client, titled_idea, reporters[:2])
    client.force_login(captain_3)
    response = client.post(
        moderate_url(titled_idea), {"action": "restore", "next": QUEUE}, follow=True
    )
    assert response.redirect_chain[-1][0] == QUEUE
    assert titled_idea not in [entry.item for entry in response.context["items"]]
    titled_idea.refresh_from_db()
    assert titled_idea.moderation == Moderation.VISIBLE
    assert titled_idea.report_count == 0
    assert ModerationAction.objects.get(idea=titled_idea).action == "dismiss"
    assert "小区东门晚上太暗" in listed_titles(client, neighbour)


def test_with_premoderation_the_author_sees_their_waiting_comment(
    client, premoderation, idea, neighbour
):
    client.force_login(neighbour)
    client.post(comment_url(idea), {"body": "我也觉得停车位太少"})
    html = client.get(detail_url(idea)).content.decode()
    assert "我也觉得停车位太少" in html
    assert shown("Waiting for a moderator") in html


SCRIPT = "<script>alert('x')</script>"


def test_markup_in_a_hide_reason_and_a_report_note_renders_inert(
    client, titled_idea, comment, neighbour, captain_3, resident, steward
):
    client.force_login(resident)
    client.post(report_url(comment), {"reason": "other", "note": SCRIPT})
    client.force_login(captain_3)
    queue = client.get(QUEUE).content.decode()
    assert SCRIPT not in queue
    assert escape(SCRIPT) in queue

    client.post(moderate_url(titled_idea), {"action": "hide", "reason": SCRIPT})
    for user in (resident, steward):  # the author's notice, the staff's log
        client.force_login(user)
        html = client.get(detail_url(titled_idea)).content.decode()
        assert SCRIPT not in html
        assert escape(SCRIPT) in html


def test_markup_in_a_queued_idea_renders_inert(client, idea, reporters, captain_3):
    Idea.objects.filter(pk=idea.pk).update(
        title=f"标题{SCRIPT}", body=f'正文<img src=x onerror="alert(1)">{SCRIPT}'
    )
    report_three_times(client, idea, reporters)
    client.force_login(captain_3)
    html = client.get(QUEUE).content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "onerror=" not in html.replace("onerror=&quot;", "")


def _moderation_link(html: str) -> str | None:
    """The inside of the navigation's link to the moderation queue, if there is one."""
    found = re.search(rf'<a[^>]*href="{QUEUE}"[^>]*>(.*?)</a>', html, re.DOTALL)
    return found.group(1) if found else None


def test_only_moderators_find_the_queue_in_the_navigation(client, captain_3, resident, steward):
    for user, shown in [(captain_3, True), (resident, False), (steward, False)]:
        client.force_login(user)
        html = client.get(reverse("home")).content.decode()
        assert (_moderation_link(html) is not None) is shown


def test_a_captain_is_told_in_the_navigation_how_many_items_wait(
    client, idea, neighbour, captain_3, captain_5
):
    client.force_login(captain_3)
    assert "1" not in _moderation_link(client.get(reverse("home")).content.decode())
    client.force_login(neighbour)
    client.post(report_url(idea), {"reason": Report.Reason.ABUSE})
    client.force_login(captain_3)
    assert "1" in _moderation_link(client.get(reverse("home")).content.decode())
    client.force_login(captain_5)
    assert "1" not in _moderation_link(client.get(reverse("home")).content.decode())


def test_the_log_on_an_idea_includes_what_was_done_to_its_comments(
    client, comment, captain_3, steward
):
    client.force_login(captain_3)
    client.post(moderate_url(comment), {"action": "hide", "reason": "人身攻击"})
    client.force_login(steward)
    response = client.get(detail_url(comment.idea))
    assert [(action.action, action.comment) for action in response.context["audit_log"]] == [
        ("hide", comment)
    ]
    assert f"#{comment.pk}" in response.content.decode()


def test_a_queue_entry_shows_what_the_moderator_decides_on(
    client, captain_3, resident, neighbour, unit_3_1201
):
    captain_3.preferred_language = "en"
    captain_3.save(update_fields=["preferred_language"])
    long_body = "**电梯**坏了。" + " ".join(f"word{n}" for n in range(80))
    pending = IdeaFactory(
        author=resident, household=unit_3_1201, moderation=Moderation.PENDING, body=long_body
    )
    comment = CommentFactory(idea=pending, author=neighbour, body="<script>alert('x')</script>")
    for reporter, note in ((resident, "骂人<b>了</b>"), (UserFactory(), "")):
        Report.objects.create(comment=comment, reporter=reporter, reason="abuse", note=note)
    Comment.objects.filter(pk=comment.pk).update(report_count=2)
    client.force_login(captain_3)

    html = client.get(QUEUE, {"from": "menu"}).content.decode()

    idea_entry = html[html.index(f'href="{detail_url(pending)}">#{pending.pk} ') :]
    idea_entry = idea_entry[: idea_entry.index("</article>")]
    assert "<strong>电梯</strong>坏了。" in idea_entry and "word58" in idea_entry
    assert "word59" not in idea_entry and " …" in idea_entry  # cut at sixty words
    assert resident.name in idea_entry and "Building 3" in idea_entry
    assert f'action="{moderate_url(pending)}"' in idea_entry
    assert ">Make visible</button>" in idea_entry  # it waits for approval

    start = html.index(f'href="{detail_url(pending)}#comment-{comment.pk}"')
    comment_entry = html[html.rindex("<article", 0, start) : html.index("</article>", start)]
    assert f"Comment on #{pending.pk} {escape(pending.title)}" in comment_entry
    assert '<span class="badge text-bg-danger">2 reports</span>' in comment_entry
    assert "<li>Insulting or threatening: “骂人&lt;b&gt;了&lt;/b&gt;”</li>" in comment_entry
    assert "<li>Insulting or threatening</li>" in comment_entry
    assert "<script>alert" not in html
    assert ">Keep visible</button>" in comment_entry
    assert 'name="next" value="/ideas/moderation/?from=menu"' in comment_entry
    assert (
        len(re.findall(r'id="reason-(\d+)"', html))
        == len(set(re.findall(r'id="reason-(\d+)"', html)))
        == 2
    )
