"""Owners' votes through the services: the roll, ballots, the count, closing, notices."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from covenant.models import Membership
from covenant.personal_data import collect_personal_data
from covenant.services import delete_account
from notices.models import Notification
from proposals import notifications
from proposals.models import Ballot, OwnersVote
from proposals.votes import selectors, services
from proposals.votes.tally import Outcome
from tests.factories import HouseholdFactory, MembershipFactory, UserFactory
from tests.proposals.owners_votes import estate_with_owners, make_due, open_vote, vote_as

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_messages():
    """The services' messages in English, so the tests can match their wording."""
    with translation.override("en"):
        yield


SPECIAL = OwnersVote.Matter.RAISE_FUND


def counted(vote):
    return selectors.vote_result(vote)


# --- The count at its boundaries, through the services -------------------------------


def test_two_thirds_of_the_area_but_not_of_the_households_decides_nothing():
    community, admin, units = estate_with_owners(["200.00", "50.00", "50.00"])
    vote = open_vote(community, admin)
    vote_as(vote, units, "a--")
    result = counted(vote)
    assert result.turnout_area_reached and not result.turnout_households_reached
    assert result.outcome == Outcome.NO_QUORUM


def test_two_thirds_of_the_households_but_not_of_the_area_decides_nothing():
    community, admin, units = estate_with_owners(["200.00", "50.00", "50.00"])
    vote = open_vote(community, admin)
    vote_as(vote, units, "-aa")
    result = counted(vote)
    assert result.turnout_households_reached and not result.turnout_area_reached
    assert result.outcome == Outcome.NO_QUORUM


def test_exactly_two_thirds_of_both_is_enough_to_decide():
    community, admin, units = estate_with_owners(["89.37", "89.37", "89.37"])
    vote = open_vote(community, admin)
    vote_as(vote, units, "aa-")
    result = counted(vote)
    assert result.turnout_reached
    assert result.participating.area == Decimal("178.74")
    assert result.outcome == Outcome.PASSED


@pytest.mark.parametrize(
    ("areas", "choices"),
    [
        (["60.00", "40.00", "50.00", "50.00"], "aoao"),  # units exactly half, area 55%
        (["100.00", "50.00", "25.00", "25.00"], "oaaa"),  # area exactly half, units 3/4
        (["89.37", "89.37", "89.37", "89.37"], "aaoo"),  # exactly half of both
    ],
)
def test_exactly_half_is_not_a_majority(areas, choices):
    community, admin, units = estate_with_owners(areas)
    vote = open_vote(community, admin)
    vote_as(vote, units, choices)
    assert counted(vote).turnout_reached
    assert counted(vote).outcome == Outcome.NOT_PASSED


def test_just_above_half_of_both_passes_an_ordinary_matter():
    community, admin, units = estate_with_owners(["89.37", "89.36", "89.37", "89.37", "89.37"])
    vote = open_vote(community, admin)
    vote_as(vote, units, "aoaoa")
    assert counted(vote).outcome == Outcome.PASSED


def test_exactly_three_quarters_of_both_passes_a_special_matter():
    community, admin, units = estate_with_owners(["89.37"] * 4)
    vote = open_vote(community, admin, matter=SPECIAL)
    vote_as(vote, units, "aaao")
    assert counted(vote).outcome == Outcome.PASSED


def test_just_below_three_quarters_fails_a_special_matter():
    community, admin, units = estate_with_owners(["89.37", "89.37", "89.37", "89.38"])
    vote = open_vote(community, admin, matter=SPECIAL)
    vote_as(vote, units, "aaao")
    result = counted(vote)
    assert result.agree_households_reached and not result.agree_area_reached
    assert result.outcome == Outcome.NOT_PASSED


