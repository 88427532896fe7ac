"""The kinds of notification, registered by the app that sends them.

A kind knows how to say itself in the language that is active when it is shown (the
reader's, in the inbox and in mail), from the context stored with the notification:

    from django.utils.translation import gettext as _
    from notices.kinds import NotificationKind, register

    register(NotificationKind(
        key="proposals.comment",
        label=_lazy("A comment on my idea"),
        default_email=EmailMode.DAILY,
        render=lambda n: _("%(actor)s commented on your idea “%(title)s”") % n.context,
    ))

A kind nobody registered (an app was removed, a key was renamed) is still shown, with a
neutral sentence and its link, so an inbox never breaks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from notices.models import EmailMode

if TYPE_CHECKING:
    from notices.models import Notification


class _SafeContext(dict):
    """A context that answers a missing key with an empty string, so an older
    notification without a newer key still renders."""

    def __missing__(self, key):
        return ""


def context_of(notification: Notification) -> _SafeContext:
    context = _SafeContext(notification.context or {})
    if "actor" not in context or not context["actor"]:
        actor = notification.actor if notification.actor_id else None
        context["actor"] = actor.display_name if actor is not None else ""
    return context


@dataclass(frozen=True)
class NotificationKind:
    key: str
    label: str  # lazy: what the preferences page calls it
    render: Callable[[Notification], str]
    default_email: str = EmailMode.DAILY
    # For captains and admins only: the preferences page shows it to them alone.
    for_deciders: bool = False

    def text(self, notification: Notification) -> str:
        try:
            return str(self.render(notification))
        except (KeyError, TypeError, ValueError):
            return UNKNOWN.text(notification)


def says(message, **derived: Callable[[dict], str]) -> Callable[[Notification], str]:
    """A render function: the lazy `message` in the reader's language, filled from the
    stored context, plus values derived from it when shown (a status's label, a time in
    the reader's format): `says(gettext_lazy("%(title)s at %(when)s"), when=format_when)`.
    """

    def render(notification: Notification) -> str:
        context = context_of(notification)
        for name, derive in derived.items():
            context[name] = derive(context)
        return str(message) % context

    return render


UNKNOWN = NotificationKind(
    key="",
    label=_("Other updates"),
    render=lambda notification: gettext("An update for you"),
)

_KINDS: dict[str, NotificationKind] = {}


def register(kind: NotificationKind) -> NotificationKind:
    _KINDS[kind.key] = kind
    return kind


def get(key: str) -> NotificationKind:
    return _KINDS.get(key, UNKNOWN)


def is_registered(key: str) -> bool:
    return key in _KINDS


def all_kinds() -> list[NotificationKind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.key)


def render_text(notification: Notification) -> str:
    return get(notification.kind).text(notification)
