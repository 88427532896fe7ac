"""The fault suite: real Redis, Celery worker, PostgreSQL and gunicorn, each fault
injected on purpose. Every test asserts that no mail is lost or sent twice, and how long
things took. Redis, the worker and gunicorn are our own (notices.faultkit), on free ports
of 127.0.0.1; nothing shared is stopped. Each test is bounded by its own timeouts.
"""

import os
import time
from collections import Counter
from urllib.parse import urlencode

import kombu.pools
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from covenant.celery import app as celery_app
from covenant.models import Membership, Role, SignInThrottle
from notices import faultkit, services, tasks
from notices.models import Delivery, Digest
from tests.factories import (
    PASSWORD,
    HouseholdFactory,
    MembershipFactory,
    RoleGrantFactory,
    UserFactory,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.own_broker]

# Once the broker is back, the mail that waited is out within this (the bench: 30 s).
CATCH_UP_SECONDS = 30


def _use_broker(url, eager):
    celery_app.conf.broker_url = url
    celery_app.conf.task_always_eager = eager
    # Kombu keeps its connection pools in a registry shared by the whole process.
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def redis_server(tmp_path, settings):
    if not os.path.exists(faultkit.REDIS_SERVER):
        pytest.fail("these tests start their own redis-server, which is not installed")
    server = faultkit.RedisServer(tmp_path)
    server.start()
    previous = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    _use_broker(server.url, eager=False)
    yield server
    _use_broker(*previous)
    server.resume()
    server.stop()


def _env(redis_server, mail_dir, **extra):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.notices.worker_settings",
        "DATABASE_URL": faultkit.database_url(connection.settings_dict),
        "REDIS_URL": redis_server.url,
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,
        "NOTICES_TEST_MAIL_DIR": str(mail_dir),
        "NOTICES_STALE_CLAIM_SECONDS": "1",
        "CONN_MAX_AGE": "0",
        **extra,
    }


class Worker:
    def __init__(self, redis_server, tmp_path):
        self.mail_dir = tmp_path / "mail"
        self.mail_dir.mkdir()
        self.redis_server, self.log = redis_server, tmp_path / "worker.log"
        self.process = None

    def start(self, *, mail_delay=0.0):
        env = _env(self.redis_server, self.mail_dir, NOTICES_TEST_MAIL_DELAY=str(mail_delay))
        self.process = faultkit.celery_worker(env, self.log)
        self.process.start()

    def kill(self):
        self.process.kill()

    def stop(self):
        if self.process is not None:
            self.process.stop()

    def per_person(self) -> Counter:
        return faultkit.mails_per_person(self.mail_dir)


@pytest.fixture
def worker(transactional_db, redis_server, tmp_path):
    worker = Worker(redis_server, tmp_path)
    yield worker
    worker.stop()


@pytest.fixture
def estate(transactional_db):
    """A steward and 12 verified residents."""
    steward = UserFactory(email="steward@example.org")
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


def publish_urgent(steward, title):
    estate = steward.role_grants.get().community
    started = time.monotonic()
    services.publish(author=steward, community=estate, title=title, body="…", urgent=True)
    return time.monotonic() - started


def all_sent() -> bool:
    return not Delivery.objects.exclude(state="sent").exists()


# --- Redis stopped, Redis hung ---------------------------------------------------------------


def test_redis_stopped_at_publishing_mail_goes_out_once_it_is_back_without_a_sweep(
    estate, worker, redis_server
):
    steward, residents = estate
    worker.start()
    redis_server.stop()
    assert publish_urgent(steward, "停电通知") < 2
    assert set(Delivery.objects.values_list("state", flat=True)) == {"pending"}
    time.sleep(3)  # the outage goes on a little; the worker keeps trying

    redis_server.start()
    caught_up = faultkit.wait_for(all_sent, timeout=CATCH_UP_SECONDS, what="the waiting mail")
    time.sleep(1)
    assert worker.per_person() == Counter({r.email: 1 for r in residents})
    assert caught_up < 10, f"{caught_up:.1f} s after Redis came back"


