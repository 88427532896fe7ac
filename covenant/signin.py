"""Signing in: one password check per attempt, limits that hit the attacker and not the
neighbours, and a password hasher chosen on purpose.

- **One check.** `SignInBackend` is the only backend that authenticates (allauth's, by
  email); Django's ModelBackend is not listed, so a wrong password is hashed once, not
  twice, and an unknown email costs one dummy hash like a known one.
- **Refused before hashing.** The backend asks `refusal()` first: an attempt over a limit
  costs one indexed query and no hash.
- **Per account**, failures from browsers that never signed in to it: 5 free, then a
  delay of 1 minute that doubles with each further failure, up to an hour. The owner gets
  in at once with a code sent by email (allauth's login by code) or a password reset,
  and from a browser where they signed in before (a trusted device, below).
- **Per address**, failed attempts only: 100 in 15 minutes, because a whole estate may
  sign in through one carrier-NAT or Wi-Fi address. The address is the client's as seen
  behind TRUSTED_PROXY_COUNT proxies.
- **Trusted devices.** A successful sign-in leaves a signed, HTTP-only cookie naming the
  account. Attempts from that browser for that account are counted apart from strangers'
  (their own 5 free failures and delays) and skip the address limit, so an attack from a
  neighbour's network or on the account does not lock out its owner's phone.
- **Without Redis.** The counters live in the database (`SignInThrottle`), so they hold
  when the cache is down; rows untouched for a day are pruned by `forget_old_failures`.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from allauth.account import auth_backends
from allauth.account.auth_backends import AuthenticationBackend
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher
from django.contrib.auth.signals import user_logged_in
from django.core import signing
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from covenant.models import SignInThrottle

logger = logging.getLogger(__name__)

DEVICE_COOKIE = "covenant_signin_device"
DEVICE_SALT = "covenant.signin.device"
DEVICE_COOKIE_AGE = 365 * 24 * 60 * 60
DEVICE_ACCOUNTS = 5  # a family's shared tablet: the last five accounts signed in on it


# --- Hashing that cannot starve the pages ------------------------------------------------

_pool_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
# Attempts hashing or waiting to, in this process: past it, refused as "busy" at once,
# so waiting sign-ins never hold every thread of a gunicorn worker.
_admission = threading.BoundedSemaphore(1)
_admission_size = 0


def _lower_priority() -> None:
    # Linux lets a thread lower its own priority: the kernel then runs the hash only on
    # CPU time no page wants. Elsewhere it is a no-op.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), settings.SIGNIN_HASH_NICENESS)


def in_hash_pool(function, *args):
    """Run a password hash in this process's hashing thread, at low priority. Argon2 and
    PBKDF2 run outside Python's lock, so the request thread waits without blocking others."""
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix="password-hash", initializer=_lower_priority
                )
    return _pool.submit(function, *args).result()


@contextlib.contextmanager
def hashing_admitted():
    """Whether this attempt may queue for a password hash now (yields True or False)."""
    global _admission, _admission_size
    if _admission_size != settings.SIGNIN_HASH_QUEUE:
        with _pool_lock:
            _admission = threading.BoundedSemaphore(settings.SIGNIN_HASH_QUEUE)
            _admission_size = settings.SIGNIN_HASH_QUEUE
    admission = _admission
    admitted = admission.acquire(blocking=False)
    try:
        yield admitted
    finally:
        if admitted:
            admission.release()


class PooledHashing:
    def encode(self, password, salt, *args, **kwargs):
        return in_hash_pool(
            lambda: super(PooledHashing, self).encode(password, salt, *args, **kwargs)
        )

    def verify(self, password, encoded):
        return in_hash_pool(lambda: super(PooledHashing, self).verify(password, encoded))


class LegacyPBKDF2PasswordHasher(PooledHashing, PBKDF2PasswordHasher):
    """Django's PBKDF2, kept to verify the hashes made before Argon2 (upgraded then)."""


