"""The 红心碧海 volunteer team: members, activities with sign-ups, and the service ledger."""

import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Volunteer(models.Model):
    """A resident's application to the team, and their place on it once approved.

    Captains belong to the team by their grant and need no row here; they get one
    (approved at once) when they fill in their skills or roster name.
    """

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        APPROVED = "approved", _("On the team")
        DECLINED = "declined", _("Declined")
        LEFT = "left", _("Left the team")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="volunteer",
        verbose_name=_("user"),
    )
    # The estate whose team this is: each estate's Party branch and admins decide on its
    # applications, and a volunteer signs up for that estate's activities.
    community = models.ForeignKey(
        "covenant.Community",
        on_delete=models.PROTECT,
        related_name="volunteers",
        verbose_name=_("estate"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.APPLIED
    )
    roster_name = models.CharField(
        _("name on the roster"),
        max_length=40,
        blank=True,
        help_text=_(
            "How the team list shows you, e.g. 3栋黄姨. Leave empty for your display name."
        ),
    )
    skills = models.CharField(
        _("skills"),
        max_length=200,
        blank=True,
        help_text=_("What you like doing or know well, e.g. first aid, talking with the elderly."),
    )
    availability = models.CharField(
        _("availability"),
        max_length=200,
        blank=True,
        help_text=_("When you can usually help, e.g. weekend mornings."),
    )
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decline_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["-applied_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="volunteer_decline_has_reason",
            ),
        ]

    def __str__(self):
        return self.shown_name

    @property
    def shown_name(self) -> str:
        """The name the roster shows: the one the volunteer chose, else their display name."""
        if self.user.deleted_at is not None:
            return str(self.user.display_name)
        return self.roster_name or str(self.user.display_name)


class VolunteerEvent(models.Model):
    """The audit trail of a volunteer's status."""

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="events", verbose_name=_("volunteer")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    from_status = models.CharField(
        _("from"), max_length=10, choices=Volunteer.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=10, choices=Volunteer.Status.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("volunteer event")
        verbose_name_plural = _("volunteer events")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.volunteer_id}: {self.from_status or '∅'} → {self.to_status}"


class Activity(models.Model):
    """A volunteer activity (志愿活动) with a capacity and a waitlist."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    class Category(models.TextChoices):
        PETS = "pets", _("Civilised pet-keeping campaign")
        PARKING = "parking", _("Parking patrol")
        STAIRWELLS = "stairwells", _("Stairwell clean-up")
        ELDERLY = "elderly", _("Visiting the elderly")
        OTHER = "other", _("Other")

    community = models.ForeignKey(
        "covenant.Community",
        on_delete=models.PROTECT,
        related_name="volunteer_activities",
        verbose_name=_("estate"),
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="organised_activities",
        verbose_name=_("organiser"),
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(
        _("description"), blank=True, help_text=_("What you will do and what to bring.")
    )
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=100)
    capacity = models.PositiveSmallIntegerField(
        _("places"), validators=[MinValueValidator(1)], help_text=_("How many volunteers it needs.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="activity_ends_after_it_starts"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="activity_has_a_place"),
            # A cancelled activity says when and why; a scheduled one has neither.
            models.CheckConstraint(
                condition=(
                    Q(status="scheduled", cancelled_at__isnull=True, cancel_reason="")
                    | (Q(status="cancelled", cancelled_at__isnull=False) & ~Q(cancel_reason=""))
                ),
                name="activity_cancelled_has_time_and_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["starts_at"], name="activity_starts_idx"),
            models.Index(fields=["community", "starts_at"], name="activity_estate_starts_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("volunteers:activity_detail", args=[self.pk])

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class ActivityEvent(models.Model):
    """The audit trail of an activity's status (its cancellation)."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="events", verbose_name=_("activity")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    from_status = models.CharField(_("from"), max_length=10, choices=Activity.Status.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=Activity.Status.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("activity event")
        verbose_name_plural = _("activity events")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.activity_id}: {self.from_status} → {self.to_status}"


