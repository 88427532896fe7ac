"""Golden ideas (金点子): campaigns, ideas, photos, supports, comments, moderation, triage."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from covenant.models import Building, Community, Household, Party
from proposals.storage import private_storage

TITLE_MAX_LENGTH = 80
BODY_MAX_LENGTH = 5000
COMMENT_MAX_LENGTH = 2000


class Category(models.Model):
    """An admin-editable category, named in both languages."""

    name = models.CharField(_("name (Chinese)"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=60)
    slug = models.SlugField(_("short name"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    is_active = models.BooleanField(_("offered for new ideas"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name


class Campaign(models.Model):
    """A collection drive (征集活动); ideas go into an open one or the standing idea box."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("estate")
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True, max_length=BODY_MAX_LENGTH)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_it_starts",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"{reverse('proposals:idea_list')}?campaign={self.pk}"

    def is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.starts_on <= today <= self.ends_on


class IdeaBoxSettings(models.Model):
    community = models.OneToOneField(
        Community,
        on_delete=models.CASCADE,
        related_name="idea_box_settings",
        verbose_name=_("estate"),
    )
    premoderation = models.BooleanField(
        _("pre-moderation"),
        default=False,
        help_text=_("New ideas and comments wait for a moderator before others see them."),
    )

    class Meta:
        verbose_name = _("idea box settings")
        verbose_name_plural = _("idea box settings")

    def __str__(self):
        return str(self.community)


class Moderation(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    PENDING = "pending", _("Waiting for a moderator")
    HIDDEN = "hidden", _("Hidden by a moderator")
    AUTO_HIDDEN = "auto_hidden", _("Hidden after reports")


class Idea(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("idea status", "Submitted")
        ACCEPTED = "accepted", pgettext_lazy("idea status", "Accepted")
        IN_PROGRESS = "in_progress", pgettext_lazy("idea status", "In progress")
        DONE = "done", pgettext_lazy("idea status", "Done")
        DECLINED = "declined", pgettext_lazy("idea status", "Declined")
        REFERRED = "referred", pgettext_lazy("idea status", "Referred to deliberation")
        WITHDRAWN = "withdrawn", pgettext_lazy("idea status", "Withdrawn")

    class Priority(models.IntegerChoices):
        LOW = 1, _("Low")
        NORMAL = 2, _("Normal")
        HIGH = 3, _("High")
        URGENT = 4, _("Urgent")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="ideas", verbose_name=_("estate")
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("campaign"),
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="ideas", verbose_name=_("category")
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    body = models.TextField(_("description"), max_length=BODY_MAX_LENGTH)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="ideas",
        verbose_name=_("author"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    # A captain records ideas for residents without a phone: the captain is the author
    # of record, the resident's name (as they wish to be shown) is kept here.
    resident_name = models.CharField(_("resident's name"), max_length=40, blank=True)
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("household"),
    )
    # Copied from the household so that moderation by building needs no join.
    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("building"),
    )
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    hide_name = models.BooleanField(_("hide my name from other residents"), default=False)

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_ideas",
        verbose_name=_("assignee"),
    )

    moderation = models.CharField(
        _("moderation"), max_length=12, choices=Moderation.choices, default=Moderation.VISIBLE
    )
    hidden_reason = models.CharField(_("reason for hiding"), max_length=200, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )

    # Stored counters: lists sort and show them without a COUNT join per page.
    support_count = models.PositiveIntegerField(_("supports"), default=0)
    comment_count = models.PositiveIntegerField(_("comments"), default=0)
    report_count = models.PositiveIntegerField(_("open reports"), default=0)

    # The title and body cut into words by jieba, space-separated, for keyword search
    # and similar-idea suggestions (Chinese has no spaces to split on).
    search_tokens = models.TextField(editable=False, default="")

    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)

    class Meta:
        verbose_name = _("golden idea")
        verbose_name_plural = _("golden ideas")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["community", "-created_at", "-id"], name="idea_newest"),
            models.Index(fields=["community", "-support_count", "-id"], name="idea_most_supported"),
            models.Index(
                fields=["community", "-last_activity_at", "-id"], name="idea_recently_active"
            ),
            # The estate too, so a captain's moderation scope (building, floors, estate) is
            # answered from the index without reading each idea.
            models.Index(fields=["building", "floor", "community"], name="idea_location"),
            models.Index(fields=["status", "-created_at"], name="idea_status_age"),
            models.Index(fields=["moderation", "-created_at"], name="idea_moderation_age"),
            # The moderation queue: few rows ever match, so a partial index stays tiny.
            models.Index(
                fields=["created_at", "id"],
                condition=Q(moderation__in=["pending", "auto_hidden"]) | Q(report_count__gt=0),
                name="idea_needs_attention",
            ),
            # The same, of one estate (its admin) and of one building (its captains): a
            # queue's cost follows its own estate, not how many estates share the site.
            models.Index(
                fields=["community", "created_at", "id"],
                condition=Q(moderation__in=["pending", "auto_hidden"]) | Q(report_count__gt=0),
                name="idea_attention_by_estate",
            ),
            models.Index(
                fields=["building", "created_at", "id"],
                condition=Q(moderation__in=["pending", "auto_hidden"]) | Q(report_count__gt=0),
                name="idea_attention_by_building",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(duplicate_of=models.F("id")), name="idea_not_duplicate_of_itself"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("proposals:idea_detail", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.moderation == Moderation.VISIBLE

    @property
    def is_open(self) -> bool:
        return self.status not in {
            self.Status.DONE,
            self.Status.DECLINED,
            self.Status.WITHDRAWN,
        }


class IdeaPhoto(models.Model):
    class State(models.TextChoices):
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Could not be processed")

    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, related_name="photos", verbose_name=_("idea")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PROCESSING
    )
    # The upload as received, in the never-served quarantine storage until re-encoded.
    quarantined_name = models.CharField(max_length=200, blank=True, editable=False)
    # Private files: served only through `url` and `thumbnail_url`, which check that the
    # reader may see the idea (proposals/storage.py).
    image = models.ImageField(
        _("photo"),
        upload_to="ideas/%Y/%m/",
        storage=private_storage,
        blank=True,
        width_field="width",
        height_field="height",
    )
    thumbnail = models.ImageField(
        _("thumbnail"), upload_to="ideas/%Y/%m/thumbs/", storage=private_storage, blank=True
    )
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position", "pk"]

    def __str__(self):
        return f"{self.idea_id}/{self.position}"

    @property
    def url(self) -> str:
        return reverse("proposals:idea_photo", args=[self.idea_id, self.pk])

    @property
    def thumbnail_url(self) -> str:
        return reverse("proposals:idea_photo_thumbnail", args=[self.idea_id, self.pk])


class Support(models.Model):
    """A resident's 附议: one per person per idea."""

    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, related_name="supports", verbose_name=_("idea")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="idea_supports",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("supported at"), default=timezone.now)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="support_once_per_user")
        ]
        indexes = [models.Index(fields=["user", "idea"], name="support_by_user")]

    def __str__(self):
        return f"{self.user_id} → {self.idea_id}"


