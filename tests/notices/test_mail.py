"""Mail: in the recipient's language, HTML and text, preferences per kind, and a
one-click unsubscribe that needs no sign-in."""

import pytest
from django.urls import reverse

from notices import services
from notices.kinds import all_kinds
from notices.models import Delivery, EmailMode, Notification, NotificationPreference

PREFERENCES = reverse("notices:preferences")


@pytest.fixture
def urgent(community, steward, resident, neighbour, django_capture_on_commit_callbacks, outbox):
    neighbour.preferred_language = "en"
    neighbour.save()
    with django_capture_on_commit_callbacks(execute=True):
        return services.publish(
            community=community, author=steward, title="燃气检修", body="请关闭阀门", urgent=True
        )


def mail_to(outbox, user):
    (message,) = [message for message in outbox if user.email in message.to]
    return message


def test_an_urgent_announcement_is_mailed_in_each_readers_language(
    urgent, resident, neighbour, outbox
):
    assert "紧急公告：燃气检修" in mail_to(outbox, resident).subject
    assert "Urgent announcement: 燃气检修" in mail_to(outbox, neighbour).subject
    assert "Hello 李叔" in mail_to(outbox, neighbour).body


def test_the_mail_has_a_text_and_an_html_part_with_an_absolute_link(urgent, resident, outbox):
    message = mail_to(outbox, resident)
    link = f"https://covenant.example.org{urgent.get_absolute_url()}"
    assert link in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html


def test_the_mail_carries_one_click_unsubscribe_headers(urgent, resident, outbox):
    message = mail_to(outbox, resident)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message.extra_headers["List-Unsubscribe"]
    assert url.startswith("<https://covenant.example.org/notices/unsubscribe/")


def test_a_delivery_is_marked_sent_with_its_time(urgent, resident):
    delivery = Delivery.objects.get(notification__recipient=resident)
    assert delivery.state == "sent"
    assert delivery.sent_at is not None
    assert delivery.attempts == 1


def test_mail_is_sent_at_once_for_a_kind_the_person_wants_immediately(
    community, steward, resident, outbox, django_capture_on_commit_callbacks
):
    services.set_preferences(user=resident, modes={"announcement.published": EmailMode.IMMEDIATELY})
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(community=community, author=steward, title="开会", body="…")
    assert "新公告：开会" in mail_to(outbox, resident).subject


def test_no_mail_for_a_kind_switched_off(
    community, steward, resident, outbox, django_capture_on_commit_callbacks
):
    services.set_preferences(user=resident, modes={"announcement.published": EmailMode.OFF})
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(community=community, author=steward, title="开会", body="…")
    assert outbox == []
    assert Notification.objects.get(recipient=resident).email == EmailMode.OFF


# --- Preferences page ---------------------------------------------------------------------


def test_the_preferences_page_shows_the_defaults(client, resident):
    client.force_login(resident)
    form = client.get(PREFERENCES).context["form"]
    assert form["announcement.published"].initial == EmailMode.DAILY
    assert form["membership.verified"].initial == EmailMode.IMMEDIATELY
    assert "membership.requested" not in form.fields  # for captains and admins


def test_a_captain_chooses_mail_for_new_membership_requests(client, captain_3):
    client.force_login(captain_3)
    assert "membership.requested" in client.get(PREFERENCES).context["form"].fields


def test_the_preferences_page_saves_a_choice(client, resident):
    client.force_login(resident)
    offered = client.get(PREFERENCES).context["form"]
    choices = {name: field.initial for name, field in offered.fields.items()}
    changed = {
        "announcement.published": "weekly",
        "membership.verified": "off",
        "membership.rejected": "immediately",
    }
    response = client.post(PREFERENCES, {**choices, **changed})
    assert response.status_code == 302
    saved = dict(NotificationPreference.objects.values_list("kind", "email"))
    assert saved == {**choices, **changed}
    assert "proposals.needs_moderation" not in saved, "a resident decides no queue"


def test_the_preferences_page_refuses_an_unknown_choice(client, resident):
    client.force_login(resident)
    response = client.post(PREFERENCES, {"announcement.published": "hourly"})
    assert response.status_code == 200
    assert not NotificationPreference.objects.exists()


def test_the_preferences_page_sends_visitors_to_sign_in(client, db):
    assert client.get(PREFERENCES).status_code == 302


# --- Unsubscribe --------------------------------------------------------------------------


def unsubscribe_url(user, kind):
    return reverse("notices:unsubscribe", args=[services.unsubscribe_token(user=user, kind=kind)])


def test_the_unsubscribe_link_asks_before_it_acts(client, resident):
    response = client.get(unsubscribe_url(resident, "announcement.published"))
    assert response.status_code == 200
    assert "发给我的新公告" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_one_click_unsubscribes_without_signing_in(client, resident):
    response = client.post(
        unsubscribe_url(resident, "announcement.published"),
        {"List-Unsubscribe": "One-Click"},
    )
    assert response.status_code == 200
    preference = NotificationPreference.objects.get(user=resident)
    assert (preference.kind, preference.email) == ("announcement.published", EmailMode.OFF)


def test_a_tampered_token_is_refused(client, resident, neighbour):
    token = services.unsubscribe_token(user=resident, kind="announcement.published")
    forged = token.replace(
        token.split(":")[0], services.unsubscribe_token(user=neighbour, kind="x").split(":")[0]
    )
    for bad in (token[:-2] + "xx", forged, "nonsense"):
        response = client.post(reverse("notices:unsubscribe", args=[bad]))
        assert response.status_code == 400
    assert not NotificationPreference.objects.exists()


def test_unsubscribing_stops_mail_waiting_for_the_digest(client, to_estate, resident):
    client.post(unsubscribe_url(resident, "announcement.published"))
    assert Notification.objects.get(recipient=resident).email == EmailMode.OFF


def test_a_digest_token_switches_off_every_kind_in_that_digest(client, resident):
    client.post(unsubscribe_url(resident, services.ALL_OF_FREQUENCY + "daily"))
    off = set(NotificationPreference.objects.filter(email="off").values_list("kind", flat=True))
    daily = {kind.key for kind in all_kinds() if kind.default_email == EmailMode.DAILY}
    assert off == daily
    assert {"announcement.published", "membership.requested", "proposals.comment"} <= off