def test_redis_hung_at_publishing_the_next_publish_sends_what_waited(estate, worker, redis_server):
    steward, residents = estate
    worker.start()
    redis_server.pause()  # accepts connections, answers nothing
    assert publish_urgent(steward, "停水通知") < 2.5
    assert set(Delivery.objects.values_list("state", flat=True)) == {"pending"}

    redis_server.resume()
    back = time.monotonic()
    publish_urgent(steward, "恢复供水")  # the broker takes it: what waited goes too
    faultkit.wait_for(
        lambda: all_sent() and sum(worker.per_person().values()) == 2 * len(residents),
        timeout=CATCH_UP_SECONDS,
        what="both announcements' mail",
    )
    took = time.monotonic() - back
    time.sleep(1)
    assert worker.per_person() == Counter({r.email: 2 for r in residents})
    assert took < 10, f"{took:.1f} s after Redis answered again"


# --- A worker killed mid-digest ---------------------------------------------------------


def test_a_worker_killed_mid_digest_and_restarted_sends_each_digest_once_by_itself(estate, worker):
    _steward, residents = estate
    many = residents + [UserFactory(email=f"x{n:02d}@example.org") for n in range(28)]
    services.notify(recipients=many, kind="announcement.published", context={"title": "t"})
    worker.start(mail_delay=0.1)
    tasks.build_and_send_digests.delay("daily")
    faultkit.wait_for(
        lambda: Digest.objects.filter(state="sent").count() >= 5, timeout=30, what="some digests"
    )
    worker.kill()
    assert Digest.objects.filter(state="sent").count() < len(many), "finished before the kill"
    time.sleep(1.2)  # the killed worker's claim is stale after 1 s (its settings)

    started = time.monotonic()
    worker.start()  # no sweep, no second digest run: the restart catches up by itself
    faultkit.wait_for(
        lambda: Digest.objects.filter(state="sent").count() == len(many),
        timeout=CATCH_UP_SECONDS,
        what="every digest",
    )
    took = time.monotonic() - started
    time.sleep(1)
    assert worker.per_person() == Counter({user.email: 1 for user in many})
    assert took < 20, f"{took:.1f} s after the worker was started again"


# --- PostgreSQL drops the worker's connection ---------------------------------------------------


