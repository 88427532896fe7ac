"""Background work of golden ideas: idea photos."""

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
    from proposals.votes.services import close_due_votes as close

    return close()
