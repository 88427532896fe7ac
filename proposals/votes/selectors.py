"""Reads of owners' votes, with visibility applied: lists, results, breakdowns."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone

from covenant.models import Household, Membership, Role, User
from proposals.ideas.selectors import in_estates_of, in_estates_where
from proposals.models import (
    Ballot,
    Deliberation,
    OwnersVote,
    VoteRollEntry,
)
from proposals.votes import tally

# --- Owners' votes (业主表决) -----------------------------------------------------------

VOTES_PER_PAGE = 20
AREA_STEP = Decimal("0.01")
BREAKDOWN_PER_PAGE = 100


def votes_visible_to(user: User, *, listed: bool = True) -> QuerySet[OwnersVote]:
    """The list counterpart of `proposals.read_vote`: the listed estates' votes (all the
    user's estates', for a vote's pages), drafts for admins only."""
    votes = OwnersVote.objects.filter(in_estates_of(user, listed=listed))
    # Drafts of the estates the user administers only: roles are per estate.
    return votes.exclude(
        Q(status=OwnersVote.Status.DRAFT)
        & ~in_estates_where(user, Role.COMMUNITY_ADMIN, listed=listed)
    )


@dataclass(frozen=True)
class VoteLists:
    drafts: list[OwnersVote]
    open: list[OwnersVote]
    closed: Page


def vote_lists(user: User, *, page: str | int | None = None) -> VoteLists:
    """Drafts (admins), open votes, and closed votes a page at a time, newest first; an
    open vote past its closing time is listed as closed (`OwnersVote.state_at`). Closed
    votes carry their `result`, counted in the page's own query."""
    now = timezone.now()
    votes = votes_visible_to(user)
    still_open = Q(status=OwnersVote.Status.OPEN, closes_at__gt=now)
    closed = with_counts(
        votes.filter(
            Q(status=OwnersVote.Status.CLOSED)
            | Q(status=OwnersVote.Status.OPEN, closes_at__lte=now)
        )
    ).order_by("-closes_at", "-pk")
    closed_page = Paginator(closed, VOTES_PER_PAGE).get_page(page)
    for vote in closed_page:
        vote.result = result_of_counted(vote)
    return VoteLists(
        drafts=list(votes.filter(status=OwnersVote.Status.DRAFT).order_by("-created_at")),
        open=list(votes.filter(still_open).order_by("closes_at", "pk")),
        closed=closed_page,
    )


_CHOICE_COUNTS = {
    "agree": Ballot.Choice.AGREE,
    "object": Ballot.Choice.OBJECT,
    "abstain": Ballot.Choice.ABSTAIN,
}


def with_counts(votes: QuerySet[OwnersVote]) -> QuerySet[OwnersVote]:
    """Each vote's ballots counted by choice in the same query as the votes (read back
    with `result_of_counted`), so that a list of votes with results costs one query."""
    counts = {}
    for name, choice in _CHOICE_COUNTS.items():
        chosen = Q(ballots__choice=choice)
        counts[f"{name}_households"] = Count("ballots", filter=chosen)
        counts[f"{name}_area"] = Sum("ballots__floor_area", filter=chosen)
    return votes.annotate(**counts)


def _share(households: int, area) -> tally.Share:
    # Areas have two places; SQLite sums decimals in floating point, so the sum is put
    # back to two places (exact on PostgreSQL's numeric anyway).
    return tally.Share(households, Decimal(area or 0).quantize(AREA_STEP))


def _result(vote: OwnersVote, shares: dict[str, tally.Share]) -> tally.Result:
    empty = tally.Share()
    return tally.Result(
        electorate=tally.Share(vote.electorate_households, vote.electorate_area),
        agree=shares.get(Ballot.Choice.AGREE, empty),
        objecting=shares.get(Ballot.Choice.OBJECT, empty),
        abstaining=shares.get(Ballot.Choice.ABSTAIN, empty),
        special=vote.is_special,
    )


