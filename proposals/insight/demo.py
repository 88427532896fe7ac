"""Open-data links of the demo estate."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from covenant.models import Community, User
from proposals.models import (
    OpenDataLink,
)


def seed_open_data_links(community: Community, admin: User) -> None:
    """One link in use by the sub-district office, one revoked after a study ended."""
    now = timezone.now()
    OpenDataLink.objects.create(
        community=community,
        label="台城街道办 社区治理科",
        created_by=admin,
        created_at=now - timedelta(days=40),
        last_used_at=now - timedelta(days=3),
        use_count=6,
    )
    OpenDataLink.objects.create(
        community=community,
        label="五邑大学 社区治理课题组",
        created_by=admin,
        created_at=now - timedelta(days=120),
        last_used_at=now - timedelta(days=70),
        use_count=2,
        revoked_at=now - timedelta(days=60),
        revoked_by=admin,
    )
