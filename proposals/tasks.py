import logging
from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from covenant.uploads import LARGE_SIDE, THUMBNAIL_SIDE, quarantine, reencode_image
from proposals.models import IdeaPhoto

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def process_idea_photo(photo_id: int) -> str:
    """Re-encode a quarantined photo into the shown image and its thumbnail."""
    with transaction.atomic():
        photo = IdeaPhoto.objects.select_for_update().filter(pk=photo_id).first()
        if photo is None or photo.state != IdeaPhoto.State.PROCESSING:
            return "nothing to do"
        storage = quarantine()
        try:
            with storage.open(photo.quarantined_name) as source:
                large = reencode_image(source, max_side=LARGE_SIDE)
                source.seek(0)
                thumbnail = reencode_image(source, max_side=THUMBNAIL_SIDE)
        except Exception:
            logger.exception("photo %s of idea %s could not be processed", photo.pk, photo.idea_id)
            photo.state = IdeaPhoto.State.FAILED
        else:
            photo.image.save(large.content.name, large.content, save=False)
            photo.thumbnail.save(thumbnail.content.name, thumbnail.content, save=False)
            photo.state = IdeaPhoto.State.READY
        name, photo.quarantined_name = photo.quarantined_name, ""
        photo.save()
    storage.delete(name)
    return photo.state


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
