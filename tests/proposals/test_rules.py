"""Who may do what with golden ideas (proposals/rules.py), for every persona.

The idea under test is the `idea` fixture: public, filed by the resident of 3-1201 (building 3,
floor 12). Each table lists the personas that are allowed; every other persona is refused.
"""

import pytest

from proposals.ideas import selectors
from proposals.models import Idea, Moderation
from tests.conftest import fresh
from tests.factories import HouseholdFactory, MembershipFactory, UserFactory
from tests.proposals.factories import CommentFactory, IdeaFactory

PERSONAS = [
    "visitor",
    "newcomer",
    "resident",
    "neighbour",
    "captain_3",
    "captain_5",
    "captain_3_lower_floors",
    "steward",
    "party_member",
    "admin_user",
]
PARTICIPANTS = set(PERSONAS) - {"visitor", "newcomer"}
CAPTAINS = {"captain_3", "captain_5", "captain_3_lower_floors"}

# Permissions asked without an object.
GLOBAL_PERMISSIONS = {
    "proposals.browse_ideas": PARTICIPANTS,
    "proposals.submit_idea": PARTICIPANTS,
    "proposals.record_idea_for_resident": CAPTAINS,
    "proposals.see_moderation_queue": CAPTAINS | {"admin_user"},
    "proposals.triage_idea": {"steward", "admin_user"},
    "proposals.export_ideas": {"steward", "admin_user"},
    "proposals.manage_campaigns": {"admin_user"},
    "proposals.see_themes": {"steward", "party_member", "admin_user"},
    "proposals.edit_themes": {"steward", "admin_user"},
    "proposals.browse_priorities": PARTICIPANTS,
    "proposals.manage_priorities": {"steward", "party_member", "admin_user"},
}

# Permissions asked about the resident's public idea from building 3, floor 12.
IDEA_PERMISSIONS = {
    "proposals.read_idea": PARTICIPANTS,
    "proposals.support_idea": PARTICIPANTS,
    "proposals.comment_on_idea": PARTICIPANTS,
    # Everyone who takes part, except its author.
    "proposals.report_item": PARTICIPANTS - {"resident"},
    # The captain of the whole of building 3 and admins; not the captain of floors 1–6,
    # not the captain of building 5, not the property staff.
    "proposals.moderate_item": {"captain_3", "admin_user"},
    "proposals.see_audit_log": {"steward", "admin_user"},
    "proposals.triage_idea": {"steward", "admin_user"},
    "proposals.see_author_identity": {
        "resident",
        "captain_3",
        "steward",
        "party_member",
        "admin_user",
    },
    "proposals.withdraw_idea": {"resident"},
}


@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize("permission", sorted(GLOBAL_PERMISSIONS))
def test_global_idea_permission_follows_the_role_table(persona, permission, name):
    user = fresh(persona(name))
    assert user.has_perm(permission) is (name in GLOBAL_PERMISSIONS[permission])


@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize("permission", sorted(IDEA_PERMISSIONS))
def test_permission_on_a_building_3_idea_follows_the_role_table(persona, permission, name, idea):
    user = fresh(persona(name))
    assert user.has_perm(permission, idea) is (name in IDEA_PERMISSIONS[permission])


# Permissions asked about the neighbour's comment under the building-3 idea: a comment is
# moderated with the building of the idea it is written under, not its author's.
COMMENT_PERMISSIONS = {
    "proposals.report_item": PARTICIPANTS - {"neighbour"},
    "proposals.moderate_item": {"captain_3", "admin_user"},
    "proposals.edit_comment": {"neighbour"},
}


@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize("permission", sorted(COMMENT_PERMISSIONS))
def test_permission_on_a_comment_follows_the_building_of_its_idea(
    persona, permission, name, comment
):
    user = fresh(persona(name))
    assert user.has_perm(permission, comment) is (name in COMMENT_PERMISSIONS[permission])


def test_a_captain_of_building_5_cannot_moderate_an_idea_from_building_3(
    captain_5, captain_3, idea
):
    assert not fresh(captain_5).has_perm("proposals.moderate_item", idea)
    assert fresh(captain_3).has_perm("proposals.moderate_item", idea)


def test_a_captain_of_floors_1_to_6_cannot_moderate_an_idea_from_floor_12(
    captain_3_lower_floors, idea, building_3, category
):
    low = HouseholdFactory(building=building_3, floor=4, unit="0401")
    author = UserFactory()
    MembershipFactory(user=author, household=low, verified=True)
    lower_idea = IdeaFactory(author=author, household=low, category=category)

    captain = fresh(captain_3_lower_floors)
    assert not captain.has_perm("proposals.moderate_item", idea)
    assert captain.has_perm("proposals.moderate_item", lower_idea)


def test_a_captain_cannot_moderate_their_own_idea(captain_3, admin_user, unit_3_1201, category):
    own = IdeaFactory(author=captain_3, household=unit_3_1201, category=category)
    assert not fresh(captain_3).has_perm("proposals.moderate_item", own)
    assert fresh(admin_user).has_perm("proposals.moderate_item", own)


