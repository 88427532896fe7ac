"""iCalendar output: one activity, or a person's feed, in the estate's time zone."""

from __future__ import annotations

import zoneinfo
from collections.abc import Collection, Iterable

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vText

from volunteers.models import Activity

PRODID = "-//Covenant//Volunteers//ZH"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    return calendar


def _event(activity: Activity, *, url: str, host: str, tentative: bool = False) -> Event:
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    event = Event()
    event.add("uid", f"activity-{activity.pk}@{host}")
    if activity.is_cancelled:
        # Calendar apps strike the event out (or drop it) on STATUS:CANCELLED.
        # Translators: after an activity's title in a calendar, once it is called off.
        mark = _("(cancelled)")
        event.add("summary", f"{activity.title} {mark}")
        event.add("status", "CANCELLED")
    elif tentative:
        # A place in the waitlist: the person may or may not go.
        # Translators: after an activity's title in a calendar, for a waitlist place.
        mark = _("(waitlist)")
        event.add("summary", f"{activity.title} {mark}")
        event.add("status", "TENTATIVE")
    else:
        event.add("summary", activity.title)
    event.add("dtstart", timezone.localtime(activity.starts_at, zone))
    event.add("dtend", timezone.localtime(activity.ends_at, zone))
    event.add("dtstamp", activity.updated_at)
    event.add("location", vText(activity.place))
    description = activity.description
    if activity.is_cancelled:
        cancelled = _("Cancelled: %(reason)s") % {"reason": activity.cancel_reason}
        description = f"{cancelled}\n\n{description}".strip()
    event.add("description", f"{description}\n\n{url}".strip())
    event.add("url", url)
    return event


def activities_calendar(
    activities: Iterable[Activity],
    *,
    name: str,
    url_of,
    host: str,
    tentative: Collection[int] = frozenset(),
) -> bytes:
    """``url_of(activity)`` gives each event's absolute link; the activities whose ids
    are in ``tentative`` (a waitlist place) are marked so."""
    calendar = _calendar(name)
    for activity in activities:
        calendar.add_component(
            _event(activity, url=url_of(activity), host=host, tentative=activity.pk in tentative)
        )
    calendar.add_missing_timezones()
    return calendar.to_ical()
