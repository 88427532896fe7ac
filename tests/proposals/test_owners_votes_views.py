"""Owners' votes in the browser: who may see, vote, manage and see who voted how."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from covenant.models import Household, Membership
from proposals.models import Ballot, OwnersVote
from proposals.votes import services
from tests.conftest import fresh
from tests.factories import MembershipFactory, UserFactory
from tests.proposals.conftest import page_queries
from tests.proposals.owners_votes import make_due, open_vote

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
NOT_ADMINS = ["resident", "neighbour", "captain_3", "steward", "party_member"]


@pytest.fixture
def vote(community, resident, neighbour, admin_user):
    """An open ordinary vote of the personas' estate: 3-1201 and 5-0802 on its roll."""
    return open_vote(community, admin_user)


@pytest.fixture
def closed_vote(vote, resident, neighbour, unit_3_1201, unit_5_0802, admin_user):
    services.cast_ballot(vote=vote, household=unit_3_1201, user=resident, choice="agree")
    services.cast_ballot(vote=vote, household=unit_5_0802, user=neighbour, choice="object")
    services.close_vote(vote_id=vote.pk, actor=admin_user)
    vote.refresh_from_db()
    return vote


def url(name, vote=None):
    return reverse(f"votes:{name}", args=[vote.pk] if vote else [])


# --- Reading ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", READERS)
def test_the_estates_participants_read_the_list_and_the_vote(client, persona, vote, name):
    client.force_login(persona(name))
    assert vote.title in client.get(url("vote_list")).content.decode()
    assert client.get(url("vote_detail", vote)).status_code == 200
    assert client.get(url("vote_result", vote)).status_code == 200


