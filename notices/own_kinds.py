"""The kinds notices sends itself: announcements, and the core's membership events."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notices.kinds import NotificationKind, context_of, register
from notices.models import EmailMode


def _announcement(notification):
    context = context_of(notification)
    if context["urgent"]:
        return _("Urgent announcement: %(title)s") % context
    return _("New announcement: %(title)s") % context


def _updated(notification):
    context = context_of(notification)
    if context["urgent"]:
        return _("Urgent announcement updated: %(title)s") % context
    return _("Announcement updated: %(title)s") % context


def _verified(notification):
    return _("You are now a verified resident of %(household)s.") % context_of(notification)


def _rejected(notification):
    return _("Your request to join %(household)s was not accepted: %(reason)s") % context_of(
        notification
    )


def _requested(notification):
    return _("%(actor)s asks to join %(household)s.") % context_of(notification)


def register_own_kinds() -> None:
    register(
        NotificationKind(
            key="announcement.published",
            label=gettext_lazy("A new announcement for me"),
            render=_announcement,
            default_email=EmailMode.DAILY,
        )
    )
    register(
        NotificationKind(
            key="announcement.updated",
            label=gettext_lazy("An announcement for me was updated"),
            render=_updated,
            default_email=EmailMode.DAILY,
        )
    )
    register(
        NotificationKind(
            key="membership.verified",
            label=gettext_lazy("My household membership was verified"),
            render=_verified,
            default_email=EmailMode.IMMEDIATELY,
        )
    )
    register(
        NotificationKind(
            key="membership.rejected",
            label=gettext_lazy("My household membership was not accepted"),
            render=_rejected,
            default_email=EmailMode.IMMEDIATELY,
        )
    )
    register(
        NotificationKind(
            key="membership.requested",
            label=gettext_lazy("A new membership request in my queue"),
            render=_requested,
            default_email=EmailMode.DAILY,
            for_deciders=True,
        )
    )
