"""Writes of notices, and the one API every app uses to tell people something.

    from notices.services import notify
    notify(recipients=[idea.author], kind="proposals.status_changed", target=idea,
           actor=request.user, context={"title": idea.title, "status": idea.status})

Notifications and their email deliveries are written in the caller's transaction (the
outbox); the broker is told only after commit, and if it cannot be told the sweeper
sends them later. See docs/notices.md.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from covenant.models import Building, Community, Household, User
from notices import dispatch, kinds, selectors
from notices.attachments import attach
from notices.models import (
    Announcement,
    AnnouncementRevision,
    Audience,
    Delivery,
    EmailMode,
    HouseholdReach,
    Notification,
    NotificationPreference,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
ANNOUNCEMENT_KIND = "announcement.published"
UPDATED_KIND = "announcement.updated"
# An announcement is live until withdrawn; a withdrawn one stays withdrawn (to say it
# differently, publish anew).
ANNOUNCEMENT_TRANSITIONS: dict[str, set[str]] = {
    Announcement.Status.LIVE: {Announcement.Status.WITHDRAWN},
    Announcement.Status.WITHDRAWN: set(),
}
UNSUBSCRIBE_SALT = "notices.unsubscribe"
ALL_OF_FREQUENCY = "digest:"  # an unsubscribe token's kind for a whole digest


# --- Notifications: the API ---------------------------------------------------------------


def notify(
    *,
    recipients: Iterable[User | int] | models.QuerySet,
    kind: str,
    target: models.Model | None = None,
    actor: User | None = None,
    context: dict | None = None,
    url: str = "",
    urgent: bool = False,
) -> int:
    """Tell each recipient (users, user ids or a User queryset) about something.

    Writes one Notification per active recipient (never the actor) and an email
    Delivery for those who want mail at once, in a number of queries bounded by the
    batch size, never one per person. Returns how many were notified.
    """
    recipient_ids = _active_recipient_ids(recipients, exclude=actor)
    if not recipient_ids:
        return 0
    modes = email_modes_for(user_ids=recipient_ids, kind=kind, urgent=urgent)
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    if not url and target is not None and hasattr(target, "get_absolute_url"):
        url = target.get_absolute_url()
    now = timezone.now()
    notifications = [
        Notification(
            recipient_id=user_id,
            kind=kind,
            actor=actor,
            target_type=target_type,
            target_id=target.pk if target is not None else None,
            url=url,
            context=context or {},
            urgent=urgent,
            email=modes[user_id],
            created_at=now,
        )
        for user_id in recipient_ids
    ]
    with transaction.atomic():
        Notification.objects.bulk_create(notifications, batch_size=BATCH_SIZE)
        deliveries = [
            Delivery(notification=notification, created_at=now, next_attempt_at=now)
            for notification in notifications
            if notification.email == EmailMode.IMMEDIATELY
        ]
        Delivery.objects.bulk_create(deliveries, batch_size=BATCH_SIZE)
        delivery_ids = [delivery.pk for delivery in deliveries]
        if delivery_ids:
            transaction.on_commit(lambda: enqueue_deliveries(delivery_ids))
    logger.info(
        "notified %s people of %s (%s to mail now)", len(notifications), kind, len(deliveries)
    )
    return len(notifications)


def _active_recipient_ids(recipients, *, exclude: User | None) -> list[int]:
    if isinstance(recipients, models.QuerySet):
        ids = list(recipients.filter(is_active=True).values_list("pk", flat=True).distinct())
    else:
        wanted = sorted({getattr(r, "pk", r) for r in recipients if r is not None})
        ids = []
        for start in range(0, len(wanted), BATCH_SIZE):
            ids += User.objects.filter(
                pk__in=wanted[start : start + BATCH_SIZE], is_active=True
            ).values_list("pk", flat=True)
    excluded = getattr(exclude, "pk", None)
    return sorted(user_id for user_id in set(ids) if user_id != excluded)


def email_modes_for(*, user_ids: Sequence[int], kind: str, urgent: bool = False) -> dict[int, str]:
    """How each user wants mail of this kind: their preference, else the kind's default.
    Urgent notices are mailed at once, whatever anyone chose."""
    if urgent:
        return dict.fromkeys(user_ids, EmailMode.IMMEDIATELY)
    modes = dict.fromkeys(user_ids, kinds.get(kind).default_email)
    for start in range(0, len(user_ids), BATCH_SIZE):
        modes.update(
            NotificationPreference.objects.filter(
                kind=kind, user_id__in=user_ids[start : start + BATCH_SIZE]
            ).values_list("user_id", "email")
        )
    return modes


def enqueue_deliveries(delivery_ids: Sequence[int]) -> int:
    """Hand deliveries to the broker in chunks. A broker that is down fails fast (short
    socket timeouts, one retry): we stop trying and the sweeper sends them later."""
    sent = dispatch.enqueue_in_chunks(dispatch.SEND_DELIVERIES, delivery_ids)
    if sent == len(delivery_ids):
        dispatch.broker_reached()
    return sent


def mark_read(*, user: User, notification_id: int) -> bool:
    return bool(
        Notification.objects.filter(
            pk=notification_id, recipient=user, read_at__isnull=True
        ).update(read_at=timezone.now())
    )


def mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def mark_target_read(*, user: User, target: models.Model) -> int:
    return Notification.objects.filter(
        recipient=user,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        read_at__isnull=True,
    ).update(read_at=timezone.now())


# --- Preferences and unsubscribing --------------------------------------------------------


def set_preferences(*, user: User, modes: dict[str, str]) -> None:
    """Save the person's choice per kind; a choice equal to the default is kept too,
    so a later change of defaults does not overrule what they chose."""
    with transaction.atomic():
        for kind, mode in modes.items():
            if mode not in EmailMode.values:
                raise ValidationError(_("Unknown choice."))
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"email": mode}
            )
            if mode == EmailMode.OFF:
                _stop_waiting_mail(user=user, kinds_=[kind])


def _stop_waiting_mail(*, user: User, kinds_: list[str]) -> None:
    """Mail not yet sent for these kinds is not sent after all."""
    waiting = Notification.objects.filter(
        recipient=user, kind__in=kinds_, digest__isnull=True
    ).exclude(email=EmailMode.OFF)
    Delivery.objects.filter(
        notification__in=waiting.filter(urgent=False), state=Delivery.State.PENDING
    ).update(state=Delivery.State.SKIPPED)
    waiting.filter(urgent=False).update(email=EmailMode.OFF)


def unsubscribe_token(*, user: User, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[User, str] | None:
    """The user and kind a token was made for, or None if it was tampered with."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = User.objects.get(pk=data["u"], is_active=True)
        return user, str(data["k"])
    except (signing.BadSignature, KeyError, TypeError, User.DoesNotExist):
        return None


