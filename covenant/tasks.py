"""Background work of the community core."""

from celery import shared_task

from covenant import signin


@shared_task(ignore_result=True)
def forget_old_signin_failures() -> int:
    return signin.forget_old_failures()


@shared_task(ignore_result=True)
def worker_heartbeat() -> None:
    from covenant.health import WORKER, record_heartbeat

    record_heartbeat(WORKER)
