"""Writes of the volunteers area. Views check permissions; services keep invariants."""

from __future__ import annotations

import datetime
import logging
import secrets
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from covenant.models import Community, Role, User
from covenant.rules import listed_estates, roles_of
from volunteers import notifications, selectors
from volunteers.models import (
    Activity,
    ActivityEvent,
    CalendarFeed,
    ServiceEntry,
    SignUp,
    SignUpEvent,
    Volunteer,
    VolunteerEvent,
)
from volunteers.rules import forget_volunteer_status

logger = logging.getLogger(__name__)

VStatus = Volunteer.Status
SStatus = SignUp.Status
AStatus = Activity.Status


class TransitionNotAllowed(Exception):
    def __init__(self, obj, to_status: str):
        self.obj = obj
        self.to_status = to_status
        super().__init__(f"{type(obj).__name__} {obj.pk}: {obj.status} → {to_status}")


# --- The team ------------------------------------------------------------------------

VOLUNTEER_TRANSITIONS: dict[str, set[str]] = {
    VStatus.APPLIED: {VStatus.APPROVED, VStatus.DECLINED, VStatus.LEFT},
    VStatus.APPROVED: {VStatus.LEFT},
    # Someone declined or gone may apply again.
    VStatus.DECLINED: {VStatus.APPLIED},
    VStatus.LEFT: {VStatus.APPLIED},
}


def _move_volunteer(volunteer: Volunteer, *, actor: User, to_status: str, reason: str = "") -> None:
    if to_status not in VOLUNTEER_TRANSITIONS[volunteer.status]:
        raise TransitionNotAllowed(volunteer, to_status)
    from_status = volunteer.status
    volunteer.status = to_status
    if to_status in (VStatus.APPROVED, VStatus.DECLINED):
        volunteer.decided_by = actor
        volunteer.decided_at = timezone.now()
    volunteer.decline_reason = reason if to_status == VStatus.DECLINED else ""
    volunteer.save()
    VolunteerEvent.objects.create(
        volunteer=volunteer,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
    )
    forget_volunteer_status(volunteer.user)
    logger.info("volunteer %s: %s → %s by %s", volunteer.pk, from_status, to_status, actor.pk)


def team_estate_for(user: User) -> int | None:
    """The estate whose team the user joins: where they captain, else where they live,
    among the listed estates (the first, when there are several)."""
    listed = listed_estates(user)
    captained = sorted(listed & roles_of(user).estates_where(Role.CAPTAIN))
    verified = sorted(listed & roles_of(user).verified_community_ids)
    return next(iter(captained or verified), None)


def apply_to_team(
    *, user: User, skills: str, availability: str, roster_name: str = ""
) -> Volunteer:
    """Apply to join the team of the user's estate (`team_estate_for`), or update one's
    details. A captain is on the team by their grant, so their row is approved at once."""
    community_id = team_estate_for(user)
    is_captain = community_id in roles_of(user).estates_where(Role.CAPTAIN)
    with transaction.atomic():
        to_status = VStatus.APPROVED if is_captain else VStatus.APPLIED
        if community_id is None and not Volunteer.objects.filter(user=user).exists():
            raise ValidationError(_("Only verified residents of an estate can join its team."))
        volunteer, created = Volunteer.objects.select_for_update().get_or_create(
            user=user,
            defaults={
                "community_id": community_id,
                "status": to_status,
                "decided_at": timezone.now() if is_captain else None,
                "skills": skills,
                "availability": availability,
                "roster_name": roster_name,
            },
        )
        if created:
            VolunteerEvent.objects.create(
                volunteer=volunteer,
                actor=user,
                to_status=to_status,
                reason=_("Building captain") if is_captain else "",
            )
        else:
            volunteer.skills = skills
            volunteer.availability = availability
            volunteer.roster_name = roster_name
            volunteer.save(update_fields=["skills", "availability", "roster_name"])
            if volunteer.status in (VStatus.DECLINED, VStatus.LEFT):
                # Applying again is to the team of where they are now.
                if community_id is not None and community_id != volunteer.community_id:
                    volunteer.community_id = community_id
                    volunteer.save(update_fields=["community"])
                _move_volunteer(volunteer, actor=user, to_status=VStatus.APPLIED)
                if is_captain:
                    _move_volunteer(volunteer, actor=user, to_status=VStatus.APPROVED)
    forget_volunteer_status(user)
    return volunteer


