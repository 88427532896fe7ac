"""Three-party deliberations (三方联动议事协商): topics, seats, posts, meetings, resolutions, action items."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from covenant.models import Building, Community, Party
from proposals.ideas.models import BODY_MAX_LENGTH, COMMENT_MAX_LENGTH, Idea

# --- Three-party deliberations (三方联动议事协商) -----------------------------------------

TOPIC_MAX_LENGTH = 120
POST_MAX_LENGTH = 3000


class Deliberation(models.Model):
    """A public matter the Party branch, the residents and the property consult on."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("deliberation status", "Open")
        IN_SESSION = "in_session", pgettext_lazy("deliberation status", "In session")
        RESOLUTION_PROPOSED = (
            "proposed",
            pgettext_lazy("deliberation status", "Resolution proposed"),
        )
        RESOLVED = "resolved", pgettext_lazy("deliberation status", "Resolved")
        CLOSED = "closed", pgettext_lazy("deliberation status", "Closed without resolution")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="deliberations", verbose_name=_("estate")
    )
    topic = models.CharField(_("topic"), max_length=TOPIC_MAX_LENGTH)
    background = models.TextField(_("background"), blank=True, max_length=BODY_MAX_LENGTH)
    open_to_residents = models.BooleanField(
        _("open to residents"),
        default=True,
        help_text=_("Verified residents may discuss in the residents' section."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    closing_reason = models.TextField(_("reason for closing"), blank=True, max_length=1000)
    ideas = models.ManyToManyField(
        Idea, blank=True, related_name="deliberations", verbose_name=_("linked ideas")
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("deliberation")
        verbose_name_plural = _("deliberations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(closing_reason=""),
                name="deliberation_closed_with_reason",
            ),
        ]

    def __str__(self):
        return self.topic

    def get_absolute_url(self):
        return reverse("proposals:deliberation_detail", args=[self.pk])

    @property
    def accepts_posts(self) -> bool:
        return self.status not in {self.Status.RESOLVED, self.Status.CLOSED}


class DeliberationStatusChange(models.Model):
    """The history of a deliberation's status: who moved it, when, and why."""

    deliberation = models.ForeignKey(
        Deliberation, on_delete=models.CASCADE, related_name="status_changes"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    from_status = models.CharField(
        _("from"), max_length=12, choices=Deliberation.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=12, choices=Deliberation.Status.choices)
    reason = models.TextField(_("reason"), blank=True, max_length=1000)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("deliberation status change")
        verbose_name_plural = _("deliberation status changes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"#{self.deliberation_id} {self.from_status}→{self.to_status}"


class Representative(models.Model):
    """A person named to speak and sign for one party in one deliberation."""

    deliberation = models.ForeignKey(
        Deliberation, on_delete=models.CASCADE, related_name="representatives"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="deliberation_seats",
        verbose_name=_("representative"),
    )
    party = models.CharField(_("party"), max_length=12, choices=Party.choices)
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("named by"),
    )
    created_at = models.DateTimeField(_("named at"), default=timezone.now)

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        ordering = ["party", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["deliberation", "user", "party"], name="representative_once_per_party"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.get_party_display()}"


class DeliberationPost(models.Model):
    class Kind(models.TextChoices):
        REPRESENTATIVE = "representative", _("Representative")
        RESIDENT = "resident", _("Resident")
        BUILDING_POINT = "building_point", _("Point from a building")

    deliberation = models.ForeignKey(Deliberation, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="deliberation_posts",
        verbose_name=_("author"),
    )
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    party = models.CharField(_("party"), max_length=12, choices=Party.choices, blank=True)
    # An admin's post for a party (minutes, procedure) is marked as such, never passed
    # off as the party's own words.
    on_behalf = models.BooleanField(_("posted by an administrator"), default=False)
    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("building"),
    )
    body = models.TextField(_("text"), max_length=POST_MAX_LENGTH)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("deliberation post")
        verbose_name_plural = _("deliberation posts")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["deliberation", "kind", "created_at"], name="delib_post_thread")
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="representative") | ~Q(party=""),
                name="delib_post_representative_has_party",
            ),
            models.CheckConstraint(
                condition=~Q(kind="building_point") | Q(building__isnull=False),
                name="delib_post_point_has_building",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} on {self.deliberation_id}"


