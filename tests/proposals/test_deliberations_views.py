"""Every deliberation page for the roles allowed and refused (docs/roles.md)."""

import pytest
from django.urls import reverse

from covenant.models import Party
from notices.models import Notification
from proposals.deliberations import services as deliberations_services
from proposals.ideas import services as ideas_services
from proposals.models import (
    ActionItem,
    Deliberation,
    DeliberationPost,
    Idea,
    Meeting,
    SignOff,
    TimelineEntry,
)
from proposals.triage import services as triage_services
from tests.factories import CommunityFactory, RoleGrantFactory, UserFactory
from tests.proposals.deliberation_helpers import sign
from tests.proposals.factories import IdeaFactory

pytestmark = pytest.mark.django_db

READERS = [
    "resident",
    "neighbour",
    "captain_3",
    "captain_5",
    "steward",
    "party_member",
    "admin_user",
]


def url(name, *args):
    return reverse(f"proposals:{name}", args=args)


def as_user(client, persona, name):
    user = persona(name)
    if name != "visitor":
        client.force_login(user)
    return user


# --- Reading -------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["deliberation_list", "public_record", "detail"])
def test_a_visitor_is_sent_to_sign_in(client, deliberation, page):
    target = url(page) if page != "detail" else deliberation.get_absolute_url()
    response = client.get(target)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("page", ["deliberation_list", "public_record", "detail"])
def test_an_unverified_user_is_refused(client, newcomer, deliberation, page):
    client.force_login(newcomer)
    target = url(page) if page != "detail" else deliberation.get_absolute_url()
    assert client.get(target).status_code == 403


@pytest.mark.parametrize("name", READERS)
def test_every_participant_of_the_estate_reads(client, persona, deliberation, name):
    as_user(client, persona, name)
    for target in [url("deliberation_list"), url("public_record"), deliberation.get_absolute_url()]:
        response = client.get(target)
        assert response.status_code == 200
        assert "规范停车" in response.content.decode()


def test_another_estates_deliberation_is_not_found(client, resident):
    other = CommunityFactory(name="翠湖苑")
    opener = UserFactory()
    RoleGrantFactory(user=opener, community=other, role="party_branch")
    elsewhere = deliberations_services.open_deliberation(
        opener=opener, community=other, topic="别处的议事"
    )
    client.force_login(resident)
    assert client.get(elsewhere.get_absolute_url()).status_code == 404
    assert "别处的议事" not in client.get(url("deliberation_list")).content.decode()


def test_a_resident_reads_but_gets_no_representatives_form(client, resident, deliberation):
    client.force_login(resident)
    page = client.get(deliberation.get_absolute_url()).content.decode()
    assert 'value="representative"' not in page
    assert 'value="resident"' in page  # open to residents: their own section


# --- Opening -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["resident", "neighbour", "newcomer"])
def test_residents_cannot_open_a_deliberation(client, persona, name):
    as_user(client, persona, name)
    assert client.get(url("deliberation_create")).status_code == 403
    response = client.post(url("deliberation_create"), {"topic": "清理楼道杂物"})
    assert response.status_code == 403
    assert not Deliberation.objects.exists()


@pytest.mark.parametrize("name", ["captain_3", "steward", "party_member", "admin_user"])
def test_role_holders_open_a_deliberation(client, persona, name):
    user = as_user(client, persona, name)
    assert client.get(url("deliberation_create")).status_code == 200
    response = client.post(
        url("deliberation_create"),
        {"topic": "清理楼道杂物", "background": "楼道堆放**纸箱**", "open_to_residents": "on"},
    )
    created = Deliberation.objects.get()
    assert response.status_code == 302
    assert (created.opened_by, created.status) == (user, Deliberation.Status.OPEN)


def test_the_form_keeps_what_was_typed(client, steward):
    client.force_login(steward)
    response = client.post(url("deliberation_create"), {"topic": "短", "background": "保留这段"})
    assert response.status_code == 200
    assert "保留这段" in response.content.decode()


# --- Convening -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["resident", "captain_3", "steward"])
def test_only_the_opener_and_admins_convene(client, persona, deliberation, name):
    as_user(client, persona, name)
    assert client.get(url("deliberation_edit", deliberation.pk)).status_code == 403
    assert client.get(url("deliberation_ideas", deliberation.pk)).status_code == 403
    assert (
        client.post(url("deliberation_close", deliberation.pk), {"reason": "x"}).status_code == 403
    )
    assert client.post(url("deliberation_start", deliberation.pk)).status_code == 403
    deliberation.refresh_from_db()
    assert deliberation.status == Deliberation.Status.OPEN


