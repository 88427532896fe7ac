from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.urls import reverse

HEALTH = reverse("healthz")


def test_health_is_ok_with_a_database_and_no_broker(client, db, settings):
    settings.REDIS_URL = ""
    response = client.get(HEALTH)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "not configured"}


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
    assert response.json() == {"status": "error", "database": "ok", "broker": "error"}


def test_health_is_never_cached(client, db):
    assert "no-cache" in client.get(HEALTH)["Cache-Control"]


@pytest.mark.redis
def test_health_reports_a_live_broker(client, db):
    response = client.get(HEALTH)
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"