def unsubscribe(*, user: User, kind: str) -> list[str]:
    """Switch mail off for one kind, or, for a digest token, for every kind the person
    receives in that digest. Returns the kinds switched off."""
    if kind.startswith(ALL_OF_FREQUENCY):
        frequency = kind.removeprefix(ALL_OF_FREQUENCY)
        chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
        switched = [
            registered.key
            for registered in kinds.all_kinds()
            if chosen.get(registered.key, registered.default_email) == frequency
        ]
    else:
        switched = [kind]
    set_preferences(user=user, modes=dict.fromkeys(switched, EmailMode.OFF))
    logger.info("user %s unsubscribed from %s", user.pk, ", ".join(switched) or "nothing")
    return switched


# --- Announcements ------------------------------------------------------------------------


def publish(
    *,
    author: User,
    community: Community,
    title: str,
    body: str,
    audience: str = Audience.ESTATE,
    buildings: Sequence[Building] = (),
    floor_from: int | None = None,
    floor_to: int | None = None,
    publish_at: datetime | None = None,
    expires_at: datetime | None = None,
    pinned: bool = False,
    urgent: bool = False,
    images: Sequence = (),
    pdfs: Sequence = (),
) -> Announcement:
    """Write an announcement in one estate and, if it is due, tell its audience in the
    same transaction. A scheduled one is told by `publish_due_announcements` when it is
    due. Refused when a building is of another estate (ValidationError) or the author
    may not publish to this audience in this estate (PermissionDenied)."""
    if audience != Audience.BUILDINGS and (buildings or floor_from or floor_to):
        raise ValidationError(_("Buildings and floors are chosen only for some buildings."))
    _check_may_publish(author=author, community=community, audience=audience, buildings=buildings)
    with transaction.atomic():
        announcement = Announcement.objects.create(
            community=community,
            author=author,
            title=title.strip(),
            body=body,
            audience=audience,
            floor_from=floor_from,
            floor_to=floor_to,
            publish_at=publish_at or timezone.now(),
            expires_at=expires_at,
            pinned=pinned,
            urgent=urgent,
        )
        if buildings:
            announcement.buildings.set(buildings)
        if images or pdfs:
            attach(announcement=announcement, images=images, pdfs=pdfs)
        if announcement.is_published:
            # Written in this transaction, so nobody else can have told its audience.
            _tell_audience(announcement)
    logger.info(
        "announcement %s by user %s to %s of estate %s",
        announcement.pk,
        author.pk,
        audience,
        community.pk,
    )
    return announcement