def result_of_counted(vote: OwnersVote) -> tally.Result:
    """The result of a vote fetched through `with_counts`, without a query."""
    shares = {
        choice: _share(getattr(vote, f"{name}_households"), getattr(vote, f"{name}_area"))
        for name, choice in _CHOICE_COUNTS.items()
    }
    return _result(vote, shares)


def vote_result(vote: OwnersVote) -> tally.Result:
    """The count of a vote's ballots against its roll, in one query."""
    shares = {
        row["choice"]: _share(row["households"], row["area"])
        for row in Ballot.objects.filter(vote=vote)
        .values("choice")
        .annotate(households=Count("pk"), area=Sum("floor_area"))
        .order_by()
    }
    return _result(vote, shares)


def published_votes(user: User) -> list[OwnersVote]:
    """Every opened vote of the user's estates for the public record, newest closing
    first, each with its `result` and deliberation: one query however many votes."""
    votes = (
        with_counts(
            OwnersVote.objects.filter(in_estates_of(user)).exclude(status=OwnersVote.Status.DRAFT)
        )
        .select_related("deliberation")
        .order_by("-closes_at", "-pk")
    )
    return _with_results(votes)


def _with_results(votes: QuerySet[OwnersVote]) -> list[OwnersVote]:
    votes = list(votes)
    for vote in votes:
        vote.result = result_of_counted(vote)
    return votes


@dataclass(frozen=True)
class OwnedUnit:
    """A unit the user may vote for, with the household's current ballot (if any)."""

    household: Household
    ballot: Ballot | None


def units_of_voter(user: User, vote: OwnersVote) -> list[OwnedUnit]:
    """The user's verified-owner units on the vote's roll, each with its ballot, in two
    queries whatever the size of the estate."""
    if not user.is_authenticated or vote.status == OwnersVote.Status.DRAFT:
        return []
    households = list(
        Household.objects.filter(
            memberships__user=user,
            memberships__relation=Membership.Relation.OWNER,
            memberships__status=Membership.Status.VERIFIED,
            pk__in=VoteRollEntry.objects.filter(vote=vote).values("household_id"),
        )
        .select_related("building")
        .order_by("building__number", "unit")
    )
    if not households:
        return []
    ballots = {
        ballot.household_id: ballot
        for ballot in Ballot.objects.filter(vote=vote, household__in=households).select_related(
            "cast_by"
        )
    }
    return [OwnedUnit(household, ballots.get(household.pk)) for household in households]


@dataclass(frozen=True)
class BreakdownRow:
    entry: VoteRollEntry
    ballot: Ballot | None


def vote_breakdown(vote: OwnersVote, *, page: str | int | None = None) -> tuple[Page, list]:
    """Every household on the roll with its ballot, if any, by building and unit: who
    voted how, for the admins alone (`proposals.see_vote_breakdown`). Three queries a
    page: the count, the roll's page, its ballots."""
    roll = (
        VoteRollEntry.objects.filter(vote=vote)
        .select_related("household__building")
        .order_by("household__building__number", "household__floor", "household__unit", "pk")
    )
    page = Paginator(roll, BREAKDOWN_PER_PAGE).get_page(page)
    ballots = {
        ballot.household_id: ballot
        for ballot in Ballot.objects.filter(
            vote=vote, household_id__in=[entry.household_id for entry in page]
        ).select_related("cast_by")
    }
    return page, [BreakdownRow(entry, ballots.get(entry.household_id)) for entry in page]


def deliberation_to_put_to_vote(*, user: User, deliberation_id: int):
    """A deliberation of the estates the user administers (any of them: the link is on
    its page), with `resolution_text`: its resolution's latest text (the adopted one once
    all three parties signed), or "" without a resolution."""
    deliberation = (
        Deliberation.objects.filter(
            in_estates_where(user, Role.COMMUNITY_ADMIN, listed=False), pk=deliberation_id
        )
        .select_related("resolution", "community")
        .first()
    )
    if deliberation is None:
        return None
    resolution = getattr(deliberation, "resolution", None)
    latest = resolution.versions.first() if resolution is not None else None
    deliberation.resolution_text = latest.text if latest is not None else ""
    return deliberation
