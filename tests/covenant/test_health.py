from datetime import timedelta
from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.urls import reverse
from django.utils import timezone

from covenant.models import Heartbeat

HEALTH = reverse("healthz")


def test_health_is_ok_with_a_database_and_no_broker(client, db, settings):
    settings.REDIS_URL = ""
    response = client.get(HEALTH)
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "not configured",
        "worker": "not configured",
        "beat": "not configured",
    }


def test_health_is_503_when_the_database_is_down(client, db, settings):
    settings.REDIS_URL = ""
    with mock.patch("covenant.health.connection.cursor", side_effect=OperationalError("down")):
        response = client.get(HEALTH)
    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_health_is_503_when_the_configured_broker_does_not_answer(client, db, settings):
    # Nothing listens on port 1: the connection is refused at once.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get(HEALTH)
    assert response.status_code == 503
    assert response.json() | {"worker": None, "beat": None} == {
        "status": "error",
        "database": "ok",
        "broker": "error",
        "worker": None,
        "beat": None,
        "worker_seen_at": None,
        "beat_seen_at": None,
    }


def test_health_is_never_cached(client, db):
    assert "no-cache" in client.get(HEALTH)["Cache-Control"]


@pytest.mark.redis
def test_health_reports_a_live_broker(client, db):
    response = client.get(HEALTH)
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


@pytest.fixture
def live_broker(settings):
    """The broker answers; whether the worker and beat do is up to each test."""
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    with mock.patch("covenant.views.broker_status", return_value="ok"):
        yield


def test_health_is_ok_when_the_worker_and_beat_were_heard_from_recently(client, db, live_broker):
    Heartbeat.objects.create(name="worker", at=timezone.now() - timedelta(seconds=70))
    Heartbeat.objects.create(name="beat", at=timezone.now())
    body = client.get(HEALTH).json()
    assert (body["status"], body["worker"], body["beat"]) == ("ok", "ok", "ok")
    assert body["worker_seen_at"]


def test_health_is_degraded_but_200_when_the_worker_is_silent(client, db, live_broker):
    Heartbeat.objects.create(name="worker", at=timezone.now() - timedelta(minutes=6))
    Heartbeat.objects.create(name="beat", at=timezone.now())
    response = client.get(HEALTH)
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["worker"] == "late"


def test_health_is_degraded_when_beat_was_never_seen(client, db, live_broker):
    Heartbeat.objects.create(name="worker", at=timezone.now())
    response = client.get(HEALTH)
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["beat"]) == ("degraded", "never seen")


def test_the_worker_heartbeat_task_and_the_beat_scheduler_leave_heartbeats(db):
    from celery.beat import Scheduler

    from covenant.celery import HeartbeatScheduler, app
    from covenant.tasks import worker_heartbeat

    worker_heartbeat()
    with mock.patch.object(Scheduler, "tick", return_value=300.0):
        scheduler = HeartbeatScheduler.__new__(HeartbeatScheduler)
        scheduler.app = app
        assert scheduler.tick() == 60  # it wakes up for its next heartbeat
    assert set(Heartbeat.objects.values_list("name", flat=True)) == {"worker", "beat"}