def test_the_same_ballots_pass_an_ordinary_matter_but_not_a_special_one():
    community, admin, units = estate_with_owners(["90.00"] * 10)
    ordinary = open_vote(community, admin)
    special = open_vote(community, admin, matter=OwnersVote.Matter.COMMON_PARTS)
    vote_as(ordinary, units, "aaaaaaaooo")
    vote_as(special, units, "aaaaaaaooo")
    assert counted(ordinary).outcome == Outcome.PASSED
    assert counted(special).outcome == Outcome.NOT_PASSED


# --- The roll -----------------------------------------------------------------------


def test_opening_fixes_the_roll_so_later_changes_to_households_do_not_count():
    community, admin, units = estate_with_owners(["89.37", "120.50"])
    vote = open_vote(community, admin)
    assert (vote.electorate_households, vote.electorate_area) == (2, Decimal("209.87"))
    household, owner = units[0]
    household.floor_area = Decimal("300.00")
    household.save()
    newcomer = HouseholdFactory(building=household.building, floor=9, unit="901")
    MembershipFactory(household=newcomer, user=(late := UserFactory()), verified=True)

    services.cast_ballot(vote=vote, household=household, user=owner, choice="agree")
    with pytest.raises(ValidationError, match="not on the roll"):
        services.cast_ballot(vote=vote, household=newcomer, user=late, choice="agree")
    result = counted(vote)
    assert result.agree.area == Decimal("89.37")
    assert result.electorate.area == Decimal("209.87")


def test_a_vote_opens_once_and_only_with_a_closing_time_ahead():
    community, admin, _units = estate_with_owners(["80"])
    vote = open_vote(community, admin)
    with pytest.raises(ValidationError):
        services.open_vote(vote_id=vote.pk, actor=admin)
    late = services.create_vote(
        community=community, title="过期", question="?", matter="ordinary",
        closes_at=timezone.now() - timedelta(minutes=1), created_by=admin,
    )  # fmt: skip
    with pytest.raises(ValidationError):
        services.open_vote(vote_id=late.pk, actor=admin)
    assert OwnersVote.objects.get(pk=late.pk).status == OwnersVote.Status.DRAFT


# --- One vote per household ---------------------------------------------------------


@pytest.fixture
def household_vote():
    community, admin, units = estate_with_owners(["89.37", "95.00", "110.20"])
    return open_vote(community, admin), admin, units


def test_a_second_ballot_replaces_the_first(household_vote):
    vote, _admin, units = household_vote
    household, owner = units[0]
    services.cast_ballot(vote=vote, household=household, user=owner, choice="agree")
    services.cast_ballot(vote=vote, household=household, user=owner, choice="object")
    ballot = Ballot.objects.get(vote=vote, household=household)
    assert (ballot.choice, ballot.change_count, ballot.cast_by) == ("object", 1, owner)
    assert counted(vote).participating.households == 1
    assert counted(vote).agree.households == 0


def test_a_second_owner_of_the_same_household_replaces_it_too(household_vote):
    vote, _admin, units = household_vote
    household, owner = units[0]
    spouse = UserFactory()
    MembershipFactory(user=spouse, household=household, relation="owner", verified=True)
    services.cast_ballot(vote=vote, household=household, user=owner, choice="agree")
    services.cast_ballot(vote=vote, household=household, user=spouse, choice="abstain")
    ballot = Ballot.objects.get(vote=vote, household=household)
    assert (ballot.choice, ballot.cast_by, ballot.change_count) == ("abstain", spouse, 1)
    assert Ballot.objects.filter(vote=vote).count() == 1


def test_an_owner_of_two_units_votes_for_each_separately(household_vote):
    vote, _admin, units = household_vote
    (first, owner), (second, _other) = units[0], units[1]
    MembershipFactory(user=owner, household=second, relation="owner", verified=True)
    services.cast_ballot(vote=vote, household=first, user=owner, choice="agree")
    services.cast_ballot(vote=vote, household=second, user=owner, choice="object")
    assert counted(vote).agree.households == 1
    assert counted(vote).objecting.area == Decimal("95.00")
    assert [unit.ballot.choice for unit in selectors.units_of_voter(owner, vote)] == [
        "agree",
        "object",
    ]


