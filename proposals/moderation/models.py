"""Moderation of golden ideas: residents' reports and the moderators' audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from proposals.ideas.models import Comment, Idea


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
