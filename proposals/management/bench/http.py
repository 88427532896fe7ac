"""`bench_ideas --http`: the pages served by gunicorn (covenant/gunicorn_conf.py) and
measured over HTTP under a bounded load: for each page, `connections` threads, each with
its own keep-alive connection, ask it again and again for `seconds`; the floor first."""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings

from proposals.management.bench.timing import Page


@dataclass
class Load:
    page: str
    seconds: float
    times_ms: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def per_second(self) -> float:
        return len(self.times_ms) / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.times_ms) or [0.0]
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


class Server:
    """gunicorn on a free local port, with the floor's URLconf; stopped on exit."""

    def __init__(self, *, workers: int):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "proposals.management.bench.http_settings",
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(workers),
            "DEBUG": "true" if settings.DEBUG else "false",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "covenant.wsgi",
                "-c",
                "python:covenant.gunicorn_conf",
            ],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.2)
        self.process.terminate()
        raise RuntimeError("gunicorn did not start within 30 s")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _worker(port: int, path: str, headers: dict, until: float, load: Load, lock) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times, errors = [], 0
    while time.monotonic() < until:
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        if ok:
            times.append((time.perf_counter() - started) * 1000)
        else:
            errors += 1
    connection.close()
    with lock:
        load.times_ms += times
        load.errors += errors


def measure_http(
    timed: list[Page], *, seconds: float, connections: int, workers: int
) -> list[Load]:
    loads = []
    with Server(workers=workers) as server:
        for label, client, url, data in timed:
            path = url + (f"?{urlencode(data)}" if data else "")
            headers = {
                "Host": "localhost",
                "Cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}",
                "X-Forwarded-Proto": "https",
                "Accept-Encoding": "gzip, br",
            }
            warm = Load(label, 1.0)
            _worker(server.port, path, headers, time.monotonic() + 1, warm, threading.Lock())
            load, lock = Load(label, seconds), threading.Lock()
            until = time.monotonic() + seconds
            threads = [
                threading.Thread(
                    target=_worker, args=(server.port, path, headers, until, load, lock)
                )
                for _ in range(connections)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            loads.append(load)
    return loads


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0
