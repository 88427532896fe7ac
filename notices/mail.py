"""Mail of notifications and digests: in the recipient's language, HTML and text, with
a one-click unsubscribe (RFC 8058) that needs no sign-in."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from covenant.models import User
from notices import kinds, services
from notices.models import Digest, Notification


def _site_name() -> str:
    return settings.SITE_NAME or _("Covenant")


def _unsubscribe_headers(url: str) -> dict[str, str]:
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _unsubscribe_url(user: User, kind: str) -> str:
    token = services.unsubscribe_token(user=user, kind=kind)
    return services.site_url(reverse("notices:unsubscribe", args=[token]))


def _item(notification: Notification, reader: User) -> dict:
    return {
        "text": kinds.render_text(notification, reader=reader),
        "url": services.site_url(notification.url or reverse("notices:inbox")),
        "urgent": notification.urgent,
        "created_at": notification.created_at,
        "kind": notification.kind,
    }


def _message(
    *, user: User, subject: str, template: str, context: dict, unsubscribe: str
) -> EmailMultiAlternatives:
    context = {
        **context,
        "user": user,
        "site_name": _site_name(),
        "unsubscribe_url": unsubscribe,
        "preferences_url": services.site_url(reverse("notices:preferences")),
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"notices/email/{template}.txt", context),
        to=[user.email],
        headers=_unsubscribe_headers(unsubscribe),
    )
    message.attach_alternative(
        render_to_string(f"notices/email/{template}.html", context), "text/html"
    )
    return message


def notification_message(notification: Notification) -> EmailMultiAlternatives:
    user = notification.recipient
    with translation.override(user.preferred_language):
        item = _item(notification, user)
        subject = f"{_site_name()} · {item['text']}"
        if notification.urgent:
            subject = _("[Urgent]") + " " + subject
        return _message(
            user=user,
            subject=subject,
            template="notification",
            context={"item": item},
            unsubscribe=_unsubscribe_url(user, notification.kind),
        )


def digest_message(digest: Digest, items: Sequence[Notification]) -> EmailMultiAlternatives:
    user = digest.user
    with translation.override(user.preferred_language):
        if digest.frequency == Digest.Frequency.DAILY:
            subject = _("%(site)s · your daily digest: %(count)s new") % {
                "site": _site_name(),
                "count": len(items),
            }
        else:
            subject = _("%(site)s · your weekly digest: %(count)s new") % {
                "site": _site_name(),
                "count": len(items),
            }
        rendered = [_item(item, user) for item in items]
        for entry in rendered:
            entry["unsubscribe_url"] = _unsubscribe_url(user, entry["kind"])
            entry["kind_label"] = kinds.get(entry["kind"]).label
        return _message(
            user=user,
            subject=subject,
            template="digest",
            context={"items": rendered, "digest": digest},
            unsubscribe=_unsubscribe_url(user, services.ALL_OF_FREQUENCY + digest.frequency),
        )


def send(message: EmailMultiAlternatives) -> int:
    return mailers.default.send_messages([message])
