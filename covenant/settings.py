"""Covenant's one settings module, driven by the environment.

Every setting that differs between a laptop and the estate's server is read from an
environment variable (or a `.env` file beside manage.py); the README has the table.
Unset, everything falls back to the embedded default: SQLite, tasks in-process, mail
to the console.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="django-insecure-covenant-development-only")
else:
    # No fallback: a production server without its own key must not start.
    if "SECRET_KEY" not in env:
        raise ImproperlyConfigured(
            "Set SECRET_KEY, or DEBUG=true for development ('make run' writes a .env with it)."
        )
    SECRET_KEY = env("SECRET_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "covenant",
    "proposals",
    "volunteers",
    "notices",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Brotli or gzip for the app's HTML; BREACH reasoning in covenant/compression.py.
    "covenant.compression.CompressionMiddleware",
    # Over-limit sign-in attempts are refused here, before the rest runs (covenant/signin.py).
    "covenant.signin.SignInGateMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "covenant.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "covenant.middleware.PrivateCacheControlMiddleware",
    "covenant.signin.TrustedDeviceMiddleware",
]

ROOT_URLCONF = "covenant.urls"
WSGI_APPLICATION = "covenant.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "covenant.context_processors.navigation",
                "covenant.elders.context",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'covenant.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and a test's live server share the file;
    # IMMEDIATE transactions wait for the write lock instead of failing with "database is
    # locked" when two sign-ins count their failures at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "covenant.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# One backend checks passwords (allauth's, by email, behind the sign-in limits); with
# Django's ModelBackend beside it every wrong password was hashed twice.
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "covenant.signin.SignInBackend",
]
# Argon2id at OWASP's cost (covenant/signin.py says why and what it measured); the
# others only verify older hashes, which are upgraded at the owner's next sign-in.
PASSWORD_HASHERS = [
    "covenant.signin.EstateArgon2PasswordHasher",
    "covenant.signin.LegacyPBKDF2PasswordHasher",
]
# Sign-in limits (covenant/signin.py), counted in the database so they hold without Redis.
SIGNIN_ACCOUNT_FREE_FAILURES = env.int("SIGNIN_ACCOUNT_FREE_FAILURES", default=5)
SIGNIN_ACCOUNT_FIRST_DELAY_SECONDS = env.int("SIGNIN_ACCOUNT_FIRST_DELAY_SECONDS", default=60)
SIGNIN_ACCOUNT_MAX_DELAY_SECONDS = env.int("SIGNIN_ACCOUNT_MAX_DELAY_SECONDS", default=3600)
SIGNIN_ADDRESS_FAILURES = env.int("SIGNIN_ADDRESS_FAILURES", default=100)
SIGNIN_ADDRESS_WINDOW_SECONDS = env.int("SIGNIN_ADDRESS_WINDOW_SECONDS", default=15 * 60)
SIGNIN_ADDRESS_BURST_FAILURES = env.int("SIGNIN_ADDRESS_BURST_FAILURES", default=20)
SIGNIN_ADDRESS_BURST_SECONDS = env.int("SIGNIN_ADDRESS_BURST_SECONDS", default=60)
SIGNIN_FORGET_AFTER_SECONDS = 24 * 60 * 60
# Each process hashes one password at a time, in a thread of low priority (niceness),
# with at most this many attempts hashing or waiting; more are asked to retry.
SIGNIN_HASH_QUEUE = env.int("SIGNIN_HASH_QUEUE", default=3)
SIGNIN_HASH_NICENESS = env.int("SIGNIN_HASH_NICENESS", default=10)

# --- Language and time -------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
# Each language is named in itself, so anyone can find their own in the switcher.
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates in each language's own style (covenant/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["covenant.formats"]
LANGUAGE_COOKIE_NAME = "covenant_language"
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files -----------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Uploads wait here, outside MEDIA_ROOT and never served, until a worker has checked and
# re-encoded them (covenant/uploads.py).
QUARANTINE_ROOT = env.path("QUARANTINE_ROOT", default=BASE_DIR / "private" / "quarantine")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "quarantine": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": QUARANTINE_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Golden ideas --------------------------------------------------------------------
# Per-user limits (django-ratelimit, kept in the cache); over them the user gets a 429 page.
IDEA_RATE_LIMITS = {
    "idea": env("IDEA_RATE_LIMIT", default="10/h"),
    "comment": env("COMMENT_RATE_LIMIT", default="30/h"),
    "report": env("REPORT_RATE_LIMIT", default="20/h"),
}

# --- Redis: broker and cache when configured, in-process otherwise -----------------
REDIS_URL = env("REDIS_URL", default="")
# A Redis that is down or hung must not hold a web request: fail fast, deliver later.
REDIS_SOCKET_TIMEOUT_SECONDS = env.float("REDIS_SOCKET_TIMEOUT_SECONDS", default=1.0)

if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, answering a cache miss when Redis is down or hung.
            "BACKEND": "covenant.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "covenant",
            "OPTIONS": {
                "socket_connect_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
                "socket_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT_SECONDS
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
    "socket_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
    "max_retries": 1,
    # Longer than the slowest task, so an unacknowledged task is not redelivered early.
    "visibility_timeout": 60 * 60,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0}

# Digests at a local hour (TIME_ZONE), weekly ones on a day (0 = Sunday … 6 = Saturday);
# the sweeper re-enqueues what the broker lost and publishes scheduled announcements.
DIGEST_HOUR = env.int("DIGEST_HOUR", default=7)
DIGEST_WEEKDAY = env.int("DIGEST_WEEKDAY", default=1)
NOTICES_SWEEP_EVERY_SECONDS = env.int("NOTICES_SWEEP_EVERY_SECONDS", default=30)
# The worker and beat each leave a heartbeat every minute; /healthz says "degraded" when
# one is older than this.
HEARTBEAT_LATE_SECONDS = env.int("HEARTBEAT_LATE_SECONDS", default=5 * 60)
CELERY_BEAT_SCHEDULER = "covenant.celery:HeartbeatScheduler"
CELERY_WORKER_CONSUMER = "covenant.celery:PromptConsumer"
CELERY_BEAT_SCHEDULE = {
    "notices-daily-digest": {
        "task": "notices.tasks.send_daily_digests",
        "schedule": crontab(minute=0, hour=DIGEST_HOUR),
    },
    "notices-weekly-digest": {
        "task": "notices.tasks.send_weekly_digests",
        "schedule": crontab(minute=0, hour=DIGEST_HOUR, day_of_week=DIGEST_WEEKDAY),
    },
    "notices-sweep-outbox": {
        "task": "notices.tasks.sweep_outbox",
        "schedule": NOTICES_SWEEP_EVERY_SECONDS,
    },
    "covenant-worker-heartbeat": {
        "task": "covenant.tasks.worker_heartbeat",
        "schedule": 60,
        # A heartbeat that waited in the queue longer than its interval is no news.
        "options": {"expires": 60},
    },
    "covenant-forget-old-signin-failures": {
        "task": "covenant.tasks.forget_old_signin_failures",
        "schedule": crontab(minute=15, hour=4),
    },
}

# --- Mail --------------------------------------------------------------------------
# EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.org:587; mail goes to the console
# by default. Django 6.1's MAILERS replaces the EMAIL_* settings.
_email = env.email_url("EMAIL_URL", default="consolemail://")
_smtp_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS", False),
    "use_ssl": _email.get("EMAIL_USE_SSL", False),
    "timeout": env.int("EMAIL_TIMEOUT", default=10),
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": (
            {key: value for key, value in _smtp_options.items() if value not in (None, "")}
            if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
if _email["EMAIL_BACKEND"].endswith("filebased.EmailBackend"):
    # filemail:///path: one file per message, for tests and staging.
    MAILERS["default"]["OPTIONS"] = {"file_path": "/" + _email["EMAIL_FILE_PATH"].lstrip("/")}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Covenant <noreply@covenant.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Accounts (django-allauth) -----------------------------------------------------
# Empty: the translated product name is shown.
SITE_NAME = env("SITE_NAME", default="")
# Whom a newcomer asks when the mail does not come, shown on the sign-up pages and in the
# mail: e.g. "物业服务中心 0750-5500000（8:00–20:00）". Site-wide rather than per estate
# because these pages come before anyone has chosen an estate. Empty: the pages point to
# the building captains instead.
COVENANT_CONTACT = env("COVENANT_CONTACT", default="")
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = (
    env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory") if DEBUG else "mandatory"
)
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
ACCOUNT_SIGNUP_FORM_CLASS = "covenant.forms.SignupDetailsForm"
ACCOUNT_ADAPTER = "covenant.adapters.AccountAdapter"
# The subject is prefixed with 【site name】 by covenant.adapters.AccountAdapter (the name is
# translated, so it cannot be a fixed string here); allauth's default would use the host name.
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# The "check your mail" page asks for the code from the mail and offers, through allauth's
# own views and rate limits, to send it again or to correct a mistyped address (both exist
# only for code verification). The code is bound to the browser that signed up; from any
# other device, signing in sends a fresh one.
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_VERIFICATION_SUPPORTS_RESEND = True
ACCOUNT_EMAIL_VERIFICATION_SUPPORTS_CHANGE = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
# The owner of an account under attack signs in with a code sent by email.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
# allauth's limits live in the cache (Redis when configured). Sign-in attempts are
# limited by covenant/signin.py instead, in the database, counting failures only:
# allauth's "login" (every attempt per address) and "login_failed" are off.
ACCOUNT_RATE_LIMITS = {
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "login": "",
    "login_failed": "",
    "request_login_code": "20/m/ip,3/m/key",
    # One code mail per address every 20 s: "send it again" a moment later works, a loop
    # does not (allauth also caps resends and changes per sign-up at 2 each).
    "confirm_email": "1/20s/key",
}
# How many reverse proxies stand in front of the app; without it, everyone behind one
# proxy would share one rate-limit bucket (allauth's and the sign-in limits).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Security ----------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "covenant.views.csrf_failure"

if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading is a promise to browsers that is slow to take back: the operator opts in.
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    # Health probes speak plain HTTP to the app server behind the proxy.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies are bound to this exact host over HTTPS, never to a parent domain.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# --- Logging -----------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Community ---------------------------------------------------------------------
MEMBERSHIP_QUEUE_PAGE_SIZE = 20

# --- Notices -----------------------------------------------------------------------
# The site's address, for links in mail (there is no request when a worker sends).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
NOTICES_PAGE_SIZE = 20
NOTICES_MAX_ATTEMPTS = env.int("NOTICES_MAX_ATTEMPTS", default=6)
NOTICES_RETRY_BASE_SECONDS = env.int("NOTICES_RETRY_BASE_SECONDS", default=60)
# Pending this long, a delivery or digest is re-enqueued by the sweeper (the broker
# may have lost it); claimed this long by a worker that never finished, it is released.
NOTICES_SWEEP_AFTER_SECONDS = env.int("NOTICES_SWEEP_AFTER_SECONDS", default=120)
NOTICES_STALE_CLAIM_SECONDS = env.int("NOTICES_STALE_CLAIM_SECONDS", default=600)
NOTICES_SWEEP_LIMIT = 5000
