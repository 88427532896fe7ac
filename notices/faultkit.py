"""Servers and load for fault tests and `manage.py bench_faults`, all on 127.0.0.1.

A redis-server of our own on a free port (stopping it touches nothing else), a Celery
worker or beat and a gunicorn of the production configuration, each in its own process
group so that only they are signalled; a bounded load generator; and reading the mail a
file mail backend wrote. Every loop here is bounded in count and time.
"""

from __future__ import annotations

import email
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> float:
    """Poll until `condition()`; returns the seconds it took, raises after `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def database_url(settings_dict: dict, **options: str) -> str:
    query = "&".join(f"{key}={value}" for key, value in options.items())
    return (
        f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD'] or ''}@"
        f"{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}/"
        f"{settings_dict['NAME']}" + (f"?{query}" if query else "")
    )


class RedisServer:
    def __init__(self, directory: Path, port: int | None = None):
        self.port = port or free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                *("--port", str(self.port), "--bind", "127.0.0.1", "--save", ""),
                *("--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.answers, timeout=10, what="redis-server to start")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None

    def pause(self) -> None:
        """Hung: accepts connections, answers nothing (SIGSTOP)."""
        if self.process is not None:
            self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)


class Process:
    """A child in its own process group, logging to a file."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path, ready: bytes):
        self.argv, self.env, self.log, self.ready = argv, env, log, ready
        self.process: subprocess.Popen | None = None

    def start(self, *, timeout: float = 60) -> None:
        offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, to signal it and only it
            )
        wait_for(
            lambda: self.ready in self.log.read_bytes()[offset:] or self.process.poll() is not None,
            timeout=timeout,
            what=f"{self.argv[2:4]} to be ready",
        )
        if self.process.poll() is not None:
            raise AssertionError(f"{self.argv[2:4]} exited; see {self.log}")

    def kill(self) -> None:
        """As a crash or an OOM kill would: no chance to finish or acknowledge."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None


def celery_worker(env: dict[str, str], log: Path, *, pool: str = "solo") -> Process:
    return Process(
        [
            sys.executable,
            *("-m", "celery", "-A", "covenant", "worker", "--pool", pool),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            *("--loglevel", "INFO"),
        ],
        env,
        log,
        b"ready.",
    )


def celery_beat(env: dict[str, str], log: Path, schedule: Path) -> Process:
    return Process(
        [
            sys.executable,
            *("-m", "celery", "-A", "covenant", "beat", "--loglevel", "INFO"),
            *("--schedule", str(schedule)),
        ],
        env,
        log,
        b"beat: Starting",
    )


def gunicorn(env: dict[str, str], log: Path, port: int) -> Process:
    """The production configuration (covenant/gunicorn_conf.py) on a port of ours."""
    return Process(
        [
            sys.executable,
            *("-m", "gunicorn", "covenant.wsgi", "-c", "python:covenant.gunicorn_conf"),
            *("--bind", f"127.0.0.1:{port}"),
            "--no-control-socket",  # its default path is shared by every gunicorn of the user
        ],
        {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        log,
        b"Booting worker",
    )


# --- Load ---------------------------------------------------------------------------------


@dataclass
class Timings:
    seconds: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)

    def p95_ms(self) -> float:
        if len(self.seconds) < 2:
            return self.seconds[0] * 1000 if self.seconds else 0.0
        return statistics.quantiles(self.seconds, n=20)[-1] * 1000


def request(
    port: int, method: str, path: str, *, headers: dict[str, str], body: str = ""
) -> tuple[int, float, http.client.HTTPResponse]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body.encode() or None, headers=headers)
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    return response.status, time.perf_counter() - started, response


def paced(
    rate: float, duration: float, send: Callable[[int], tuple[int, float]], *, threads: int
) -> Timings:
    """Call `send(n)` `rate` times a second for `duration` seconds, from a pool of
    threads, each request at its scheduled time (an open loop: a slow server does not
    slow the arrivals down). At most rate × duration requests."""
    total = int(rate * duration)
    timings = Timings()
    lock = threading.Lock()
    started = time.monotonic()
    counter = iter(range(total))

    def run():
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            delay = started + n / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            try:
                status, seconds = send(n)
            except OSError:
                status, seconds = 0, 30.0
            with lock:
                timings.seconds.append(seconds)
                timings.statuses[status] += 1

    pool = [threading.Thread(target=run, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(duration + 60)
    return timings


def sign_in_burst(
    port: int,
    *,
    rate: float,
    duration: float,
    threads: int,
    csrf_cookie: str,
    logins: list[str],
    addresses: list[str],
) -> Callable[[], Timings]:
    """Wrong-password sign-ins, `rate` a second for `duration` seconds, the n-th for
    logins[n % len] from addresses[n % len] (X-Forwarded-For), sent from a separate
    Python process started now; call the returned function for their timings. The load
    and the measurement must not share one Python lock: a measuring thread waiting for
    it would count the attacker's work as the server's."""
    spec = {
        "port": port,
        "rate": rate,
        "duration": duration,
        "threads": threads,
        "csrf_cookie": csrf_cookie,
        "logins": logins,
        "addresses": addresses,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "notices.faultkit", json.dumps(spec)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
    )

    def timings() -> Timings:
        out, _ = process.communicate(timeout=duration + 90)
        data = json.loads(out)
        return Timings(
            seconds=data["seconds"],
            statuses=Counter({int(status): count for status, count in data["statuses"].items()}),
        )

    return timings


def _run_sign_in_burst(spec: dict) -> Timings:
    cookie = spec["csrf_cookie"]
    token = cookie.split("=", 1)[1]
    logins, addresses = spec["logins"], spec["addresses"]

    def bad_sign_in(n: int) -> tuple[int, float]:
        body = urlencode(
            {"csrfmiddlewaretoken": token, "login": logins[n % len(logins)], "password": f"g{n}"}
        )
        headers = {
            "Cookie": cookie,
            "Host": "127.0.0.1",
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Forwarded-For": addresses[n % len(addresses)],
        }
        status, seconds, _ = request(
            spec["port"], "POST", "/accounts/login/", headers=headers, body=body
        )
        return status, seconds

    return paced(spec["rate"], spec["duration"], bad_sign_in, threads=spec["threads"])


def csrf_cookie(port: int) -> str:
    """A CSRF cookie ("name=value") from the sign-in page, for posting to it."""
    _status, _seconds, response = request(
        port, "GET", "/accounts/login/", headers={"Host": "127.0.0.1"}
    )
    return next(
        value.split(";", 1)[0]
        for name, value in response.getheaders()
        if name.lower() == "set-cookie" and "csrftoken" in value
    )


# --- Mail -------------------------------------------------------------------------------


def mails(directory: Path) -> list[email.message.Message]:
    """The messages Django's file mail backend wrote into `directory`."""
    messages = []
    for path in sorted(directory.glob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk))
    return messages


def mails_per_person(directory: Path) -> Counter:
    return Counter(message["To"] for message in mails(directory))


if __name__ == "__main__":
    # The attacker's process of `sign_in_burst`: its timings as JSON on stdout.
    result = _run_sign_in_burst(json.loads(sys.argv[1]))
    print(json.dumps({"seconds": result.seconds, "statuses": dict(result.statuses)}))