def publish_in_estates(
    *, author: User, communities: Sequence[Community], audience: str = Audience.ESTATE, **fields
) -> list[Announcement]:
    """The same announcement to several estates at once (the Party branch of a community
    that spans them, a property company that manages them): one announcement per estate,
    each on its own estate's wall with its own audience and reach, all or none in one
    transaction. Only to whole estates or the public: buildings belong to one estate."""
    communities = sorted(set(communities), key=lambda community: community.pk)
    if not communities:
        raise ValidationError(_("Choose at least one estate."))
    if len(communities) > 1 and audience == Audience.BUILDINGS:
        raise ValidationError(_("Chosen buildings are of one estate: publish to one estate."))
    with transaction.atomic():
        return [
            publish(author=author, community=community, audience=audience, **fields)
            for community in communities
        ]


def _check_may_publish(
    *, author: User, community: Community, audience: str, buildings: Sequence[Building]
) -> None:
    if audience not in Audience.values:
        raise ValidationError(_("Unknown audience."))
    if audience == Audience.BUILDINGS and not buildings:
        raise ValidationError(_("Choose at least one building."))
    if audience != Audience.BUILDINGS:
        if not author.has_perm("notices.publish_to_estate", community):
            raise PermissionDenied(
                _("You may not publish to the whole of %(estate)s.") % {"estate": community}
            )
        return
    for building in buildings:
        if building.community_id != community.pk:
            raise ValidationError(_("This building belongs to another estate."))
        if not author.has_perm("covenant.publish_to_building", building):
            raise PermissionDenied(
                _("You may not publish to %(building)s.") % {"building": building}
            )


def notify_audience(*, announcement_id: int) -> int:
    """Tell the audience of a published announcement, once: the row lock and
    `notified_at` make a second call (a repeated task, a sweeper) do nothing."""
    with transaction.atomic():
        announcement = (
            Announcement.objects.select_for_update()
            .filter(
                pk=announcement_id,
                notified_at__isnull=True,
                withdrawn_at__isnull=True,
                publish_at__lte=timezone.now(),
            )
            .first()
        )
        if announcement is None:
            return 0
        return _tell_audience(announcement)


def _tell_audience(announcement: Announcement) -> int:
    """Notify the audience of its estate (`audience_users`) and stamp `notified_at`; the
    caller holds the row (locked, or written in its own transaction)."""
    count = notify(
        recipients=selectors.audience_users(announcement),
        kind=ANNOUNCEMENT_KIND,
        target=announcement,
        actor=announcement.author,
        context={"title": announcement.title, "urgent": announcement.urgent},
        urgent=announcement.urgent,
    )
    announcement.notified_at = timezone.now()
    announcement.save(update_fields=["notified_at"])
    return count


def publish_due_announcements() -> int:
    due = Announcement.objects.filter(
        notified_at__isnull=True, withdrawn_at__isnull=True, publish_at__lte=timezone.now()
    ).values_list("pk", flat=True)
    return sum(notify_audience(announcement_id=pk) for pk in list(due))


