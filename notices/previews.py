"""The preview an author checks before an urgent announcement goes out: the mail as it is
sent and how many people it reaches in each estate. Its key changes with either, so a
publish confirmed on an older preview shows the new one instead."""

import hashlib

from notices import selectors, services
from notices.mail import notification_message
from notices.models import Notification


def urgent_preview(*, author, form) -> dict:
    """The mail an urgent announcement sends (as its author would get it) and how many
    people it reaches in each estate, for the author to check before it goes out."""
    data = form.cleaned_data
    sample = Notification(
        recipient=author,
        kind=services.ANNOUNCEMENT_KIND,
        actor=author,
        context={"title": data["title"], "urgent": True},
        urgent=True,
    )
    message = notification_message(sample)
    reach = [
        (
            community,
            selectors.audience_size(
                community_id=community.pk,
                audience=data["audience"],
                building_ids=[building.pk for building in data["buildings"]],
                floor_from=data["floor_from"],
                floor_to=data["floor_to"],
                author=author,
            ),
        )
        for community in form.chosen_estates()
    ]
    total = sum(count for _community, count in reach)
    key = hashlib.sha256(f"{message.subject}|{reach_key(reach)}".encode()).hexdigest()[:16]
    return {
        "key": key,
        "subject": message.subject,
        "body": message.body,
        "reach": reach,
        "total": total,
        "files_dropped": bool(data["images"] or data["pdfs"]),
    }


def reach_key(reach) -> str:
    return ",".join(f"{community.pk}={count}" for community, count in reach)
