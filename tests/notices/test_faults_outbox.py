"""The outbox after faults, without servers: a released stale claim goes out in the same
sweep, mail that missed the broker goes as soon as it is back, and a dropped database
connection while recording "sent" does not send a mail twice."""

import datetime
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from covenant.models import Heartbeat
from notices import delivery, services, tasks, worker
from notices.models import Delivery, EmailMode


@pytest.fixture
def pending_delivery(resident):
    services.set_preferences(user=resident, modes={"membership.verified": EmailMode.IMMEDIATELY})
    # Written without running on-commit hooks: as if the broker never got it.
    services.notify(
        recipients=[resident], kind="membership.verified", context={"household": "3-1201"}
    )
    return Delivery.objects.get()


def missed() -> bool:
    return Heartbeat.objects.filter(name=delivery.BROKER_MISSED).exists()


def test_a_stale_claim_released_by_the_sweep_is_sent_in_the_same_sweep(
    pending_delivery, outbox, settings
):
    settings.NOTICES_STALE_CLAIM_SECONDS = 600
    settings.NOTICES_SWEEP_AFTER_SECONDS = 120
    Delivery.objects.update(
        state="sending", claimed_at=timezone.now() - datetime.timedelta(seconds=601)
    )
    result = tasks.sweep_outbox()  # the sweeper's own age threshold, not 0
    assert result["deliveries"] == 1
    assert Delivery.objects.get().state == "sent"
    assert len(outbox) == 1


def test_a_failed_enqueue_notes_that_mail_waits_for_the_broker(pending_delivery, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with mock.patch.object(tasks.send_deliveries, "delay", side_effect=BrokerDown("down")):
        assert services.enqueue_deliveries([pending_delivery.pk]) == 0
    assert missed()


def test_the_next_successful_enqueue_catches_up_at_once(pending_delivery, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    tasks.broker_missed()
    with (
        mock.patch.object(tasks.send_deliveries, "delay"),
        mock.patch.object(tasks.catch_up_outbox, "delay") as catch_up,
    ):
        services.enqueue_deliveries([pending_delivery.pk])
    catch_up.assert_called_once()


def test_a_successful_enqueue_with_nothing_missed_adds_nothing(pending_delivery, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with (
        mock.patch.object(tasks.send_deliveries, "delay"),
        mock.patch.object(tasks.catch_up_outbox, "delay") as catch_up,
    ):
        services.enqueue_deliveries([pending_delivery.pk])
    catch_up.assert_not_called()


def test_catching_up_sends_what_waited_whatever_its_age_and_clears_the_note(
    pending_delivery, outbox
):
    tasks.broker_missed()
    assert tasks.catch_up_outbox() == {"deliveries": 1, "digests": 0, "attachments": 0}
    assert Delivery.objects.get().state == "sent"
    assert len(outbox) == 1
    assert not missed()


def test_the_sweeper_catches_up_everything_once_mail_missed_the_broker(pending_delivery, outbox):
    # Fresh (30 s), below the sweeper's age threshold: sent only because it missed.
    assert tasks.sweep_outbox()["deliveries"] == 0
    tasks.broker_missed()
    assert tasks.sweep_outbox()["deliveries"] == 1
    assert len(outbox) == 1


def test_a_worker_connecting_to_the_broker_catches_up_and_says_it_is_alive(
    transactional_db, pending_delivery, outbox
):
    # transactional_db: the worker runs in autocommit and drops a stale connection first.
    # Outside a test transaction the on-commit hook already sent it: as if it had not.
    Delivery.objects.update(state="pending", sent_at=None, attempts=0)
    outbox.clear()
    worker.catch_up_now()
    assert Delivery.objects.get().state == "sent"
    assert len(outbox) == 1
    assert Heartbeat.objects.filter(name="worker").exists()


def test_a_dropped_database_connection_when_recording_sent_is_retried_not_resent(
    transactional_db, pending_delivery, outbox, monkeypatch
):
    # transactional_db: the worker runs in autocommit, where reconnecting is possible.
    monkeypatch.setattr(delivery, "RECONNECT_PAUSES", (0, 0))
    # Outside a test transaction the on-commit hook already sent it: as if it had not.
    Delivery.objects.update(state="pending", sent_at=None, attempts=0)
    outbox.clear()
    original_filter = Delivery.objects.filter
    dropped = []

    def filter_dropping_once(*args, **kwargs):
        queryset = original_filter(*args, **kwargs)
        if kwargs.get("state") == Delivery.State.SENDING and not dropped:
            dropped.append(True)
            queryset.update = mock.Mock(side_effect=OperationalError("connection lost"))
        return queryset

    monkeypatch.setattr(Delivery.objects, "filter", filter_dropping_once)
    assert delivery.send_delivery(pending_delivery.pk) == "sent"
    assert dropped
    assert Delivery.objects.get().state == "sent"
    assert len(outbox) == 1
