"""``manage.py bench_hashers``: time each password hasher we considered, on this
machine: how long one sign-in's password check takes, and so how many a core can do per
second. The README's "Faults and limits" quotes it."""

import statistics
import time

from django.contrib.auth.hashers import (
    Argon2PasswordHasher,
    PBKDF2PasswordHasher,
    ScryptPasswordHasher,
)
from django.core.management.base import BaseCommand

from covenant.signin import EstateArgon2PasswordHasher


class ChosenArgon2(Argon2PasswordHasher):
    # The chosen cost, timed directly (in production it runs in the hashing thread).
    time_cost = EstateArgon2PasswordHasher.time_cost
    memory_cost = EstateArgon2PasswordHasher.memory_cost
    parallelism = EstateArgon2PasswordHasher.parallelism


class ArgonOwaspSecond(Argon2PasswordHasher):
    # OWASP's second Argon2id choice: 46 MiB, one pass.
    time_cost = 1
    memory_cost = 47104
    parallelism = 1


CANDIDATES = [
    ("PBKDF2-SHA256, 1,500,000 iterations (Django's default)", PBKDF2PasswordHasher),
    ("Argon2id t=2 m=100 MiB p=8 (Django's default)", Argon2PasswordHasher),
    ("Argon2id t=1 m=46 MiB p=1 (OWASP)", ArgonOwaspSecond),
    (
        "Argon2id t=2 m=19 MiB p=1 (OWASP; chosen: covenant.signin)",
        ChosenArgon2,
    ),
    ("scrypt n=2^14 r=8 p=5 (Django's default)", ScryptPasswordHasher),
]


class Command(BaseCommand):
    help = "Time one password check with each candidate hasher (median of a few runs)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=7)

    def handle(self, *args, runs, **options):
        for label, hasher_class in CANDIDATES:
            hasher = hasher_class()
            encoded = hasher.encode("correct horse battery staple", hasher.salt())
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                hasher.verify("wrong horse battery staple", encoded)
                timings.append(time.perf_counter() - started)
            median = statistics.median(timings)
            self.stdout.write(
                f"{label}: {median * 1000:.0f} ms per check, {1 / median:.0f} per second per core"
            )
