"""What volunteers adds to the signed-in home: the reader's coming activities, and for
a captain the residents' messages not yet read."""

from __future__ import annotations

from django.utils import timezone

from covenant.panels import Panel
from covenant.rules import roles_of
from volunteers.selectors import signups_of_user, unread_message_count

SHOWN = 5


def my_activities(*, request, since) -> Panel | None:
    user = request.user
    signups = list(signups_of_user(user=user, since=timezone.now())[:SHOWN])
    if not signups:
        return None
    return Panel(
        template="volunteers/_home_activities.html",
        context={"signups": signups},
        order=50,
        name="volunteers_activities",
    )


def captain_messages(*, request, since) -> Panel | None:
    user = request.user
    if not roles_of(user).captain_grants:
        return None
    unread = unread_message_count(captain=user)
    if not unread:
        return None
    return Panel(
        template="volunteers/_home_messages.html",
        context={"unread": unread},
        order=12,
        name="volunteers_messages",
    )
