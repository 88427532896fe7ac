"""The owners' votes permissions for every persona, and the list selector agreeing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from proposals.votes import selectors, services
from tests.conftest import PERSONAS, fresh
from tests.proposals.owners_votes import estate_with_owners, open_vote

pytestmark = pytest.mark.django_db

EXPECTED = {
    # persona: (browse_votes, manage_votes, see_vote_breakdown)
    "visitor": (False, False, False),
    "newcomer": (False, False, False),
    "resident": (True, False, False),
    "neighbour": (True, False, False),
    "captain_3": (True, False, False),
    "captain_5": (True, False, False),
    "steward": (True, False, False),
    "party_member": (True, False, False),
    "admin_user": (True, True, True),
}


@pytest.fixture
def votes(community, resident, neighbour, admin_user):
    """An open vote, a draft, and a vote of another estate."""
    opened = open_vote(community, admin_user)
    draft = services.create_vote(
        community=community, title="草稿", question="?", matter="ordinary",
        closes_at=timezone.now() + timedelta(days=3), created_by=admin_user,
    )  # fmt: skip
    other_estate, other_admin, _units = estate_with_owners(["80"], name="别的小区")
    elsewhere = open_vote(other_estate, other_admin)
    return opened, draft, elsewhere


@pytest.mark.parametrize("name", PERSONAS)
def test_each_persona_holds_the_vote_permissions_of_the_table(persona, votes, name):
    user = fresh(persona(name))
    opened = votes[0]
    assert (
        user.has_perm("proposals.browse_votes"),
        user.has_perm("proposals.manage_votes", opened),
        user.has_perm("proposals.see_vote_breakdown", opened),
    ) == EXPECTED[name]


@pytest.mark.parametrize("name", [p for p in PERSONAS if p != "visitor"])
def test_the_list_selector_agrees_with_read_vote(persona, votes, name):
    user = fresh(persona(name))
    listed = set(selectors.votes_visible_to(user))
    for vote in votes:
        assert (vote in listed) == user.has_perm("proposals.read_vote", vote), vote.title


def test_a_vote_of_another_estate_is_nobody_elses(persona, votes):
    elsewhere = votes[2]
    for name in ("resident", "captain_3", "admin_user"):
        assert not fresh(persona(name)).has_perm("proposals.read_vote", elsewhere)


def test_cast_ballot_is_for_verified_owners_of_that_unit(
    resident, neighbour, unit_3_1201, admin_user
):
    assert fresh(resident).has_perm("proposals.cast_ballot", unit_3_1201)
    assert not fresh(neighbour).has_perm("proposals.cast_ballot", unit_3_1201)
    assert not fresh(admin_user).has_perm("proposals.cast_ballot", unit_3_1201)
