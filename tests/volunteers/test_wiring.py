"""What the app plugs into: celery beat, the personal-data download, the demo seeder."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from covenant.celery import app
from covenant.demo import CAPTAIN_EMAILS, VOLUNTEER_EMAILS
from covenant.models import User
from tests.covenant.test_seed_demo import FAST_HASHERS, remove_demo_estate
from tests.volunteers.factories import ServiceEntryFactory
from volunteers import services
from volunteers.models import Activity, CaptainMessage, ServiceEntry, SignUp, Volunteer


def test_celery_beat_claims_the_reminders_every_ten_minutes():
    entry = app.conf.beat_schedule["volunteers-send-due-reminders"]
    assert entry["task"] == "volunteers.tasks.send_due_reminders"
    assert entry["schedule"] == datetime.timedelta(minutes=10)


def test_the_personal_data_download_holds_ones_volunteering(client, volunteer, activity):
    services.sign_up(activity_id=activity.pk, user=volunteer)
    ServiceEntryFactory(user=volunteer, hours=2)
    client.force_login(volunteer)
    data = client.get(reverse("personal_data_download")).json()["volunteering"]
    assert data["application"]["roster_name"] == "3栋黄姨"
    assert data["sign_ups"][0]["activity"] == "楼道杂物清理"
    assert data["service_hours"][0]["hours"] == "2.00"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS, DEBUG=True):
        call_command("seed_demo", stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        remove_demo_estate()


@pytest.mark.django_db
def test_the_demo_seeds_the_team_with_captains_and_three_applications(demo):
    first_estates = Volunteer.objects.filter(user__email__in=VOLUNTEER_EMAILS)
    assert first_estates.filter(status="approved").count() == len(VOLUNTEER_EMAILS) - 3
    assert Volunteer.objects.filter(status="applied").count() == 3
    captain = User.objects.get(email=CAPTAIN_EMAILS[2])
    assert captain.has_perm("volunteers.sign_up")


@pytest.mark.django_db
def test_the_demo_has_months_of_hours_and_a_full_activity_with_a_waitlist(demo):
    months = {entry.served_on.replace(day=1) for entry in ServiceEntry.objects.all()}
    assert len(months) >= 5
    coming = Activity.objects.filter(starts_at__gt=timezone.now())
    assert any(
        a.signups.filter(status=SignUp.Status.WAITLISTED).exists()
        and a.signups.filter(status=SignUp.Status.CONFIRMED).count() == a.capacity
        for a in coming
    )
    assert CaptainMessage.objects.filter(captain__email=CAPTAIN_EMAILS[2]).exists()


@pytest.mark.django_db
def test_the_demo_has_a_coming_activity_cancelled_with_its_reason(demo):
    cancelled = Activity.objects.get(status=Activity.Status.CANCELLED)
    assert cancelled.starts_at > timezone.now()
    assert cancelled.cancel_reason
    assert not cancelled.signups.exclude(status=SignUp.Status.CANCELLED).exists()
    assert cancelled.signups.exists()


@pytest.mark.django_db
def test_the_demo_adds_nothing_when_run_again(demo):
    before = (Activity.objects.count(), SignUp.objects.count(), Volunteer.objects.count())
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=io.StringIO())
    assert (Activity.objects.count(), SignUp.objects.count(), Volunteer.objects.count()) == before
