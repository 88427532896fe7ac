"""gunicorn's configuration for Covenant: `gunicorn covenant.wsgi -c python:covenant.gunicorn_conf`.

Threaded workers (gthread), one process a core, eight threads each: a request that waits
(the database, a password hash, which runs outside Python's lock in a low-priority thread,
covenant/signin.py) holds a thread, not a whole process, so a burst of sign-ins cannot
occupy every worker while residents' pages queue behind it. Python's lock is handed over
every millisecond instead of every five: a page that makes twenty queries takes it back
twenty times, and with the default a burst of small requests made it wait up to 5 ms each
time. Measured with `manage.py bench_faults` (README, "Faults and limits").
"""

import multiprocessing
import os
import sys

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", 8))
timeout = 30
graceful_timeout = 20
keepalive = 5
# A worker is renewed now and then, so a slow leak cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
SWITCH_INTERVAL_SECONDS = float(os.environ.get("GUNICORN_SWITCH_INTERVAL", "0.001"))


def post_fork(server, worker):
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