def _change_volunteer(*, volunteer_id: int, actor: User, to_status: str, reason: str = ""):
    with transaction.atomic(durable=True):
        # Two approvers deciding at once take turns; the second is refused.
        volunteer = (
            Volunteer.objects.select_for_update().select_related("user").get(pk=volunteer_id)
        )
        _move_volunteer(volunteer, actor=actor, to_status=to_status, reason=reason)
    return volunteer


def approve_volunteer(*, volunteer_id: int, actor: User) -> Volunteer:
    return _change_volunteer(volunteer_id=volunteer_id, actor=actor, to_status=VStatus.APPROVED)


def decline_volunteer(*, volunteer_id: int, actor: User, reason: str) -> Volunteer:
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Please give a reason, so the resident knows why."))
    return _change_volunteer(
        volunteer_id=volunteer_id, actor=actor, to_status=VStatus.DECLINED, reason=reason
    )


@dataclass(frozen=True)
class LeftTeam:
    volunteer: Volunteer
    cancelled: list[SignUp]


def leave_team(*, volunteer_id: int, actor: User) -> LeftTeam:
    """Leave the team. Places at activities not yet begun are given up (the waitlist
    moves up, and whoever moves up is told); hours already served stay in the ledger.
    The personal calendar feed goes too: it is reached without signing in, and its
    owner can no longer reach the page that revokes it. One may apply again later."""
    with transaction.atomic(durable=True):
        volunteer = (
            Volunteer.objects.select_for_update().select_related("user").get(pk=volunteer_id)
        )
        _move_volunteer(volunteer, actor=actor, to_status=VStatus.LEFT)
        cancelled = _cancel_upcoming_places(user=volunteer.user, actor=actor)
        CalendarFeed.objects.filter(user_id=volunteer.user_id).delete()
    logger.info("volunteer %s left; %s places given up", volunteer.pk, len(cancelled))
    return LeftTeam(volunteer=volunteer, cancelled=cancelled)


def _cancel_upcoming_places(*, user: User, actor: User) -> list[SignUp]:
    """Give up the user's confirmed and waitlisted places at activities not yet begun,
    inside the caller's transaction, one activity at a time in order of start."""
    upcoming = selectors.places_given_up_on_leaving(user=user).values_list("pk", flat=True)
    return [_cancel_signup_locked(signup_id=signup_id, actor=actor) for signup_id in list(upcoming)]


def forget_volunteer(user: User) -> None:
    """What the volunteers area forgets of a person who deletes their account.

    Registered with ``covenant.personal_data.register_account_deletion_handler`` and
    called inside ``covenant.services.delete_account``'s transaction: their details are
    blanked, they leave the team, their places at activities not yet begun go to the
    waitlist, and their calendar feed stops working. Hours already served stay in the
    ledger, shown as a former resident's."""
    volunteer = Volunteer.objects.select_for_update().filter(user=user).first()
    if volunteer is not None:
        if VStatus.LEFT in VOLUNTEER_TRANSITIONS[volunteer.status]:
            _move_volunteer(volunteer, actor=user, to_status=VStatus.LEFT)
        volunteer.roster_name = ""
        volunteer.skills = ""
        volunteer.availability = ""
        volunteer.save(update_fields=["roster_name", "skills", "availability"])
    _cancel_upcoming_places(user=user, actor=user)
    CalendarFeed.objects.filter(user=user).delete()


