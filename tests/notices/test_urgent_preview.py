"""An urgent announcement is mailed to everyone at once: its author sees the mail and how
many people it reaches, per estate, before it goes out."""

import pytest
from django.core import mail
from django.urls import reverse

from notices.models import Announcement, Notification
from tests.factories import MembershipFactory, UserFactory

NEW = reverse("notices:announcement_create")


def _form(**overrides):
    data = {
        "title": "紧急停水",
        "body": "今晚停水。",
        "audience": "estate",
        "publish_at": "",
        "urgent": "on",
    }
    data.update(overrides)
    return data


def test_an_urgent_post_without_confirmation_shows_the_preview_and_sends_nothing(
    client, steward, resident, neighbour
):
    client.force_login(steward)

    response = client.post(NEW, _form())

    assert response.status_code == 200
    assert not Announcement.objects.exists()
    assert not Notification.objects.exists()
    assert mail.outbox == []
    preview = response.context["preview"]
    assert preview["total"] == 2  # the resident and the neighbour; never the author
    assert "紧急停水" in preview["subject"]
    html = response.content.decode()
    assert preview["subject"] in html
    assert f'name="confirm" value="{preview["key"]}"' in html


def test_the_preview_counts_what_publishing_then_tells(
    client, captain_3, building_3, resident, neighbour
):
    client.force_login(captain_3)
    data = _form(audience="buildings", buildings=[building_3.pk])

    preview = client.post(NEW, data).context["preview"]
    response = client.post(NEW, {**data, "confirm": preview["key"]})

    assert response.status_code == 302
    assert preview["total"] == 1 == Notification.objects.count()
    assert Notification.objects.get().recipient == resident


def test_the_preview_counts_per_estate_and_only_verified_people(
    client, steward, community, resident, unit_3_1201
):
    MembershipFactory(household=unit_3_1201, user=UserFactory(), status="requested")
    client.force_login(steward)

    preview = client.post(NEW, _form()).context["preview"]

    assert [(estate, count) for estate, count in preview["reach"]] == [(community, 1)]


def test_the_confirmed_post_publishes_and_mails(client, steward, resident):
    client.force_login(steward)
    preview = client.post(NEW, _form()).context["preview"]

    response = client.post(NEW, {**_form(), "confirm": preview["key"]})

    assert response.status_code == 302
    assert Announcement.objects.get().urgent
    assert Notification.objects.filter(recipient=resident, urgent=True).exists()


def test_a_changed_title_after_the_preview_shows_the_preview_again(client, steward, resident):
    client.force_login(steward)
    preview = client.post(NEW, _form()).context["preview"]

    response = client.post(NEW, {**_form(title="紧急停电"), "confirm": preview["key"]})

    assert response.status_code == 200
    assert "紧急停电" in response.context["preview"]["subject"]
    assert not Announcement.objects.exists()


def test_a_forged_confirmation_sends_nothing(client, steward, resident):
    client.force_login(steward)

    response = client.post(NEW, {**_form(), "confirm": "yes"})

    assert response.status_code == 200
    assert not Announcement.objects.exists()


def test_announcements_that_are_not_urgent_publish_at_once(client, steward, resident):
    client.force_login(steward)
    data = _form()
    del data["urgent"]

    assert client.post(NEW, data).status_code == 302
    assert Announcement.objects.exists()


@pytest.mark.parametrize("name", ["newcomer", "resident"])
def test_people_without_a_role_get_no_preview(client, persona, name):
    client.force_login(persona(name))
    assert client.post(NEW, _form()).status_code == 403