def edit_announcement(
    *,
    announcement_id: int,
    editor: User,
    title: str,
    body: str,
    expires_at: datetime | None,
    pinned: bool,
    tell_again: bool = False,
) -> Announcement:
    """Change what a live announcement says, keeping the version it replaces. Nobody is
    told of an edit unless `tell_again`: then its whole audience is, with its own kind
    (if it has been published; a scheduled one is told when due, with the new text).
    The audience is not edited: to change who gets it, withdraw it and publish anew.
    The caller has checked `notices.edit_announcement`."""
    with transaction.atomic():
        announcement = Announcement.objects.select_for_update().get(pk=announcement_id)
        if announcement.is_withdrawn:
            raise ValidationError(_("A withdrawn announcement cannot be edited."))
        if expires_at is not None and expires_at <= announcement.publish_at:
            raise ValidationError(_("It must expire after it is published."))
        now = timezone.now()
        AnnouncementRevision.objects.create(
            announcement=announcement,
            title=announcement.title,
            body=announcement.body,
            edited_by=editor,
            edited_at=now,
        )
        announcement.title = title.strip()
        announcement.body = body
        announcement.expires_at = expires_at
        announcement.pinned = pinned
        announcement.edited_at = now
        announcement.save(update_fields=["title", "body", "expires_at", "pinned", "edited_at"])
        told = 0
        if tell_again and announcement.notified_at is not None:
            told = notify(
                recipients=selectors.audience_users(announcement),
                kind=UPDATED_KIND,
                target=announcement,
                actor=editor,
                context={"title": announcement.title, "urgent": announcement.urgent},
                urgent=announcement.urgent,
            )
    logger.info(
        "announcement %s edited by user %s (%s told again)", announcement.pk, editor.pk, told
    )
    return announcement


def withdraw_announcement(*, announcement_id: int, actor: User, reason: str) -> Announcement:
    """Withdraw an announcement: it leaves every list, search, digest and door-knock
    list; mail about it not sent yet is not sent. Notifications stay in inboxes and
    open its page, which says it was withdrawn and why. The caller has checked
    `notices.withdraw_announcement`."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why it is withdrawn."))
    with transaction.atomic():
        announcement = Announcement.objects.select_for_update().get(pk=announcement_id)
        if Announcement.Status.WITHDRAWN not in ANNOUNCEMENT_TRANSITIONS[announcement.status]:
            raise ValidationError(_("This announcement has been withdrawn already."))
        announcement.withdrawn_at = timezone.now()
        announcement.withdrawn_by = actor
        announcement.withdrawal_reason = reason
        announcement.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
        about_it = Notification.objects.filter(
            target_type=ContentType.objects.get_for_model(Announcement),
            target_id=announcement.pk,
        )
        # Mail not sent yet is not sent: neither at once (urgent ones included) nor in
        # a digest (a digest leaves out items whose mail is off).
        Delivery.objects.filter(notification__in=about_it, state=Delivery.State.PENDING).update(
            state=Delivery.State.SKIPPED
        )
        about_it.filter(read_at__isnull=True).exclude(email=EmailMode.OFF).update(
            email=EmailMode.OFF
        )
    logger.info("announcement %s withdrawn by user %s", announcement.pk, actor.pk)
    return announcement


def record_reading(*, user: User, announcement: Announcement) -> None:
    """The person opened the announcement: its notifications are read, and each of
    their verified households in its audience counts as reached."""
    if not user.is_authenticated:
        return
    mark_target_read(user=user, target=announcement)
    households = selectors.households_in_reach_of(announcement, user)
    if households:
        HouseholdReach.objects.bulk_create(
            [
                HouseholdReach(
                    announcement=announcement,
                    household_id=household_id,
                    method=HouseholdReach.Method.READ,
                    recorded_by=user,
                )
                for household_id in sorted(households)
            ],
            ignore_conflicts=True,
        )


def mark_reached(
    *, actor: User, announcement: Announcement, household: Household, method: str
) -> bool:
    """A captain told a household in person or on paper. False if it was reached before
    (the first way it was reached counts)."""
    if method not in (HouseholdReach.Method.IN_PERSON, HouseholdReach.Method.PAPER):
        raise ValidationError(_("Unknown way of reaching a household."))
    if not selectors.audience_households(announcement).filter(pk=household.pk).exists():
        raise ValidationError(_("This household is not in the announcement's audience."))
    _reach, created = HouseholdReach.objects.get_or_create(
        announcement=announcement,
        household=household,
        defaults={"method": method, "recorded_by": actor},
    )
    return created


def unmark_reached(*, announcement: Announcement, household: Household) -> bool:
    """Undo a captain's tick (a mistake); a household that read it stays reached."""
    deleted, _rows = (
        HouseholdReach.objects.filter(announcement=announcement, household=household)
        .exclude(method=HouseholdReach.Method.READ)
        .delete()
    )
    return bool(deleted)


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path
