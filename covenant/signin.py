"""Signing in: one password check per attempt, limits that hit the attacker and not the
neighbours, and hashing that cannot starve the rest of the site.

- **One check.** `SignInBackend` is the only backend that authenticates (allauth's, by
  email); Django's ModelBackend is not listed, so a wrong password is hashed once, not
  twice, and an unknown email costs one dummy hash like a known one.
- **Refused before hashing.** `SignInGateMiddleware` turns an attempt over a limit away
  at the door (429, one query, a small page naming the ways in); the backend asks again
  for paths that skip the door (the admin's sign-in, reauthentication). An attempt is
  counted as a failure *before* its hash, under its rows' locks, and taken back if the
  password was right: a burst of simultaneous guesses gets no more than the free ones.
- **Per account**, failures from browsers that never signed in to it: 5 free, then a
  delay of 1 minute that doubles with each further failure, up to an hour. The owner gets
  in at once with a code sent by email (allauth's login by code) or a password reset,
  and from a browser where they signed in before (a trusted device, below).
- **Per address**, failed attempts only: 100 in 15 minutes (and 20 in a minute, so a
  burst does not get them all at once), because a whole estate may sign in through one
  carrier-NAT or Wi-Fi address. The address is the client's as seen behind
  TRUSTED_PROXY_COUNT proxies (an IPv6 client's /64).
- **Trusted devices.** A successful sign-in leaves a signed, HTTP-only cookie naming the
  account. Attempts from that browser for that account are counted apart from strangers'
  (their own 5 free failures and delays) and skip the address limit, so an attack from a
  neighbour's network or on the account does not lock out its owner's phone.
- **Hashing apart.** Each process hashes in one thread of low priority (Argon2 and PBKDF2
  run outside Python's lock), with at most SIGNIN_HASH_QUEUE attempts hashing or waiting;
  past that an attempt is asked to retry in a moment (429, not counted). Pages keep the
  CPU and the threads, whatever arrives at the sign-in form.
- **Without Redis.** The counters live in the database (`SignInThrottle`), so they hold
  when the cache is down; rows without a failure for a day are pruned nightly.
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
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
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
def hashing_admitted(*, already: bool = False):
    """Whether this attempt may queue for a password hash now (yields True or False);
    `already` when the sign-in gate took the place for this request."""
    if already:
        yield True
        return
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
    """A hasher whose work runs in the low-priority hashing thread (`in_hash_pool`)."""

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


def _address_keys(request: HttpRequest) -> list[str]:
    address = client_address(request)
    return [f"{prefix}:{address}" for prefix in _address_windows()]


def _address_windows() -> dict[str, tuple[int, int]]:
    """An address's counters: failures allowed in a window of seconds. The long one is
    the limit; the short one stops a burst from getting all of it in a few seconds."""
    return {
        "address": (settings.SIGNIN_ADDRESS_FAILURES, settings.SIGNIN_ADDRESS_WINDOW_SECONDS),
        "burst": (settings.SIGNIN_ADDRESS_BURST_FAILURES, settings.SIGNIN_ADDRESS_BURST_SECONDS),
    }


def _keys(request: HttpRequest, login: str) -> list[str]:
    """The counters an attempt is judged by: a trusted device's own, or the account's
    and the address's."""
    if is_trusted_device(request, login):
        return [_trusted_key(login)]
    return [account_key(login), *_address_keys(request)]


def _refusal_by(row: SignInThrottle) -> Refusal:
    prefix = row.key.split(":", 1)[0]
    scope = "address" if prefix in _address_windows() else "account"
    return Refusal(scope=scope, until=row.locked_until)


def refusal(request: HttpRequest, login: str) -> Refusal | None:
    """Whether this attempt is over a limit now (one query, no lock)."""
    locked = (
        SignInThrottle.objects.filter(
            key__in=_keys(request, login), locked_until__gt=timezone.now()
        )
        .order_by("-locked_until")
        .first()
    )
    return _refusal_by(locked) if locked else None


def _account_delay(failures: int) -> timedelta | None:
    free = settings.SIGNIN_ACCOUNT_FREE_FAILURES
    if failures < free:
        return None
    seconds = settings.SIGNIN_ACCOUNT_FIRST_DELAY_SECONDS * 2 ** min(failures - free, 20)
    return timedelta(seconds=min(seconds, settings.SIGNIN_ACCOUNT_MAX_DELAY_SECONDS))


def _count_failure(row: SignInThrottle, now) -> None:
    windows = _address_windows()
    prefix = row.key.split(":", 1)[0]
    if prefix in windows:
        limit, seconds = windows[prefix]
        window = timedelta(seconds=seconds)
        if row.window_started_at <= now - window:
            row.window_started_at, row.failures, row.locked_until = now, 0, None
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = row.window_started_at + window
    else:
        if row.last_failure_at < now - timedelta(seconds=settings.SIGNIN_FORGET_AFTER_SECONDS):
            row.failures = 0
        row.failures += 1
        delay = _account_delay(row.failures)
        row.locked_until = now + delay if delay else None
    row.last_failure_at = now
    if row.locked_until and row.failures in (
        settings.SIGNIN_ACCOUNT_FREE_FAILURES,
        settings.SIGNIN_ADDRESS_FAILURES,
        settings.SIGNIN_ADDRESS_BURST_FAILURES,
    ):
        logger.warning("sign-ins refused for a while: %s (%s)", row.key[:20], row.failures)


