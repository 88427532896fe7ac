"""The notices part of a person's data download."""

from notices.models import Digest, Notification, NotificationPreference


def notices_of(user) -> dict:
    return {
        "preferences": dict(
            NotificationPreference.objects.filter(user=user).values_list("kind", "email")
        ),
        "notifications": [
            {
                "kind": kind,
                "link": url,
                "created_at": created_at.isoformat(),
                "read_at": read_at.isoformat() if read_at else None,
            }
            for kind, url, created_at, read_at in Notification.objects.filter(
                recipient=user
            ).values_list("kind", "url", "created_at", "read_at")
        ],
    }


def forget_person(user) -> None:
    """Account deletion: their inbox, mail settings and digests go (unsent mail with
    them); announcements they wrote and households they told stay, as the estate's
    record, under "former resident"."""
    Notification.objects.filter(recipient=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
    Digest.objects.filter(user=user).delete()