@pytest.mark.parametrize("name", ["party_member", "admin_user"])
def test_the_opener_and_admins_convene(client, persona, deliberation, name):
    as_user(client, persona, name)
    assert client.get(url("deliberation_edit", deliberation.pk)).status_code == 200
    assert client.post(url("deliberation_start", deliberation.pk)).status_code == 302
    deliberation.refresh_from_db()
    assert deliberation.status == Deliberation.Status.IN_SESSION


def test_closing_asks_a_reason_and_notes_it_on_linked_ideas(
    client, party_member, deliberation, idea
):
    deliberations_services.link_ideas(deliberation=deliberation, ideas=[idea], actor=party_member)
    client.force_login(party_member)
    assert (
        client.post(url("deliberation_close", deliberation.pk), {"reason": ""}).status_code == 200
    )
    response = client.post(url("deliberation_close", deliberation.pk), {"reason": "并入改造工程"})
    assert response.status_code == 302
    deliberation.refresh_from_db()
    assert deliberation.status == Deliberation.Status.CLOSED
    assert "并入改造工程" in TimelineEntry.objects.filter(idea=idea).last().public_reply


def test_unlinking_puts_an_idea_back_where_it_was(
    client, party_member, steward, deliberation, idea
):
    triage_services.change_status(idea=idea, actor=steward, to_status=Idea.Status.ACCEPTED)
    deliberations_services.link_ideas(deliberation=deliberation, ideas=[idea], actor=party_member)
    idea.refresh_from_db()
    assert idea.status == Idea.Status.REFERRED
    client.force_login(party_member)
    response = client.post(url("deliberation_unlink", deliberation.pk, idea.pk))
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.status == Idea.Status.ACCEPTED
    assert not deliberation.ideas.exists()
    assert deliberation.topic in TimelineEntry.objects.filter(idea=idea).last().public_reply


@pytest.mark.parametrize("name", ["resident", "captain_5", "steward"])
def test_only_the_convener_unlinks_ideas(client, persona, party_member, deliberation, idea, name):
    deliberations_services.link_ideas(deliberation=deliberation, ideas=[idea], actor=party_member)
    as_user(client, persona, name)
    response = client.post(url("deliberation_unlink", deliberation.pk, idea.pk))
    assert response.status_code == 403
    assert deliberation.ideas.filter(pk=idea.pk).exists()


