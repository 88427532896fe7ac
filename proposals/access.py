"""What a proposals view asks before it acts: the permission, and the idea or comment it
acts on as the user may see it (404 when they may not)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from proposals.ideas import selectors as ideas_selectors
from proposals.models import Comment, Idea


def require_perm(request, perm: str, obj=None) -> None:
    """Refuse the request (403) unless the user has `perm`, on `obj` where given."""
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def idea_for(request, idea_id: int, perm: str = "proposals.read_idea") -> Idea:
    """The idea, if the user may see it and has `perm` on it; 404 if they may not see it."""
    require_perm(request, "proposals.browse_ideas")
    idea = (
        ideas_selectors.ideas_visible_to(request.user, listed=False)
        .select_related("building")
        .filter(pk=idea_id)
        .first()
    )
    if idea is None:
        raise Http404
    require_perm(request, perm, idea)
    return idea


def comment_for(request, comment_id: int, perm: str) -> Comment:
    comment = get_object_or_404(Comment.objects.select_related("idea__building"), pk=comment_id)
    idea_for(request, comment.idea_id)
    require_perm(request, perm, comment)
    return comment


def is_local(url: str | None) -> bool:
    """A `next` address that stays on this site."""
    return bool(url) and url.startswith("/") and not url.startswith("//")
