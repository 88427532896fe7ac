import logging

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)


def broker_status() -> str:
    """'ok', 'error', or 'not configured' when tasks run in-process."""
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT_SECONDS,
        socket_timeout=settings.REDIS_SOCKET_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    except redis.RedisError:
        logger.exception("health check: broker unreachable")
        return "error"
    finally:
        client.close()
    return "ok"


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health check: database unreachable")
        return "error"
    return "ok"
