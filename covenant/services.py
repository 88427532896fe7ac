"""Writes of the community core. Views check permissions; services keep invariants."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from covenant.models import Community, Household, Membership, MembershipEvent, User
from covenant.personal_data import run_account_deletion_handlers
from covenant.rules import forget_roles, roles_of
from covenant.selectors import verification_warnings
from covenant.signals import membership_decided, membership_requested

logger = logging.getLogger(__name__)

Status = Membership.Status

# Which status may follow which. A decision is final; a new request can follow a
# rejection, and a resident who moves out withdraws.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Status.REQUESTED: {Status.VERIFIED, Status.REJECTED, Status.WITHDRAWN},
    Status.VERIFIED: {Status.WITHDRAWN},
    Status.REJECTED: set(),
    Status.WITHDRAWN: set(),
}


class TransitionNotAllowed(Exception):
    def __init__(self, membership: Membership, to_status: str):
        self.membership = membership
        self.to_status = to_status
        super().__init__(f"membership {membership.pk}: {membership.status} → {to_status}")


MAX_OPEN_REQUESTS = 3


def request_membership(
    *, user: User, household: Household, relation: str, message: str = "", proof_note: str = ""
) -> Membership:
    """Ask to join a household. Raises ValidationError if an open request or a
    verified membership for it exists already, or too many requests are open."""
    open_requests = Membership.objects.filter(user=user, status=Status.REQUESTED).count()
    if open_requests >= MAX_OPEN_REQUESTS:
        raise ValidationError(
            _(
                "You have %(count)s requests waiting already. Please wait for your "
                "captain's answer, or withdraw one first."
            )
            % {"count": open_requests},
            code="too_many",
        )
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user,
                household=household,
                relation=relation,
                message=message,
                proof_note=proof_note,
            )
            MembershipEvent.objects.create(
                membership=membership, actor=user, to_status=Status.REQUESTED
            )
    except IntegrityError:
        raise ValidationError(
            _("You have already asked to join this household, or belong to it."),
            code="duplicate",
        ) from None
    logger.info("membership %s requested by user %s", membership.pk, user.pk)
    _send_on_commit(membership_requested, membership=membership)
    return membership


def _change_status(
    *, membership_id: int, actor: User, to_status: str, reason: str = ""
) -> Membership:
    with transaction.atomic(durable=True):
        # The lock makes two captains deciding the same request at once take turns:
        # the second sees the first's decision and is refused instead of overwriting it.
        membership = Membership.objects.select_for_update().get(pk=membership_id)
        _apply_transition(membership, actor=actor, to_status=to_status, reason=reason)
    return membership


def _apply_transition(membership: Membership, *, actor: User, to_status: str, reason: str) -> None:
    """Move a locked membership to a new status and write its history row."""
    if to_status not in ALLOWED_TRANSITIONS[membership.status]:
        raise TransitionNotAllowed(membership, to_status)
    from_status = membership.status
    membership.status = to_status
    if to_status in (Status.VERIFIED, Status.REJECTED):
        membership.decided_by = actor
        membership.decided_at = timezone.now()
        membership.outcome_seen_at = None
    if to_status == Status.REJECTED:
        membership.rejection_reason = reason
    membership.save()
    MembershipEvent.objects.create(
        membership=membership,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
    )
    logger.info(
        "membership %s: %s → %s by user %s", membership.pk, from_status, to_status, actor.pk
    )


def _send_on_commit(signal, **kwargs) -> None:
    transaction.on_commit(lambda: signal.send(sender=Membership, **kwargs))


class ConfirmationNeeded(Exception):
    """Verifying would collide with what is known (covenant.selectors.verification_warnings)
    and the decider did not confirm it."""

    def __init__(self, warnings: list[str]):
        self.warnings = warnings
        super().__init__(", ".join(warnings))


def verify_membership(*, membership_id: int, actor: User, confirmed: bool = False) -> Membership:
    """Verify a request. Raises ConfirmationNeeded when it collides with what is known (an
    owner where there is one, the decider's own unit) unless `confirmed`: checked inside the
    lock, so an owner verified a moment earlier by another captain counts too."""
    with transaction.atomic(durable=True):
        membership = Membership.objects.select_for_update().get(pk=membership_id)
        # The household's lock makes two captains verifying two owners of one unit at once
        # take turns, so the second sees the first owner and is warned.
        Household.objects.select_for_update().filter(pk=membership.household_id).first()
        warnings = verification_warnings(membership=membership, decider=actor)
        if warnings and not confirmed and membership.status == Status.REQUESTED:
            raise ConfirmationNeeded(warnings)
        _apply_transition(membership, actor=actor, to_status=Status.VERIFIED, reason="")
    _send_on_commit(membership_decided, membership=membership, actor=actor)
    return membership


def reject_membership(*, membership_id: int, actor: User, reason: str) -> Membership:
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Please give a reason, so the resident knows what to do."))
    membership = _change_status(
        membership_id=membership_id, actor=actor, to_status=Status.REJECTED, reason=reason
    )
    _send_on_commit(membership_decided, membership=membership, actor=actor)
    return membership


def withdraw_membership(*, membership_id: int, actor: User) -> Membership:
    return _change_status(membership_id=membership_id, actor=actor, to_status=Status.WITHDRAWN)


def mark_outcomes_seen(*, user: User, shown: Iterable[Membership]) -> int:
    """Record that the user has been shown the decisions among these memberships (and
    only these: one that lands while the page renders is shown next time)."""
    membership_ids = [membership.pk for membership in shown if membership.outcome_is_unseen]
    if not membership_ids:
        return 0
    return Membership.objects.filter(
        user=user, pk__in=membership_ids, outcome_seen_at__isnull=True
    ).update(outcome_seen_at=timezone.now())


def mark_home_seen(*, user: User) -> datetime | None:
    """Record this visit to the home and return the previous one, which the home marks
    what is new against (None on the first visit). A single UPDATE: two tabs opened at
    once both read the same previous visit, which is what each should show."""
    previous = user.home_seen_at
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(home_seen_at=now)
    user.home_seen_at = now
    return previous


def record_privacy_consent(*, user: User) -> None:
    user.privacy_consent_at = timezone.now()
    user.save(update_fields=["privacy_consent_at"])


def delete_account(*, user: User) -> None:
    """Delete a person's account under PIPL: their personal data goes, their
    contributions stay, shown as a former resident's, so the estate's record stays whole.

    Memberships are withdrawn (their audit trail stays), role grants and email addresses
    are removed, and the account can never sign in again.
    """
    with transaction.atomic(durable=True):
        user = User.objects.select_for_update().get(pk=user.pk)
        memberships = Membership.objects.select_for_update().filter(user=user)
        for membership in memberships:
            if Status.WITHDRAWN in ALLOWED_TRANSITIONS[membership.status]:
                _apply_transition(membership, actor=user, to_status=Status.WITHDRAWN, reason="")
        memberships.update(message="")
        user.role_grants.all().delete()
        EmailAddress.objects.filter(user=user).delete()
        user.email = f"deleted-{user.pk}@deleted.invalid"
        user.name = ""
        user.phone = ""
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.home_seen_at = None
        user.deleted_at = timezone.now()
        user.set_unusable_password()
        user.save()
        # Feature apps forget what they hold (registered from their AppConfig.ready()).
        run_account_deletion_handlers(user=user)
    logger.info("account %s deleted at the person's request", user.pk)


def set_preferred_language(*, user: User, language: str) -> None:
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])


def choose_working_estate(*, user: User, estate: Community) -> None:
    """Remember the estate the person works in: their lists, queues and form choices
    show it from the next page on. Only one they belong to (a verified home or a role)."""
    if estate.pk not in roles_of(user).community_ids:
        raise ValidationError(_("You do not belong to this estate."), code="not_a_member")
    user.working_estate = estate
    user.save(update_fields=["working_estate"])
    forget_roles(user)
    logger.info("user %s works in estate %s", user.pk, estate.pk)