def test_a_captain_cannot_moderate_their_own_comment(captain_3, admin_user, idea):
    own = CommentFactory(idea=idea, author=captain_3)
    assert not fresh(captain_3).has_perm("proposals.moderate_item", own)
    assert fresh(admin_user).has_perm("proposals.moderate_item", own)


def test_an_admin_cannot_moderate_their_own_idea_but_another_admin_can(
    admin_user, community, category
):
    own = IdeaFactory(author=admin_user, household=None, community=community, category=category)
    other_admin = UserFactory(is_superuser=True)
    assert not fresh(admin_user).has_perm("proposals.moderate_item", own)
    assert fresh(other_admin).has_perm("proposals.moderate_item", own)


def test_a_superuser_is_held_to_not_moderating_their_own_idea(community, category):
    root = UserFactory(is_superuser=True, is_staff=True)
    own = IdeaFactory(author=root, household=None, community=community, category=category)
    assert not fresh(root).has_perm("proposals.moderate_item", own)


@pytest.mark.parametrize("name", PERSONAS)
def test_nobody_supports_comments_on_or_reports_a_hidden_idea(persona, name, idea):
    idea.moderation = Moderation.HIDDEN
    idea.save()
    user = fresh(persona(name))
    assert not user.has_perm("proposals.support_idea", idea)
    assert not user.has_perm("proposals.comment_on_idea", idea)
    assert not user.has_perm("proposals.report_item", idea)


@pytest.mark.parametrize(
    "change", [{"status": Idea.Status.WITHDRAWN}, {"duplicate_of": "other"}], ids=str
)
def test_a_withdrawn_or_merged_idea_takes_no_more_supports_or_comments(
    neighbour, idea, category, unit_5_0802, change
):
    if "duplicate_of" in change:
        change = {
            "duplicate_of": IdeaFactory(author=neighbour, household=unit_5_0802, category=category)
        }
    Idea.objects.filter(pk=idea.pk).update(**change)
    idea.refresh_from_db()
    user = fresh(neighbour)
    assert user.has_perm("proposals.read_idea", idea)
    assert not user.has_perm("proposals.support_idea", idea)
    assert not user.has_perm("proposals.comment_on_idea", idea)


def test_an_idea_cannot_be_withdrawn_once_work_has_started(resident, idea):
    Idea.objects.filter(pk=idea.pk).update(status=Idea.Status.IN_PROGRESS)
    idea.refresh_from_db()
    assert not fresh(resident).has_perm("proposals.withdraw_idea", idea)


# --- The list agrees with the permission ---------------------------------------------


@pytest.fixture
def idea_set(resident, neighbour, unit_3_1201, unit_5_0802, building_3, category):
    """Public, hidden, pending (floor 4), the resident's own hidden, and a building-5 one."""
    other = UserFactory(name="三栋邻居")
    MembershipFactory(user=other, household=unit_3_1201, verified=True)
    low = HouseholdFactory(building=building_3, floor=4, unit="0402")
    low_author = UserFactory(name="四楼住户")
    MembershipFactory(user=low_author, household=low, verified=True)
    return {
        "public": IdeaFactory(author=resident, household=unit_3_1201, category=category),
        "hidden": IdeaFactory(
            author=other,
            household=unit_3_1201,
            category=category,
            moderation=Moderation.HIDDEN,
            hidden_reason="含有电话号码",
        ),
        "pending_floor_4": IdeaFactory(
            author=low_author, household=low, category=category, moderation=Moderation.PENDING
        ),
        "own_hidden": IdeaFactory(
            author=resident,
            household=unit_3_1201,
            category=category,
            moderation=Moderation.AUTO_HIDDEN,
        ),
        "other_building_hidden": IdeaFactory(
            author=neighbour,
            household=unit_5_0802,
            category=category,
            moderation=Moderation.HIDDEN,
            hidden_reason="广告",
        ),
    }


EXPECTED_VISIBLE = {
    "visitor": set(),
    "newcomer": set(),
    "resident": {"public", "own_hidden"},
    "neighbour": {"public", "other_building_hidden"},
    "captain_3": {"public", "hidden", "pending_floor_4", "own_hidden"},
    "captain_5": {"public", "other_building_hidden"},
    "captain_3_lower_floors": {"public", "pending_floor_4"},
    "steward": {"public", "hidden", "pending_floor_4", "own_hidden", "other_building_hidden"},
    # The Party branch reads public ideas; hidden ones are for moderators and the staff.
    "party_member": {"public"},
    "admin_user": {"public", "hidden", "pending_floor_4", "own_hidden", "other_building_hidden"},
}


@pytest.mark.parametrize("name", PERSONAS)
def test_the_ideas_a_persona_may_open_are_the_ones_listed_for_them(persona, name, idea_set):
    user = fresh(persona(name))
    by_pk = {idea.pk: label for label, idea in idea_set.items()}
    listed = {by_pk[pk] for pk in selectors.ideas_visible_to(user).values_list("pk", flat=True)}
    readable = {
        label for label, idea in idea_set.items() if user.has_perm("proposals.read_idea", idea)
    }
    assert listed == readable
    assert listed == EXPECTED_VISIBLE[name]