class Comment(models.Model):
    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, related_name="comments", verbose_name=_("idea")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("reply to"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="idea_comments",
        verbose_name=_("author"),
    )
    body = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH)
    moderation = models.CharField(
        _("moderation"), max_length=12, choices=Moderation.choices, default=Moderation.VISIBLE
    )
    hidden_reason = models.CharField(_("reason for hiding"), max_length=200, blank=True)
    report_count = models.PositiveIntegerField(_("open reports"), default=0)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["idea", "created_at"], name="comment_thread"),
            models.Index(fields=["moderation", "-created_at"], name="comment_moderation_age"),
            # The queue filters these by their idea's estate and leaves out the moderator's
            # own: with the idea and the author in the index, the comments of other estates
            # are passed over without reading their rows.
            models.Index(
                fields=["created_at", "id", "idea", "author"],
                condition=Q(moderation__in=["pending", "auto_hidden"]) | Q(report_count__gt=0),
                name="comment_needs_attention",
            ),
            # The waiting comments of given ideas (a building's, for its captains).
            models.Index(
                fields=["idea", "author", "created_at", "id"],
                condition=Q(moderation__in=["pending", "auto_hidden"]) | Q(report_count__gt=0),
                name="comment_attention_by_idea",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} on {self.idea_id}"

    def get_absolute_url(self):
        return f"{self.idea.get_absolute_url()}#comment-{self.pk}"

    @property
    def building_id(self):
        # Comments are moderated with their idea's building: the captain of the place
        # where the discussion happens (covenant.rules.location_of).
        return self.idea.building_id

    @property
    def floor(self):
        return self.idea.floor