@pytest.mark.parametrize(
    "membership",
    [
        {"relation": Membership.Relation.TENANT, "verified": True},
        {"relation": Membership.Relation.FAMILY, "verified": True},
        {"relation": Membership.Relation.OWNER},  # asked, not verified
        {"relation": Membership.Relation.OWNER, "rejected": True},
    ],
    ids=["tenant", "family", "unverified owner", "rejected owner"],
)
def test_only_a_verified_owner_may_vote(household_vote, membership):
    vote, _admin, units = household_vote
    household, _owner = units[0]
    user = UserFactory()
    MembershipFactory(user=user, household=household, **membership)
    with pytest.raises(PermissionDenied):
        services.cast_ballot(vote=vote, household=household, user=user, choice="agree")
    assert not Ballot.objects.filter(vote=vote).exists()


def test_an_owner_of_another_household_may_not_vote_for_this_one(household_vote):
    vote, _admin, units = household_vote
    with pytest.raises(PermissionDenied):
        services.cast_ballot(vote=vote, household=units[0][0], user=units[1][1], choice="agree")
    assert not Ballot.objects.filter(vote=vote).exists()


def test_no_ballot_changes_after_an_admin_closes_the_vote(household_vote):
    vote, admin, units = household_vote
    household, owner = units[0]
    services.cast_ballot(vote=vote, household=household, user=owner, choice="agree")
    assert services.close_vote(vote_id=vote.pk, actor=admin)
    with pytest.raises(ValidationError, match="not open"):
        services.cast_ballot(vote=vote, household=household, user=owner, choice="object")
    with pytest.raises(ValidationError, match="not open"):
        services.cast_ballot(vote=vote, household=units[1][0], user=units[1][1], choice="agree")
    assert list(Ballot.objects.values_list("choice", flat=True)) == ["agree"]


def test_a_vote_past_its_closing_time_takes_no_ballot_even_before_the_task_runs(household_vote):
    vote, _admin, units = household_vote
    make_due(vote)
    assert vote.status == OwnersVote.Status.OPEN and vote.is_closed
    with pytest.raises(ValidationError):
        services.cast_ballot(vote=vote, household=units[0][0], user=units[0][1], choice="agree")


def test_the_database_holds_one_ballot_per_household(household_vote):
    vote, _admin, units = household_vote
    household, owner = units[0]
    services.cast_ballot(vote=vote, household=household, user=owner, choice="agree")
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(
            vote=vote, household=household, floor_area=Decimal("89.37"), choice="object"
        )


def test_a_ballot_needs_a_valid_choice(household_vote):
    vote, _admin, units = household_vote
    with pytest.raises(ValidationError):
        services.cast_ballot(vote=vote, household=units[0][0], user=units[0][1], choice="yes")


# --- Paper ballots --------------------------------------------------------------------


def test_an_admin_enters_a_paper_ballot_which_the_owner_may_replace_online(household_vote):
    vote, admin, units = household_vote
    household, owner = units[0]
    services.record_paper_ballot(vote=vote, household=household, choice="object", recorded_by=admin)
    ballot = Ballot.objects.get(vote=vote, household=household)
    assert ballot.on_paper and ballot.cast_by == admin
    services.cast_ballot(vote=vote, household=household, user=owner, choice="agree")
    ballot.refresh_from_db()
    assert (ballot.on_paper, ballot.choice, ballot.cast_by) == (False, "agree", owner)


def test_a_paper_ballot_never_replaces_an_online_one(household_vote):
    vote, admin, units = household_vote
    household, owner = units[0]
    services.cast_ballot(vote=vote, household=household, user=owner, choice="agree")
    with pytest.raises(ValidationError, match="online"):
        services.record_paper_ballot(
            vote=vote, household=household, choice="object", recorded_by=admin
        )
    assert Ballot.objects.get(vote=vote).choice == "agree"


