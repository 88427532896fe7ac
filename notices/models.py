"""Announcements, their reach, and the notification outbox.

The notification rows are the outbox: a notification and its email delivery are written
in the same transaction as whatever caused them, and the broker only carries hints to
send them. What has been sent is known from the database alone, so a message lost by the
broker is found again by the sweeper, and a message delivered twice sends once.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from covenant.models import Building, Community, Household
from notices.storage import private_storage


class Audience(models.TextChoices):
    PUBLIC = "public", _("Everyone, visitors included")
    ESTATE = "estate", _("The whole estate (residents and role holders)")
    BUILDINGS = "buildings", _("Chosen buildings or floors")


class Announcement(models.Model):
    """A notice (公告) to the estate, some buildings, or some floors of them."""

    # An estate's announcements go with it (only a test or a demo ever deletes one).
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="announcements", verbose_name=_("estate")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="announcements",
        verbose_name=_("author"),
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), help_text=_("Markdown: **bold**, lists, links."))
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.ESTATE
    )
    buildings = models.ManyToManyField(
        Building, blank=True, related_name="announcements", verbose_name=_("buildings")
    )
    floor_from = models.PositiveSmallIntegerField(_("from floor"), null=True, blank=True)
    floor_to = models.PositiveSmallIntegerField(_("to floor"), null=True, blank=True)
    publish_at = models.DateTimeField(_("publish at"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    pinned = models.BooleanField(_("pinned"), default=False)
    urgent = models.BooleanField(
        _("urgent"), default=False, help_text=_("Mailed to everyone at once, whatever they chose.")
    )
    # Set in the transaction that wrote the audience's notifications: fan-out happens once.
    notified_at = models.DateTimeField(_("audience notified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The last edit after publishing; the earlier versions are AnnouncementRevision rows.
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    # Withdrawn: gone from every list, search, digest and door-knock list; its page
    # tells its audience why, without the text.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawal_reason = models.CharField(_("reason for withdrawing"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-pinned", "-publish_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(floor_from__isnull=True, floor_to__isnull=True)
                | Q(
                    audience="buildings",
                    floor_from__gte=1,
                    floor_from__lte=F("floor_to"),
                ),
                name="announcement_floor_range_valid",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=F("publish_at")),
                name="announcement_expires_after_publishing",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawal_reason="")
                | (Q(withdrawn_at__isnull=False) & ~Q(withdrawal_reason="")),
                name="announcement_withdrawal_has_reason",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("notices:announcement_detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.publish_at <= timezone.now()

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def status(self) -> str:
        return Announcement.Status.WITHDRAWN if self.is_withdrawn else Announcement.Status.LIVE

    class Status(models.TextChoices):
        LIVE = "live", _("Live")
        WITHDRAWN = "withdrawn", _("Withdrawn")


class AnnouncementRevision(models.Model):
    """The version an edit replaced: who changed it, when, and what it said before."""

    announcement = models.ForeignKey(
        Announcement,
        on_delete=models.CASCADE,
        related_name="revisions",
        verbose_name=_("announcement"),
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("edited by"),
    )
    edited_at = models.DateTimeField(_("edited at"), default=timezone.now)

    class Meta:
        verbose_name = _("earlier version of an announcement")
        verbose_name_plural = _("earlier versions of announcements")
        ordering = ["-edited_at", "-pk"]

    def __str__(self):
        return f"{self.announcement_id} · {self.edited_at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    """An image or PDF of an announcement, stored only after it passed validation."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        PDF = "pdf", _("PDF")

    class State(models.TextChoices):
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Could not be processed")

    announcement = models.ForeignKey(
        Announcement,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("announcement"),
    )
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PROCESSING
    )
    # A photo as received, in the never-served quarantine storage until re-encoded.
    quarantined_name = models.CharField(max_length=200, blank=True, editable=False)
    # In the private storage, never under MEDIA_URL: served by a view that checks who
    # may read the announcement (notices.views.attachment).
    file = models.FileField(
        _("file"), upload_to="announcements/%Y/%m/", storage=private_storage, blank=True
    )
    thumbnail = models.FileField(
        _("thumbnail"), upload_to="announcements/%Y/%m/", storage=private_storage, blank=True
    )
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size in bytes"))
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self):
        return self.original_name


