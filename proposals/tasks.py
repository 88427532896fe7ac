import logging

from celery import shared_task
from django.db import transaction

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
