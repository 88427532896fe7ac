"""bench_notices, the demo seeder, the print view and the personal data download."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from covenant.models import Community, User
from notices.models import Announcement, Notification


def test_bench_notices_measures_and_leaves_nothing_behind(db, settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("bench_notices", "--people", "60", stdout=out)
    output = out.getvalue()
    assert "publish to the estate (notifications):" in output
    assert "60 notifications" in output
    assert "60 deliveries" in output
    assert "build the daily digests:" in output and "60 people with a digest" in output
    assert not Community.objects.exists()
    assert not User.objects.exists()
    assert not Notification.objects.exists()


def test_bench_notices_refuses_a_production_database_without_force(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("bench_notices", "--people", "5", stdout=io.StringIO())


def test_the_print_view_has_a_qr_code_that_opens_the_announcement(client, public_notice):
    response = client.get(reverse("notices:announcement_print", args=[public_notice.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html
    assert f"https://covenant.example.org/notices/announcements/{public_notice.pk}/" in html
    assert "notices/print.css" in html


def test_the_print_view_of_a_non_public_announcement_needs_its_audience(
    client, to_building_3, neighbour
):
    url = reverse("notices:announcement_print", args=[to_building_3.pk])
    assert client.get(url).status_code == 302
    client.force_login(neighbour)
    assert client.get(url).status_code == 403


def test_the_personal_data_download_holds_notifications_and_preferences(
    client, resident, to_estate
):
    client.force_login(resident)
    data = json.loads(client.get(reverse("personal_data_download")).content)
    assert data["notices"]["notifications"][0]["kind"] == "announcement.published"
    assert data["notices"]["preferences"] == {}


def test_a_missing_announcement_is_not_found(client, resident):
    client.force_login(resident)
    assert client.get(reverse("notices:announcement_detail", args=[999])).status_code == 404


@pytest.mark.django_db
def test_the_demo_seeds_announcements_once(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    first = Announcement.objects.count()
    notifications = Notification.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert first == 5 + 1  # and one in the second estate, 翠湖苑
    assert Announcement.objects.count() == first
    assert Notification.objects.count() == notifications


def test_the_admin_lists_announcements_for_community_admins_only(
    client, admin_user, steward, to_estate
):
    url = reverse("admin:notices_announcement_changelist")
    client.force_login(admin_user)
    assert client.get(url).status_code == 200
    steward.is_staff = True
    steward.save()
    client.force_login(steward)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("model", ["notification", "delivery", "digest"])
def test_inboxes_and_mail_are_in_the_admin_for_the_superuser_only(
    client, admin_user, to_estate, model
):
    """A person's inbox spans every estate they belong to: no estate admin reads it."""
    from tests.factories import UserFactory

    url = reverse(f"admin:notices_{model}_changelist")
    client.force_login(admin_user)
    assert client.get(url).status_code == 403
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(url).status_code == 200


def test_deleting_an_account_forgets_its_inbox_but_keeps_its_announcements(
    steward, resident, to_estate
):
    from covenant import services as covenant_services
    from notices import services
    from notices.models import NotificationPreference

    services.set_preferences(user=resident, modes={"announcement.published": "weekly"})
    covenant_services.delete_account(user=steward)
    covenant_services.delete_account(user=resident)
    assert not Notification.objects.filter(recipient=resident).exists()
    assert not NotificationPreference.objects.filter(user=resident).exists()
    announcement = Announcement.objects.get()
    assert announcement.author == steward
    assert announcement.author.deleted_at is not None
    assert str(announcement.author.display_name) == "前住户"