# --- Activities ----------------------------------------------------------------------


def start_in_the_past_message() -> str:
    return _("This time has passed: choose when the activity will start.")


def create_activity(*, organiser: User, community: Community, **fields) -> Activity:
    """Open an activity of an estate where the organiser holds an organising role."""
    if not organiser.has_perm("volunteers.organise", community):
        raise PermissionDenied(_("You organise no activities in this estate."))
    if fields.get("starts_at") and fields["starts_at"] <= timezone.now():
        raise ValidationError({"starts_at": start_in_the_past_message()})
    activity = Activity(organiser=organiser, community=community, **fields)
    activity.full_clean()
    activity.save()
    logger.info("activity %s created by %s", activity.pk, organiser.pk)
    return activity


ACTIVITY_FIELDS = ("title", "description", "category", "starts_at", "ends_at", "place", "capacity")
TIME_FIELDS = ("starts_at", "ends_at")


def _same_minute(a: datetime.datetime, b: datetime.datetime) -> bool:
    # The form's time inputs stop at the minute; seconds are not a change.
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def update_activity(*, activity_id: int, actor: User, **fields) -> Activity:
    """Change an activity. A larger capacity promotes from the waitlist; a smaller one
    never removes anyone confirmed (the organiser asks them instead). Once someone has
    been checked in, the time is fixed: their hours and date were counted from it."""
    with transaction.atomic(durable=True):
        activity = Activity.objects.select_for_update().get(pk=activity_id)
        if activity.is_cancelled:
            raise ValidationError(_("This activity was cancelled; it can no longer change."))
        fields = dict(fields)
        for name in TIME_FIELDS:
            if _same_minute(getattr(activity, name), fields[name]):
                fields[name] = getattr(activity, name)
        changed = [name for name in ACTIVITY_FIELDS if getattr(activity, name) != fields[name]]
        if (
            any(name in changed for name in TIME_FIELDS)
            and activity.signups.filter(status=SStatus.ATTENDED).exists()
        ):
            raise ValidationError(
                _(
                    "Volunteers have been checked in already, and their hours were counted "
                    "from this time, so it can no longer change."
                )
            )
        confirmed = _confirmed_count(activity)
        if fields["capacity"] < confirmed:
            raise ValidationError(
                {
                    "capacity": _(
                        "%(count)s volunteers are confirmed already; ask some to cancel first."
                    )
                    % {"count": confirmed}
                }
            )
        for name in ACTIVITY_FIELDS:
            setattr(activity, name, fields[name])
        activity.full_clean()
        activity.save()
        if "starts_at" in changed:
            # A new time deserves a new 24-hour reminder.
            activity.signups.filter(reminded_at__isnull=False).update(reminded_at=None)
        _promote_waitlist(activity, actor=actor)
        if changed:
            transaction.on_commit(lambda: activity_changed(activity_id=activity.pk, fields=changed))
    return activity


ACTIVITY_TRANSITIONS: dict[str, set[str]] = {
    AStatus.SCHEDULED: {AStatus.CANCELLED},
    AStatus.CANCELLED: set(),
}


