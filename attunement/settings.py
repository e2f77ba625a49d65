"""Attunement settings: one file, driven by the environment.

Nothing set: a local install with SQLite (WAL) under ``./var/``, a secret key generated
once into ``./var/``, mail printed to the console. ``ATTUNEMENT_PRODUCTION=true`` turns on
the production checks: a secret key, allowed hosts and a mail server must be given, and
cookies, HSTS and HTTPS redirects are on. See ``docs/operations.md``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from attunement.lib.env import (
    ConfigError,
    env_bool,
    env_int,
    env_list,
    env_str,
    local_secret_key,
    writable_dir,
)

# Lets the typed generics of the stubs (ModelAdmin[Model], QuerySet[Model]) run.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = writable_dir(Path(env_str("ATTUNEMENT_VAR_DIR", str(BASE_DIR / "var"))).resolve(), "ATTUNEMENT_VAR_DIR")

PRODUCTION = env_bool("ATTUNEMENT_PRODUCTION")
DEBUG = env_bool("DEBUG")
if PRODUCTION and DEBUG:
    raise ConfigError("DEBUG=true is refused when ATTUNEMENT_PRODUCTION=true; debug pages leak data.")

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ConfigError("SECRET_KEY (or SECRET_KEY_FILE) must be set when ATTUNEMENT_PRODUCTION=true.")
    SECRET_KEY = local_secret_key(VAR_DIR)
elif PRODUCTION and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ConfigError("SECRET_KEY must be at least 50 random characters in production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ConfigError("ALLOWED_HOSTS must list the host names Attunement is served on (comma-separated).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The public address, for links in mail sent outside a request (reminders, tasks).
SITE_URL = env_str("SITE_URL", "" if PRODUCTION else "http://127.0.0.1:8000").rstrip("/")
if PRODUCTION and not SITE_URL.startswith("https://"):
    raise ConfigError("SITE_URL must be the https:// address Attunement is served on.")
# Wraps the associations' credential-signing keys at rest (HKDF -> AES-GCM); back it up with the
# database. Defaults to SECRET_KEY; set it separately so SECRET_KEY can be rotated alone.
CREDENTIAL_KEY_SECRET = env_str("CREDENTIAL_KEY_SECRET") or SECRET_KEY

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks_db",
    "anymail",
    "attunement.lib",
    "attunement.mail",
    "attunement.audit",
    "attunement.people",
    "attunement.associations",
    "attunement.competencies",
    "attunement.endorsement",
    "attunement.portfolios",
    "attunement.payments",
    "attunement.membership",
    "attunement.registry",
    "attunement.credentials",
    "attunement.workforce",
    "attunement.rsc",
    "attunement.api",
    "attunement.training",
    "attunement.operations",
]

MIDDLEWARE = [
    "attunement.lib.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "attunement.people.middleware.StaffMFARequiredMiddleware",
    "attunement.people.middleware.PreferredLanguageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "attunement.urls"
WSGI_APPLICATION = "attunement.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "attunement.associations.context_processors.association",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------

SQLITE_OPTIONS = {
    # IMMEDIATE takes the write lock when a transaction starts, so select_for_update and
    # check-then-act sections serialise instead of failing with "database is locked".
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000",
}

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    try:
        _db = dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several types for a bad address
        raise ConfigError(f"DATABASE_URL is not a database address Attunement understands ({exc}).") from None
    if _db.get("ENGINE") == "django.db.backends.postgresql":
        _db.setdefault("OPTIONS", {})
        _db["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME") or None}
    elif _db.get("ENGINE") == "django.db.backends.sqlite3":
        _db["OPTIONS"] = dict(SQLITE_OPTIONS)
    else:
        raise ConfigError(
            "DATABASE_URL must start with postgres:// (or sqlite:///); leave it unset for the embedded SQLite database."
        )
    if not _db.get("NAME"):
        raise ConfigError(
            "DATABASE_URL names no database; add it after the host, as in postgres://user@host:5432/attunement."
        )
    DATABASES = {"default": _db}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "attunement.sqlite3"),
            "OPTIONS": dict(SQLITE_OPTIONS),
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
            # A file, not memory: threads in the race tests need one shared database. One per
            # process, so two test runs on one checkout never share (xdist adds its own suffix).
            "TEST": {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    # The database cache is shared by every worker process, so login lock-outs and rate
    # limits hold across gunicorn workers without Redis. Its table is made by a migration.
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "attunement_cache",
    }
}

# The verification API (attunement/api): requests per minute per key unless an admin sets
# another quota, and where the per-minute counters live ("memory": per worker, no write per
# request; "database": one shared row per key, exact across workers). See docs/operations.md.
API_QUOTA_PER_MINUTE = env_int("API_QUOTA_PER_MINUTE", 600)
API_RATE_LIMIT_STORE = env_str("API_RATE_LIMIT_STORE", "memory")
if API_RATE_LIMIT_STORE not in ("memory", "database"):
    raise ConfigError("API_RATE_LIMIT_STORE must be memory or database.")
# On PostgreSQL the lookup by code runs as a prepared statement (planned once per connection).
# Set false behind a pooler that cannot keep prepared statements (PgBouncer before 1.21 in
# transaction mode).
API_PREPARED_STATEMENTS = env_bool("API_PREPARED_STATEMENTS", True)

# --- Accounts -------------------------------------------------------------------------

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "people:home"
LOGOUT_REDIRECT_URL = "home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "attunement.people.passwords.LengthForSecondFactorValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

ACCOUNT_ADAPTER = "attunement.people.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Attunement] "
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
# Lock-out: after 5 failed passwords for one address in 15 minutes (or 20 from one IP in
# a minute) further attempts are refused until the window passes.
LOGIN_ATTEMPTS_LIMIT = env_int("LOGIN_ATTEMPTS_LIMIT", 5)
LOGIN_ATTEMPTS_TIMEOUT = env_int("LOGIN_ATTEMPTS_TIMEOUT", 15 * 60)
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"20/m/ip,{LOGIN_ATTEMPTS_LIMIT}/{LOGIN_ATTEMPTS_TIMEOUT}s/key",
}
# The per-address limits above key on the client's address. Behind the TLS proxy every request
# comes from the proxy, so allauth must take the address the proxy appends to X-Forwarded-For
# (the n-th from the right for n proxies we run), or one client's failures lock out everyone.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int(
    "TRUSTED_PROXY_COUNT", 1 if PRODUCTION and env_bool("BEHIND_TLS_PROXY", True) else 0
)
if not 0 <= ALLAUTH_TRUSTED_PROXY_COUNT <= 10:
    raise ConfigError("TRUSTED_PROXY_COUNT must be the number of proxies in front of gunicorn (0 to 10).")
# A header the proxy sets to the client's address (e.g. X-Real-IP); when set it wins over X-Forwarded-For.
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env_str("TRUSTED_CLIENT_IP_HEADER") or None
MFA_ADAPTER = "attunement.people.mfa.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "Attunement")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 60 * 60)

# --- Security -------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP: dict[str, list[str] | bool] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("BEHIND_TLS_PROXY", True):
        # gunicorn sits behind a TLS-terminating proxy that sets X-Forwarded-Proto.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_CSP["upgrade-insecure-requests"] = True

# --- Mail -----------------------------------------------------------------------------

DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Attunement <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_email_host = env_str("EMAIL_HOST")
# The default mailer queues: a message is recorded and sent by `attunement worker` through the
# transport mailer, retried while the server is down (attunement.mail).
MAIL_TRANSPORT = "transport"
_queued: dict[str, Any] = {"BACKEND": "attunement.mail.backend.QueuedEmailBackend"}
# A mail provider instead of SMTP (django-anymail), with its tracking webhooks at
# /mail/events/<provider>/: MAIL_PROVIDER=mailgun|postmark|sendgrid|brevo|mailjet|sparkpost, and
# the provider's settings as ANYMAIL_<NAME> variables (ANYMAIL_MAILGUN_API_KEY,
# ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY, ANYMAIL_POSTMARK_SERVER_TOKEN, ANYMAIL_WEBHOOK_SECRET…).
MAIL_PROVIDER = env_str("MAIL_PROVIDER").strip().lower()
_MAIL_PROVIDERS = ("brevo", "mailgun", "mailjet", "postmark", "sendgrid", "sparkpost")
# Each ANYMAIL_<NAME> variable (or ANYMAIL_<NAME>_FILE, read by env_str) is anymail's <NAME>.
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): env_str(name)
    for name in sorted({key.removesuffix("_FILE") for key in os.environ if key.startswith("ANYMAIL_")})
}
if MAIL_PROVIDER:
    if MAIL_PROVIDER not in _MAIL_PROVIDERS:
        raise ConfigError(f"MAIL_PROVIDER must be one of {', '.join(_MAIL_PROVIDERS)}, not {MAIL_PROVIDER!r}.")
    MAILERS: dict[str, dict[str, Any]] = {
        "default": _queued,
        "transport": {"BACKEND": f"anymail.backends.{MAIL_PROVIDER}.EmailBackend"},
    }
elif _email_host:
    _email_port = env_int("EMAIL_PORT", 587)
    MAILERS = {
        "default": _queued,
        "transport": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": _email_port,
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", _email_port == 587),
                "use_ssl": env_bool("EMAIL_USE_SSL", _email_port == 465),
                "timeout": 20,
            },
        },
    }
elif PRODUCTION:
    raise ConfigError(
        "EMAIL_HOST (or MAIL_PROVIDER) must be set in production: sign-in codes and verification links go out by mail."
    )
else:
    # Local use: mail, including sign-in codes, is printed by the worker (`make demo` runs one).
    MAILERS = {"default": _queued, "transport": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# --- Background tasks -----------------------------------------------------------------
# Django's task framework on the database (django-tasks-db): no other server; on PostgreSQL
# several workers share the queue.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail", "webhooks"]}}

# --- Languages, time ------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = not PRODUCTION  # locally, serve straight from the source folders
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Uploads live under var/, outside anything the web server serves; views that check
# permissions stream them. MEDIA_URL stays unset on purpose.
MEDIA_ROOT = VAR_DIR / "uploads"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}
FILE_UPLOAD_PERMISSIONS = 0o640
ASSOCIATION_LOGO_MAX_BYTES = 1024 * 1024
PORTFOLIO_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# Card payments: a class with the payments.gateways.Gateway interface, or empty for none.
PAYMENT_GATEWAY = env_str("PAYMENT_GATEWAY", "" if PRODUCTION else "attunement.payments.gateways.DemoGateway")

# --- Logs -----------------------------------------------------------------------------

LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "text")
if LOG_FORMAT not in {"json", "text"}:
    raise ConfigError(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}.")
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "attunement.lib.logs.RequestIdFilter"},
        "redact": {"()": "attunement.lib.logs.RedactSecretsFilter"},
    },
    "formatters": {
        "json": {"()": "attunement.lib.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "redact"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # The request logger in lib.middleware writes one line per request instead.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}
