"""Digests (one per person and period, never empty) and the delivery state machine
(idempotent sending, retries with backoff, the sweeper)."""

import datetime
import io
import smtplib

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notices import delivery, digests, services, tasks
from notices.models import Delivery, Digest, EmailMode, Notification
from tests.factories import UserFactory


def run_daily():
    return [delivery.send_digest(pk) for pk in digests.build_digests(frequency="daily")]


def test_a_daily_digest_holds_the_days_items(to_estate, to_building_3, resident, outbox):
    assert "sent" in run_daily()
    (message,) = [m for m in outbox if resident.email in m.to]
    assert "每日摘要：2 条新消息" in message.subject
    assert "全小区停水通知" in message.body and "3栋电梯停运通知" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_running_the_digest_twice_sends_one_per_person(to_estate, resident, neighbour, outbox):
    run_daily()
    run_daily()
    assert sorted(m.to[0] for m in outbox) == sorted([resident.email, neighbour.email])
    assert Digest.objects.count() == 2


def test_an_item_read_before_the_digest_is_left_out_and_an_empty_digest_is_not_sent(
    client, to_estate, resident, outbox
):
    client.force_login(resident)
    client.get(to_estate.get_absolute_url())
    run_daily()
    assert not [m for m in outbox if resident.email in m.to]


def test_an_item_read_after_the_digest_was_built_is_left_out_when_sending(
    to_estate, resident, outbox
):
    (digest_id, *_others) = [
        pk
        for pk in digests.build_digests(frequency="daily")
        if Digest.objects.get(pk=pk).user == resident
    ]
    services.mark_all_read(user=resident)
    assert delivery.send_digest(digest_id) == "empty"
    assert Digest.objects.get(pk=digest_id).state == Digest.State.EMPTY
    assert not [m for m in outbox if resident.email in m.to]


def test_items_mailed_in_a_digest_are_not_mailed_again(community, steward, resident, outbox):
    services.publish(community=community, author=steward, title="第一条", body="…")
    run_daily()
    services.publish(community=community, author=steward, title="第二条", body="…")
    tomorrow = digests.period_of("daily") + datetime.timedelta(days=1)
    for pk in digests.build_digests(frequency="daily", period=tomorrow):
        delivery.send_digest(pk)
    first, second = [m for m in outbox if resident.email in m.to]
    assert "第一条" in first.body and "第二条" not in first.body
    assert "第二条" in second.body and "第一条" not in second.body


def test_weekly_items_wait_for_the_weekly_digest(community, steward, resident, outbox):
    services.set_preferences(user=resident, modes={"announcement.published": EmailMode.WEEKLY})
    services.publish(community=community, author=steward, title="周报", body="…")
    run_daily()
    assert not [m for m in outbox if resident.email in m.to]
    for pk in digests.build_digests(frequency="weekly"):
        delivery.send_digest(pk)
    (message,) = [m for m in outbox if resident.email in m.to]
    assert "每周摘要" in message.subject


def test_the_weekly_period_is_the_monday_of_the_local_week():
    thursday = datetime.datetime(2026, 11, 26, 20, 0, tzinfo=datetime.UTC)  # Fri 04:00 in Shanghai
    assert digests.period_of("weekly", thursday) == datetime.date(2026, 11, 23)
    assert digests.period_of("daily", thursday) == datetime.date(2026, 11, 27)


def test_the_digest_is_in_the_readers_language(to_estate, neighbour, outbox):
    neighbour.preferred_language = "en"
    neighbour.save()
    run_daily()
    (message,) = [m for m in outbox if neighbour.email in m.to]
    assert "your daily digest: 1 new" in message.subject
    assert "New announcement: 全小区停水通知" in message.body


@pytest.mark.parametrize("people", [5, 60])
def test_building_digests_takes_the_same_queries_for_5_or_60_people(db, people):
    users = UserFactory.create_batch(people)
    services.notify(recipients=users, kind="announcement.published", context={"title": "t"})
    with CaptureQueriesContext(connection) as queries:
        pending = digests.build_digests(frequency="daily", batch_size=500)
    assert len(pending) == people
    sql = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    # 1. who has items waiting  2. insert the digests  3. attach the items  4. pending ids
    assert len(sql) == 4, "\n".join(sql)


def test_send_digests_command_sends_them(to_estate, resident, outbox):
    call_command("send_digests", stdout=io.StringIO())
    assert [m for m in outbox if resident.email in m.to]


