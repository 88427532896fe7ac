import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from covenant.uploads import develop_quarantined_photo
from proposals.models import IdeaPhoto

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def process_idea_photo(photo_id: int) -> str:
    """Re-encode a quarantined photo into the shown image and its thumbnail."""
    return develop_quarantined_photo(IdeaPhoto, photo_id)


# A photo still waiting after this long lost its task (the broker was down at upload).
STUCK_AFTER = timedelta(minutes=5)


@shared_task
def process_waiting_photos() -> int:
    """Process photos whose task never ran; `celery beat` calls this every few minutes."""
    waiting = IdeaPhoto.objects.filter(
        state=IdeaPhoto.State.PROCESSING, created_at__lt=timezone.now() - STUCK_AFTER
    ).values_list("pk", flat=True)[:100]
    for photo_id in waiting:
        process_idea_photo(photo_id)
    return len(waiting)


def enqueue_photo(photo_id: int) -> None:
    """Hand a photo to a worker; if the broker is down the sweeper picks it up later,
    and the resident's request still succeeds."""
    try:
        process_idea_photo.delay(photo_id)
    except Exception:
        logger.warning("photo %s not queued; the sweeper will process it", photo_id, exc_info=True)


@shared_task
def close_due_votes() -> int:
    """Close the owners' votes whose closing time has passed and tell the participants
    the result; `celery beat` calls this every minute. Pages treat such a vote as closed
    even before this runs (`OwnersVote.state_at`)."""
    from proposals.services import close_due_votes as close

    return close()


@shared_task
def regroup_estate_ideas(community_id: int, actor_id: int | None = None) -> str:
    """Group an estate's ideas into themes again (a staff request or the nightly run)."""
    from covenant.models import Community, User
    from proposals.services import regroup_ideas

    community = Community.objects.filter(pk=community_id).first()
    if community is None:
        return "no such estate"
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    result = regroup_ideas(community=community, actor=actor)
    return f"{result.ideas} ideas in {result.themes} themes"


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
