"""What notices adds to the signed-in home: the announcements for the reader's
buildings and estate, urgent ones first, in one query (two with the reader's homes)."""

from __future__ import annotations

from covenant.panels import Panel
from covenant.rules import listed_estates
from notices.selectors import announcement_list

SHOWN = 5


def announcements_for_me(*, request, since) -> Panel | None:
    # Only the estates the reader belongs to: the home of someone who belongs to none
    # yet (a newcomer) shows no other estate's public notices.
    if not listed_estates(request.user):
        return None
    announcements = list(
        announcement_list(request.user)
        .filter(publish_at__isnull=False)
        # A row names the title, the time and whether it is urgent: not the list's
        # author, estate and buildings (a query of their own).
        .select_related(None)
        .prefetch_related(None)
        .only("title", "urgent", "pinned", "publish_at")
        .order_by("-urgent", "-pinned", "-publish_at", "-pk")[:SHOWN]
    )
    if not announcements:
        return None
    for announcement in announcements:
        announcement.is_new = since is not None and announcement.publish_at > since
    urgent_new = any(a.urgent and (a.is_new or since is None) for a in announcements)
    return Panel(
        template="notices/_home_announcements.html",
        context={
            "announcements": announcements,
            "has_new": any(a.is_new for a in announcements),
        },
        # An urgent notice (a water cut) goes above everything but the role's queue.
        order=15 if urgent_new else 30,
        name="notices_announcements",
    )