@pytest.mark.parametrize("view", ["vote_detail", "vote_result", "vote_breakdown"])
def test_a_visitor_is_sent_to_sign_in(client, vote, view):
    response = client.get(url(view, vote))
    assert response.status_code == 302 and "/accounts/login/" in response.url
    response = client.get(url("vote_list"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_someone_not_yet_verified_may_not_read_votes(client, newcomer, vote):
    client.force_login(newcomer)
    assert client.get(url("vote_list")).status_code == 403
    assert client.get(url("vote_detail", vote)).status_code == 403


def test_a_draft_is_seen_by_admins_only(client, community, admin_user, resident, captain_3):
    draft = services.create_vote(
        community=community, title="草稿：更换物业公司", question="?", matter="ordinary",
        closes_at=timezone.now() + timedelta(days=3),
        created_by=admin_user,
    )  # fmt: skip
    for user in (resident, captain_3):
        client.force_login(user)
        assert draft.title not in client.get(url("vote_list")).content.decode()
        assert client.get(url("vote_detail", draft)).status_code == 404
    client.force_login(admin_user)
    assert draft.title in client.get(url("vote_list")).content.decode()
    assert client.get(url("vote_detail", draft)).status_code == 200


def test_while_open_the_result_page_shows_turnout_only(
    client, english, vote, resident, unit_3_1201
):
    services.cast_ballot(vote=vote, household=unit_3_1201, user=resident, choice="agree")
    client.force_login(resident)
    page = client.get(url("vote_result", vote)).content.decode()
    assert "Turnout by units" in page
    assert "Agreement among those who voted" not in page
    assert "The count" not in page


def test_after_closing_the_result_shows_the_count_and_the_outcome(
    client, english, closed_vote, captain_5
):
    client.force_login(captain_5)
    page = client.get(url("vote_result", closed_vote)).content.decode()
    assert "Agreement among those who voted" in page
    # Two of the estate's two units voted: a quorum; one agreed, one objected: half.
    assert "Not passed." in page
    assert "Ballots by unit" not in page


# --- Casting ---------------------------------------------------------------------------


def test_an_owner_casts_and_changes_the_households_vote(
    client, english, vote, resident, unit_3_1201
):
    client.force_login(resident)
    page = client.get(url("vote_detail", vote)).content.decode()
    assert "Cast this unit's vote" in page
    response = client.post(url("vote_cast", vote), {"household": unit_3_1201.pk, "choice": "agree"})
    assert response.status_code == 302
    client.post(url("vote_cast", vote), {"household": unit_3_1201.pk, "choice": "abstain"})
    ballot = Ballot.objects.get(vote=vote, household=unit_3_1201)
    assert (ballot.choice, ballot.change_count) == ("abstain", 1)
    assert (
        "Counted: <strong>Abstain</strong>" in client.get(url("vote_detail", vote)).content.decode()
    )


def test_a_ballot_without_a_choice_is_refused_with_a_message(
    client, english, vote, resident, unit_3_1201
):
    client.force_login(resident)
    response = client.post(url("vote_cast", vote), {"household": unit_3_1201.pk})
    assert response.status_code == 400
    assert "Choose agree, object or abstain." in response.content.decode()
    assert not Ballot.objects.exists()


@pytest.mark.parametrize(
    "who", ["tenant", "family", "unverified owner", "other household's owner", "steward", "admin"]
)
def test_anyone_but_a_verified_owner_of_the_unit_gets_403(
    client, vote, unit_3_1201, neighbour, steward, admin_user, who
):
    if who in {"tenant", "family", "unverified owner"}:
        user = UserFactory()
        relation = {"tenant": "tenant", "family": "family"}.get(who, "owner")
        MembershipFactory(
            user=user, household=unit_3_1201, relation=relation, verified=who != "unverified owner"
        )
    else:
        user = {"other household's owner": neighbour, "steward": steward, "admin": admin_user}[who]
    client.force_login(user)
    response = client.post(url("vote_cast", vote), {"household": unit_3_1201.pk, "choice": "agree"})
    assert response.status_code == 403
    assert not Ballot.objects.exists()


@pytest.mark.parametrize("household", ["", "abc", "999999"])
def test_a_ballot_for_no_real_unit_gets_403(client, vote, resident, household):
    client.force_login(resident)
    response = client.post(url("vote_cast", vote), {"household": household, "choice": "agree"})
    assert response.status_code == 403


def test_after_closing_a_ballot_is_refused_and_nothing_changes(
    client, english, closed_vote, resident, unit_3_1201
):
    client.force_login(resident)
    response = client.post(
        url("vote_cast", closed_vote),
        {"household": unit_3_1201.pk, "choice": "object"},
        follow=True,
    )
    assert "not open" in response.content.decode()
    assert Ballot.objects.get(vote=closed_vote, household=unit_3_1201).choice == "agree"


# --- Managing --------------------------------------------------------------------------


def test_an_admin_drafts_edits_opens_and_closes_a_vote(client, admin_user, resident, unit_3_1201):
    client.force_login(admin_user)
    data = {"title": "选聘新物业服务企业", "question": "是否同意选聘……", "matter": "ordinary",
            "closes_at": "2099-01-31T20:00"}  # fmt: skip
    response = client.post(url("vote_create"), data)
    draft = OwnersVote.objects.get(title="选聘新物业服务企业")
    assert response.status_code == 302 and draft.status == OwnersVote.Status.DRAFT
    client.post(url("vote_edit", draft), {**data, "matter": "rebuild"})
    client.post(url("vote_open", draft))
    draft.refresh_from_db()
    assert (draft.matter, draft.status, draft.electorate_households) == ("rebuild", "open", 1)
    client.post(url("vote_close", draft), {"confirm": "yes"})
    draft.refresh_from_db()
    assert draft.status == OwnersVote.Status.CLOSED


def test_a_closing_time_in_the_past_is_refused_and_what_was_typed_kept(client, english, admin_user):
    client.force_login(admin_user)
    response = client.post(
        url("vote_create"),
        {
            "title": "加装电梯",
            "question": "问题",
            "matter": "ordinary",
            "closes_at": "2001-01-01T08:00",
        },
    )
    assert response.status_code == 200
    assert "Choose a time in the future." in response.content.decode()
    assert "加装电梯" in response.content.decode()
    assert not OwnersVote.objects.exists()


@pytest.mark.parametrize("name", NOT_ADMINS)
def test_only_admins_create_open_and_close_votes(
    client, persona, vote, name, community, admin_user
):
    user = persona(name)
    client.force_login(user)
    assert client.get(url("vote_create")).status_code == 403
    assert client.post(url("vote_close", vote)).status_code == 403
    assert client.get(url("vote_edit", vote)).status_code == 403
    vote.refresh_from_db()
    assert vote.status == OwnersVote.Status.OPEN
    # The same request by an admin goes through: the refusal came from the permission.
    client.force_login(admin_user)
    assert client.post(url("vote_close", vote), {"confirm": "yes"}).status_code == 302


# --- Who voted how ---------------------------------------------------------------------


@pytest.mark.parametrize("name", [*NOT_ADMINS, "captain_5"])
def test_the_breakdown_is_refused_to_everyone_but_admins(client, persona, closed_vote, name):
    client.force_login(persona(name))
    assert client.get(url("vote_breakdown", closed_vote)).status_code == 403


def test_an_admin_sees_who_voted_how(client, english, closed_vote, admin_user, resident, neighbour):
    client.force_login(admin_user)
    page = client.get(url("vote_breakdown", closed_vote)).content.decode()
    assert resident.name in page and neighbour.name in page
    assert "Object" in page


def test_an_admin_enters_a_paper_ballot(client, vote, admin_user, unit_5_0802):
    client.force_login(admin_user)
    response = client.post(
        url("vote_breakdown", vote), {"building": 5, "unit": "0802", "choice": "object"}
    )
    assert response.status_code == 302
    ballot = Ballot.objects.get(vote=vote, household=unit_5_0802)
    assert ballot.on_paper and ballot.choice == "object"


def test_a_paper_ballot_for_an_unknown_unit_is_refused(client, english, vote, admin_user):
    client.force_login(admin_user)
    response = client.post(
        url("vote_breakdown", vote), {"building": 5, "unit": "9999", "choice": "agree"}
    )
    assert response.status_code == 400
    assert "There is no unit 9999 in building 5." in response.content.decode()


# --- Query counts ----------------------------------------------------------------------


def _grow_estate(building, count):
    """Households with owners and ballots-to-be, added in bulk."""
    Household.objects.bulk_create(
        Household(
            building=building, floor=1 + n // 20, unit=f"X{n:04d}", floor_area=Decimal("89.37")
        )
        for n in range(count)
    )


def _vote_everywhere(vote, except_household):
    entries = vote.roll.exclude(household=except_household)
    Ballot.objects.bulk_create(
        Ballot(vote=vote, household_id=e.household_id, floor_area=e.floor_area, choice="agree")
        for e in entries
    )


def test_vote_and_result_pages_cost_the_same_for_10_and_300_households(
    client, community, building_3, resident, unit_3_1201, admin_user
):
    _grow_estate(building_3, 9)
    small = open_vote(community, admin_user)
    Household.objects.bulk_create(
        Household(
            building=building_3, floor=2 + n // 20, unit=f"Y{n:04d}", floor_area=Decimal("120.05")
        )
        for n in range(290)
    )
    large = open_vote(community, admin_user)
    assert (small.electorate_households, large.electorate_households) == (10, 300)
    for vote in (small, large):
        _vote_everywhere(vote, unit_3_1201)
        services.cast_ballot(vote=vote, household=unit_3_1201, user=resident, choice="agree")

    # Today 8 on the vote page: session, user, the user's roles (grants, memberships),
    # the vote, the user's units on the roll, their ballots, the count; 6 on the result
    # page (no units, no ballots). The bound leaves room for the navigation's badges.
    for view in ("vote_detail", "vote_result"):
        queries = page_queries(client, fresh(resident), url(view, small))
        assert len(queries) == len(page_queries(client, fresh(resident), url(view, large)))
        assert len(queries) <= 12, queries
    for vote in (small, large):
        make_due(vote)
    assert len(page_queries(client, fresh(resident), url("vote_result", small))) == len(
        page_queries(client, fresh(resident), url("vote_result", large))
    )
    assert len(page_queries(client, fresh(admin_user), url("vote_breakdown", small))) == len(
        page_queries(client, fresh(admin_user), url("vote_breakdown", large))
    )


def test_a_tenant_sees_the_vote_but_no_ballot_form(client, english, vote, unit_3_1201):
    tenant = UserFactory()
    MembershipFactory(
        user=tenant, household=unit_3_1201, relation=Membership.Relation.TENANT, verified=True
    )
    client.force_login(tenant)
    page = client.get(url("vote_detail", vote)).content.decode()
    assert "Only verified owners vote" in page
    assert "Cast this unit" not in page


def test_the_list_costs_the_same_for_a_few_votes_and_many(client, community, resident, admin_user):
    def counted_queries():
        return len(page_queries(client, fresh(resident), url("vote_list")))

    for _ in range(2):
        make_due(open_vote(community, admin_user))
    open_vote(community, admin_user)
    few = counted_queries()
    for _ in range(30):
        make_due(open_vote(community, admin_user))
    for _ in range(5):
        open_vote(community, admin_user)
    assert counted_queries() == few
