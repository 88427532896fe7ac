"""Background work of themes: regrouping an estate's ideas."""

import logging

from celery import shared_task

from proposals.votes.tasks import regroup_estate_ideas

logger = logging.getLogger(__name__)


@shared_task
def regroup_all_estates() -> int:
    """`celery beat` runs this nightly: the day's new ideas find their themes."""
    from covenant.models import Community

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