# --- Deliveries ---------------------------------------------------------------------------


@pytest.fixture
def pending_delivery(resident):
    services.set_preferences(user=resident, modes={"membership.verified": EmailMode.IMMEDIATELY})
    # Written without running on-commit hooks: as if the broker never got it.
    services.notify(
        recipients=[resident], kind="membership.verified", context={"household": "3-1201"}
    )
    return Delivery.objects.get()


def test_a_task_delivered_twice_sends_once(pending_delivery, outbox):
    assert tasks.send_deliveries([pending_delivery.pk]) == {"sent": 1}
    assert tasks.send_deliveries([pending_delivery.pk]) == {"claimed": 1}
    assert len(outbox) == 1


def test_an_smtp_error_is_retried_later_with_backoff(
    pending_delivery, outbox, monkeypatch, settings
):
    settings.NOTICES_RETRY_BASE_SECONDS = 60

    def refuse(message):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(delivery.mail, "send", refuse)
    before = timezone.now()
    assert delivery.send_delivery(pending_delivery.pk) == "retry"
    pending_delivery.refresh_from_db()
    assert pending_delivery.state == "pending"
    assert pending_delivery.attempts == 1
    assert "SMTPServerDisconnected" in pending_delivery.last_error
    assert pending_delivery.next_attempt_at >= before + datetime.timedelta(seconds=60)
    # Not before its time: a second task finds it waiting.
    assert delivery.send_delivery(pending_delivery.pk) == "claimed"
    Delivery.objects.filter(pk=pending_delivery.pk).update(next_attempt_at=timezone.now())
    assert delivery.send_delivery(pending_delivery.pk) == "retry"
    pending_delivery.refresh_from_db()
    assert pending_delivery.next_attempt_at >= before + datetime.timedelta(seconds=240)


def test_a_delivery_fails_for_good_after_the_last_attempt(pending_delivery, monkeypatch, settings):
    settings.NOTICES_MAX_ATTEMPTS = 2

    def refuse(message):
        raise smtplib.SMTPRecipientsRefused({})

    monkeypatch.setattr(delivery.mail, "send", refuse)
    delivery.send_delivery(pending_delivery.pk)
    Delivery.objects.filter(pk=pending_delivery.pk).update(next_attempt_at=timezone.now())
    assert delivery.send_delivery(pending_delivery.pk) == "failed"
    pending_delivery.refresh_from_db()
    assert pending_delivery.state == "failed"


def test_the_sweeper_sends_what_the_broker_never_got(pending_delivery, outbox):
    Delivery.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(minutes=10))
    result = tasks.sweep_outbox()
    assert result["deliveries"] == 1
    assert len(outbox) == 1
    assert tasks.sweep_outbox()["deliveries"] == 0
    assert len(outbox) == 1


def test_the_sweeper_leaves_fresh_deliveries_to_their_task(pending_delivery, outbox):
    assert tasks.sweep_outbox()["deliveries"] == 0
    assert outbox == []


def test_the_sweeper_releases_the_claim_of_a_worker_that_died(pending_delivery, outbox, settings):
    settings.NOTICES_STALE_CLAIM_SECONDS = 60
    Delivery.objects.update(
        state="sending",
        claimed_at=timezone.now() - datetime.timedelta(minutes=5),
        next_attempt_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    tasks.sweep_outbox(older_than_seconds=0)
    assert Delivery.objects.get().state == "sent"
    assert len(outbox) == 1


def test_a_fresh_claim_is_not_released(pending_delivery, outbox):
    Delivery.objects.update(state="sending", claimed_at=timezone.now())
    tasks.sweep_outbox(older_than_seconds=0)
    assert Delivery.objects.get().state == "sending"
    assert outbox == []


def test_a_deactivated_recipient_gets_no_mail(pending_delivery, resident, outbox):
    resident.is_active = False
    resident.save()
    assert delivery.send_delivery(pending_delivery.pk) == "skipped"
    assert outbox == []


def test_the_sweeper_tells_the_audience_of_a_due_scheduled_announcement(
    community, steward, resident
):
    services.publish(
        community=community,
        author=steward,
        title="定时",
        body="…",
        publish_at=timezone.now() + datetime.timedelta(seconds=1),
    )
    from notices.models import Announcement

    Announcement.objects.update(publish_at=timezone.now() - datetime.timedelta(seconds=1))
    assert tasks.sweep_outbox()["announced"] == 1
    assert Notification.objects.filter(recipient=resident).count() == 1