# --- Closing and notices ------------------------------------------------------------


def test_opening_tells_every_verified_owner_urgently_and_nobody_else():
    community, admin, units = estate_with_owners(["89.37", "95.00"])
    tenant = UserFactory()
    MembershipFactory(user=tenant, household=units[0][0], relation="tenant", verified=True)
    vote = open_vote(community, admin)
    told = Notification.objects.filter(kind=notifications.VOTE_OPENED, target_id=vote.pk)
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(o.pk for _h, o in units)
    assert all(told.values_list("urgent", flat=True))


def test_the_due_votes_close_once_and_tell_the_owners_of_participating_households():
    community, admin, units = estate_with_owners(["89.37", "95.00", "70.00"])
    vote = open_vote(community, admin)
    vote_as(vote, units, "ao-")
    make_due(vote)
    assert services.close_due_votes() == 1
    assert services.close_due_votes() == 0
    vote.refresh_from_db()
    assert vote.status == OwnersVote.Status.CLOSED and vote.closed_at == vote.closes_at
    told = Notification.objects.filter(kind=notifications.VOTE_RESULTS, target_id=vote.pk)
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(
        owner.pk for _h, owner in units[:2]
    )


def test_the_close_due_votes_command_closes_a_due_vote_for_a_site_without_beat():
    community, admin, units = estate_with_owners(["89.37", "95.00"])
    vote = open_vote(community, admin)
    vote_as(vote, units, "a-")
    make_due(vote)
    out = StringIO()
    call_command("close_due_votes", stdout=out)
    vote.refresh_from_db()
    assert vote.status == OwnersVote.Status.CLOSED
    assert "closed 1" in out.getvalue()


def test_an_open_vote_not_yet_due_is_left_open_by_the_task(household_vote):
    vote, _admin, _units = household_vote
    assert services.close_due_votes() == 0
    assert services.close_vote(vote_id=vote.pk) is False
    vote.refresh_from_db()
    assert vote.status == OwnersVote.Status.OPEN


# --- Personal data ------------------------------------------------------------------


def test_a_users_ballots_are_in_their_data_download(household_vote):
    vote, _admin, units = household_vote
    household, owner = units[0]
    services.cast_ballot(vote=vote, household=household, user=owner, choice="abstain")
    (entry,) = collect_personal_data(user=owner)["owners_votes"]
    assert entry["vote"] == vote.title
    assert (entry["unit"], entry["choice"]) == (household.unit, "abstain")


def test_paper_ballots_an_admin_entered_stay_out_of_the_admins_data_download(household_vote):
    # Who voted how is for the admins' breakdown only; a download leaves the portal.
    vote, admin, units = household_vote
    household, _owner = units[0]
    services.record_paper_ballot(vote=vote, household=household, choice="object", recorded_by=admin)
    assert collect_personal_data(user=admin)["owners_votes"] == []


def test_account_deletion_keeps_the_households_vote_but_forgets_who_cast_it(household_vote):
    vote, _admin, units = household_vote
    household, owner = units[0]
    services.cast_ballot(vote=vote, household=household, user=owner, choice="agree")
    delete_account(user=owner)
    ballot = Ballot.objects.get(vote=vote, household=household)
    assert ballot.cast_by is None
    assert counted(vote).agree.households == 1


def test_summed_areas_stay_exact_to_the_hundredth():
    areas = ["89.37", "120.05", "76.13"] * 40
    community, admin, units = estate_with_owners(areas)
    vote = open_vote(community, admin)
    vote_as(vote, units, "a" * len(units))
    agreed = counted(vote).agree.area
    assert agreed == Decimal("11422.00") == vote.electorate_area
    assert agreed.as_tuple().exponent == -2
