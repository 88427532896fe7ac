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


def test_allauths_rate_limits_are_counted_in_redis(client, resident):
    # Sign-in attempts are limited in the database (covenant/signin.py); allauth's other
    # limits, such as requesting a sign-in code, stay in the cache.
    client.post(reverse("account_request_login_code"), {"email": resident.email})
    redis_client = cache._cache.get_client()
    assert redis_client.keys("*allauth*"), "allauth's rate-limit counters are not in Redis"


def test_celery_reaches_the_broker():
    with celery_app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=2)
        assert connection.connected
