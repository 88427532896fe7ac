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
    from covenant.models import User
    from notices.models import Notification


class _SafeContext(dict):
    """A context that answers a missing key with an empty string, so an older
    notification without a newer key still renders."""

    def __missing__(self, key):
        return ""


def context_of(notification: Notification) -> _SafeContext:
    context = _SafeContext(notification.context or {})
    if "actor" not in context or not context["actor"]:
        shown = getattr(notification, "shown_actor", None)
        context["actor"] = shown if shown is not None else actor_as_seen_by(notification)
    return context


@dataclass(frozen=True)
class NotificationKind:
    key: str
    label: str  # lazy: what the preferences page calls it
    render: Callable[[Notification], str]
    default_email: str = EmailMode.DAILY
    # For captains and admins only: the preferences page shows it to them alone.
    for_deciders: bool = False
    # How the sending app names the actor to a reader, `(notification, reader) -> str`,
    # for a kind whose actor may be someone the reader must not know by name (a golden
    # idea's "hide my name" author); without it, the actor's display name.
    actor_as_seen_by: Callable[[Notification, User], str] | None = None

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


# Who names the actor of a notification about an object of theirs, whatever its kind:
# `(notification, reader) -> str`, by the target's model ("proposals.comment"). An app
# whose objects may have a hidden author registers one, so that no kind can forget it.
_TARGET_NAMERS: dict[str, Callable] = {}


def register_actor_namer(model_label: str, namer: Callable) -> None:
    _TARGET_NAMERS[model_label.lower()] = namer


def _namer_of(notification: Notification) -> Callable | None:
    kind = get(notification.kind)
    if kind.actor_as_seen_by is not None:
        return kind.actor_as_seen_by
    if not notification.target_type_id or not _TARGET_NAMERS:
        return None
    from django.contrib.contenttypes.models import ContentType

    # get_for_id is cached: naming costs no query for the content type.
    target_type = ContentType.objects.get_for_id(notification.target_type_id)
    return _TARGET_NAMERS.get(f"{target_type.app_label}.{target_type.model}")


def actor_as_seen_by(notification: Notification, reader: User | None = None) -> str:
    """The notification's actor as its reader (the recipient; pass the request's user when
    it is them) may see them, in the text, the inbox's sender line and mail alike: as the
    kind, or the app of its target, names them; else by their display name."""
    if not notification.actor_id:
        return ""
    namer = _namer_of(notification)
    if namer is None:
        return str(notification.actor.display_name)
    reader = reader if reader is not None else notification.recipient
    try:
        return str(namer(notification, reader))
    except (KeyError, TypeError, ValueError):
        # Never the name as a fallback: it may be the one the reader must not see.
        return ""


def render_text(notification: Notification, reader: User | None = None) -> str:
    """The notification's sentence for its reader; `notification.shown_actor` is set too,
    for the sender line."""
    notification.shown_actor = actor_as_seen_by(notification, reader)
    return get(notification.kind).text(notification)