class Report(models.Model):
    class Reason(models.TextChoices):
        ABUSE = "abuse", _("Insulting or threatening")
        PRIVACY = "privacy", _("Reveals someone's private information")
        SPAM = "spam", _("Advertising or spam")
        FALSE = "false", _("False or misleading")
        OTHER = "other", _("Something else")

    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="idea_reports",
        verbose_name=_("reported by"),
    )
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    note = models.CharField(_("details"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(idea__isnull=False, comment__isnull=True)
                | Q(idea__isnull=True, comment__isnull=False),
                name="report_about_one_item",
            ),
            models.UniqueConstraint(
                fields=["reporter", "idea"],
                condition=Q(idea__isnull=False),
                name="report_idea_once_per_user",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=Q(comment__isnull=False),
                name="report_comment_once_per_user",
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} ({self.reporter_id})"


class ModerationAction(models.Model):
    """The audit log of moderation: who did what to which item, and why."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("Approved")
        HIDE = "hide", _("Hidden")
        AUTO_HIDE = "auto_hide", _("Hidden automatically after reports")
        RESTORE = "restore", _("Restored")
        MERGE = "merge", _("Marked as a duplicate")
        DISMISS = "dismiss", _("Reports dismissed")
        EDITED = "edited", _("Edited; waiting for approval again")

    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, related_name="moderation_actions", verbose_name=_("idea")
    )
    comment = models.ForeignKey(
        Comment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="moderation_actions",
        verbose_name=_("comment"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} #{self.idea_id}"


class TimelineEntry(models.Model):
    """The public "you said, we did" record of an idea: status changes and replies."""

    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, related_name="timeline", verbose_name=_("idea")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    from_status = models.CharField(
        _("from"), max_length=12, choices=Idea.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=12, choices=Idea.Status.choices, blank=True)
    public_reply = models.TextField(_("public reply"), blank=True, max_length=BODY_MAX_LENGTH)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["idea", "created_at"], name="timeline_of_idea")]

    def __str__(self):
        return f"#{self.idea_id} {self.from_status}→{self.to_status}"

    @property
    def changes_status(self) -> bool:
        return bool(self.to_status) and self.to_status != self.from_status


class TriageChange(models.Model):
    """Who set an idea's category, priority or assignee, from what to what (staff only)."""

    class Field(models.TextChoices):
        CATEGORY = "category", _("Category")
        PRIORITY = "priority", _("Priority")
        ASSIGNEE = "assignee", _("Assignee")

    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, related_name="triage_changes", verbose_name=_("idea")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    field = models.CharField(_("what"), max_length=10, choices=Field.choices)
    old_value = models.CharField(_("from"), max_length=100, blank=True)
    new_value = models.CharField(_("to"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("triage change")
        verbose_name_plural = _("triage changes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"#{self.idea_id} {self.field}"


class StaffNote(models.Model):
    """A private note of the property staff on an idea; never shown to residents."""

    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, related_name="staff_notes", verbose_name=_("idea")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    body = models.TextField(_("note"), max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff note")
        verbose_name_plural = _("staff notes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"#{self.idea_id} note"


class ReplyTemplate(models.Model):
    title = models.CharField(_("title"), max_length=60)
    body = models.TextField(_("reply"), max_length=BODY_MAX_LENGTH)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["title"]

    def __str__(self):
        return self.title


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


def _new_share_token() -> str:
    return secrets.token_urlsafe(32)


class OpenDataLink(models.Model):
    """A revocable address at which anyone holding it downloads the estate's open data
    (anonymised ideas and statuses, proposals/open_data.py) without signing in."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="+", verbose_name=_("estate")
    )
    label = models.CharField(
        _("shared with"),
        max_length=80,
        help_text=_("Who the link is for, e.g. “街道办 (sub-district office)”."),
    )
    token = models.CharField(max_length=64, unique=True, editable=False, default=_new_share_token)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    use_count = models.PositiveIntegerField(_("downloads"), default=0)

    class Meta:
        verbose_name = _("open data link")
        verbose_name_plural = _("open data links")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.label

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


# --- Owners' votes (业主表决) -----------------------------------------------------------


class OwnersVote(models.Model):
    """A question the owners decide jointly under article 278 of the Civil Code.

    The electorate (every household of the estate and its floor area) is copied into
    `VoteRollEntry` rows when the vote opens, with its totals kept here: a household
    added, removed or re-measured later does not change the count. Arithmetic: tally.py.
    """

    class Matter(models.TextChoices):
        # Items 1-5 and 9 of article 278 pass by simple majority, items 6-8 by three
        # quarters. Using the maintenance fund (item 5) is a majority matter; raising
        # it (item 6) is special.
        ORDINARY = "ordinary", _("Ordinary matter (more than half)")
        RAISE_FUND = "raise_fund", _("Raising the special maintenance fund")
        REBUILD = "rebuild", _("Rebuilding or reconstructing buildings and facilities")
        COMMON_PARTS = (
            "common_parts",
            _("Changing the use of common parts, or using them for business"),
        )

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("owners vote status", "Draft")
        OPEN = "open", pgettext_lazy("owners vote status", "Open")
        CLOSED = "closed", pgettext_lazy("owners vote status", "Closed")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="owners_votes", verbose_name=_("estate")
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    question = models.TextField(_("question"), max_length=BODY_MAX_LENGTH)
    matter = models.CharField(
        _("kind of matter"), max_length=12, choices=Matter.choices, default=Matter.ORDINARY
    )
    status = models.CharField(
        _("status"), max_length=6, choices=Status.choices, default=Status.DRAFT
    )
    opens_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The deliberation whose resolution the owners are asked to confirm, if any; always
    # of the vote's estate (services check it).
    deliberation = models.ForeignKey(
        Deliberation, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="owners_votes", verbose_name=_("from the deliberation"),
    )  # fmt: skip
    # The electorate's totals, fixed when the vote opens.
    electorate_households = models.PositiveIntegerField(_("households entitled"), default=0)
    electorate_area = models.DecimalField(
        _("floor area entitled (m²)"), max_digits=12, decimal_places=2, default=0
    )

    class Meta:
        verbose_name = _("owners' vote")
        verbose_name_plural = _("owners' votes")
        ordering = ["-closes_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(opens_at__isnull=False),
                name="owners_vote_open_has_opening_time",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="owners_vote_closes_after_it_opens",
            ),
        ]
        indexes = [models.Index(fields=["community", "status", "-closes_at"], name="vote_list")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("votes:vote_detail", args=[self.pk])

    @property
    def is_special(self) -> bool:
        return self.matter != self.Matter.ORDINARY

    def state_at(self, moment=None) -> str:
        """The status as people see it: an open vote past its closing time is closed,
        whether or not the closing task has run yet."""
        moment = moment or timezone.now()
        if self.status == self.Status.OPEN and self.closes_at <= moment:
            return self.Status.CLOSED
        return self.status

    @property
    def state(self) -> str:
        return self.state_at()

    @property
    def is_open(self) -> bool:
        return self.state == self.Status.OPEN

    @property
    def is_closed(self) -> bool:
        return self.state == self.Status.CLOSED


class VoteRollEntry(models.Model):
    """A household entitled to vote, with its floor area as it was when the vote opened."""

    vote = models.ForeignKey(
        OwnersVote, on_delete=models.CASCADE, related_name="roll", verbose_name=_("vote")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    floor_area = models.DecimalField(_("floor area (m²)"), max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = _("household entitled to vote")
        verbose_name_plural = _("households entitled to vote")
        constraints = [
            models.UniqueConstraint(fields=["vote", "household"], name="roll_once_per_household"),
            models.CheckConstraint(condition=Q(floor_area__gt=0), name="roll_floor_area_positive"),
        ]

    def __str__(self):
        return f"{self.vote_id}/{self.household_id}"


class Ballot(models.Model):
    """A household's one vote: a later ballot of any verified owner of the household
    replaces it while the vote is open (`change_count` says how often)."""

    class Choice(models.TextChoices):
        AGREE = "agree", _("Agree")
        OBJECT = "object", _("Object")
        ABSTAIN = "abstain", _("Abstain")

    vote = models.ForeignKey(
        OwnersVote, on_delete=models.CASCADE, related_name="ballots", verbose_name=_("vote")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    # Copied from the roll, so that the count is one aggregate over ballots.
    floor_area = models.DecimalField(_("floor area (m²)"), max_digits=7, decimal_places=2)
    choice = models.CharField(_("choice"), max_length=7, choices=Choice.choices)
    # A paper ballot collected at the door and entered by an admin: `cast_by` is then
    # the admin who entered it.
    on_paper = models.BooleanField(_("paper ballot"), default=False)
    # Emptied when that person deletes their account: the household's vote stands.
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="owners_ballots", verbose_name=_("cast by"),
    )  # fmt: skip
    first_cast_at = models.DateTimeField(_("first cast at"), default=timezone.now)
    cast_at = models.DateTimeField(_("cast at"), default=timezone.now)
    change_count = models.PositiveIntegerField(_("times changed"), default=0)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["vote", "household"], name="ballot_once_per_household")
        ]
        indexes = [models.Index(fields=["cast_by"], name="ballot_cast_by")]

    def __str__(self):
        return f"{self.vote_id}/{self.household_id}: {self.choice}"


# --- Themes and priority work (issue 7) ------------------------------------------------


class Theme(models.Model):
    """A group of ideas sharing a concern (主题), found by `manage.py regroup_ideas`
    (proposals/themes.py) and corrected by the staff."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="themes", verbose_name=_("estate")
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="themes", verbose_name=_("category")
    )
    name = models.CharField(_("name"), max_length=60)
    # A name the staff gave is kept by every regrouping; others follow the shared words.
    named_by_staff = models.BooleanField(_("named by the staff"), default=False)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    shared_keywords = models.CharField(_("words its ideas share"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["category__position", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("proposals:theme_detail", args=[self.pk])

    @property
    def keyword_list(self) -> list[str]:
        return self.keywords.split()

    @property
    def shared_keyword_list(self) -> list[str]:
        return self.shared_keywords.split()


class ThemeMembership(models.Model):
    """Which theme an idea belongs to. A pinned membership was set by the staff: a
    regrouping leaves it where it is."""

    theme = models.ForeignKey(
        Theme, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("theme")
    )
    idea = models.OneToOneField(
        Idea, on_delete=models.CASCADE, related_name="theme_membership", verbose_name=_("idea")
    )
    pinned = models.BooleanField(_("placed by the staff"), default=False)
    # Closeness to the theme's centre (cosine, 0 to 1), and the resulting rank: 1 is the
    # idea that says best what the theme is about.
    centrality = models.FloatField(_("closeness to the theme"), default=0.0)
    rank = models.PositiveIntegerField(_("rank"), default=0)

    class Meta:
        verbose_name = _("theme membership")
        verbose_name_plural = _("theme memberships")
        indexes = [models.Index(fields=["theme", "rank"], name="theme_member_rank")]

    def __str__(self):
        return f"{self.idea_id} ∈ {self.theme_id}"


class ThemeEdit(models.Model):
    """The audit trail of the themes: regroupings and every staff correction."""

    class Action(models.TextChoices):
        REGROUP = "regroup", _("Regrouped")
        RENAME = "rename", _("Renamed")
        MERGE = "merge", _("Merged")
        SPLIT = "split", _("Split")
        MOVE = "move", _("Ideas moved")
        PROMOTE = "promote", _("Promoted to priority work")

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="+", verbose_name=_("estate")
    )
    theme = models.ForeignKey(
        Theme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="edits",
        verbose_name=_("theme"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("theme edit")
        verbose_name_plural = _("theme edits")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["community", "action", "-created_at"], name="theme_edit")]

    def __str__(self):
        return f"{self.get_action_display()} {self.theme_id}"


class Priority(models.Model):
    """Priority work (重点工作): a theme the three parties take on, with an owner, goals
    and a public "you said, we did" log."""

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("priority status", "Planned")
        ACTIVE = "active", pgettext_lazy("priority status", "Under way")
        DONE = "done", pgettext_lazy("priority status", "Achieved")

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="priorities", verbose_name=_("estate")
    )
    theme = models.OneToOneField(
        Theme, on_delete=models.PROTECT, related_name="priority", verbose_name=_("theme")
    )
    title = models.CharField(_("title"), max_length=60)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_priorities",
        verbose_name=_("owner"),
        help_text=_("Who answers for the progress."),
    )
    goals = models.TextField(
        _("goals"), max_length=BODY_MAX_LENGTH, help_text=_("What will be done, by when. Markdown.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    activities = models.ManyToManyField(
        "volunteers.Activity",
        blank=True,
        related_name="priorities",
        verbose_name=_("volunteer activities"),
    )
    deliberations = models.ManyToManyField(
        Deliberation,
        blank=True,
        related_name="priorities",
        verbose_name=_("deliberations"),
        help_text=_("The resolutions' action items of these deliberations show the work done."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("promoted at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("priority work")
        verbose_name_plural = _("priority work")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("priorities:priority_detail", args=[self.pk])


class ProgressEntry(models.Model):
    """One dated step of a priority: what residents said, what was done."""

    priority = models.ForeignKey(
        Priority, on_delete=models.CASCADE, related_name="progress", verbose_name=_("priority")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    happened_on = models.DateField(_("date"), default=timezone.localdate)
    you_said = models.TextField(_("you said"), max_length=COMMENT_MAX_LENGTH, blank=True)
    we_did = models.TextField(_("we did"), max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("progress entry")
        verbose_name_plural = _("progress entries")
        ordering = ["-happened_on", "-pk"]
        indexes = [models.Index(fields=["priority", "-happened_on"], name="progress_of_priority")]

    def __str__(self):
        return f"{self.priority_id} {self.happened_on}"