class EstateArgon2PasswordHasher(PooledHashing, Argon2PasswordHasher):
    """Argon2id with OWASP's first recommended cost (19 MiB, two passes, one lane).

    Django's default Argon2 (100 MiB, eight lanes) measured 192 ms per check on our two
    cores and PBKDF2 (1.5 M iterations) 366 ms; this one 22 ms. A sign-in burst then
    costs a tenth of the CPU, and the memory cost still makes a stolen hash expensive to
    guess on a GPU. Hashes keep the name "argon2" with their parameters inside, so any
    Argon2 hasher verifies them; older PBKDF2 hashes are verified and upgraded to this
    one at the owner's next sign-in.
    """

    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1


# --- Limits ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """Why an attempt was refused before its password was checked, and for how long."""

    scope: str  # "account", "address", or "busy" (too many hashing at once)
    until: timezone.datetime

    @property
    def minutes(self) -> int:
        seconds = (self.until - timezone.now()).total_seconds()
        return max(1, int(seconds + 59) // 60)

    def message(self) -> str:
        if self.scope == "busy":
            return _("Many people are signing in right now. Please try again in a moment.")
        if self.scope == "address":
            text = ngettext(
                "Too many failed sign-ins from your network. Try again in %(minutes)d minute.",
                "Too many failed sign-ins from your network. Try again in %(minutes)d minutes.",
                self.minutes,
            )
        else:
            text = ngettext(
                "Too many failed sign-ins to this account. Try again in %(minutes)d minute.",
                "Too many failed sign-ins to this account. Try again in %(minutes)d minutes.",
                self.minutes,
            )
        return (
            text % {"minutes": self.minutes}
            + " "
            + _("Or sign in now with a code sent to your email, or reset your password.")
        )


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def account_key(login: str) -> str:
    return "account:" + _digest(login.strip().lower())


def _trusted_key(login: str) -> str:
    return "trusted:" + _digest(login.strip().lower())


def client_address(request: HttpRequest) -> str:
    """The client's address: the one the first of TRUSTED_PROXY_COUNT proxies saw, else
    the socket's. IPv6 clients are counted by their /64, as one household gets a /64."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.ALLAUTH_TRUSTED_PROXY_COUNT
    forwarded = request.headers.get("X-Forwarded-For", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            address = hops[-proxies]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:45]
    if parsed.version == 6:
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def _address_key(request: HttpRequest) -> str:
    return "address:" + client_address(request)


def _keys(request: HttpRequest, login: str) -> list[str]:
    """The counters an attempt is judged by: a trusted device's own, or the account's
    and the address's."""
    if is_trusted_device(request, login):
        return [_trusted_key(login)]
    return [account_key(login), _address_key(request)]


def refusal(request: HttpRequest, login: str) -> Refusal | None:
    """Whether this attempt is over a limit (one query). Refused attempts are not
    counted: counting them would only lengthen the owner's wait."""
    now = timezone.now()
    locked = (
        SignInThrottle.objects.filter(key__in=_keys(request, login), locked_until__gt=now)
        .order_by("-locked_until")
        .values_list("key", "locked_until")
        .first()
    )
    if locked is None:
        return None
    key, until = locked
    return Refusal(scope="address" if key.startswith("address:") else "account", until=until)


def _account_delay(failures: int) -> timedelta | None:
    free = settings.SIGNIN_ACCOUNT_FREE_FAILURES
    if failures < free:
        return None
    seconds = settings.SIGNIN_ACCOUNT_FIRST_DELAY_SECONDS * 2 ** min(failures - free, 20)
    return timedelta(seconds=min(seconds, settings.SIGNIN_ACCOUNT_MAX_DELAY_SECONDS))


def record_failure(request: HttpRequest, login: str) -> None:
    now = timezone.now()
    forget = now - timedelta(seconds=settings.SIGNIN_FORGET_AFTER_SECONDS)
    window = timedelta(seconds=settings.SIGNIN_ADDRESS_WINDOW_SECONDS)
    for key in _keys(request, login):
        with transaction.atomic():
            # The row lock serialises concurrent failures of one key (a burst): each
            # is counted, none lost to a read-modify-write race.
            row, _created = SignInThrottle.objects.select_for_update().get_or_create(
                key=key, defaults={"window_started_at": now, "last_failure_at": now}
            )
            if key.startswith("address:"):
                if row.window_started_at <= now - window:
                    row.window_started_at, row.failures = now, 0
                row.failures += 1
                if row.failures >= settings.SIGNIN_ADDRESS_FAILURES:
                    row.locked_until = row.window_started_at + window
            else:
                if row.last_failure_at < forget:
                    row.failures = 0
                row.failures += 1
                delay = _account_delay(row.failures)
                row.locked_until = now + delay if delay else None
            row.last_failure_at = now
            row.save()
        if row.locked_until and row.failures in (
            settings.SIGNIN_ACCOUNT_FREE_FAILURES,
            settings.SIGNIN_ADDRESS_FAILURES,
        ):
            logger.warning("sign-ins refused for a while: %s (%s)", key[:20], row.failures)


def record_success(request: HttpRequest, login: str) -> None:
    """The owner is in: their account's counters start again. The address's do not: a
    success in between must not let an attacker's guessing go on."""
    SignInThrottle.objects.filter(key__in=[account_key(login), _trusted_key(login)]).delete()


def forget_old_failures() -> int:
    """Delete counters with no failure for a day (beat runs this nightly)."""
    cutoff = timezone.now() - timedelta(seconds=settings.SIGNIN_FORGET_AFTER_SECONDS)
    deleted, _ = SignInThrottle.objects.filter(
        last_failure_at__lt=cutoff, locked_until__isnull=True
    ).delete()
    deleted += SignInThrottle.objects.filter(
        last_failure_at__lt=cutoff, locked_until__lt=timezone.now()
    ).delete()[0]
    return deleted


def clear_account(login: str) -> None:
    """After a password reset the owner has proved they hold the mailbox."""
    SignInThrottle.objects.filter(key__in=[account_key(login), _trusted_key(login)]).delete()


# --- Trusted devices ------------------------------------------------------------------


def _device_accounts(request: HttpRequest) -> list[str]:
    value = request.COOKIES.get(DEVICE_COOKIE)
    if not value:
        return []
    try:
        accounts = signing.loads(value, salt=DEVICE_SALT, max_age=DEVICE_COOKIE_AGE)
    except signing.BadSignature:
        return []
    return [a for a in accounts if isinstance(a, str)] if isinstance(accounts, list) else []


def is_trusted_device(request: HttpRequest, login: str) -> bool:
    return account_key(login) in _device_accounts(request)


@receiver(user_logged_in, dispatch_uid="covenant.signin.remember_device")
def _remember_device(sender, request, user, **kwargs):
    if request is not None and user.email:
        request._signin_trusts = account_key(user.email)


class TrustedDeviceMiddleware:
    """Sets the trusted-device cookie on the response of a successful sign-in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        trusted = getattr(request, "_signin_trusts", None)
        if trusted:
            accounts = [trusted] + [a for a in _device_accounts(request) if a != trusted]
            response.set_cookie(
                DEVICE_COOKIE,
                signing.dumps(accounts[:DEVICE_ACCOUNTS], salt=DEVICE_SALT),
                max_age=DEVICE_COOKIE_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


# --- The one authentication backend ---------------------------------------------------


class SignInBackend(AuthenticationBackend):
    """allauth's email backend with the limits in front: an attempt over a limit is
    refused before any password is hashed, and each attempt is hashed once."""

    def authenticate(self, request: HttpRequest | None, **credentials):
        login = credentials.get("email") or credentials.get("username") or ""
        if request is None or not login or not credentials.get("password"):
            return super().authenticate(request, **credentials)
        refused = refusal(request, login)
        if refused is not None:
            request._signin_refusal = refused
            return None
        with hashing_admitted() as admitted:
            if not admitted:
                request._signin_refusal = Refusal(scope="busy", until=timezone.now())
                return None
            user = super().authenticate(request, **credentials)
        # A right password on an inactive account is stashed by allauth: not a failure.
        if user is not None or getattr(auth_backends._stash, "user", None) is not None:
            record_success(request, login)
        else:
            record_failure(request, login)
        return user


def refusal_of(request: HttpRequest | None) -> Refusal | None:
    return getattr(request, "_signin_refusal", None)


def _forget_after_reset(sender, request, user, **kwargs):
    clear_account(user.email)


def connect_signals() -> None:
    from allauth.account.signals import password_reset

    password_reset.connect(_forget_after_reset, dispatch_uid="covenant.signin.reset")
