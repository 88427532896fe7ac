"""Roles are per estate: a role held in one estate gives nothing in another one where the
same person is only a resident (docs/roles.md, "Roles are per estate")."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from covenant.models import Membership, Party, Role
from covenant.rules import estate_of, roles_of
from proposals.deliberations import services as deliberations_services
from proposals.ideas import selectors as ideas_selectors
from proposals.models import (
    Ballot,
    Comment,
    Deliberation,
    DeliberationPost,
    Idea,
    Moderation,
    OpenDataLink,
    OwnersVote,
    Representative,
    Theme,
)
from proposals.moderation import selectors as moderation_selectors
from proposals.themes import selectors as themes_selectors
from proposals.votes import selectors as votes_selectors
from proposals.votes import services as votes_services
from tests.conftest import working_in
from tests.factories import (
    BuildingFactory,
    CommunityFactory,
    HouseholdFactory,
    MembershipFactory,
    RoleGrantFactory,
    UserFactory,
)
from tests.proposals.factories import CommentFactory, IdeaFactory, seeded_category
from tests.proposals.owners_votes import estate_with_owners, open_vote

pytestmark = pytest.mark.django_db


class Estate:
    """One estate of one building, with a verified resident and every role holder."""

    def __init__(self, name: str):
        self.community = CommunityFactory(name=name)
        self.building = BuildingFactory(community=self.community, number=1)
        self.household = HouseholdFactory(building=self.building, floor=3, unit="301")
        self.spare = HouseholdFactory(building=self.building, floor=4, unit="401")
        self.resident = UserFactory()
        MembershipFactory(user=self.resident, household=self.household, verified=True)
        self.admin = self._holder(Role.COMMUNITY_ADMIN)
        self.staff = self._holder(Role.PROPERTY_STAFF)
        self.party = self._holder(Role.PARTY_BRANCH)
        self.captain = self._holder(Role.CAPTAIN, building=self.building)

    def _holder(self, role, **fields):
        user = UserFactory()
        RoleGrantFactory(user=user, community=self.community, role=role, **fields)
        return user

    def make_tenant(self, user):
        MembershipFactory(
            user=user,
            household=self.spare,
            relation=Membership.Relation.TENANT,
            verified=True,
        )
        return user

    def idea(self, **fields):
        return IdeaFactory(author=self.resident, household=self.household, **fields)

    def deliberation(self):
        deliberation = deliberations_services.open_deliberation(
            opener=self.staff, community=self.community, topic="楼道杂物清理"
        )
        deliberations_services.name_representative(
            deliberation=deliberation, user=self.captain, party=Party.RESIDENTS, actor=self.staff
        )
        return deliberation

    def theme(self):
        return Theme.objects.create(
            community=self.community, category=seeded_category("facilities"), name="电梯"
        )


@pytest.fixture
def estate_a():
    return Estate("甲小区")


@pytest.fixture
def estate_b():
    return Estate("乙小区")


@pytest.fixture
def admin_a(estate_a, estate_b):
    """The admin of A, who rents a flat in B, working in A (the estate switcher)."""
    return working_in(estate_b.make_tenant(estate_a.admin), estate_a.community)


# --- The rules themselves ----------------------------------------------------------------


def test_roles_are_kept_per_estate(estate_a, estate_b, admin_a):
    roles = roles_of(admin_a)
    assert roles.is_admin_of(estate_a.community.pk)
    assert not roles.is_admin_of(estate_b.community.pk)
    assert roles.roles_in(estate_b.community.pk) == frozenset()
    assert estate_b.community.pk in roles.community_ids  # still a resident there


def test_a_superuser_is_admin_of_every_estate(estate_a, estate_b):
    superuser = UserFactory(is_superuser=True)
    roles = roles_of(superuser)
    assert roles.is_admin_of(estate_a.community.pk)
    assert roles.is_admin_of(estate_b.community.pk)


def test_the_estate_of_an_object_is_read_without_a_query(estate_a, django_assert_num_queries):
    idea = estate_a.idea()
    comment = Comment.objects.select_related("idea").get(
        pk=CommentFactory(idea=idea, author=estate_a.resident).pk
    )
    household = (
        type(estate_a.household).objects.select_related("building").get(pk=estate_a.household.pk)
    )
    with django_assert_num_queries(0):
        assert estate_of(idea) == estate_a.community.pk
        assert estate_of(comment) == estate_a.community.pk
        assert estate_of(household) == estate_a.community.pk
        assert estate_of(estate_a.community) == estate_a.community.pk
        assert estate_of(Party.RESIDENTS) is None


def test_list_level_perms_still_ask_for_the_role_in_any_estate(admin_a):
    assert admin_a.has_perm("proposals.see_moderation_queue")
    assert admin_a.has_perm("proposals.manage_votes")


# --- Owners' votes ------------------------------------------------------------------------


@pytest.fixture
def votes():
    a, admin_a, _units_a = estate_with_owners(["80"], name="甲小区")
    b, admin_b, units_b = estate_with_owners(["90", "100"], name="乙小区")
    vote_a = open_vote(a, admin_a)
    vote_b = open_vote(b, admin_b)
    household, owner = units_b[0]
    votes_services.cast_ballot(
        vote=vote_b, household=household, user=owner, choice=Ballot.Choice.OBJECT
    )
    MembershipFactory(
        user=admin_a,
        household=units_b[1][0],
        relation=Membership.Relation.TENANT,
        verified=True,
    )
    return working_in(admin_a, a), vote_a, vote_b, owner


def test_the_admin_of_a_sees_no_breakdown_of_bs_vote_and_cannot_close_it(client, votes):
    admin_a, _vote_a, vote_b, owner = votes
    client.force_login(admin_a)
    response = client.get(reverse("votes:vote_breakdown", args=[vote_b.pk]))
    assert response.status_code == 403
    assert owner.display_name not in response.content.decode()
    assert client.post(reverse("votes:vote_close", args=[vote_b.pk])).status_code == 403
    vote_b.refresh_from_db()
    assert vote_b.status == OwnersVote.Status.OPEN


def test_the_admin_of_a_still_manages_as_vote(client, votes):
    admin_a, vote_a, _vote_b, _owner = votes
    client.force_login(admin_a)
    assert client.get(reverse("votes:vote_breakdown", args=[vote_a.pk])).status_code == 200
    client.post(reverse("votes:vote_close", args=[vote_a.pk]), {"confirm": "yes"})
    vote_a.refresh_from_db()
    assert vote_a.status == OwnersVote.Status.CLOSED


# --- Deliberations ------------------------------------------------------------------------


def test_the_admin_of_a_neither_convenes_nor_posts_on_behalf_in_b(
    client, estate_a, estate_b, admin_a
):
    deliberation = estate_b.deliberation()
    client.force_login(admin_a)
    close = reverse("proposals:deliberation_close", args=[deliberation.pk])
    assert client.post(close, {"reason": "不谈了"}).status_code == 403
    post = reverse("proposals:deliberation_post", args=[deliberation.pk])
    response = client.post(
        post,
        {"kind": DeliberationPost.Kind.REPRESENTATIVE, "party": Party.PROPERTY, "body": "代发"},
    )
    assert response.status_code == 403
    deliberation.refresh_from_db()
    assert deliberation.status == Deliberation.Status.OPEN
    assert not DeliberationPost.objects.filter(author=admin_a).exists()


def test_the_admin_of_a_convenes_and_posts_on_behalf_in_a(client, estate_a, estate_b, admin_a):
    deliberation = estate_a.deliberation()
    client.force_login(admin_a)
    post = reverse("proposals:deliberation_post", args=[deliberation.pk])
    response = client.post(
        post,
        {"kind": DeliberationPost.Kind.REPRESENTATIVE, "party": Party.PROPERTY, "body": "代发"},
    )
    assert response.status_code == 302
    close = reverse("proposals:deliberation_close", args=[deliberation.pk])
    client.post(close, {"reason": "已另行解决"})
    deliberation.refresh_from_db()
    assert deliberation.status == Deliberation.Status.CLOSED


@pytest.fixture
def staff_a_captain_b(estate_a, estate_b):
    user = UserFactory()
    RoleGrantFactory(user=user, community=estate_a.community, role=Role.PROPERTY_STAFF)
    RoleGrantFactory(
        user=user, community=estate_b.community, role=Role.CAPTAIN, building=estate_b.building
    )
    return user


def test_a_captain_of_b_is_not_seated_for_as_residents(client, estate_a, staff_a_captain_b):
    deliberation = deliberations_services.open_deliberation(
        opener=estate_a.party, community=estate_a.community, topic="楼道杂物清理"
    )
    with translation.override("en"), pytest.raises(ValidationError, match="in this estate"):
        deliberations_services.name_representative(
            deliberation=deliberation,
            user=staff_a_captain_b,
            party=Party.RESIDENTS,
            actor=estate_a.party,
        )
    client.force_login(estate_a.party)
    client.post(
        reverse("proposals:representative_add", args=[deliberation.pk]),
        {"party": Party.RESIDENTS, "user": staff_a_captain_b.pk},
    )
    assert not Representative.objects.filter(
        deliberation=deliberation, user=staff_a_captain_b
    ).exists()
    # For the property, the role they hold in A, they may be seated.
    deliberations_services.name_representative(
        deliberation=deliberation,
        user=staff_a_captain_b,
        party=Party.PROPERTY,
        actor=estate_a.party,
    )


def test_a_building_point_from_another_estates_building_is_refused(estate_a, estate_b):
    deliberation = estate_a.deliberation()
    captain = estate_a.captain
    RoleGrantFactory(
        user=captain, community=estate_b.community, role=Role.CAPTAIN, building=estate_b.building
    )
    with pytest.raises(PermissionDenied):
        deliberations_services.add_deliberation_post(
            deliberation=deliberation,
            author=captain,
            body="乙小区的意见",
            kind=DeliberationPost.Kind.BUILDING_POINT,
            building=estate_b.building,
        )
    post = deliberations_services.add_deliberation_post(
        deliberation=deliberation,
        author=captain,
        body="1栋的意见",
        kind=DeliberationPost.Kind.BUILDING_POINT,
        building=estate_a.building,
    )
    assert post.building == estate_a.building


def test_a_deliberation_is_opened_where_the_opener_holds_the_role(client, estate_a, estate_b):
    # The admin of B rents in A, the estate with the lower id: the deliberation is B's.
    admin_b = estate_a.make_tenant(estate_b.admin)
    client.force_login(admin_b)
    client.post(reverse("proposals:deliberation_create"), {"topic": "停车问题讨论"})
    assert Deliberation.objects.get(topic="停车问题讨论").community == estate_b.community


def test_one_holding_opening_roles_in_two_estates_opens_in_the_estate_they_work_in(
    client, estate_a, estate_b
):
    """The estate is chosen in the account menu (the estate switcher), not in the form: a
    posted estate is not taken."""
    user = estate_b.party
    RoleGrantFactory(user=user, community=estate_a.community, role=Role.PROPERTY_STAFF)
    client.force_login(user)
    url = reverse("proposals:deliberation_create")
    client.post(reverse("choose_estate"), {"estate": estate_a.community.pk})
    client.post(url, {"topic": "停车问题讨论", "estate": estate_b.community.pk})
    assert Deliberation.objects.get(topic="停车问题讨论").community == estate_a.community
    client.post(reverse("choose_estate"), {"estate": estate_b.community.pk})
    other = CommunityFactory(name="丙小区")
    client.post(url, {"topic": "另一个议题", "estate": other.pk})
    assert Deliberation.objects.get(topic="另一个议题").community == estate_b.community


# --- Themes, priorities, triage, moderation ------------------------------------------------


def test_the_admin_of_a_does_not_edit_bs_themes(client, estate_a, estate_b, admin_a):
    theme_b, theme_a = estate_b.theme(), estate_a.theme()
    client.force_login(admin_a)
    rename = "proposals:theme_rename"
    assert client.post(reverse(rename, args=[theme_b.pk]), {"name": "改名"}).status_code == 403
    assert client.get(reverse("proposals:theme_promote", args=[theme_b.pk])).status_code == 403
    theme_b.refresh_from_db()
    assert theme_b.name == "电梯"
    client.post(reverse(rename, args=[theme_a.pk]), {"name": "加装电梯"})
    theme_a.refresh_from_db()
    assert theme_a.name == "加装电梯"


def test_regrouping_runs_for_the_estate_where_the_user_edits_themes(estate_a, estate_b, admin_a):
    assert list(themes_selectors.estates_editing_themes(admin_a)) == [estate_a.community]
    assert not themes_selectors.estates_editing_themes(estate_b.resident).exists()


def test_the_admin_of_a_does_not_triage_bs_ideas(client, estate_a, estate_b, admin_a):
    idea_b = estate_b.idea()
    client.force_login(admin_a)
    data = {
        "category": idea_b.category_id,
        "priority": idea_b.priority,
        "assignee": "",
        "status": Idea.Status.ACCEPTED,
        "reply_template": "",
        "public_reply": "",
    }
    response = client.post(reverse("proposals:idea_triage", args=[idea_b.pk]), data)
    assert response.status_code in {403, 404}
    idea_b.refresh_from_db()
    assert idea_b.status == Idea.Status.SUBMITTED
    idea_a = estate_a.idea()
    data["category"], data["priority"] = idea_a.category_id, idea_a.priority
    client.post(reverse("proposals:idea_triage", args=[idea_a.pk]), data)
    idea_a.refresh_from_db()
    assert idea_a.status == Idea.Status.ACCEPTED


def test_the_admin_of_a_does_not_moderate_bs_content(client, estate_a, estate_b, admin_a):
    idea_b = estate_b.idea()
    comment_b = CommentFactory(idea=idea_b, author=estate_b.resident)
    client.force_login(admin_a)
    hide = {"action": "hide", "reason": "广告"}
    url = reverse("proposals:idea_moderate", args=[idea_b.pk])
    assert client.post(url, hide).status_code == 403
    url = reverse("proposals:comment_moderate", args=[comment_b.pk])
    assert client.post(url, hide).status_code == 403
    idea_b.refresh_from_db()
    comment_b.refresh_from_db()
    assert idea_b.moderation == comment_b.moderation == Moderation.VISIBLE


def test_the_moderation_queue_holds_only_the_admins_estates(estate_a, estate_b, admin_a):
    estate_a.idea(moderation=Moderation.PENDING, title="甲的待审")
    estate_b.idea(moderation=Moderation.PENDING, title="乙的待审")
    titles = {entry.item.title for entry in moderation_selectors.moderation_queue(user=admin_a)}
    assert titles == {"甲的待审"}


def test_the_staff_of_a_sees_no_hidden_ideas_of_b(estate_a, estate_b):
    staff = working_in(estate_b.make_tenant(estate_a.staff), estate_a.community)
    estate_a.idea(moderation=Moderation.HIDDEN, title="甲的隐藏")
    estate_b.idea(moderation=Moderation.HIDDEN, title="乙的隐藏")
    titles = set(ideas_selectors.ideas_visible_to(staff).values_list("title", flat=True))
    assert titles == {"甲的隐藏"}
    # Nor on the hidden idea's own page, which opens in any estate of theirs.
    pages = ideas_selectors.ideas_visible_to(staff, listed=False).values_list("title", flat=True)
    assert set(pages) == {"甲的隐藏"}


# --- Open data -----------------------------------------------------------------------------


def test_an_open_data_link_for_b_is_refused_to_as_admin_who_is_only_staff_in_b(
    client, estate_a, estate_b
):
    admin = estate_a.admin
    RoleGrantFactory(user=admin, community=estate_b.community, role=Role.PROPERTY_STAFF)
    client.force_login(admin)
    # 乙小区 comes first by name: the admin works in 甲小区 to share its data.
    client.post(reverse("choose_estate"), {"estate": estate_a.community.pk})
    create = reverse("proposals:open_data_link_create")
    response = client.post(create, {"estate": estate_b.community.pk, "label": "街道办"})
    assert response.status_code == 400
    assert not OpenDataLink.objects.filter(community=estate_b.community).exists()
    client.post(create, {"estate": estate_a.community.pk, "label": "街道办"})
    assert OpenDataLink.objects.filter(community=estate_a.community).exists()
    link_b = OpenDataLink.objects.create(
        community=estate_b.community, label="物业", created_by=estate_b.admin
    )
    client.post(reverse("proposals:open_data_link_revoke", args=[link_b.pk]))
    link_b.refresh_from_db()
    assert link_b.revoked_at is None


def test_the_admin_of_a_does_not_bulk_triage_bs_ideas(client, estate_a, estate_b, admin_a):
    idea_b, idea_a = estate_b.idea(), estate_a.idea()
    hygiene = seeded_category("hygiene")
    client.force_login(admin_a)
    board = reverse("proposals:triage_board")
    client.post(board, {"ideas": [idea_b.pk], "category": hygiene.pk})
    idea_b.refresh_from_db()
    assert idea_b.category != hygiene
    client.post(board, {"ideas": [idea_a.pk], "category": hygiene.pk})
    idea_a.refresh_from_db()
    assert idea_a.category == hygiene


def test_the_admin_of_a_does_not_see_bs_draft_votes(votes):
    admin_a, vote_a, vote_b, _owner = votes
    draft_b = OwnersVote.objects.create(
        community=vote_b.community,
        title="乙的草稿",
        question="？",
        closes_at=vote_b.closes_at,
        created_by=vote_b.created_by,
    )
    draft_a = OwnersVote.objects.create(
        community=vote_a.community,
        title="甲的草稿",
        question="？",
        closes_at=vote_a.closes_at,
        created_by=admin_a,
    )
    visible = set(votes_selectors.votes_visible_to(admin_a))
    assert draft_a in visible
    assert draft_b not in visible
    # Published: B's residents, admin_a among them, open it (the list is of A, where
    # admin_a works).
    assert vote_b not in visible
    assert vote_b in set(votes_selectors.votes_visible_to(admin_a, listed=False))
    assert draft_b not in set(votes_selectors.votes_visible_to(admin_a, listed=False))


def test_the_building_point_form_offers_only_the_deliberations_estates_buildings(
    client, estate_a, estate_b
):
    deliberation = estate_a.deliberation()
    captain = estate_a.captain
    RoleGrantFactory(
        user=captain, community=estate_b.community, role=Role.CAPTAIN, building=estate_b.building
    )
    client.force_login(captain)
    form = client.get(deliberation.get_absolute_url()).context["point_form"]
    assert list(form.fields["building"].queryset) == [estate_a.building]
