"""A Redis cache that a Redis outage cannot turn into an error page or a slow one.

Django's RedisCache raises when Redis is down and waits its socket timeout when Redis
is hung. This one answers as a cache miss instead and, after a failure, leaves Redis
alone for a few seconds, so a page that touches the cache several times waits at most
one timeout. Rate limits kept in the cache (allauth's for codes, resets and sign-ups;
the ideas' and comments') are not enforced while Redis is down; that is logged, and is
better than a site that does not answer. Sign-in attempts are limited in the database
instead (covenant/signin.py), so those hold.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._pause_seconds = float(params.get("OPTIONS", {}).pop("pause_after_failure", 10.0))
        self._down_until = 0.0

    def _guard(self, default, method, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return default
        try:
            return method(*args, **kwargs)
        except ERRORS as error:
            self._down_until = time.monotonic() + self._pause_seconds
            logger.warning("cache unreachable (%s); answering without it", error)
            return default

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # As Django's DummyCache: "stored". A lock taken with add() (allauth's rate
        # limits) then succeeds instead of waiting for a Redis that is not there.
        return self._guard(True, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._guard(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guard(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._guard({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guard(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        # A missing key raises ValueError in Django; so does an unreachable cache here.
        if time.monotonic() < self._down_until:
            raise ValueError("cache unreachable")
        try:
            return super().incr(key, delta, version)
        except ERRORS as error:
            self._down_until = time.monotonic() + self._pause_seconds
            logger.warning("cache unreachable (%s); answering without it", error)
            raise ValueError("cache unreachable") from error

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard([], super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._guard(None, super().delete_many, keys, version)

    def clear(self):
        return self._guard(False, super().clear)