class HouseholdReach(models.Model):
    """An announcement reached a household (送达): a verified member opened it, or a
    captain told them in person or on paper. The first way it reached them counts."""

    class Method(models.TextChoices):
        READ = "read", _("Read it")
        IN_PERSON = "in_person", _("Told in person")
        PAPER = "paper", _("Given on paper")

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="reach", verbose_name=_("announcement")
    )
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="+", verbose_name=_("household")
    )
    method = models.CharField(_("how"), max_length=10, choices=Method.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    reached_at = models.DateTimeField(_("reached at"), default=timezone.now)

    class Meta:
        verbose_name = _("household reached")
        verbose_name_plural = _("households reached")
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "household"], name="reach_once_per_household"
            )
        ]

    def __str__(self):
        return f"{self.announcement_id} → {self.household_id} ({self.method})"


class RelayLink(models.Model):
    """A building's short link to an announcement (转发到楼栋群): the captain posts it in
    the building's WeChat group, and whoever opens it is counted for that group."""

    announcement = models.ForeignKey(
        Announcement,
        on_delete=models.CASCADE,
        related_name="relay_links",
        verbose_name=_("announcement"),
    )
    building = models.ForeignKey(
        Building, on_delete=models.CASCADE, related_name="+", verbose_name=_("building")
    )
    token = models.CharField(_("token"), max_length=16, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("building group link")
        verbose_name_plural = _("building group links")
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "building"], name="relay_link_once_per_building"
            )
        ]

    def __str__(self):
        return f"{self.announcement_id} → {self.building_id} ({self.token})"

    def get_absolute_url(self):
        return reverse("relay:open", args=[self.token])


class RelayVisit(models.Model):
    """A verified member of the link's building opened it: their household, once."""

    link = models.ForeignKey(
        RelayLink, on_delete=models.CASCADE, related_name="visits", verbose_name=_("link")
    )
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="+", verbose_name=_("household")
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)

    class Meta:
        verbose_name = _("household reached through a building group")
        verbose_name_plural = _("households reached through building groups")
        constraints = [
            models.UniqueConstraint(fields=["link", "household"], name="relay_visit_once")
        ]

    def __str__(self):
        return f"{self.link_id} → {self.household_id}"


class EmailMode(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately")
    DAILY = "daily", _("In the daily digest")
    WEEKLY = "weekly", _("In the weekly digest")
    OFF = "off", _("Off")


class NotificationPreference(models.Model):
    """How a person wants mail about one kind of notification; absent: the kind's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=80)
    email = models.CharField(_("email"), max_length=12, choices=EmailMode.choices)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="preference_one_per_user_kind")
        ]

    def __str__(self):
        return f"{self.user_id} · {self.kind}: {self.email}"


class Digest(models.Model):
    """One daily or weekly digest mail of one person for one period. The unique
    constraint is what makes a digest run safe to repeat."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        EMPTY = "empty", _("Nothing left to send")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="digests",
        verbose_name=_("user"),
    )
    frequency = models.CharField(_("frequency"), max_length=6, choices=Frequency.choices)
    period = models.DateField(_("period"), help_text=_("The day, or the Monday of the week."))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "frequency", "period"], name="digest_one_per_user_period"
            )
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="digest_state_idx")]

    def __str__(self):
        return f"{self.user_id} · {self.frequency} {self.period}"


class Notification(models.Model):
    """Something a person should know: shown in their inbox, and mailed as they chose.

    It stores the kind and its context, never a sentence: the text is rendered in the
    recipient's language when shown or mailed (see notices.kinds).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=80)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    target_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    url = models.CharField(_("link"), max_length=500, blank=True)
    context = models.JSONField(_("details"), default=dict, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    # Decided when the notification is written, from the person's preference then.
    email = models.CharField(_("email"), max_length=12, choices=EmailMode.choices)
    digest = models.ForeignKey(
        Digest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("digest"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(
                fields=["email", "recipient"],
                name="notification_digest_idx",
                condition=Q(digest__isnull=True, read_at__isnull=True),
            ),
            models.Index(fields=["target_type", "target_id"], name="notification_target_idx"),
        ]

    def __str__(self):
        return f"{self.recipient_id} · {self.kind}"

    def get_absolute_url(self):
        return reverse("notices:open", args=[self.pk])

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class Delivery(models.Model):
    """One notification sent on one channel: its state is the truth about sending."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not needed")

    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("notification"),
    )
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, default=Channel.EMAIL
    )
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_one_per_channel"
            ),
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False),
                name="delivery_sent_has_time",
            ),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="delivery_state_idx")]

    def __str__(self):
        return f"{self.notification_id} · {self.channel}: {self.state}"
