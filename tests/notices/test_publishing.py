"""Publishing: who may publish to whom, and fan-out that does not grow per person."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from covenant.models import Membership
from notices import services
from notices.models import Announcement, Audience, Delivery, EmailMode, Notification
from tests.conftest import fresh
from tests.factories import HouseholdFactory, MembershipFactory, UserFactory

NEW = reverse("notices:announcement_create")


def _form(**overrides):
    data = {"title": "停电通知", "body": "周五停电。", "audience": "estate", "publish_at": ""}
    data.update(overrides)
    return data


def test_the_publish_page_sends_visitors_to_sign_in(client, db):
    response = client.get(NEW)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["newcomer", "resident"])
def test_residents_without_a_role_may_not_publish(client, persona, name):
    client.force_login(persona(name))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, _form()).status_code == 403
    assert not Announcement.objects.exists()


@pytest.mark.parametrize("name", ["steward", "party_member", "admin_user"])
def test_estate_publishers_publish_to_the_whole_estate(client, persona, name, resident, neighbour):
    client.force_login(persona(name))
    response = client.post(NEW, _form())
    announcement = Announcement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == announcement.get_absolute_url()
    assert set(Notification.objects.values_list("recipient__email", flat=True)) >= {
        resident.email,
        neighbour.email,
    }


def test_a_captain_publishes_to_their_own_building(
    client, captain_3, building_3, resident, neighbour
):
    client.force_login(captain_3)
    response = client.post(NEW, _form(audience="buildings", buildings=[building_3.pk]))
    assert response.status_code == 302
    assert list(Notification.objects.values_list("recipient__email", flat=True)) == [resident.email]


def test_a_captain_may_not_publish_to_another_building(client, captain_3, building_5):
    client.force_login(captain_3)
    response = client.post(NEW, _form(audience="buildings", buildings=[building_5.pk]))
    assert response.status_code == 200
    assert "buildings" in response.context["form"].errors
    assert not Announcement.objects.exists()


def test_a_captain_may_not_publish_to_the_whole_estate(client, captain_3, building_3):
    client.force_login(captain_3)
    response = client.post(NEW, _form(audience="estate"))
    assert "audience" in response.context["form"].errors
    assert not Announcement.objects.exists()


def test_an_expiry_before_publishing_is_refused(client, steward):
    client.force_login(steward)
    now = timezone.localtime()
    response = client.post(
        NEW,
        _form(
            publish_at=now.strftime("%Y-%m-%dT%H:%M"),
            expires_at=(now - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    assert "expires_at" in response.context["form"].errors


def test_markdown_in_an_announcement_is_sanitised(community, client, steward, resident):
    announcement = services.publish(
        community=community,
        author=steward,
        title="t",
        body="**重要** <script>alert(1)</script>",
        audience="estate",
    )
    client.force_login(resident)
    html = client.get(announcement.get_absolute_url()).content.decode()
    assert "<strong>重要</strong>" in html
    assert "<script>alert(1)" not in html


def test_the_author_is_not_notified_of_their_own_announcement(to_building_3, captain_3):
    assert not Notification.objects.filter(recipient=captain_3).exists()


def test_an_urgent_announcement_is_mailed_at_once_even_to_those_who_chose_off(
    community, steward, resident, outbox, django_capture_on_commit_callbacks
):
    services.set_preferences(user=resident, modes={"announcement.published": EmailMode.OFF})
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(
            community=community, author=steward, title="燃气泄漏", body="请勿开火", urgent=True
        )
    (message,) = [m for m in outbox if resident.email in m.to]
    assert "燃气泄漏" in message.subject


def test_an_ordinary_announcement_waits_for_the_daily_digest_by_default(
    to_estate, resident, outbox
):
    notification = Notification.objects.get(recipient=resident)
    assert notification.email == EmailMode.DAILY
    assert not Delivery.objects.exists()
    assert outbox == []


def test_a_scheduled_announcement_tells_its_audience_once_when_due(community, steward, resident):
    announcement = services.publish(
        community=community,
        author=steward,
        title="周末活动",
        body="…",
        publish_at=timezone.now() + datetime.timedelta(hours=1),
    )
    assert services.publish_due_announcements() == 0
    Announcement.objects.filter(pk=announcement.pk).update(
        publish_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert services.publish_due_announcements() == 1
    assert services.publish_due_announcements() == 0
    assert services.notify_audience(announcement_id=announcement.pk) == 0
    assert Notification.objects.filter(recipient=resident).count() == 1


def _estate_of(building, households: int):
    for number in range(households):
        household = HouseholdFactory(
            building=building, floor=1 + number % 18, unit=f"U{number:04d}"
        )
        MembershipFactory(
            household=household,
            user=UserFactory(email=f"fan{building.number}-{number}@example.org"),
            status=Membership.Status.VERIFIED,
            decided_at=timezone.now(),
        )


@pytest.mark.parametrize("households", [10, 120])
def test_publishing_to_the_estate_takes_the_same_queries_for_10_or_120_households(
    community, steward, building_3, households, django_capture_on_commit_callbacks
):
    _estate_of(building_3, households)
    steward = fresh(steward)
    with (
        django_capture_on_commit_callbacks() as callbacks,
        CaptureQueriesContext(connection) as queries,
    ):
        services.publish(
            community=community, author=steward, title="全体通知", body="…", urgent=True
        )
    sql = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    # 1. the author's role grants  2. their verified homes (may they publish in this
    # estate?)  3. the announcement  4. the audience's ids  5. notifications
    # 6. deliveries (urgent: no preferences to read)  7. notified_at. Up to 500 people
    # share each INSERT. The row written in this transaction is not fetched again.
    assert len(sql) == 7, "\n".join(sql)
    for callback in callbacks:
        callback()
    assert Notification.objects.count() == households
    assert Delivery.objects.filter(state="sent").count() == households


def test_notify_takes_a_bounded_number_of_queries_for_many_people(db, django_assert_num_queries):
    users = UserFactory.create_batch(30)
    ids = [user.pk for user in users]
    # 1. active recipients  2. their preferences  3. notifications  4. savepoint
    # release etc. are not queries; no deliveries for a daily kind
    with CaptureQueriesContext(connection) as small:
        services.notify(recipients=ids[:3], kind="announcement.published")
    with CaptureQueriesContext(connection) as large:
        services.notify(recipients=ids, kind="announcement.published")
    assert len(small) == len(large)
    assert Notification.objects.count() == 33


def test_notify_skips_deactivated_accounts_and_the_actor(db):
    active, gone, actor = UserFactory.create_batch(3)
    gone.is_active = False
    gone.save()
    assert services.notify(recipients=[active, gone, actor], kind="x.y", actor=actor) == 1
    assert list(Notification.objects.values_list("recipient", flat=True)) == [active.pk]


def test_notify_accepts_a_queryset(db):
    UserFactory.create_batch(4)
    from covenant.models import User

    assert services.notify(recipients=User.objects.all(), kind="x.y") == 4


def test_a_buildings_announcement_needs_a_building(community, steward):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.publish(
            community=community, author=steward, title="t", body="b", audience=Audience.BUILDINGS
        )