def admit(request: HttpRequest, login: str) -> Refusal | None:
    """Refuse an attempt over a limit (nothing is counted then), or count it as a
    failure before its password is checked; `record_success` takes that back.

    Counting first, under the rows' locks, closes the race of a burst: concurrent
    attempts for one account queue on its row for a moment, so no more than the free
    failures reach the hash, however many arrive at once."""
    now = timezone.now()
    with transaction.atomic():
        # Locked in a fixed order, so two attempts never wait for each other's row.
        rows = [
            SignInThrottle.objects.select_for_update().get_or_create(
                key=key, defaults={"window_started_at": now, "last_failure_at": now}
            )[0]
            for key in sorted(_keys(request, login))
        ]
        for row in rows:
            if row.locked_until and row.locked_until > now:
                return _refusal_by(row)
        for row in rows:
            _count_failure(row, now)
            row.save()
    return None


def record_success(request: HttpRequest, login: str) -> None:
    """The owner is in: their account's counters start again, and the address's count
    takes back this attempt (successes do not count). The address's earlier failures
    stay: a success in between must not let an attacker's guessing go on."""
    SignInThrottle.objects.filter(key__in=[account_key(login), _trusted_key(login)]).delete()
    if not is_trusted_device(request, login):
        windows = _address_windows()
        with transaction.atomic():
            for row in SignInThrottle.objects.select_for_update().filter(
                key__in=_address_keys(request), failures__gt=0
            ):
                row.failures -= 1
                if row.failures < windows[row.key.split(":", 1)[0]][0]:
                    row.locked_until = None
                row.save()


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


class SignInGateMiddleware:
    """Turns an attempt over a limit away at the door (429), before sessions, forms and
    the sign-in page are built: during a burst most attempts are these, and each costs
    one query. The backend checks again for every path that reaches it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.login_path = None

    def __call__(self, request):
        if request.method == "POST":
            if self.login_path is None:
                self.login_path = reverse("account_login")
            if request.path == self.login_path:
                login, password = request.POST.get("login", ""), request.POST.get("password")
                if login and password:
                    refused = refusal(request, login)
                    if refused is not None:
                        return self._refused(request, refused)
                    # A place in this process's hashing queue is taken here, so that an
                    # attempt that finds none is turned away as cheaply.
                    with hashing_admitted() as admitted:
                        if not admitted:
                            return self._refused(request, Refusal("busy", timezone.now()))
                        request._signin_hash_admitted = True
                        return self.get_response(request)
        return self.get_response(request)

    def _refused(self, request, refused: Refusal):
        from covenant.middleware import language_for

        with translation.override(language_for(request)):
            response = render(
                request,
                "account/signin_refused.html",
                {"message": refused.message()},
                status=429,
            )
        response["Retry-After"] = "5" if refused.scope == "busy" else str(refused.minutes * 60)
        response["Cache-Control"] = "private, no-store"
        # Not one warning per refused attempt: the lock itself was logged when it began.
        response._has_been_logged = True
        return response


# --- The one authentication backend ---------------------------------------------------


class SignInBackend(AuthenticationBackend):
    """allauth's email backend with the limits in front: an attempt over a limit is
    refused before any password is hashed, and each attempt is hashed once."""

    def authenticate(self, request: HttpRequest | None, **credentials):
        login = credentials.get("email") or credentials.get("username") or ""
        if request is None or not login or not credentials.get("password"):
            return super().authenticate(request, **credentials)
        # Over a limit: one query, no lock, no hash (the burst's usual case).
        refused = refusal(request, login)
        if refused is not None:
            request._signin_refusal = refused
            return None
        with hashing_admitted(already=getattr(request, "_signin_hash_admitted", False)) as admitted:
            # Turned away as busy, an attempt is not counted at all.
            refused = admit(request, login) if admitted else Refusal("busy", timezone.now())
            if refused is not None:
                request._signin_refusal = refused
                return None
            user = super().authenticate(request, **credentials)
        # A right password on an inactive account is stashed by allauth: a success too.
        if user is not None or getattr(auth_backends._stash, "user", None) is not None:
            record_success(request, login)
        return user


def refusal_of(request: HttpRequest | None) -> Refusal | None:
    return getattr(request, "_signin_refusal", None)


def _forget_after_reset(sender, request, user, **kwargs):
    clear_account(user.email)


def connect_signals() -> None:
    from allauth.account.signals import password_reset

    password_reset.connect(_forget_after_reset, dispatch_uid="covenant.signin.reset")
