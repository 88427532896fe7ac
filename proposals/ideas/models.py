"""Golden ideas (金点子): categories, campaigns, ideas, photos, supports and comments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from covenant.models import Building, Community, Household
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