class SignUp(models.Model):
    """A team member's place at an activity, or in its waitlist."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waitlist")
        CANCELLED = "cancelled", _("Cancelled")
        ATTENDED = "attended", _("Attended")

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="signups", verbose_name=_("activity")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="activity_signups",
        verbose_name=_("volunteer"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    # The waitlist's order: when the person joined the queue for this activity.
    queued_at = models.DateTimeField(_("signed up at"))
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked in by"),
    )
    # Set once the 24-hour reminder has gone out; the task never sends one twice.
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    # Four digits, unique within the activity: what a volunteer reads out to the organiser,
    # who types it on that activity's check-in page (the activity makes it unique).
    check_in_code = models.CharField(_("check-in code"), max_length=4, blank=True, default="")

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["queued_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user"],
                condition=Q(status__in=["confirmed", "waitlisted", "attended"]),
                name="signup_one_active_per_user_activity",
            ),
            models.CheckConstraint(
                condition=~Q(status="attended") | Q(checked_in_at__isnull=False),
                name="signup_attended_has_check_in_time",
            ),
            models.UniqueConstraint(
                fields=["activity", "check_in_code"],
                condition=~Q(check_in_code=""),
                name="signup_check_in_code_unique_in_activity",
            ),
        ]
        indexes = [models.Index(fields=["activity", "status"], name="signup_activity_status_idx")]

    def __str__(self):
        return f"{self.user} · {self.activity}"

    @property
    def is_active(self) -> bool:
        return self.status != self.Status.CANCELLED


class SignUpEvent(models.Model):
    """The audit trail of a sign-up's status."""

    signup = models.ForeignKey(
        SignUp, on_delete=models.CASCADE, related_name="events", verbose_name=_("sign-up")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    from_status = models.CharField(
        _("from"), max_length=10, choices=SignUp.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=10, choices=SignUp.Status.choices)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sign-up event")
        verbose_name_plural = _("sign-up events")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.signup_id}: {self.from_status or '∅'} → {self.to_status}"


class ServiceEntry(models.Model):
    """Hours of service in the ledger; attendance at an activity writes one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="service_entries",
        verbose_name=_("volunteer"),
    )
    activity = models.ForeignKey(
        Activity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_entries",
        verbose_name=_("activity"),
    )
    # RESTRICT, not PROTECT: a sign-up with hours cannot be deleted on its own, but
    # goes with its volunteer when their user row does (which cascades to both).
    signup = models.OneToOneField(
        SignUp,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="service_entry",
        verbose_name=_("sign-up"),
    )
    served_on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("service entry")
        verbose_name_plural = _("service entries")
        ordering = ["-served_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24), name="service_entry_hours_in_a_day"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "served_on"], name="service_user_date_idx"),
            models.Index(fields=["served_on"], name="service_date_idx"),
        ]

    def __str__(self):
        return f"{self.user} · {self.served_on} · {self.hours}"


def _new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """The secret address of a person's calendar feed; a new token revokes the old one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="volunteer_calendar",
        verbose_name=_("user"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=_new_feed_token)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return str(self.user)


class CaptainMessage(models.Model):
    """A resident's message to their building's captain, read in the volunteers area."""

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="captain_messages_sent",
        verbose_name=_("from"),
    )
    captain = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="captain_messages",
        verbose_name=_("to"),
    )
    household = models.ForeignKey(
        "covenant.Household",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("household"),
    )
    body = models.TextField(_("message"), max_length=1000)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # The captain's one answer, which reaches the sender as a notification.
    reply = models.TextField(_("reply"), max_length=1000, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message to a captain")
        verbose_name_plural = _("messages to captains")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["captain", "-created_at"], name="captain_message_idx")]

    def __str__(self):
        return f"{self.sender} → {self.captain}"
