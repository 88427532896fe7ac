"""Background work of themes: regrouping an estate's ideas (on request and nightly)."""

import logging

from celery import shared_task

from covenant.models import Community, User
from proposals.themes.services import regroup_ideas

logger = logging.getLogger(__name__)


@shared_task(name="proposals.tasks.regroup_estate_ideas")
def regroup_estate_ideas(community_id: int, actor_id: int | None = None) -> str:
    """Group an estate's ideas into themes again (a staff request or the nightly run)."""
    community = Community.objects.filter(pk=community_id).first()
    if community is None:
        return "no such estate"
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    result = regroup_ideas(community=community, actor=actor)
    return f"{result.ideas} ideas in {result.themes} themes"


@shared_task(name="proposals.tasks.regroup_all_estates")
def regroup_all_estates() -> int:
    """`celery beat` runs this nightly: the day's new ideas find their themes."""
    estates = list(
        Community.objects.filter(ideas__isnull=False).distinct().values_list("pk", flat=True)
    )
    for community_id in estates:
        regroup_estate_ideas.delay(community_id)
    return len(estates)


def enqueue_regrouping(community_id: int, actor_id: int) -> bool:
    """Ask a worker to regroup; False if the broker is down (the nightly run will)."""
    try:
        regroup_estate_ideas.delay_on_commit(community_id, actor_id)
    except Exception:
        logger.warning("regrouping of %s not queued", community_id, exc_info=True)
        return False
    return True
