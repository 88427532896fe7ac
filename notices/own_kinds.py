"""The kinds notices sends itself: announcements, and the core's membership events."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notices.kinds import NotificationKind, context_of, register, says
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
            render=says(gettext_lazy("You are now a verified resident of %(household)s.")),
            default_email=EmailMode.IMMEDIATELY,
        )
    )
    register(
        NotificationKind(
            key="membership.rejected",
            label=gettext_lazy("My household membership was not accepted"),
            render=says(
                gettext_lazy("Your request to join %(household)s was not accepted: %(reason)s")
            ),
            default_email=EmailMode.IMMEDIATELY,
        )
    )
    register(
        NotificationKind(
            key="membership.requested",
            label=gettext_lazy("A new membership request in my queue"),
            render=says(gettext_lazy("%(actor)s asks to join %(household)s.")),
            default_email=EmailMode.DAILY,
            for_deciders=True,
        )
    )