def cancel_activity(*, activity_id: int, actor: User, reason: str) -> Activity:
    """Call off an activity that has not begun, saying why. Every confirmed and
    waitlisted place is cancelled (nobody moves up: there is nothing to move up to),
    and everyone who had one is told, with the reason.

    Raises ValidationError without a reason, once the activity has begun or anyone has
    been checked in (check-in opens two hours early), and
    TransitionNotAllowed when it was cancelled already."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Please give a reason, so the volunteers know why."))
    with transaction.atomic(durable=True):
        # The same lock as sign-up and cancellation: nobody takes a place meanwhile.
        activity = (
            Activity.objects.select_for_update().select_related("organiser").get(pk=activity_id)
        )
        if AStatus.CANCELLED not in ACTIVITY_TRANSITIONS[activity.status]:
            raise TransitionNotAllowed(activity, AStatus.CANCELLED)
        if activity.starts_at <= timezone.now():
            raise ValidationError(_("This activity has begun; it can no longer be cancelled."))
        if activity.signups.filter(status=SStatus.ATTENDED).exists():
            # Check-in opens two hours early: hours credited are for a real meeting.
            raise ValidationError(
                _("Volunteers have been checked in already; it can no longer be cancelled.")
            )
        places = list(
            activity.signups.select_for_update()
            .filter(status__in=[SStatus.CONFIRMED, SStatus.WAITLISTED])
            .order_by("queued_at", "pk")
        )
        for signup in places:
            _move_signup(signup, actor=actor, to_status=SStatus.CANCELLED)
        from_status = activity.status
        activity.status = AStatus.CANCELLED
        activity.cancelled_at = timezone.now()
        activity.cancel_reason = reason
        activity.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
        ActivityEvent.objects.create(
            activity=activity,
            actor=actor,
            from_status=from_status,
            to_status=activity.status,
            reason=reason,
        )
        notifications.tell_cancelled(
            activity=activity, recipients=[signup.user_id for signup in places], actor=actor
        )
    logger.info(
        "activity %s cancelled by %s; %s places cancelled", activity.pk, actor.pk, len(places)
    )
    return activity


def activity_changed(*, activity_id: int, fields: list[str]) -> None:
    """Called after an activity's details changed and the change committed: everyone
    confirmed or waiting hears of it, if the change matters to them."""
    logger.info("activity %s changed: %s", activity_id, ", ".join(fields))
    if not set(fields) & TOLD_CHANGES:
        return
    activity = Activity.objects.select_related("organiser").get(pk=activity_id)
    with transaction.atomic():
        notifications.tell_changed(
            activity=activity,
            recipients=selectors.people_to_tell_about(activity_id=activity_id),
        )


# A new description is not worth a message; a new time or place is.
TOLD_CHANGES = {"starts_at", "ends_at", "place", "title"}


def _confirmed_count(activity: Activity) -> int:
    return activity.signups.filter(status__in=[SStatus.CONFIRMED, SStatus.ATTENDED]).count()


def _record(signup: SignUp, *, actor: User, from_status: str) -> None:
    SignUpEvent.objects.create(
        signup=signup, actor=actor, from_status=from_status, to_status=signup.status
    )


SIGNUP_TRANSITIONS: dict[str, set[str]] = {
    SStatus.WAITLISTED: {SStatus.CONFIRMED, SStatus.CANCELLED},
    SStatus.CONFIRMED: {SStatus.CANCELLED, SStatus.ATTENDED},
    SStatus.ATTENDED: set(),
    SStatus.CANCELLED: set(),
}


def _move_signup(signup: SignUp, *, actor: User, to_status: str, **changes) -> None:
    if to_status not in SIGNUP_TRANSITIONS[signup.status]:
        raise TransitionNotAllowed(signup, to_status)
    from_status = signup.status
    signup.status = to_status
    for name, value in changes.items():
        setattr(signup, name, value)
    signup.save()
    _record(signup, actor=actor, from_status=from_status)


def sign_up(*, activity_id: int, user: User) -> SignUp:
    """Take a place at an activity, or a place in its waitlist when it is full.

    Raises ValidationError when the activity has begun or the user is signed up already.
    """
    with transaction.atomic(durable=True):
        # The lock on the activity row serialises every sign-up, cancellation and
        # promotion of this activity: two people taking the last place at once would
        # otherwise both count one free place and both be confirmed.
        activity = Activity.objects.select_for_update().get(pk=activity_id)
        if activity.is_cancelled:
            raise ValidationError(_("This activity was cancelled; sign-ups are closed."))
        if activity.starts_at <= timezone.now():
            raise ValidationError(_("This activity has begun; sign-ups are closed."))
        if activity.signups.filter(user=user).exclude(status=SStatus.CANCELLED).exists():
            raise ValidationError(_("You are signed up for this activity already."))
        full = _confirmed_count(activity) >= activity.capacity
        waiting = activity.signups.filter(status=SStatus.WAITLISTED).exists()
        status = SStatus.WAITLISTED if full or waiting else SStatus.CONFIRMED
        signup = SignUp.objects.create(
            activity=activity,
            user=user,
            status=status,
            queued_at=timezone.now(),
            # Safe under the activity's lock: nobody else takes a code here meanwhile.
            check_in_code=new_check_in_codes(
                1, taken=set(activity.signups.values_list("check_in_code", flat=True))
            )[0],
        )
        _record(signup, actor=user, from_status="")
    logger.info("user %s %s for activity %s", user.pk, status, activity_id)
    return signup


def cancel_signup(*, signup_id: int, actor: User) -> SignUp:
    """Give up a place (or a waitlist place); the next in the waitlist moves up.

    Raises ValidationError once the activity has begun: what happened is recorded by
    check-in, and nobody is moved up into an activity already under way."""
    with transaction.atomic(durable=True):
        return _cancel_signup_locked(signup_id=signup_id, actor=actor)


def _cancel_signup_locked(*, signup_id: int, actor: User) -> SignUp:
    """cancel_signup's work, inside the caller's transaction."""
    activity_id = SignUp.objects.values_list("activity_id", flat=True).get(pk=signup_id)
    # Activity first, then the sign-up: the same order as sign_up, so no deadlock.
    activity = Activity.objects.select_for_update().get(pk=activity_id)
    signup = SignUp.objects.select_for_update().get(pk=signup_id)
    if activity.starts_at <= timezone.now():
        raise ValidationError(_("This activity has begun; places can no longer be cancelled."))
    _move_signup(signup, actor=actor, to_status=SStatus.CANCELLED)
    promoted = _promote_waitlist(activity, actor=actor)
    for moved in promoted:
        logger.info("sign-up %s promoted from the waitlist", moved.pk)
    return signup


def _promote_waitlist(activity: Activity, *, actor: User) -> list[SignUp]:
    """Fill free places from the waitlist in the order people joined it. The caller
    holds the activity's row lock. Nobody is moved up once the activity has begun, or
    into a cancelled one."""
    if activity.is_cancelled or activity.starts_at <= timezone.now():
        return []
    free = activity.capacity - _confirmed_count(activity)
    if free <= 0:
        return []
    waiting = list(
        activity.signups.select_for_update()
        .filter(status=SStatus.WAITLISTED)
        .order_by("queued_at", "pk")[:free]
    )
    for signup in waiting:
        # Promotion is the system's doing on behalf of whoever freed the place.
        _move_signup(signup, actor=actor, to_status=SStatus.CONFIRMED)
    notifications.tell_promoted(activity=activity, signups=waiting)
    return waiting


# --- Check-in and hours --------------------------------------------------------------

CHECK_IN_SALT = "volunteers.check-in"
CHECK_IN_OPENS_BEFORE = datetime.timedelta(hours=2)


def check_in_token(signup: SignUp) -> str:
    """The code a volunteer's QR carries and an organiser may type: the sign-up's id and
    a keyed hash of it, short enough to read out ("154-3fa9c01b2e")."""
    return f"{signup.pk}-{_check_in_mac(signup.pk)}"


def _check_in_mac(signup_id: int) -> str:
    # 40 bits: guessing one needs about a trillion tries, against a page that only an
    # activity's organiser may use and that names one sign-up of their own activity.
    return salted_hmac(CHECK_IN_SALT, str(signup_id), algorithm="sha256").hexdigest()[
        :CHECK_IN_MAC_LENGTH
    ]


CHECK_IN_MAC_LENGTH = 10


def new_check_in_codes(count: int, *, taken: set[str] = frozenset()) -> list[str]:
    """`count` four-digit codes, none of them in `taken` (the activity's codes). An
    activity has far fewer than ten thousand places."""
    free = [code for code in (f"{number:04d}" for number in range(10000)) if code not in taken]
    return secrets.SystemRandom().sample(free, count)


def signup_id_from_code(*, activity: Activity, code: str) -> int | None:
    """The sign-up of this activity a typed code names: its four digits, or the longer
    code (and scanned address) of before, which stays valid."""
    code = code.strip().replace(" ", "")
    if len(code) == 4 and code.isdigit():
        return (
            SignUp.objects.filter(activity=activity, check_in_code=code)
            .values_list("pk", flat=True)
            .first()
        )
    return signup_id_from_token(code)


def signup_id_from_token(token: str) -> int | None:
    """The sign-up a code names, or None if this site did not make it. Accepts the
    scanned address as well as the bare code."""
    token = token.strip().rstrip("/").rsplit("/", 1)[-1].lower()
    signup_id, _dash, mac = token.partition("-")
    if not signup_id.isdigit() or len(mac) != CHECK_IN_MAC_LENGTH:
        return None
    if not constant_time_compare(mac, _check_in_mac(int(signup_id))):
        return None
    return int(signup_id)


def hours_for(activity: Activity) -> Decimal:
    """The hours an activity credits: its length, to the nearest half hour, at most 24."""
    seconds = (activity.ends_at - activity.starts_at).total_seconds()
    halves = (Decimal(seconds) / Decimal(1800)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return min(max(halves / 2, Decimal("0.5")), Decimal(24))


def check_in(*, signup_id: int, actor: User, now: datetime.datetime | None = None) -> SignUp:
    """Mark a confirmed volunteer present and credit the activity's hours, once.

    Raises ValidationError before check-in opens (two hours before the start) or when
    the actor is the volunteer themselves and not an admin, and
    TransitionNotAllowed for a sign-up that is not confirmed (already checked in,
    cancelled or still waiting)."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        activity_id = SignUp.objects.values_list("activity_id", flat=True).get(pk=signup_id)
        activity = Activity.objects.select_for_update().get(pk=activity_id)
        signup = SignUp.objects.select_for_update().get(pk=signup_id)
        if activity.is_cancelled:
            raise ValidationError(_("This activity was cancelled; nobody is checked in."))
        if signup.user_id == actor.pk and not roles_of(actor).is_admin_of(activity.community_id):
            raise ValidationError(
                _("Nobody checks themselves in; an admin can check you in instead.")
            )
        if now < activity.starts_at - CHECK_IN_OPENS_BEFORE:
            raise ValidationError(_("Check-in opens two hours before the activity starts."))
        _move_signup(
            signup, actor=actor, to_status=SStatus.ATTENDED, checked_in_at=now, checked_in_by=actor
        )
        ServiceEntry.objects.create(
            user_id=signup.user_id,
            activity=activity,
            signup=signup,
            served_on=timezone.localdate(activity.starts_at),
            hours=hours_for(activity),
            recorded_by=actor,
        )
    logger.info("sign-up %s checked in by %s", signup_id, actor.pk)
    return signup


# --- Reminders -----------------------------------------------------------------------


def mark_reminded(*, signup_id: int, now: datetime.datetime) -> bool:
    """Claim a sign-up's 24-hour reminder. True once, for the caller that should send it;
    False if it went out already (the database decides, so two workers never both send)."""
    return bool(
        SignUp.objects.filter(
            pk=signup_id, status=SStatus.CONFIRMED, reminded_at__isnull=True
        ).update(reminded_at=now)
    )


# --- Calendar feed -------------------------------------------------------------------


def calendar_feed_of(*, user: User) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


def renew_calendar_feed(*, user: User) -> CalendarFeed:
    """A new secret address; the old one stops working at once."""
    CalendarFeed.objects.filter(user=user).delete()
    return CalendarFeed.objects.create(user=user)
