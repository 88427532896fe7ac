"""Delivery against a real Redis and a real Celery worker, both started by the test.

Each test starts its own redis-server on a free port (stopping it touches nothing
else) and its own worker (`celery worker --pool solo`, in its own process group), with
mail written to files. They need PostgreSQL, whose test database the worker shares.
"""

import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import kombu.pools
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from covenant.celery import app as celery_app
from covenant.models import Community, Membership
from notices import services, tasks
from notices.models import Delivery, Digest
from tests.factories import HouseholdFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.own_broker]

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, *, timeout=WAIT_SECONDS, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class RedisServer:
    def __init__(self, port: int, directory: Path):
        self.port = port
        self.directory = directory
        self.process = None
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, timeout=10, what="redis-server to start")

    def _answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


class Worker:
    def __init__(self, redis: RedisServer, mail_dir: Path, log: Path):
        self.redis = redis
        self.mail_dir = mail_dir
        self.log = log
        self.process = None

    def start(self, *, mail_delay: float = 0.0):
        database = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.notices.worker_settings",
            "DATABASE_URL": (
                f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@"
                f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
            ),
            "REDIS_URL": self.redis.url,
            "DEBUG": "false",
            "SECRET_KEY": settings.SECRET_KEY,
            "NOTICES_TEST_MAIL_DIR": str(self.mail_dir),
            "NOTICES_TEST_MAIL_DELAY": str(mail_delay),
            "NOTICES_STALE_CLAIM_SECONDS": "1",
            "CONN_MAX_AGE": "0",
        }
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "covenant",
                    "worker",
                    "--pool",
                    "solo",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel",
                    "INFO",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, to kill it and only it
            )
        wait_for(lambda: b"ready." in self.log.read_bytes(), what="the worker to be ready")

    def kill(self):
        """As a crash or an OOM kill would: no chance to finish or acknowledge."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None


def _use_broker(url, eager):
    celery_app.conf.broker_url = url
    celery_app.conf.task_always_eager = eager
    # Kombu keeps its connection pools in a registry shared by the whole process:
    # closing only ours would hand a closed pool to the next user of the same URL.
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def redis_server(tmp_path):
    if not Path(REDIS_SERVER).exists():
        pytest.fail("these tests start their own redis-server, which is not installed")
    server = RedisServer(_free_port(), tmp_path)
    server.start()
    previous = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    _use_broker(server.url, eager=False)
    yield server
    _use_broker(*previous)
    server.stop()


@pytest.fixture
def worker(transactional_db, redis_server, tmp_path):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    worker = Worker(redis_server, mail_dir, tmp_path / "worker.log")
    yield worker
    worker.stop()


def mails(worker) -> list[email.message.Message]:
    messages = []
    for path in sorted(worker.mail_dir.glob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk))
    return messages


def mails_per_person(worker) -> Counter:
    return Counter(message["To"] for message in mails(worker))


@pytest.fixture
def estate(transactional_db):
    """A steward and 12 verified residents who want announcements mailed at once."""
    steward = UserFactory(email="steward@example.org")
    from covenant.models import Role
    from tests.factories import RoleGrantFactory

    household = HouseholdFactory(floor=3, unit="0301")
    RoleGrantFactory(user=steward, community=household.building.community, role=Role.PROPERTY_STAFF)
    residents = []
    for number in range(12):
        resident = UserFactory(email=f"r{number:02d}@example.org")
        MembershipFactory(
            user=resident,
            household=HouseholdFactory(
                building=household.building, floor=4, unit=f"04{number:02d}"
            ),
            status=Membership.Status.VERIFIED,
            decided_at=timezone.now(),
        )
        residents.append(resident)
    return steward, residents


def test_a_published_urgent_announcement_is_mailed_by_the_worker(estate, worker):
    steward, residents = estate
    worker.start()
    services.publish(
        community=Community.objects.get(),
        author=steward,
        title="停水通知",
        body="周三停水",
        urgent=True,
    )
    wait_for(lambda: len(mails(worker)) == len(residents), what="the mail")
    # The worker marks a delivery sent just after the mail server took it.
    wait_for(
        lambda: set(Delivery.objects.values_list("state", flat=True)) == {"sent"},
        what="the deliveries marked sent",
    )
    assert mails_per_person(worker) == Counter({r.email: 1 for r in residents})


def test_with_redis_stopped_at_publishing_the_sweeper_delivers_exactly_once(
    estate, worker, redis_server
):
    steward, residents = estate
    redis_server.stop()
    started = time.monotonic()
    services.publish(
        community=Community.objects.get(),
        author=steward,
        title="停电通知",
        body="周五停电",
        urgent=True,
    )
    assert time.monotonic() - started < 2
    assert set(Delivery.objects.values_list("state", flat=True)) == {"pending"}

    redis_server.start()
    worker.start()
    tasks.sweep_outbox.delay(0)
    wait_for(lambda: len(mails(worker)) >= len(residents), what="the swept mail")
    tasks.sweep_outbox.delay(0)  # a second sweep finds nothing left to send
    time.sleep(2)
    assert mails_per_person(worker) == Counter({r.email: 1 for r in residents})
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}


def test_the_digest_task_run_twice_makes_one_digest_per_person(estate, worker):
    steward, residents = estate
    services.publish(
        community=Community.objects.get(), author=steward, title="周末活动", body="…"
    )  # daily by default
    worker.start()
    tasks.build_and_send_digests.delay("daily")
    tasks.build_and_send_digests.delay("daily")
    wait_for(
        lambda: Digest.objects.filter(state="sent").count() == len(residents), what="the digests"
    )
    time.sleep(1)
    assert Digest.objects.count() == len(residents)
    assert mails_per_person(worker) == Counter({r.email: 1 for r in residents})


def test_a_worker_killed_in_the_middle_of_a_digest_run_and_restarted_sends_each_one_digest(
    estate, worker
):
    _steward, residents = estate
    many = residents + [UserFactory(email=f"x{n:02d}@example.org") for n in range(28)]
    services.notify(recipients=many, kind="announcement.published", context={"title": "t"})
    assert not Delivery.objects.exists()  # daily items: nothing is mailed at once
    worker.start(mail_delay=0.15)
    tasks.build_and_send_digests.delay("daily")
    wait_for(lambda: Digest.objects.filter(state="sent").count() >= 5, what="some digests")
    worker.kill()
    sent_before = Digest.objects.filter(state="sent").count()
    assert sent_before < len(many), "the run finished before the kill; nothing was tested"

    worker.start()
    time.sleep(1.5)  # longer than NOTICES_STALE_CLAIM_SECONDS: a claim left by the kill is stale
    tasks.build_and_send_digests.delay("daily")  # beat's next run, or an operator's
    tasks.sweep_outbox.delay(0)
    wait_for(lambda: Digest.objects.filter(state="sent").count() == len(many), what="every digest")
    time.sleep(1)
    assert Digest.objects.count() == len(many)
    assert mails_per_person(worker) == Counter({user.email: 1 for user in many})
    assert not Digest.objects.exclude(state="sent").exists()
