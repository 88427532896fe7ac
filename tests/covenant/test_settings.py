from django.conf import settings

from covenant.celery import app as celery_app


def test_tasks_run_in_process_exactly_when_no_redis_is_configured():
    assert celery_app.conf.task_always_eager is (not settings.REDIS_URL)
    expected_broker = settings.REDIS_URL or "memory://"
    assert celery_app.conf.broker_url == expected_broker


def test_the_cache_follows_redis_url():
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.REDIS_URL:
        assert backend.endswith("RedisCache")
    else:
        assert backend.endswith("LocMemCache")


def test_acks_late_so_a_crashed_worker_loses_no_task():
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_reject_on_worker_lost is True
