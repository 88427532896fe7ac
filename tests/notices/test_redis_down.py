"""A Redis that is down or hung never holds a web request for more than two seconds:
the page answers, the outbox keeps the mail, and the sweeper sends it later."""

import socket
import threading
import time

import kombu.pools
import pytest
from django.core.cache import cache
from django.urls import reverse

from covenant.celery import app as celery_app
from notices.models import Announcement, Delivery

pytestmark = pytest.mark.own_broker


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def hung_redis():
    """A server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


def _use_broker(url):
    celery_app.conf.broker_url = url
    celery_app.conf.task_always_eager = False
    # Kombu keeps its connection pools in a registry shared by the whole process:
    # closing only ours would hand a closed pool to the next user of the same URL.
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broken_redis(request, settings):
    kind = request.param
    # Celery reads Django's settings lazily: remember its values before changing them.
    previous = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    port = request.getfixturevalue("hung_redis") if kind == "hung" else _closed_port()
    url = f"redis://127.0.0.1:{port}/0"
    settings.REDIS_URL = url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CACHES = {
        "default": {
            "BACKEND": "covenant.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {
                "socket_connect_timeout": settings.REDIS_SOCKET_TIMEOUT_SECONDS,
                "socket_timeout": settings.REDIS_SOCKET_TIMEOUT_SECONDS,
            },
        }
    }
    _use_broker(url)
    yield kind
    _use_broker(previous[0])
    celery_app.conf.task_always_eager = previous[1]


@pytest.mark.parametrize("broken_redis", ["down", "hung"], indirect=True)
def test_publishing_with_redis_unreachable_answers_within_two_seconds(
    broken_redis, client, steward, resident, django_capture_on_commit_callbacks
):
    client.force_login(steward)
    data = {
        "title": "紧急停水",
        "body": "…",
        "audience": "estate",
        "publish_at": "",
        "urgent": "on",
    }
    # Urgent: the preview first, then the confirmed send (the one timed).
    preview = client.post(reverse("notices:announcement_create"), data).context["preview"]
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("notices:announcement_create"), {**data, "confirm": preview["key"]}
        )
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < 2.0, f"the request took {elapsed:.2f} s with Redis {broken_redis}"
    # The mail waits in the outbox for the sweeper.
    assert Announcement.objects.get().title == "紧急停水"
    assert Delivery.objects.get(notification__recipient=resident).state == "pending"


@pytest.mark.parametrize("broken_redis", ["down", "hung"], indirect=True)
def test_pages_answer_within_two_seconds_when_the_cache_is_unreachable(
    broken_redis, client, resident
):
    started = time.monotonic()
    response = client.post(reverse("account_login"), {"login": resident.email, "password": "wrong"})
    assert response.status_code == 200
    response = client.get(reverse("notices:announcement_list"))
    assert response.status_code == 200
    assert cache.get("anything", "missing") == "missing"
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, f"took {elapsed:.2f} s with Redis {broken_redis}"
