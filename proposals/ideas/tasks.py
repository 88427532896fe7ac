"""Background work of golden ideas: idea photos.

Services hand photos over through `proposals.dispatch` (after commit) and never import
this module. Task names stay ``proposals.tasks.*`` as `celery beat` and queued messages know them.
"""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from covenant.uploads import develop_quarantined_photo
from proposals.models import IdeaPhoto


@shared_task(name="proposals.tasks.process_idea_photo", acks_late=True)
def process_idea_photo(photo_id: int) -> str:
    """Re-encode a quarantined photo into the shown image and its thumbnail."""
    return develop_quarantined_photo(IdeaPhoto, photo_id)


# A photo still waiting after this long lost its task (the broker was down at upload).
STUCK_AFTER = timedelta(minutes=5)


@shared_task(name="proposals.tasks.process_waiting_photos")
def process_waiting_photos() -> int:
    """Process photos whose task never ran; `celery beat` calls this every few minutes."""
    waiting = IdeaPhoto.objects.filter(
        state=IdeaPhoto.State.PROCESSING, created_at__lt=timezone.now() - STUCK_AFTER
    ).values_list("pk", flat=True)[:100]
    for photo_id in waiting:
        process_idea_photo(photo_id)
    return len(waiting)
