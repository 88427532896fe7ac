"""Background work of owners' votes: closing those that are due."""

from celery import shared_task


@shared_task
def regroup_estate_ideas(community_id: int, actor_id: int | None = None) -> str:
    """Group an estate's ideas into themes again (a staff request or the nightly run)."""
    from covenant.models import Community, User
    from proposals.themes.services import regroup_ideas

    community = Community.objects.filter(pk=community_id).first()
    if community is None:
        return "no such estate"
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    result = regroup_ideas(community=community, actor=actor)
    return f"{result.ideas} ideas in {result.themes} themes"