def test_a_visitor_is_sent_to_sign_in_to_unlink(client, party_member, deliberation, idea):
    deliberations_services.link_ideas(deliberation=deliberation, ideas=[idea], actor=party_member)
    response = client.post(url("deliberation_unlink", deliberation.pk, idea.pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert deliberation.ideas.filter(pk=idea.pk).exists()


def test_the_opener_names_a_representative_holding_the_role(
    client, party_member, deliberation, captain_5, resident
):
    client.force_login(party_member)
    client.post(
        url("representative_add", deliberation.pk),
        {"party": Party.RESIDENTS, "user": captain_5.pk},
    )
    assert deliberation.representatives.filter(user=captain_5, party=Party.RESIDENTS).exists()
    client.post(
        url("representative_add", deliberation.pk), {"party": Party.RESIDENTS, "user": resident.pk}
    )
    assert not deliberation.representatives.filter(user=resident).exists()


# --- Posting -------------------------------------------------------------------------


def post_as(client, deliberation, **data):
    return client.post(url("deliberation_post", deliberation.pk), {"body": "我的意见", **data})


def test_a_named_representative_posts_for_their_party(client, captain_3, deliberation):
    client.force_login(captain_3)
    response = post_as(client, deliberation, kind="representative", party=Party.RESIDENTS)
    assert response.status_code == 302
    assert DeliberationPost.objects.get().party == Party.RESIDENTS


def test_a_representative_cannot_post_for_another_party(client, captain_3, deliberation):
    client.force_login(captain_3)
    response = post_as(client, deliberation, kind="representative", party=Party.PROPERTY)
    assert response.status_code == 403
    assert not DeliberationPost.objects.exists()


@pytest.mark.parametrize("name", ["resident", "captain_5"])
def test_people_not_named_cannot_post_as_representatives(client, persona, deliberation, name):
    as_user(client, persona, name)
    response = post_as(client, deliberation, kind="representative", party=Party.RESIDENTS)
    assert response.status_code == 403
    assert not DeliberationPost.objects.exists()


def test_an_admins_post_is_marked_as_on_behalf(client, admin_user, deliberation, english):
    client.force_login(admin_user)
    post_as(client, deliberation, kind="representative", party=Party.PROPERTY)
    assert DeliberationPost.objects.get().on_behalf
    page = client.get(deliberation.get_absolute_url()).content.decode()
    assert "posted by an administrator on the party" in page


def test_residents_discuss_when_open_to_them(client, resident, newcomer, deliberation):
    client.force_login(newcomer)
    assert post_as(client, deliberation, kind="resident").status_code == 403
    client.force_login(resident)
    assert post_as(client, deliberation, kind="resident").status_code == 302
    Deliberation.objects.filter(pk=deliberation.pk).update(open_to_residents=False)
    assert post_as(client, deliberation, kind="resident").status_code == 403
    assert DeliberationPost.objects.count() == 1


def test_a_captain_brings_points_only_for_a_building_they_captain(
    client, captain_5, deliberation, building_3, building_5
):
    client.force_login(captain_5)
    refused = post_as(client, deliberation, kind="building_point", building=building_3.pk)
    assert refused.status_code == 403
    allowed = post_as(client, deliberation, kind="building_point", building=building_5.pk)
    assert allowed.status_code == 302
    assert DeliberationPost.objects.get().building == building_5


def test_a_resident_cannot_bring_building_points(client, resident, deliberation, building_3):
    client.force_login(resident)
    response = post_as(client, deliberation, kind="building_point", building=building_3.pk)
    assert response.status_code == 403


def test_a_closed_deliberation_refuses_posts(client, party_member, resident, deliberation):
    deliberations_services.close_deliberation(
        deliberation=deliberation, actor=party_member, reason="暂缓"
    )
    client.force_login(party_member)
    assert (
        post_as(client, deliberation, kind="representative", party="party_branch").status_code
        == 403
    )
    client.force_login(resident)
    assert post_as(client, deliberation, kind="resident").status_code == 403
    assert not DeliberationPost.objects.exists()


# --- Meetings ------------------------------------------------------------------------


def test_representatives_schedule_meetings_and_record_minutes(
    client, steward, resident, deliberation
):
    client.force_login(resident)
    data = {"starts_at": "2030-05-01T19:30", "place": "物业会议室", "agenda": "1. 划线方案"}
    assert client.post(url("meeting_create", deliberation.pk), data).status_code == 403
    client.force_login(steward)
    assert client.post(url("meeting_create", deliberation.pk), data).status_code == 302
    meeting = Meeting.objects.get()
    assert Notification.objects.filter(kind="proposals.meeting_scheduled").count() == 2
    minutes = {
        "minutes": "三方同意先在东门划线。",
        "attended_property": "小周",
        "attended_residents": "老张",
    }
    client.force_login(resident)
    assert client.post(url("meeting_minutes", meeting.pk), minutes).status_code == 403
    client.force_login(steward)
    assert client.post(url("meeting_minutes", meeting.pk), minutes).status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes == "三方同意先在东门划线。"
    assert {a.party for a in meeting.attendance.all()} == {Party.PROPERTY, Party.RESIDENTS}
    page = client.get(deliberation.get_absolute_url()).content.decode()
    assert "三方同意先在东门划线。" in page and "物业会议室" in page


# --- Resolution ----------------------------------------------------------------------


def test_a_resident_cannot_propose_a_resolution(client, resident, deliberation):
    client.force_login(resident)
    assert client.get(url("resolution_edit", deliberation.pk)).status_code == 403


def test_a_representative_proposes_and_representatives_are_asked(client, captain_3, deliberation):
    client.force_login(captain_3)
    response = client.post(url("resolution_edit", deliberation.pk), {"text": "东门划线停车"})
    assert response.status_code == 302
    deliberation.refresh_from_db()
    assert deliberation.status == Deliberation.Status.RESOLUTION_PROPOSED
    told = Notification.objects.filter(kind="proposals.sign_off_awaited")
    assert {n.recipient_id for n in told} == set(
        deliberation.representatives.exclude(user=captain_3).values_list("user_id", flat=True)
    )


def test_signing_for_another_party_is_refused(client, captain_3, proposed):
    client.force_login(captain_3)
    response = client.post(
        url("resolution_sign", proposed.pk),
        {"party": Party.PROPERTY, "decision": "agree", "version": 1},
    )
    assert response.status_code == 403
    assert not SignOff.objects.exists()


@pytest.mark.parametrize("name", ["admin_user", "resident", "captain_5"])
def test_people_without_a_seat_cannot_sign(client, persona, proposed, name):
    as_user(client, persona, name)
    response = client.post(
        url("resolution_sign", proposed.pk),
        {"party": Party.RESIDENTS, "decision": "agree", "version": 1},
    )
    assert response.status_code == 403
    assert not SignOff.objects.exists()


def test_each_party_signs_and_the_third_adopts(client, proposed, party_member, captain_3, steward):
    for user, party in [
        (party_member, Party.PARTY_BRANCH),
        (captain_3, Party.RESIDENTS),
        (steward, Party.PROPERTY),
    ]:
        client.force_login(user)
        response = client.post(
            url("resolution_sign", proposed.pk), {"party": party, "decision": "agree", "version": 1}
        )
        assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == Deliberation.Status.RESOLVED


def test_an_objection_without_a_comment_keeps_the_form(client, steward, proposed):
    client.force_login(steward)
    response = client.post(
        url("resolution_sign", proposed.pk),
        {"party": Party.PROPERTY, "decision": "object", "version": 1},
    )
    assert response.status_code == 400
    assert not SignOff.objects.exists()


@pytest.mark.usefixtures("english")
def test_an_answer_to_a_text_changed_meanwhile_is_refused(
    client, captain_3, party_member, proposed
):
    # The captain read version 1; the Party branch rewrote it before the captain answered.
    deliberations_services.propose_resolution(
        deliberation=proposed, author=party_member, text="新文本。"
    )
    client.force_login(captain_3)
    response = client.post(
        url("resolution_sign", proposed.pk),
        {"party": Party.RESIDENTS, "decision": "agree", "version": 1},
    )
    assert response.status_code == 400
    assert "version 2" in response.content.decode()
    assert not SignOff.objects.exists()


def test_the_sign_form_carries_the_version_shown(client, captain_3, party_member, proposed):
    deliberations_services.propose_resolution(
        deliberation=proposed, author=party_member, text="新文本。"
    )
    client.force_login(captain_3)
    page = client.get(proposed.get_absolute_url()).content.decode()
    assert 'name="version" value="2"' in page


# --- Action items --------------------------------------------------------------------


def test_action_item_progress_by_owner_and_representatives_only(
    client, proposed, steward, resident, captain_5
):
    item = deliberations_services.add_action_item(
        resolution=proposed.resolution, title="东门划线", owner_party=Party.PROPERTY, actor=steward
    )
    data = {"status": "in_progress", "progress_note": "已采购油漆"}
    for refused in [resident, captain_5]:
        client.force_login(refused)
        assert client.post(url("action_item_update", item.pk), data).status_code == 403
    client.force_login(steward)
    assert client.post(url("action_item_update", item.pk), data).status_code == 302
    item.refresh_from_db()
    assert (item.status, item.progress_note) == ("in_progress", "已采购油漆")


def test_the_responsible_person_updates_their_item(client, proposed, steward, community):
    owner = UserFactory(name="保洁班长")
    RoleGrantFactory(user=owner, community=community, role="property_staff")
    item = deliberations_services.add_action_item(
        resolution=proposed.resolution, title="清运", owner_party=Party.PROPERTY, owner=owner,
        actor=steward,
    )  # fmt: skip
    client.force_login(owner)
    response = client.post(url("action_item_update", item.pk), {"status": "done"})
    assert response.status_code == 302
    assert ActionItem.objects.get().status == "done"


def test_a_resident_cannot_add_action_items(client, resident, proposed):
    client.force_login(resident)
    response = client.post(
        url("action_item_create", proposed.pk), {"title": "x", "owner_party": "property"}
    )
    assert response.status_code == 403


# --- Linking ideas -------------------------------------------------------------------


def test_link_all_matching_refers_the_ideas_and_tells_their_people(
    client, party_member, deliberation, resident, neighbour, unit_3_1201, unit_5_0802, category
):
    parking = [
        IdeaFactory(author=resident, household=unit_3_1201, category=category, title="东门乱停车"),
        IdeaFactory(
            author=neighbour, household=unit_5_0802, category=category, title="消防通道停车"
        ),
    ]
    other = IdeaFactory(author=neighbour, household=unit_5_0802, title="加装电梯")
    ideas_services.set_support(idea=parking[0], user=neighbour, supported=True)
    client.force_login(party_member)
    response = client.get(url("deliberation_ideas", deliberation.pk), {"category": category.pk})
    assert response.status_code == 200
    response = client.post(
        url("deliberation_ideas", deliberation.pk) + f"?category={category.pk}", {"link": "all"}
    )
    assert response.status_code == 302
    assert set(deliberation.ideas.all()) == set(parking)
    for idea in parking:
        idea.refresh_from_db()
        assert idea.status == Idea.Status.REFERRED
    other.refresh_from_db()
    assert other.status == Idea.Status.SUBMITTED
    told = Notification.objects.filter(kind="proposals.idea_taken_up")
    assert sorted(n.recipient_id for n in told) == sorted([resident.pk, neighbour.pk, neighbour.pk])
    assert not Notification.objects.filter(kind="proposals.status_changed").exists()


def test_adoption_moves_linked_ideas_and_tells_authors_and_supporters(
    proposed, party_member, captain_3, steward, idea, neighbour
):
    ideas_services.set_support(idea=idea, user=neighbour, supported=True)
    deliberations_services.link_ideas(deliberation=proposed, ideas=[idea], actor=party_member)
    deliberations_services.add_action_item(
        resolution=proposed.resolution, title="划线", owner_party=Party.PROPERTY, actor=steward
    )
    sign(proposed, party_member, Party.PARTY_BRANCH)
    sign(proposed, captain_3, Party.RESIDENTS)
    assert not Notification.objects.filter(kind="proposals.resolution_adopted").exists()
    sign(proposed, steward, Party.PROPERTY)
    idea.refresh_from_db()
    assert idea.status == Idea.Status.IN_PROGRESS
    entry = TimelineEntry.objects.filter(idea=idea).last()
    assert proposed.get_absolute_url() in entry.public_reply
    told = set(
        Notification.objects.filter(kind="proposals.resolution_adopted").values_list(
            "recipient_id", flat=True
        )
    )
    assert {idea.author_id, neighbour.pk} <= told


def test_adoption_without_action_items_accepts_the_ideas(
    proposed, party_member, captain_3, steward, idea
):
    deliberations_services.link_ideas(deliberation=proposed, ideas=[idea], actor=party_member)
    for user, party in [
        (party_member, Party.PARTY_BRANCH),
        (captain_3, Party.RESIDENTS),
        (steward, Party.PROPERTY),
    ]:
        sign(proposed, user, party)
    idea.refresh_from_db()
    assert idea.status == Idea.Status.ACCEPTED


def test_adoption_leaves_an_idea_done_meanwhile_as_it_is(
    proposed, party_member, captain_3, steward, idea
):
    deliberations_services.link_ideas(deliberation=proposed, ideas=[idea], actor=party_member)
    deliberations_services.add_action_item(
        resolution=proposed.resolution, title="划线", owner_party=Party.PROPERTY, actor=steward
    )
    # The property fixed it before the three parties finished signing.
    triage_services.change_status(idea=idea, actor=steward, to_status=Idea.Status.DONE)
    for user, party in [
        (party_member, Party.PARTY_BRANCH),
        (captain_3, Party.RESIDENTS),
        (steward, Party.PROPERTY),
    ]:
        sign(proposed, user, party)
    idea.refresh_from_db()
    assert idea.status == Idea.Status.DONE
    assert (
        proposed.get_absolute_url() in TimelineEntry.objects.filter(idea=idea).last().public_reply
    )


def test_a_deliberation_closed_without_resolution_takes_no_action_items(
    client, proposed, party_member
):
    deliberations_services.close_deliberation(
        deliberation=proposed, actor=party_member, reason="物业换了公司"
    )
    client.force_login(party_member)
    response = client.post(
        url("action_item_create", proposed.pk),
        {"title": "划线", "owner_party": Party.PROPERTY, "due_on": "2026-12-31"},
    )
    assert response.status_code in (400, 403)
    assert not proposed.resolution.action_items.exists()


def test_the_picker_offers_open_ideas_only(
    client, party_member, deliberation, idea, neighbours_idea
):
    Idea.objects.filter(pk=neighbours_idea.pk).update(status=Idea.Status.DONE)
    client.force_login(party_member)
    response = client.post(url("deliberation_ideas", deliberation.pk), {"link": "all"})
    assert response.status_code == 302
    assert list(deliberation.ideas.all()) == [idea]
