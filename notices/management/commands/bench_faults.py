"""``manage.py bench_faults``: a sign-in burst against the production set-up, and mail
after a broker outage, measured on this machine.

Needs PostgreSQL (DATABASE_URL) and redis-server installed. It makes a database of its
own beside the configured one (``<name>_bench_faults``, dropped at the end), seeds the
demo estate into it, and starts its own redis-server, Celery worker and beat, and
gunicorn with covenant/gunicorn_conf.py, all on 127.0.0.1. Then:

1. **Sign-in burst**: a signed-in resident loads the idea list 10 times a second, for
   10 s quietly, then for 10 s while 50 wrong-password sign-ins a second arrive (500:
   one address guessing 100 of the estate's accounts; --addresses spreads them). The
   p95 of the idea list in each phase, and their ratio.
2. **Outage catch-up**: Redis is stopped for 30 s; meanwhile an urgent announcement is
   published to the whole estate (its mail waits in the outbox). Redis comes back; the
   seconds until every mail is written, each exactly once.

It ends with exactly two lines:
    sign-in burst: quiet p95 N ms, burst p95 N ms, ratio N.NN
    outage catch-up: N s
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections import Counter
from email.header import decode_header, make_header
from pathlib import Path

import kombu.pools
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from notices import faultkit

TITLE = "停水通知（演练）"
DEMO_ADMIN = "admin@demo.covenant.invalid"
DEMO_RESIDENT_DOMAIN = "@demo.covenant.invalid"


class Command(BaseCommand):
    help = "Measure a sign-in burst and the mail catch-up after a Redis outage."

    def add_arguments(self, parser):
        parser.add_argument("--rate", type=float, default=50, help="bad sign-ins a second")
        parser.add_argument("--seconds", type=float, default=10, help="length of each phase")
        parser.add_argument("--page-rate", type=float, default=10, help="idea-list loads a second")
        parser.add_argument("--outage", type=float, default=30, help="seconds Redis is down")
        parser.add_argument(
            "--addresses",
            type=int,
            default=1,
            help="addresses the bad sign-ins come from (X-Forwarded-For in 198.18.0.0/15, "
            "the benchmarking range; a header only, no traffic goes there): 500 makes "
            "every attempt get past the address limit and be hashed",
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_faults needs PostgreSQL: set DATABASE_URL.")
        if not Path(faultkit.REDIS_SERVER).exists():
            raise CommandError("bench_faults starts its own redis-server, which is not installed.")
        original = connection.settings_dict["NAME"]
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{original}_bench_faults"
        self.say(f"making the database {original}_bench_faults and seeding the demo estate…")
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            with tempfile.TemporaryDirectory(prefix="bench-faults-") as folder:
                self.run_bench(Path(folder), options)
        finally:
            connection.close()
            connection.creation.destroy_test_db(original, verbosity=0)

    def say(self, text: str) -> None:
        self.stderr.write(text)

    # --- Set-up -------------------------------------------------------------------------

    def run_bench(self, folder: Path, options) -> None:
        redis = faultkit.RedisServer(folder)
        redis.start()
        # Our own broker from the start: the demo's urgent announcement is mailed by our
        # worker, never queued on the Redis of the settings.
        self._use_broker(redis.url)
        logging.disable(logging.WARNING)
        call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
        logging.disable(logging.NOTSET)
        mail_dir = folder / "mail"
        mail_dir.mkdir()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "covenant.settings",
            "DATABASE_URL": faultkit.database_url(connection.settings_dict),
            "REDIS_URL": redis.url,
            "DEBUG": "false",
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_MANIFEST": "false",
            "EMAIL_URL": f"filemail://{mail_dir}",
            # As behind one proxy: the attack's addresses come in X-Forwarded-For.
            "TRUSTED_PROXY_COUNT": "1",
            "LOG_LEVEL": "WARNING",
        }
        web_port = faultkit.free_port()
        web = faultkit.gunicorn(env, folder / "gunicorn.log", web_port)
        worker = faultkit.celery_worker(
            {**env, "LOG_LEVEL": "INFO"}, folder / "worker.log", pool="prefork"
        )
        beat = faultkit.celery_beat(env, folder / "beat.log", folder / "beat-schedule")
        started = []
        try:
            for process in (web, worker, beat):
                process.start()
                started.append(process)
            from notices.models import Delivery

            faultkit.wait_for(
                lambda: not Delivery.objects.filter(state__in=["pending", "sending"]).exists(),
                timeout=120,
                what="the demo's own mail to be sent",
            )
            quiet, burst = self.sign_in_burst(web_port, options)
            catch_up = self.outage(redis, mail_dir, options)
        except BaseException:
            for log in sorted(folder.glob("*.log")):
                self.say(f"--- the end of {log.name}:\n" + log.read_text()[-3000:])
            raise
        finally:
            for process in reversed(started):
                process.stop()
            redis.stop()
        self.stdout.write(
            f"sign-in burst: quiet p95 {quiet:.0f} ms, burst p95 {burst:.0f} ms, "
            f"ratio {burst / quiet:.2f}"
        )
        self.stdout.write(f"outage catch-up: {catch_up:.0f} s")

    # --- 1. Sign-in burst ----------------------------------------------------------------

    def _session_cookie(self, email: str) -> str:
        from django.contrib.sessions.backends.db import SessionStore

        from covenant.models import User

        user = User.objects.get(email=email)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "covenant.signin.SignInBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        # The servers run with DEBUG off: production's cookie name.
        return f"__Host-sessionid={session.session_key}"

    def sign_in_burst(self, port: int, options) -> tuple[float, float]:
        from covenant.models import Membership, User

        resident = (
            Membership.objects.filter(status=Membership.Status.VERIFIED)
            .order_by("pk")
            .values_list("user__email", flat=True)
            .first()
        )
        page_headers = {"Cookie": self._session_cookie(resident), "Host": "127.0.0.1"}
        status, _seconds, _response = faultkit.request(port, "GET", "/ideas/", headers=page_headers)
        if status != 200:
            raise CommandError(f"the idea list answered {status} for a signed-in resident")
        for _ in range(20):  # warm every thread's connection and caches
            faultkit.request(port, "GET", "/ideas/", headers=page_headers)
        accounts = list(
            User.objects.filter(email__endswith=DEMO_RESIDENT_DOMAIN)
            .order_by("pk")
            .values_list("email", flat=True)[:100]
        )

        def load_page(_n):
            status, seconds, _ = faultkit.request(port, "GET", "/ideas/", headers=page_headers)
            return status, seconds

        seconds, page_rate = options["seconds"], options["page_rate"]
        quiet = faultkit.paced(page_rate, seconds, load_page, threads=4)
        self.say(f"quiet: {len(quiet.seconds)} idea-list loads, statuses {dict(quiet.statuses)}")

        attack = faultkit.sign_in_burst(
            port,
            rate=options["rate"],
            duration=seconds,
            threads=24,
            csrf_cookie=faultkit.csrf_cookie(port),
            logins=accounts,
            addresses=[
                f"198.18.{number // 250}.{number % 250}" for number in range(options["addresses"])
            ],
        )
        burst = faultkit.paced(page_rate, seconds, load_page, threads=4)
        attack_timings = attack()
        self.say(
            f"burst: {len(burst.seconds)} idea-list loads, statuses {dict(burst.statuses)}; "
            f"{len(attack_timings.seconds)} bad sign-ins, statuses "
            f"{dict(attack_timings.statuses)}, p95 {attack_timings.p95_ms():.0f} ms"
        )
        if set(quiet.statuses) != {200} or set(burst.statuses) != {200}:
            raise CommandError("the idea list did not always answer 200")
        return quiet.p95_ms(), burst.p95_ms()

    # --- 2. Outage catch-up ----------------------------------------------------------------

    def _use_broker(self, url: str) -> None:
        from covenant.celery import app

        settings.REDIS_URL = url
        settings.CELERY_TASK_ALWAYS_EAGER = False
        app.conf.broker_url = url
        app.conf.task_always_eager = False
        kombu.pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    def outage(self, redis: faultkit.RedisServer, mail_dir: Path, options) -> float:
        from covenant.demo import COMMUNITY_NAME
        from covenant.models import Community, User
        from notices import services
        from notices.models import Delivery

        self._use_broker(redis.url)
        admin = User.objects.get(email=DEMO_ADMIN)
        already = len(faultkit.mails(mail_dir))
        redis.stop()
        stopped = time.monotonic()
        publishing = time.monotonic()
        announcement = services.publish(
            author=admin,
            community=Community.objects.get(name=COMMUNITY_NAME),
            title=TITLE,
            body="今晚 22:00 起全小区停水。",
            urgent=True,
        )
        publish_seconds = time.monotonic() - publishing
        waiting = Delivery.objects.filter(
            notification__target_id=announcement.pk, notification__kind="announcement.published"
        )
        expected = waiting.count()
        self.say(
            f"outage: published to {expected} people in {publish_seconds:.1f} s with Redis down"
        )
        time.sleep(max(0.0, options["outage"] - (time.monotonic() - stopped)))
        redis.start()
        caught_up = faultkit.wait_for(
            lambda: (
                not waiting.filter(state__in=["pending", "sending"]).exists()
                and len(faultkit.mails(mail_dir)) - already >= waiting.filter(state="sent").count()
            ),
            timeout=120,
            what="every mail after the outage",
        )
        time.sleep(2)  # anything sent twice would show up now
        counts = Counter(
            message["To"]
            for message in faultkit.mails(mail_dir)
            if TITLE in str(make_header(decode_header(message["Subject"])))
        )
        doubled = sum(1 for count in counts.values() if count > 1)
        delivered = sum(counts.values())
        self.say(f"outage: {delivered} mails for {expected} people, {doubled} doubled")
        sent = waiting.filter(state="sent").count()
        if doubled or delivered != sent or waiting.exclude(state__in=["sent", "skipped"]).exists():
            raise CommandError("mail was lost or doubled after the outage")
        return caught_up