class Meeting(models.Model):
    deliberation = models.ForeignKey(
        Deliberation, on_delete=models.CASCADE, related_name="meetings"
    )
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=100)
    agenda = models.TextField(_("agenda"), max_length=BODY_MAX_LENGTH)
    minutes = models.TextField(_("minutes"), blank=True, max_length=BODY_MAX_LENGTH * 2)
    minutes_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("minutes recorded by"),
    )
    minutes_recorded_at = models.DateTimeField(_("minutes recorded at"), null=True, blank=True)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("scheduled by"),
    )
    created_at = models.DateTimeField(_("scheduled at"), default=timezone.now)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "pk"]

    def __str__(self):
        return f"{self.deliberation} · {self.starts_at:%Y-%m-%d}"


class MeetingAttendance(models.Model):
    """Who attended a meeting for one party, as the minutes name them."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    party = models.CharField(_("party"), max_length=12, choices=Party.choices)
    attendees = models.CharField(_("attended"), max_length=300)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["party"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "party"], name="attendance_once_per_party")
        ]

    def __str__(self):
        return f"{self.meeting_id} · {self.party}"


class Resolution(models.Model):
    """The decision of a deliberation; adopted only when all three parties agree."""

    deliberation = models.OneToOneField(
        Deliberation, on_delete=models.CASCADE, related_name="resolution"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    adopted_at = models.DateTimeField(_("adopted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("proposed at"), default=timezone.now)

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")

    def __str__(self):
        return str(self.deliberation)

    @property
    def is_adopted(self) -> bool:
        return self.adopted_at is not None


class ResolutionVersion(models.Model):
    """One text of a resolution; an edit adds a version, and sign-offs belong to one."""

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    text = models.TextField(_("text of the resolution"), max_length=BODY_MAX_LENGTH)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("resolution version")
        verbose_name_plural = _("resolution versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["resolution", "number"], name="resolution_version_numbered_once"
            )
        ]

    def __str__(self):
        return f"{self.resolution} v{self.number}"


class SignOff(models.Model):
    """One party's answer to one version of a resolution."""

    class Decision(models.TextChoices):
        AGREE = "agree", _("Agrees")
        OBJECT = "object", _("Objects")

    version = models.ForeignKey(
        ResolutionVersion, on_delete=models.CASCADE, related_name="sign_offs"
    )
    party = models.CharField(_("party"), max_length=12, choices=Party.choices)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="resolution_sign_offs",
        verbose_name=_("signed by"),
    )
    decision = models.CharField(_("decision"), max_length=6, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True, max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(_("signed at"), default=timezone.now)

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        ordering = ["party"]
        constraints = [
            models.UniqueConstraint(fields=["version", "party"], name="sign_off_once_per_party")
        ]

    def __str__(self):
        return f"{self.version} · {self.party}: {self.decision}"


class ActionItem(models.Model):
    """Work a resolution commits a party (or a person) to, with its public progress."""

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("action item", "Planned")
        IN_PROGRESS = "in_progress", pgettext_lazy("action item", "In progress")
        DONE = "done", pgettext_lazy("action item", "Done")

    resolution = models.ForeignKey(
        Resolution, on_delete=models.CASCADE, related_name="action_items"
    )
    title = models.CharField(_("what"), max_length=200)
    owner_party = models.CharField(_("responsible party"), max_length=12, choices=Party.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliberation_action_items",
        verbose_name=_("responsible person"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    progress_note = models.TextField(_("progress"), blank=True, max_length=COMMENT_MAX_LENGTH)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.title
