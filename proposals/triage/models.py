"""Triage of golden ideas: the public timeline, triage changes, staff notes and reply templates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proposals.ideas.models import BODY_MAX_LENGTH, COMMENT_MAX_LENGTH, Idea


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
