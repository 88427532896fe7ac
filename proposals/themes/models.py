"""Themes of the ideas and priority work (重点工作) with its progress."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from covenant.models import Community
from proposals.deliberations.models import Deliberation
from proposals.ideas.models import BODY_MAX_LENGTH, COMMENT_MAX_LENGTH, Category, Idea

# --- Themes and priority work (issue 7) ------------------------------------------------


class Theme(models.Model):
    """A group of ideas sharing a concern (主题), found by `manage.py regroup_ideas`
    (proposals/themes/grouping.py) and corrected by the staff."""

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
        _("goals"), max_length=BODY_MAX_LENGTH, help_text=_("What will be done, by when.")
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
