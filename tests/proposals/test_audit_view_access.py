"""Access audit: the who-may and who-may-not tests the other files left out.

Every view must show that an allowed role succeeds, that a signed-in but refused role is
refused (403, or 404 where the object is not theirs to see), and that a visitor is sent
to sign in. This file fills only the gaps; the other cases live beside each feature.
A refused POST must also leave everything as it was.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import reverse

from covenant.models import Party
from proposals.deliberations import services as deliberations_services
from proposals.insight import services as insight_services
from proposals.models import (
    ActionItem,
    Comment,
    Deliberation,
    DeliberationPost,
    Meeting,
    OpenDataLink,
    OwnersVote,
    Priority,
    ProgressEntry,
    Report,
    Representative,
    ResolutionVersion,
    SignOff,
    StaffNote,
    Support,
    Theme,
    ThemeMembership,
)
from proposals.themes import services as themes_services
from proposals.votes import services as votes_services
from tests.proposals.factories import CommentFactory
from tests.proposals.owners_votes import open_vote
from tests.proposals.themes_helpers import ideas_about, theme_of

pytestmark = pytest.mark.django_db


# --- The objects the views act on ----------------------------------------------------


@pytest.fixture
def grouped(community, resident, unit_3_1201, neighbour, unit_5_0802):
    ideas = {
        "leash": ideas_about("leash", 6, author=resident, household=unit_3_1201),
        "ebike": ideas_about("ebike", 6, author=neighbour, household=unit_5_0802),
    }
    themes_services.regroup_ideas(community=community)
    return ideas


@pytest.fixture
def leash_theme(grouped):
    return theme_of(grouped["leash"][0])


@pytest.fixture
def ebike_theme(grouped):
    return theme_of(grouped["ebike"][0])


@pytest.fixture
def priority(ebike_theme, party_member, steward):
    return themes_services.promote_theme(
        theme=ebike_theme, actor=party_member, title="电动车规范停放", owner=steward, goals="入棚"
    )


@pytest.fixture
def share_link(community, admin_user):
    return insight_services.create_open_data_link(
        community=community, label="街道办", actor=admin_user
    )


@pytest.fixture
def own_comment(idea, neighbour):
    """A fresh comment by the neighbour, still inside its edit window."""
    return CommentFactory(idea=idea, author=neighbour)


@pytest.fixture
def meeting(deliberation, steward):
    return deliberations_services.schedule_meeting(
        deliberation=deliberation,
        actor=steward,
        starts_at=datetime.datetime(2030, 5, 1, 19, 30, tzinfo=datetime.UTC),
        place="物业会议室",
        agenda="划线方案",
    )


@pytest.fixture
def action_item(proposed, steward):
    return deliberations_services.add_action_item(
        resolution=proposed.resolution, title="东门划线", owner_party=Party.PROPERTY, actor=steward
    )


@pytest.fixture
def draft_vote(community, resident, neighbour, admin_user):
    """A draft of the personas' estate; 3-1201 and 5-0802 are its owners' units."""
    return votes_services.create_vote(
        community=community,
        title="加装电梯",
        question="是否同意？",
        matter=OwnersVote.Matter.ORDINARY,
        closes_at=datetime.datetime(2099, 1, 31, 12, tzinfo=datetime.UTC),
        created_by=admin_user,
    )


@pytest.fixture
def vote(community, resident, neighbour, admin_user):
    """An open vote; the resident owns 3-1201, which is on its roll."""
    return open_vote(community, admin_user)


def ideas_url(name, *args):
    return reverse(f"proposals:{name}", args=args)


def votes_url(name, vote):
    return reverse(f"votes:{name}", args=[vote.pk])


def refreshed(obj, *fields):
    """A snapshot of `fields` of `obj` as the database holds them now."""

    def snapshot():
        obj.refresh_from_db()
        return tuple(getattr(obj, name) for name in fields)

    return snapshot


def count(queryset_or_model):
    def snapshot():
        qs = getattr(queryset_or_model, "objects", queryset_or_model)
        return qs.all().count()

    return snapshot


@dataclass
class Request:
    method: str
    url: str
    data: dict = field(default_factory=dict)
    state: Callable[[], object] = lambda: None


# --- Visitors: every view below had no test sending a visitor to sign in ----------------


def _idea_record(get):
    return Request("get", ideas_url("idea_record"))


def _similar_ideas(get):
    return Request("get", ideas_url("similar_ideas") + "?title=电梯")


def _monthly_report_latest(get):
    return Request("get", ideas_url("monthly_report_latest"))


def _open_data_link_create(get):
    community = get("community")
    return Request(
        "post",
        ideas_url("open_data_link_create"),
        {"estate": community.pk, "label": "街道办"},
        count(OpenDataLink),
    )


def _open_data_link_revoke(get):
    link = get("share_link")
    return Request(
        "post", ideas_url("open_data_link_revoke", link.pk), {}, refreshed(link, "revoked_at")
    )


def _theme_regroup(get):
    get("grouped")
    return Request(
        "post",
        ideas_url("theme_regroup"),
        {},
        lambda: sorted(ThemeMembership.objects.values_list("idea_id", "theme_id")),
    )


def _theme_rename(get):
    theme = get("leash_theme")
    return Request(
        "post", ideas_url("theme_rename", theme.pk), {"name": "改名"}, refreshed(theme, "name")
    )


def _theme_merge(get):
    theme, target = get("leash_theme"), get("ebike_theme")
    return Request("post", ideas_url("theme_merge", theme.pk), {"target": target.pk}, count(Theme))


def _theme_move(get):
    theme, target = get("leash_theme"), get("ebike_theme")
    idea = get("grouped")["leash"][0]
    return Request(
        "post",
        ideas_url("theme_move", theme.pk),
        {"ideas": [idea.pk], "target": target.pk},
        lambda: theme_of(idea).pk,
    )


def _theme_promote(get):
    theme, steward = get("leash_theme"), get("steward")
    return Request(
        "post",
        ideas_url("theme_promote", theme.pk),
        {"title": "文明养宠", "owner": steward.pk, "status": "planned", "goals": "牵绳"},
        count(Priority),
    )


def _idea_support(get):
    idea = get("idea")
    return Request("post", ideas_url("idea_support", idea.pk), {"support": "1"}, count(Support))


def _idea_withdraw(get):
    idea = get("idea")
    return Request(
        "post", ideas_url("idea_withdraw", idea.pk), {"confirm": "yes"}, refreshed(idea, "status")
    )


def _comment_create(get):
    idea = get("idea")
    return Request(
        "post", ideas_url("comment_create", idea.pk), {"body": "我也同意"}, count(Comment)
    )


def _idea_note(get):
    idea = get("idea")
    return Request("post", ideas_url("idea_note", idea.pk), {"body": "内部备注"}, count(StaffNote))


def _comment_edit(get):
    comment = get("own_comment")
    return Request(
        "post",
        ideas_url("comment_edit", comment.pk),
        {"body": "改过了"},
        refreshed(comment, "body"),
    )


def _comment_report(get):
    comment = get("comment")
    return Request(
        "post", ideas_url("comment_report", comment.pk), {"reason": "abuse"}, count(Report)
    )


def _comment_moderate(get):
    comment = get("comment")
    return Request(
        "post",
        ideas_url("comment_moderate", comment.pk),
        {"action": "hide", "reason": "不合适"},
        refreshed(comment, "moderation"),
    )


def _deliberation_create(get):
    get("community")
    return Request(
        "post",
        ideas_url("deliberation_create"),
        {"topic": "清理楼道杂物", "background": "楼道堆放纸箱"},
        count(Deliberation),
    )


def _deliberation_edit(get):
    deliberation = get("deliberation")
    return Request(
        "post",
        ideas_url("deliberation_edit", deliberation.pk),
        {"topic": "改过的议题", "background": "x"},
        refreshed(deliberation, "topic", "background"),
    )


def _deliberation_ideas(get):
    deliberation = get("deliberation")
    get("idea")
    return Request(
        "post",
        ideas_url("deliberation_ideas", deliberation.pk),
        {"link": "all"},
        count(deliberation.ideas),
    )


def _representative_add(get):
    deliberation, captain_5 = get("deliberation"), get("captain_5")
    return Request(
        "post",
        ideas_url("representative_add", deliberation.pk),
        {"party": Party.RESIDENTS, "user": captain_5.pk},
        count(Representative),
    )


def _representative_remove(get):
    deliberation = get("deliberation")
    seat = deliberation.representatives.get(party=Party.PROPERTY)
    return Request(
        "post",
        ideas_url("representative_remove", deliberation.pk, seat.pk),
        {},
        count(Representative),
    )


def _deliberation_post(get):
    deliberation = get("deliberation")
    return Request(
        "post",
        ideas_url("deliberation_post", deliberation.pk),
        {"kind": "resident", "body": "我的意见"},
        count(DeliberationPost),
    )


def _deliberation_start(get):
    deliberation = get("deliberation")
    return Request(
        "post",
        ideas_url("deliberation_start", deliberation.pk),
        {},
        refreshed(deliberation, "status"),
    )


def _deliberation_close(get):
    deliberation = get("deliberation")
    return Request(
        "post",
        ideas_url("deliberation_close", deliberation.pk),
        {"reason": "暂缓"},
        refreshed(deliberation, "status"),
    )


def _meeting_create(get):
    deliberation = get("deliberation")
    return Request(
        "post",
        ideas_url("meeting_create", deliberation.pk),
        {"starts_at": "2030-05-01T19:30", "place": "物业会议室", "agenda": "划线"},
        count(Meeting),
    )


def _meeting_minutes(get):
    meeting = get("meeting")
    return Request(
        "post",
        ideas_url("meeting_minutes", meeting.pk),
        {"minutes": "三方同意。", "attended_property": "小周"},
        refreshed(meeting, "minutes"),
    )


def _resolution_edit(get):
    deliberation = get("deliberation")
    return Request(
        "post",
        ideas_url("resolution_edit", deliberation.pk),
        {"text": "东门划线停车"},
        count(ResolutionVersion),
    )


def _resolution_sign(get):
    proposed = get("proposed")
    return Request(
        "post",
        ideas_url("resolution_sign", proposed.pk),
        {"party": Party.RESIDENTS, "decision": "agree", "version": 1},
        count(SignOff),
    )


def _action_item_create(get):
    proposed = get("proposed")
    return Request(
        "post",
        ideas_url("action_item_create", proposed.pk),
        {"title": "划线", "owner_party": Party.PROPERTY, "due_on": "2030-12-31"},
        count(ActionItem),
    )


def _action_item_update(get):
    item = get("action_item")
    return Request(
        "post",
        ideas_url("action_item_update", item.pk),
        {"status": "done", "progress_note": "完成"},
        refreshed(item, "status", "progress_note"),
    )


def _vote_edit(get):
    draft = get("draft_vote")
    return Request(
        "post",
        votes_url("vote_edit", draft),
        {"title": "改过的", "question": "?", "matter": "ordinary", "closes_at": "2099-01-31T20:00"},
        refreshed(draft, "title"),
    )


def _vote_cast(get):
    vote, unit = get("vote"), get("unit_3_1201")
    return Request(
        "post",
        votes_url("vote_cast", vote),
        {"household": unit.pk, "choice": "agree"},
        count(vote.ballots),
    )


def _vote_open(get):
    draft = get("draft_vote")
    return Request("post", votes_url("vote_open", draft), {}, refreshed(draft, "status"))


def _vote_close(get):
    vote = get("vote")
    return Request(
        "post", votes_url("vote_close", vote), {"confirm": "yes"}, refreshed(vote, "status")
    )


def _priority_edit(get):
    priority, steward = get("priority"), get("steward")
    return Request(
        "post",
        reverse("priorities:priority_edit", args=[priority.pk]),
        {"title": "改过的", "owner": steward.pk, "status": "done", "goals": "x"},
        refreshed(priority, "title", "status"),
    )


def _progress_add(get):
    priority = get("priority")
    return Request(
        "post",
        reverse("priorities:progress_add", args=[priority.pk]),
        {"happened_on": "2026-11-01", "we_did": "划了线"},
        count(ProgressEntry),
    )


VISITOR_CASES = {
    "idea_record": _idea_record,
    "similar_ideas": _similar_ideas,
    "monthly_report_latest": _monthly_report_latest,
    "open_data_link_create": _open_data_link_create,
    "open_data_link_revoke": _open_data_link_revoke,
    "theme_regroup": _theme_regroup,
    "theme_rename": _theme_rename,
    "theme_merge": _theme_merge,
    "theme_move": _theme_move,
    "theme_promote": _theme_promote,
    "idea_support": _idea_support,
    "idea_withdraw": _idea_withdraw,
    "comment_create": _comment_create,
    "idea_note": _idea_note,
    "comment_edit": _comment_edit,
    "comment_report": _comment_report,
    "comment_moderate": _comment_moderate,
    "deliberation_create": _deliberation_create,
    "deliberation_edit": _deliberation_edit,
    "deliberation_ideas": _deliberation_ideas,
    "representative_add": _representative_add,
    "representative_remove": _representative_remove,
    "deliberation_post": _deliberation_post,
    "deliberation_start": _deliberation_start,
    "deliberation_close": _deliberation_close,
    "meeting_create": _meeting_create,
    "meeting_minutes": _meeting_minutes,
    "resolution_edit": _resolution_edit,
    "resolution_sign": _resolution_sign,
    "action_item_create": _action_item_create,
    "action_item_update": _action_item_update,
    "vote_edit": _vote_edit,
    "vote_cast": _vote_cast,
    "vote_open": _vote_open,
    "vote_close": _vote_close,
    "priority_edit": _priority_edit,
    "progress_add": _progress_add,
}


@pytest.mark.parametrize("view", sorted(VISITOR_CASES))
def test_a_visitor_is_sent_to_sign_in_and_changes_nothing(client, request, view):
    target = VISITOR_CASES[view](request.getfixturevalue)
    before = target.state()
    response = getattr(client, target.method)(target.url, target.data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert target.state() == before


# --- Signed in but refused, where no test refused anyone --------------------------------


@pytest.mark.parametrize("name", ["party_member", "resident", "captain_3"])
def test_only_staff_and_admins_move_ideas_between_themes(
    client, persona, name, grouped, leash_theme, ebike_theme, steward
):
    idea = grouped["leash"][0]
    data = {"ideas": [idea.pk], "target": ebike_theme.pk}
    client.force_login(persona(name))
    assert client.post(ideas_url("theme_move", leash_theme.pk), data).status_code == 403
    assert theme_of(idea) == leash_theme
    # The same move by the steward goes through: the refusal came from the permission.
    client.force_login(steward)
    assert client.post(ideas_url("theme_move", leash_theme.pk), data).status_code == 302
    assert theme_of(idea) == ebike_theme


@pytest.mark.parametrize("name", ["resident", "captain_3"])
def test_residents_and_captains_cannot_promote_a_theme_by_post(
    client, persona, name, leash_theme, steward
):
    data = {"title": "文明养宠", "owner": steward.pk, "status": "planned", "goals": "牵绳"}
    client.force_login(persona(name))
    assert client.post(ideas_url("theme_promote", leash_theme.pk), data).status_code == 403
    assert not Priority.objects.exists()


@pytest.mark.parametrize("name", ["steward", "party_member", "resident", "captain_3"])
def test_only_admins_revoke_share_links(client, persona, name, share_link, admin_user):
    client.force_login(persona(name))
    response = client.post(ideas_url("open_data_link_revoke", share_link.pk))
    assert response.status_code == 403
    share_link.refresh_from_db()
    assert share_link.revoked_at is None
    client.force_login(admin_user)
    assert client.post(ideas_url("open_data_link_revoke", share_link.pk)).status_code == 302
    share_link.refresh_from_db()
    assert share_link.revoked_by == admin_user


def test_someone_without_a_verified_household_cannot_comment(client, newcomer, idea, neighbour):
    client.force_login(newcomer)
    response = client.post(ideas_url("comment_create", idea.pk), {"body": "我也同意"})
    assert response.status_code == 403
    assert not Comment.objects.exists()
    client.force_login(neighbour)
    assert (
        client.post(ideas_url("comment_create", idea.pk), {"body": "我也同意"}).status_code == 302
    )
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("name", ["resident", "captain_3", "steward"])
def test_only_the_convener_names_representatives(client, persona, name, deliberation, captain_5):
    client.force_login(persona(name))
    response = client.post(
        ideas_url("representative_add", deliberation.pk),
        {"party": Party.RESIDENTS, "user": captain_5.pk},
    )
    assert response.status_code == 403
    assert not deliberation.representatives.filter(user=captain_5).exists()


@pytest.mark.parametrize("name", ["resident", "captain_3", "steward"])
def test_only_the_convener_removes_representatives(
    client, persona, name, deliberation, steward, party_member
):
    seat = deliberation.representatives.get(user=steward, party=Party.PROPERTY)
    target = ideas_url("representative_remove", deliberation.pk, seat.pk)
    client.force_login(persona(name))
    assert client.post(target).status_code == 403
    assert Representative.objects.filter(pk=seat.pk).exists()
    # The opener removes the same seat.
    client.force_login(party_member)
    assert client.post(target).status_code == 302
    assert not Representative.objects.filter(pk=seat.pk).exists()


@pytest.mark.parametrize("name", ["resident", "captain_5"])
def test_people_without_a_seat_add_no_action_items(client, persona, name, proposed, steward):
    data = {"title": "东门划线", "owner_party": Party.PROPERTY, "due_on": "2030-12-31"}
    client.force_login(persona(name))
    assert client.post(ideas_url("action_item_create", proposed.pk), data).status_code == 403
    assert not ActionItem.objects.exists()
    # A named representative adds the same item.
    client.force_login(steward)
    response = client.post(ideas_url("action_item_create", proposed.pk), data)
    assert response.status_code == 302
    assert ActionItem.objects.get().title == "东门划线"


def test_a_resident_cannot_post_a_resolution(client, resident, deliberation):
    client.force_login(resident)
    response = client.post(ideas_url("resolution_edit", deliberation.pk), {"text": "我说了算"})
    assert response.status_code == 403
    assert not ResolutionVersion.objects.exists()
    deliberation.refresh_from_db()
    assert deliberation.status == Deliberation.Status.OPEN


@pytest.mark.parametrize("name", ["resident", "neighbour", "captain_3", "steward", "party_member"])
def test_only_admins_open_a_vote(client, persona, name, draft_vote, admin_user):
    client.force_login(persona(name))
    # A draft is the admins' alone: to everyone else it does not exist.
    assert client.post(votes_url("vote_open", draft_vote)).status_code == 404
    draft_vote.refresh_from_db()
    assert draft_vote.status == OwnersVote.Status.DRAFT
    client.force_login(admin_user)
    assert client.post(votes_url("vote_open", draft_vote)).status_code == 302
    draft_vote.refresh_from_db()
    assert draft_vote.status == OwnersVote.Status.OPEN
