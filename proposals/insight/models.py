"""Open data: the share links through which an estate's idea figures leave the portal."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from covenant.models import Community


def _new_share_token() -> str:
    return secrets.token_urlsafe(32)


class OpenDataLink(models.Model):
    """A revocable address at which anyone holding it downloads the estate's open data
    (anonymised ideas and statuses, proposals/insight/open_data.py) without signing in."""

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
