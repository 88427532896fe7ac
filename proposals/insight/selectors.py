"""Reads of open-data share links."""

from __future__ import annotations

from django.db.models import (
    F,
    QuerySet,
)

from proposals.models import (
    OpenDataLink,
)


def open_data_links(estates) -> QuerySet[OpenDataLink]:
    """The share links of these estates, active ones first."""
    return (
        OpenDataLink.objects.filter(community__in=estates)
        .select_related("community", "created_by", "revoked_by")
        .order_by(F("revoked_at").desc(nulls_first=True), "-created_at", "-pk")
    )


def active_open_data_link(token: str) -> OpenDataLink | None:
    return (
        OpenDataLink.objects.filter(token=token, revoked_at__isnull=True)
        .select_related("community")
        .first()
    )
