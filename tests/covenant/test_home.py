"""The signed-in home ("与我有关"): what concerns each persona, walled by estate, with a
"new since your last visit" marker, the phone's tab bar, and a query count that does
not grow with the data."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from covenant.models import Membership, Role, User
from notices.models import Announcement, Audience
from proposals.models import Deliberation, OwnersVote, Support, VoteRollEntry
from tests.conftest import fresh
from tests.factories import (
    BuildingFactory,
    CommunityFactory,
    HouseholdFactory,
    MembershipFactory,
    RoleGrantFactory,
    UserFactory,
)
from tests.proposals.factories import IdeaFactory
from tests.volunteers.factories import ActivityFactory, SignUpFactory

HOME = "/"


def announce(community, *, title, buildings=(), urgent=False, audience=None, author=None, **fields):
    announcement = Announcement.objects.create(
        community=community,
        author=author or UserFactory(),
        title=title,
        body="周三 9:00–17:00 停水。",
        audience=audience or (Audience.BUILDINGS if buildings else Audience.ESTATE),
        urgent=urgent,
        **fields,
    )
    announcement.buildings.set(buildings)
    return announcement


def open_vote(community, households, *, title="规范停车：地面划线停车位方案"):
    now = timezone.now()
    vote = OwnersVote.objects.create(
        community=community,
        title=title,
        question="是否同意施划地面停车位？",
        status=OwnersVote.Status.OPEN,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=14),
        created_by=UserFactory(),
    )
    VoteRollEntry.objects.bulk_create(
        VoteRollEntry(vote=vote, household=household, floor_area=Decimal("89.50"))
        for household in households
    )
    return vote


def home_of(client, user) -> str:
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


# --- A resident ---------------------------------------------------------------------


def test_a_resident_sees_the_urgent_notice_to_their_building_and_the_vote_for_their_flat(
    client, community, building_3, unit_3_1201, resident
):
    notice = announce(community, title="3栋紧急停水通知", buildings=[building_3], urgent=True)
    vote = open_vote(community, [unit_3_1201])

    page = home_of(client, resident)

    assert notice.title in page
    assert reverse("notices:announcement_detail", args=[notice.pk]) in page
    assert vote.title in page
    assert f'class="btn btn-primary btn-tap" href="{vote.get_absolute_url()}"' in page
    # The stale promise that these features "will appear here" is gone.
    assert "上线后" not in page


def test_a_resident_who_has_voted_is_told_so_instead_of_vote_now(
    client, community, unit_3_1201, resident
):
    from proposals.models import Ballot

    vote = open_vote(community, [unit_3_1201])
    Ballot.objects.create(
        vote=vote,
        household=unit_3_1201,
        cast_by=resident,
        choice=Ballot.Choice.AGREE,
        floor_area=Decimal("89.50"),
    )

    page = home_of(client, resident)

    assert vote.title in page
    assert f'class="btn btn-primary btn-tap" href="{vote.get_absolute_url()}"' not in page


def test_a_neighbour_in_another_building_does_not_see_building_3s_notice(
    client, community, building_3, neighbour
):
    notice = announce(community, title="3栋紧急停水通知", buildings=[building_3], urgent=True)

    assert notice.title not in home_of(client, neighbour)


def test_a_resident_of_another_estate_sees_none_of_this_estates_notices_or_votes(
    client, community, building_3, unit_3_1201, resident
):
    other = CommunityFactory(name="金沙湾")
    other_home = HouseholdFactory(building=BuildingFactory(community=other, number=1))
    stranger = UserFactory(name="金沙湾住户")
    MembershipFactory(user=stranger, household=other_home, verified=True)
    titles = [
        announce(community, title="本小区全体停水", audience=Audience.ESTATE).title,
        announce(community, title="本小区公开通知", audience=Audience.PUBLIC).title,
        announce(community, title="三栋紧急通知", buildings=[building_3], urgent=True).title,
        open_vote(community, [unit_3_1201], title="本小区停车表决").title,
    ]
    IdeaFactory(household=unit_3_1201, author=resident, title="本小区的金点子")
    own = announce(other, title="金沙湾的通知", audience=Audience.ESTATE)

    page = home_of(client, stranger)

    assert own.title in page
    for title in [*titles, "本小区的金点子"]:
        assert title not in page


def test_a_resident_sees_replies_on_their_idea_and_ideas_they_support(
    client, unit_3_1201, unit_5_0802, resident, neighbour
):
    mine = IdeaFactory(household=unit_3_1201, author=resident, title="楼道加装感应灯")
    theirs = IdeaFactory(household=unit_5_0802, author=neighbour, title="增设快递柜")
    Support.objects.create(idea=theirs, user=resident)
    unrelated = IdeaFactory(household=unit_5_0802, author=neighbour, title="无关的想法")

    page = home_of(client, resident)

    assert mine.title in page
    assert theirs.title in page
    assert unrelated.title not in page


def test_a_resident_sees_their_coming_activities(client, community, resident):
    signup = SignUpFactory(
        user=resident, activity=ActivityFactory(community=community, title="周末楼道清理")
    )

    assert signup.activity.title in home_of(client, resident)


def test_a_representative_sees_the_deliberation_they_take_part_in(client, community, captain_3):
    from proposals.models import Representative

    deliberation = Deliberation.objects.create(
        community=community, topic="电动车充电桩选址", opened_by=captain_3
    )
    Representative.objects.create(deliberation=deliberation, user=captain_3, party="residents")

    assert deliberation.topic in home_of(client, captain_3)


# --- Empty states -------------------------------------------------------------------


def test_a_verified_resident_with_nothing_new_is_told_what_to_do_first(client, resident):
    page = home_of(client, resident)

    assert "home-empty" in page
    assert reverse("proposals:idea_create") in page
    assert "上线后" not in page


def test_a_newcomer_is_asked_to_join_their_household_first(client, newcomer):
    page = home_of(client, newcomer)

    assert reverse("join_household") in page
    assert "home-empty" not in page


@pytest.mark.parametrize("name", ["steward", "party_member", "admin_user"])
def test_staff_are_not_told_to_bind_a_flat_to_see_the_estate(client, persona, name):
    page = home_of(client, persona(name))

    assert "就能查看" not in page
    assert f'class="btn btn-primary btn-tap" href="{reverse("join_household")}"' not in page


# --- What waits for a role, first ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "link"),
    [
        ("captain_3", "proposals:moderation_queue"),
        ("steward", "proposals:triage_board"),
        ("party_member", "proposals:deliberation_list"),
        ("admin_user", "membership_queue"),
    ],
)
def test_what_waits_for_a_role_comes_first(client, community, building_3, persona, name, link):
    announce(community, title="全小区停水通知", audience=Audience.ESTATE)
    page = home_of(client, persona(name))

    assert reverse(link) in page
    assert page.index("home-waiting") < page.index("全小区停水通知")


def test_the_waiting_counts_are_shown(client, community, unit_3_1201, steward, resident):
    IdeaFactory(household=unit_3_1201, author=resident)
    IdeaFactory(household=unit_3_1201, author=resident)

    page = home_of(client, steward)

    triage = reverse("proposals:triage_board")
    waiting = page[page.index("home-waiting") :]
    row = waiting[waiting.index(triage) :]
    assert ">2</span>" in row[: row.index("</a>")]


# --- New since the last visit -------------------------------------------------------


def test_what_arrived_since_the_last_visit_is_marked_new(client, community, building_3, resident):
    home_of(client, resident)  # the first visit is recorded
    first_visit = fresh(resident).home_seen_at
    assert first_visit is not None
    announce(community, title="新的停电通知", buildings=[building_3])

    second = home_of(client, resident)
    third = home_of(client, resident)

    assert "home-new" in second and "home-since" in second
    assert "新的停电通知" in third and "home-new" not in third and "home-since" not in third
    assert fresh(resident).home_seen_at > first_visit


def test_what_was_there_before_the_last_visit_is_not_marked_new(
    client, community, building_3, resident
):
    announce(
        community,
        title="旧的通知",
        buildings=[building_3],
        publish_at=timezone.now() - timedelta(days=2),
    )
    User.objects.filter(pk=resident.pk).update(home_seen_at=timezone.now() - timedelta(days=1))

    page = home_of(client, resident)

    assert "旧的通知" in page
    assert 'home-new">' not in page


# --- The phone's tab bar ------------------------------------------------------------


def test_the_tab_bar_marks_the_home_as_the_current_page(client, resident):
    page = home_of(client, resident)

    assert 'class="tabbar d-xl-none"' in page
    assert 'class="tabbar-item active" href="/" aria-current="page"' in page
    assert reverse("proposals:idea_list") in page[page.index('class="tabbar') :]
    assert reverse("volunteers:index") in page[page.index('class="tabbar') :]


def test_the_tab_bar_marks_the_announcements_tab_on_the_announcements_page(client, resident):
    client.force_login(resident)
    page = client.get(reverse("notices:announcement_list")).content.decode()

    tabbar = page[page.index('class="tabbar') :]
    assert (
        f'class="tabbar-item active" href="{reverse("notices:announcement_list")}" '
        'aria-current="page"'
    ) in tabbar


def test_role_holders_have_the_workbench_one_tap_away(client, captain_3):
    page = home_of(client, captain_3)

    assert 'id="tabbar-workbench"' in page


def test_residents_have_volunteers_in_place_of_the_workbench(client, resident):
    assert 'id="tabbar-workbench"' not in home_of(client, resident)


def test_visitors_have_no_tab_bar(client, db):
    assert 'class="tabbar' not in client.get(HOME).content.decode()


# --- Query counts -------------------------------------------------------------------


def _fill(community, building, household, user, *, times: int) -> None:
    """Announcements, votes, ideas, supports, activities and deliberations, `times` of each."""
    author = UserFactory()
    for index in range(times):
        announce(community, title=f"通知{index}", buildings=[building], urgent=index % 2 == 0)
        announce(community, title=f"全体通知{index}", audience=Audience.ESTATE)
        open_vote(community, [household], title=f"表决{index}")
        IdeaFactory(household=household, author=user, title=f"我的点子{index}")
        Support.objects.create(
            idea=IdeaFactory(household=household, author=author, title=f"邻居的点子{index}"),
            user=user,
        )
        SignUpFactory(user=user, activity=ActivityFactory(community=community, organiser=author))
        deliberation = Deliberation.objects.create(
            community=community, topic=f"议题{index}", opened_by=author
        )
        from proposals.models import Representative

        Representative.objects.create(deliberation=deliberation, user=user, party="residents")


def _count_home_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME).status_code == 200
    return len(queries)


ROLES = {
    "resident": None,
    "captain": Role.CAPTAIN,
    "steward": Role.PROPERTY_STAFF,
    "party_branch": Role.PARTY_BRANCH,
    "admin": Role.COMMUNITY_ADMIN,
}


def _estate_with_person(role, name):
    community = CommunityFactory(name=name)
    building = BuildingFactory(community=community, number=3)
    household = HouseholdFactory(building=building, floor=12, unit="1201")
    user = UserFactory()
    MembershipFactory(
        user=user, household=household, relation=Membership.Relation.OWNER, verified=True
    )
    if role:
        RoleGrantFactory(
            user=user,
            community=community,
            role=role,
            building=building if role == Role.CAPTAIN else None,
        )
    return community, building, household, user


@pytest.mark.parametrize("persona_name", ROLES)
def test_the_home_asks_as_many_queries_with_much_data_as_with_little(client, db, persona_name):
    little = _estate_with_person(ROLES[persona_name], "小花园")
    much = _estate_with_person(ROLES[persona_name], "大花园")
    _fill(*little, times=1)
    _fill(*much, times=8)
    # The first visit of each is recorded first, so both count a visit with a "since".
    for _community, _building, _household, user in (little, much):
        _count_home_queries(client, user)

    assert _count_home_queries(client, little[3]) == _count_home_queries(client, much[3])


def test_a_newcomers_home_asks_a_fixed_number_of_queries(client, newcomer):
    # session, user, memberships, this visit recorded, role grants, verified homes
    assert _count_home_queries(client, newcomer) <= 7


def test_a_newcomer_sees_no_estates_public_notices_on_their_home(client, community, newcomer):
    notice = announce(community, title="公开的开放日通知", audience=Audience.PUBLIC)

    assert notice.title not in home_of(client, newcomer)


def test_the_three_apps_provide_the_homes_panels():
    from covenant import panels

    modules = {provider.__module__ for provider in panels.providers("home")}

    assert {"notices.home", "proposals.home", "volunteers.home"} <= modules


def test_a_captain_sees_unread_messages_from_their_building_among_what_waits(
    client, unit_3_1201, resident, captain_3, captain_5
):
    from volunteers.models import CaptainMessage

    CaptainMessage.objects.create(
        sender=resident, captain=captain_3, household=unit_3_1201, body="楼道灯坏了。"
    )

    assert reverse("volunteers:captain_messages") in _waiting_part(home_of(client, captain_3))
    assert reverse("volunteers:captain_messages") not in _waiting_part(home_of(client, captain_5))


def _waiting_part(page: str) -> str:
    """The home's main part, without the navigation's menus."""
    return page[page.index('id="main"') :]


def test_the_last_visit_is_in_the_persons_data_and_forgotten_with_the_account(client, resident):
    from covenant import services
    from covenant.personal_data import collect_personal_data

    home_of(client, resident)
    resident = fresh(resident)
    assert collect_personal_data(user=resident)["account"]["home_seen_at"]

    services.delete_account(user=resident)

    assert fresh(resident).home_seen_at is None
