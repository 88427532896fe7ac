"""Owners' votes under real parallel connections, on PostgreSQL."""

import pytest

from proposals.models import Ballot
from proposals.votes import services
from proposals.votes.selectors import vote_result
from tests.covenant.test_concurrency import run_in_parallel
from tests.factories import MembershipFactory, UserFactory
from tests.proposals.owners_votes import estate_with_owners, open_vote

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CHOICES = ["agree", "object", "abstain"]


def test_twenty_parallel_ballots_from_one_household_leave_one_counted():
    community, admin, units = estate_with_owners(["89.37", "120.00"])
    vote = open_vote(community, admin)
    household, owner = units[0]
    spouse = UserFactory()
    MembershipFactory(user=spouse, household=household, relation="owner", verified=True)

    def cast(index):
        voter = owner if index % 2 else spouse
        return services.cast_ballot(
            vote=vote, household=household, user=voter, choice=CHOICES[index % 3]
        ).pk

    outcomes = run_in_parallel(20, cast)
    assert [state for state, _ in outcomes] == ["ok"] * 20
    ballot = Ballot.objects.get(vote=vote, household=household)
    assert Ballot.objects.filter(vote=vote).count() == 1
    assert ballot.change_count == 19
    assert vote_result(vote).participating.households == 1


def test_a_ballot_racing_the_closing_is_either_counted_before_it_or_refused():
    community, admin, units = estate_with_owners(["89.37"] * 10)
    vote = open_vote(community, admin)

    def act(index):
        if index == 0:
            return services.close_vote(vote_id=vote.pk, actor=admin)
        household, owner = units[index - 1]
        return services.cast_ballot(vote=vote, household=household, user=owner, choice="agree").pk

    outcomes = run_in_parallel(11, act)
    refused = [value for state, value in outcomes if state == "error"]
    counted = Ballot.objects.filter(vote=vote).count()
    assert counted + len(refused) == 10
    assert all(error.code == "vote_not_open" for error in refused), refused
    vote.refresh_from_db()
    assert vote.status == "closed"
    assert not Ballot.objects.filter(vote=vote, cast_at__gt=vote.closed_at).exists()
