"""Open-data share links: created, revoked and counted."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from covenant.models import User
from proposals.models import (
    OpenDataLink,
)

logger = logging.getLogger(__name__)

# --- Open data share links -------------------------------------------------------------


def create_open_data_link(*, community, label: str, actor: User) -> OpenDataLink:
    link = OpenDataLink.objects.create(community=community, label=label.strip(), created_by=actor)
    logger.info("user %s shared open data of estate %s as link %s", actor.pk, community.pk, link.pk)
    return link


def revoke_open_data_link(*, link: OpenDataLink, actor: User) -> OpenDataLink:
    """Stop a link; revoking twice keeps the first revocation's time and person."""
    with transaction.atomic():
        # Locked so that two admins revoking at once record one revocation, not two.
        locked = OpenDataLink.objects.select_for_update().get(pk=link.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.revoked_by = actor
            locked.save(update_fields=["revoked_at", "revoked_by"])
    return locked


def record_open_data_use(*, link: OpenDataLink) -> None:
    OpenDataLink.objects.filter(pk=link.pk).update(
        last_used_at=timezone.now(), use_count=F("use_count") + 1
    )
