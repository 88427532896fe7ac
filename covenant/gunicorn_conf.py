"""gunicorn's configuration for Covenant: `gunicorn covenant.wsgi -c python:covenant.gunicorn_conf`.

Threaded workers (gthread), one process a core: a request that waits (the database, a
password hash, which runs outside Python's lock) holds a thread, not a whole process, so
a burst of sign-ins cannot occupy every worker while residents' pages queue behind it.
Measured with `manage.py bench_faults` (README, "Faults and limits").
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", 8))
timeout = 30
graceful_timeout = 20
keepalive = 5
# A worker is renewed now and then, so a slow leak cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
