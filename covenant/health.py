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


WORKER = "worker"
BEAT = "beat"


def record_heartbeat(name: str) -> None:
    """A background process says it is alive. A database that is down is logged, not
    raised: the process goes on, and /healthz will show it late."""
    from django.db import DatabaseError
    from django.utils import timezone

    from covenant.models import Heartbeat

    try:
        Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})
    except DatabaseError:
        logger.warning("could not record the %s heartbeat", name)


def heartbeat_status() -> dict[str, str | None]:
    """When the worker and beat last showed they were alive (one query), and whether
    that was recently enough: 'ok', 'late', 'never seen', or 'not configured' when tasks
    run in-process."""
    from datetime import timedelta

    from django.db import DatabaseError
    from django.utils import timezone

    from covenant.models import Heartbeat

    if not settings.REDIS_URL:
        return {WORKER: "not configured", BEAT: "not configured"}
    try:
        seen = dict(Heartbeat.objects.filter(name__in=[WORKER, BEAT]).values_list("name", "at"))
    except DatabaseError:
        seen = {}
    recent = timezone.now() - timedelta(seconds=settings.HEARTBEAT_LATE_SECONDS)
    status: dict[str, str | None] = {}
    for name in (WORKER, BEAT):
        at = seen.get(name)
        status[name] = "never seen" if at is None else ("ok" if at >= recent else "late")
        status[f"{name}_seen_at"] = at.isoformat() if at else None
    return status
