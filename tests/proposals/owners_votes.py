"""Helpers for the owners' votes tests: estates of chosen floor areas, open votes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from covenant.models import Membership, Role
from proposals.models import OwnersVote
from proposals.votes import services
from tests.factories import (
    BuildingFactory,
    CommunityFactory,
    HouseholdFactory,
    MembershipFactory,
    RoleGrantFactory,
    UserFactory,
)


def estate_with_owners(areas: list[str], *, name: str = "表决花园"):
    """An estate of one building whose units have these floor areas, each with one
    verified owner; returns (community, admin, [(household, owner), ...])."""
    community = CommunityFactory(name=name)
    building = BuildingFactory(community=community, number=1, floor_count=40)
    admin = UserFactory()
    RoleGrantFactory(user=admin, community=community, role=Role.COMMUNITY_ADMIN)
    units = []
    for index, area in enumerate(areas):
        household = HouseholdFactory(
            building=building,
            floor=index // 4 + 1,
            unit=f"{index // 4 + 1}{index % 4 + 1:02d}",
            floor_area=Decimal(area),
        )
        owner = UserFactory()
        MembershipFactory(
            user=owner, household=household, relation=Membership.Relation.OWNER, verified=True
        )
        units.append((household, owner))
    return community, admin, units


def open_vote(
    community, admin, *, matter=OwnersVote.Matter.ORDINARY, title="规范停车：地面划线停车位方案"
):
    vote = services.create_vote(
        community=community,
        title=title,
        question="是否同意在小区主干道两侧施划地面停车位？",
        matter=matter,
        closes_at=timezone.now() + timedelta(days=14),
        created_by=admin,
    )
    return services.open_vote(vote_id=vote.pk, actor=admin)


def vote_as(vote, units, choices: str):
    """Cast one ballot per unit, in order: 'a' agree, 'o' object, 's' abstain, '-' none."""
    letters = {"a": "agree", "o": "object", "s": "abstain"}
    for (household, owner), letter in zip(units, choices, strict=True):
        if letter != "-":
            services.cast_ballot(vote=vote, household=household, user=owner, choice=letters[letter])


def make_due(vote) -> None:
    """Move the vote's time window into the past, as if its closing time had come."""
    now = timezone.now()
    OwnersVote.objects.filter(pk=vote.pk).update(
        opens_at=now - timedelta(days=14), closes_at=now - timedelta(seconds=1)
    )
    vote.refresh_from_db()
