"""What the volunteers area tells people, through the notices app: the 24-hour reminder,
changes to an activity they signed up for, its cancellation, and a place freed for them on
the waitlist."""

from __future__ import annotations

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from volunteers.models import Activity, SignUp

REMINDER = "volunteers.reminder"
CHANGED = "volunteers.activity_changed"
PROMOTED = "volunteers.promoted"
CANCELLED = "volunteers.activity_cancelled"
CAPTAIN_REPLIED = "volunteers.captain_replied"


def _when(context) -> str:
    moment = parse_datetime(context.get("starts_at") or "")
    if moment is None:
        return ""
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def register_kinds() -> None:
    from notices.kinds import NotificationKind, register, says
    from notices.models import EmailMode

    register(
        NotificationKind(
            key=REMINDER,
            label=gettext_lazy("A reminder the day before an activity I signed up for"),
            default_email=EmailMode.IMMEDIATELY,
            render=says(gettext_lazy("Tomorrow: “%(title)s” at %(when)s, %(place)s"), when=_when),
        )
    )
    register(
        NotificationKind(
            key=CHANGED,
            label=gettext_lazy("Changes to an activity I signed up for"),
            default_email=EmailMode.IMMEDIATELY,
            render=says(
                gettext_lazy("“%(title)s” has changed: now %(when)s, %(place)s"), when=_when
            ),
        )
    )
    register(
        NotificationKind(
            key=PROMOTED,
            label=gettext_lazy("A place for me from the waitlist"),
            default_email=EmailMode.IMMEDIATELY,
            render=says(
                gettext_lazy("A place came free: you are in “%(title)s” (%(when)s)"), when=_when
            ),
        )
    )
    register(
        NotificationKind(
            key=CANCELLED,
            label=gettext_lazy("An activity I signed up for is cancelled"),
            default_email=EmailMode.IMMEDIATELY,
            render=says(
                gettext_lazy("“%(title)s” (%(when)s) is cancelled: %(reason)s"), when=_when
            ),
        )
    )

    register(
        NotificationKind(
            key=CAPTAIN_REPLIED,
            label=gettext_lazy("My building captain's answer to my message"),
            default_email=EmailMode.IMMEDIATELY,
            render=says(gettext_lazy("Your captain answered: “%(reply)s”")),
        )
    )


def tell_captain_replied(*, message) -> None:
    """The resident hears the captain's answer, in full, with their own words under it."""
    from django.urls import reverse

    _notify(
        recipients=[message.sender_id],
        kind=CAPTAIN_REPLIED,
        target=message,
        actor=message.captain,
        context={"reply": message.reply, "asked": message.body[:200]},
        url=reverse("volunteers:index"),
    )


def _facts(activity: Activity) -> dict:
    return {
        "title": activity.title,
        "place": activity.place,
        "starts_at": activity.starts_at.isoformat(),
    }


def _notify(**kwargs) -> None:
    from notices.services import notify

    notify(**kwargs)


def tell_reminder(*, signup: SignUp) -> None:
    _notify(
        recipients=[signup.user_id],
        kind=REMINDER,
        target=signup.activity,
        context=_facts(signup.activity),
    )


def tell_changed(*, activity: Activity, recipients) -> None:
    _notify(
        recipients=recipients,
        kind=CHANGED,
        target=activity,
        actor=activity.organiser,
        context=_facts(activity),
    )


def tell_promoted(*, activity: Activity, signups: list[SignUp]) -> None:
    if signups:
        _notify(
            recipients=[signup.user_id for signup in signups],
            kind=PROMOTED,
            target=activity,
            context=_facts(activity),
        )


def tell_cancelled(*, activity: Activity, recipients, actor) -> None:
    """Everyone who had a place or waited for one hears that it is off, and why."""
    _notify(
        recipients=recipients,
        kind=CANCELLED,
        target=activity,
        actor=actor,
        context={**_facts(activity), "reason": activity.cancel_reason},
    )