def test_a_dropped_database_connection_mid_send_loses_and_doubles_nothing(estate, worker):
    steward, residents = estate
    more = [UserFactory(email=f"y{n:02d}@example.org") for n in range(28)]
    for user in more:
        MembershipFactory(
            user=user,
            household=HouseholdFactory(building=residents[0].memberships.get().household.building),
            status=Membership.Status.VERIFIED,
            decided_at=timezone.now(),
        )
    everyone = residents + more
    worker.start(mail_delay=0.05)
    publish_urgent(steward, "燃气检修")
    faultkit.wait_for(
        lambda: Delivery.objects.filter(state="sent").count() >= 5, timeout=30, what="some mail"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        (dropped,) = cursor.fetchone()
    assert dropped >= 1, "the worker had no connection to drop"
    assert Delivery.objects.exclude(state="sent").exists(), "finished before the drop"
    started = time.monotonic()
    faultkit.wait_for(all_sent, timeout=CATCH_UP_SECONDS, what="the rest of the mail")
    took = time.monotonic() - started
    time.sleep(1)
    assert worker.per_person() == Counter({user.email: 1 for user in everyone})
    assert took < 15, f"{took:.1f} s after the connection was dropped"


# --- A sign-in burst ----------------------------------------------------------------------------


@pytest.fixture
def web(transactional_db, redis_server, tmp_path):
    port = faultkit.free_port()
    env = _env(
        redis_server,
        tmp_path,
        DJANGO_SETTINGS_MODULE="covenant.settings",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        STATIC_MANIFEST="false",
        TRUSTED_PROXY_COUNT="1",
        LOG_LEVEL="WARNING",
        CONN_MAX_AGE="60",
    )
    server = faultkit.gunicorn(env, tmp_path / "gunicorn.log", port)
    server.start()
    yield port
    server.stop()


def _session_cookie(user) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "covenant.signin.SignInBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"__Host-sessionid={session.session_key}"  # the server runs with DEBUG off


def _sign_in(port, cookie, token, email, password, address):
    body = urlencode({"csrfmiddlewaretoken": token, "login": email, "password": password})
    headers = {
        "Cookie": cookie,
        "Host": "127.0.0.1",
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Forwarded-For": address,
    }
    status, _seconds, response = faultkit.request(
        port, "POST", "/accounts/login/", headers=headers, body=body
    )
    device = next(
        (
            value.split(";", 1)[0]
            for name, value in response.getheaders()
            if name.lower() == "set-cookie" and value.startswith("covenant_signin_device=")
        ),
        None,
    )
    return status, device


def test_a_sign_in_burst_neither_stalls_the_idea_list_nor_locks_out_the_neighbours(estate, web):
    _steward, residents = estate
    # The server checks passwords as in production (Argon2), not with the tests' MD5.
    from covenant.models import User
    from covenant.signin import EstateArgon2PasswordHasher

    hasher = EstateArgon2PasswordHasher()
    User.objects.filter(pk__in=[r.pk for r in residents]).update(
        password=hasher.encode(PASSWORD, hasher.salt())
    )
    for resident in residents:
        resident.refresh_from_db()
    page = {"Cookie": _session_cookie(residents[0]), "Host": "127.0.0.1"}
    assert faultkit.request(web, "GET", "/ideas/", headers=page)[0] == 200
    for _ in range(10):
        faultkit.request(web, "GET", "/ideas/", headers=page)
    cookie = faultkit.csrf_cookie(web)
    token = cookie.split("=", 1)[1]
    # Last week, on her phone behind the estate's one address, an owner signed in.
    status, device = _sign_in(web, cookie, token, residents[1].email, PASSWORD, "203.0.113.9")
    assert status == 302 and device

    def load_page(_n):
        status, seconds, _ = faultkit.request(web, "GET", "/ideas/", headers=page)
        return status, seconds

    quiet = faultkit.paced(8, 5, load_page, threads=3)
    attack = faultkit.sign_in_burst(
        web,
        rate=50,
        duration=5,
        threads=16,
        csrf_cookie=cookie,
        logins=[resident.email for resident in residents[:6]],
        addresses=["203.0.113.9"],
    )
    burst = faultkit.paced(8, 5, load_page, threads=3)
    attack_timings = attack()

    assert set(quiet.statuses) == set(burst.statuses) == {200}
    assert sum(attack_timings.statuses.values()) == 250
    # Refused before hashing: no more failures were checked than the address's burst
    # limit allows (and never more than 6 accounts × 5 free ones).
    address = SignInThrottle.objects.get(key="address:203.0.113.9")
    assert address.failures <= settings.SIGNIN_ADDRESS_BURST_FAILURES
    # Two times the quiet p95 (bench_faults holds exactly that), with 150 ms of room
    # here for a page that is fast when quiet, on a CI machine shared with other work.
    # Before this suite the burst's p95 was 20 times the quiet one.
    quiet_p95, burst_p95 = quiet.p95_ms(), burst.p95_ms()
    assert burst_p95 <= max(2 * quiet_p95, quiet_p95 + 150), (
        quiet_p95,
        burst_p95,
        attack_timings.p95_ms(),
        dict(attack_timings.statuses),
    )

    # A neighbour behind another address signs in at once; so does the owner of an
    # attacked account on her phone, behind the attacker's very address.
    assert _sign_in(web, cookie, token, residents[7].email, PASSWORD, "198.51.100.23")[0] == 302
    on_her_phone = f"{cookie}; {device}"
    assert _sign_in(web, on_her_phone, token, residents[1].email, PASSWORD, "203.0.113.9")[0] == 302
    # A stranger's new browser there is asked to wait, or to use a code by email.
    assert _sign_in(web, cookie, token, residents[8].email, PASSWORD, "203.0.113.9")[0] == 429
