"""With REDIS_URL set, Redis is the cache (and so holds allauth's rate limits) and the broker."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from covenant.celery import app as celery_app

pytestmark = pytest.mark.redis


def test_the_cache_is_redis():
    cache.set("covenant-test-key", "值", timeout=30)
    client = cache._cache.get_client()
    assert any(b"covenant-test-key" in key for key in client.keys("*covenant-test-key*"))
    assert cache.get("covenant-test-key") == "值"


def test_login_rate_limits_are_counted_in_redis(client, resident):
    client.post(reverse("account_login"), {"login": resident.email, "password": "wrong-password"})
    redis_client = cache._cache.get_client()
    assert redis_client.keys("*allauth*"), "allauth's rate-limit counters are not in Redis"


def test_celery_reaches_the_broker():
    with celery_app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=2)
        assert connection.connected
