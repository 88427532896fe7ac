"""Background work of owners' votes: closing those that are due."""

from celery import shared_task

from proposals.votes.services import close_due_votes as close


@shared_task(name="proposals.tasks.close_due_votes")
def close_due_votes() -> int:
    """Close the owners' votes whose closing time has passed and tell the participants
    the result; `celery beat` calls this every minute. Pages treat such a vote as closed
    even before this runs (`OwnersVote.state_at`)."""
    return close()
