"""Owners' votes: created, opened, closed (also when due) and the ballots cast in them."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from covenant.models import Household, Membership, User
from proposals import notifications
from proposals.models import (
    Ballot,
    OwnersVote,
    VoteRollEntry,
)

logger = logging.getLogger(__name__)

# --- Owners' votes (业主表决) -----------------------------------------------------------


def _check_deliberation_of_estate(deliberation, community_id: int) -> None:
    if deliberation is not None and deliberation.community_id != community_id:
        raise ValidationError(_("A vote can only come from a deliberation of its own estate."))


def create_vote(
    *,
    community,
    title: str,
    question: str,
    matter: str,
    closes_at,
    created_by: User,
    deliberation=None,
) -> OwnersVote:
    """A draft; nobody but the admins sees it until it is opened."""
    _check_deliberation_of_estate(deliberation, community.pk)
    vote = OwnersVote.objects.create(
        community=community,
        title=title.strip(),
        question=question.strip(),
        matter=matter,
        closes_at=closes_at,
        created_by=created_by,
        deliberation=deliberation,
    )
    logger.info("owners' vote %s drafted by user %s", vote.pk, created_by.pk)
    return vote


def edit_vote(
    *, vote_id: int, title: str, question: str, matter: str, closes_at, deliberation=None
) -> OwnersVote:
    with transaction.atomic():
        vote = OwnersVote.objects.select_for_update().get(pk=vote_id)
        if vote.status != OwnersVote.Status.DRAFT:
            raise ValidationError(_("An opened vote can no longer be edited."))
        _check_deliberation_of_estate(deliberation, vote.community_id)
        vote.title, vote.question = title.strip(), question.strip()
        vote.matter, vote.closes_at = matter, closes_at
        vote.deliberation = deliberation
        vote.save(update_fields=["title", "question", "matter", "closes_at", "deliberation"])
    return vote


def open_vote(*, vote_id: int, actor: User) -> OwnersVote:
    """Open a draft: the estate's households and their floor areas become the vote's
    roll, fixed from now on, and every verified owner is told."""
    with transaction.atomic():
        # Locked so that two admins opening at once write one roll.
        vote = OwnersVote.objects.select_for_update().get(pk=vote_id)
        if vote.status != OwnersVote.Status.DRAFT:
            raise ValidationError(_("This vote has been opened already."))
        now = timezone.now()
        if vote.closes_at <= now:
            raise ValidationError(_("Set a closing time in the future before opening the vote."))
        households = list(
            Household.objects.filter(building__community_id=vote.community_id).values_list(
                "pk", "floor_area"
            )
        )
        if not households:
            raise ValidationError(_("The estate has no households to vote."))
        VoteRollEntry.objects.bulk_create(
            [VoteRollEntry(vote=vote, household_id=pk, floor_area=area) for pk, area in households],
            batch_size=1000,
        )
        vote.electorate_households = len(households)
        vote.electorate_area = sum((area for _pk, area in households), Decimal(0))
        vote.status, vote.opens_at = OwnersVote.Status.OPEN, now
        vote.save(update_fields=["status", "opens_at", "electorate_households", "electorate_area"])
        notifications.tell_vote_opened(vote=vote, actor=actor)
    logger.info(
        "owners' vote %s opened by user %s: %s households", vote.pk, actor.pk, len(households)
    )
    return vote


def close_vote(*, vote_id: int, actor: User | None = None) -> bool:
    """Close an open vote: at its closing time (actor None, from the beat task) or early
    by an admin. Returns False if there was nothing to close. The participants are told
    the result once: the row lock and the status make a second call do nothing."""
    with transaction.atomic():
        vote = OwnersVote.objects.select_for_update().get(pk=vote_id)
        now = timezone.now()
        if vote.status != OwnersVote.Status.OPEN:
            return False
        if actor is None and vote.closes_at > now:
            return False
        vote.status = OwnersVote.Status.CLOSED
        vote.closed_at = min(now, vote.closes_at)
        vote.save(update_fields=["status", "closed_at"])
        notifications.tell_vote_results(vote=vote)
    logger.info("owners' vote %s closed by %s", vote.pk, actor.pk if actor else "its closing time")
    return True


def close_due_votes() -> int:
    due = OwnersVote.objects.filter(
        status=OwnersVote.Status.OPEN, closes_at__lte=timezone.now()
    ).values_list("pk", flat=True)
    return sum(close_vote(vote_id=pk) for pk in list(due))


def cast_ballot(*, vote: OwnersVote, household: Household, user: User, choice: str) -> Ballot:
    """The household's vote, cast or cast again by one of its verified owners."""
    is_owner = Membership.objects.filter(
        user=user,
        household=household,
        relation=Membership.Relation.OWNER,
        status=Membership.Status.VERIFIED,
    ).exists()
    if not is_owner:
        raise PermissionDenied(_("Only a verified owner of this unit can vote for it."))
    return _record_ballot(vote, household, choice=choice, cast_by=user, on_paper=False)


def record_paper_ballot(
    *, vote: OwnersVote, household: Household, choice: str, recorded_by: User
) -> Ballot:
    """A paper ballot collected at the door, entered by an admin (who checked it was
    signed by an owner). It never replaces a ballot the household cast online."""
    return _record_ballot(vote, household, choice=choice, cast_by=recorded_by, on_paper=True)


def _record_ballot(
    vote: OwnersVote, household: Household, *, choice: str, cast_by: User, on_paper: bool
) -> Ballot:
    if choice not in Ballot.Choice.values:
        raise ValidationError(_("Choose agree, object or abstain."))
    with transaction.atomic():
        # Ballots and the closing take turns on the vote's row: no ballot is counted
        # or changed once the vote has closed.
        vote = OwnersVote.objects.select_for_update().get(pk=vote.pk)
        now = timezone.now()
        if vote.state_at(now) != OwnersVote.Status.OPEN:
            raise ValidationError(
                _("This vote is not open: ballots can no longer be changed."), code="vote_not_open"
            )
        entry = VoteRollEntry.objects.filter(vote=vote, household=household).first()
        if entry is None:
            raise ValidationError(_("This unit was not on the roll when the vote opened."))
        ballot = Ballot.objects.filter(vote=vote, household=household).first()
        if ballot is None:
            ballot = Ballot.objects.create(
                vote=vote, household=household, floor_area=entry.floor_area, choice=choice,
                cast_by=cast_by, on_paper=on_paper, first_cast_at=now, cast_at=now,
            )  # fmt: skip
        else:
            if on_paper and not ballot.on_paper:
                raise ValidationError(_("This unit has voted online; its online ballot stands."))
            ballot.choice, ballot.cast_by, ballot.on_paper = choice, cast_by, on_paper
            ballot.cast_at, ballot.change_count = now, ballot.change_count + 1
            ballot.save(update_fields=["choice", "cast_by", "on_paper", "cast_at", "change_count"])
    logger.info("ballot on vote %s for household %s by user %s", vote.pk, household.pk, cast_by.pk)
    return ballot


# --- Themes and priority work (issue 7) ------------------------------------------------
