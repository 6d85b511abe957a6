"""Settings for the plan tracker: one file, configured from the environment.

With no environment at all it runs for development on SQLite (DEBUG on), so a
fresh clone works with `make run`. Production sets DJANGO_DEBUG=0 and the
variables documented in README.md; `manage.py check --deploy` is then silent.
"""

import datetime as dt
import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

# Development gets a fixed, obviously-insecure key so sessions survive restarts;
# production must set its own (check --deploy rejects this one).
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off")
    SECRET_KEY = "django-insecure-development-only-key"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "tracker.apps.AxesConfig",  # django-axes, named in Chinese
    "tracker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Everything below WhiteNoise (static files stay cacheable) answers `private, no-store`.
    "tracker.middleware.PrivateCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before CSRF, which would read (and spool to disk) an oversized upload to find its token.
    "tracker.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tracker.middleware.SessionIdleMiddleware",
    "tracker.middleware.MethodNotAllowedPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# django-axes watches every login (the app's and the admin's) before Django checks the
# password; a locked-out account or address is refused even with the right password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, with the user's body read in the same query.
    "tracker.access.UserBackend",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

FORM_RENDERER = "tracker.forms.widgets.FormRenderer"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tracker.context_processors.roles",
            ],
        },
    },
]

# SQLite by default. WAL lets readers work beside a writer; IMMEDIATE takes the
# write lock at BEGIN so concurrent writers queue (busy timeout) instead of
# failing with "database is locked" when they upgrade a read lock.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    # No JIT: with statistics PostgreSQL estimated the lists' long state expressions as
    # costly enough to compile them to machine code on every query — 1.4 s of a 1.45 s query,
    # 3.6 s on 我的任务 (docs/bench.md, docs/query-plans-postgresql.md). A site of short
    # queries never gains from it.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = (_options.get("options", "") + " -c jit=off").strip()
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # Kept open between requests, as PostgreSQL's are: opening one and running the
            # PRAGMAs below cost each request about 2 ms, and every request then started
            # with an empty page cache (issue 10: report POSTs).
            "CONN_MAX_AGE": 60,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA foreign_keys=ON;"
                    # 32 MiB of pages kept per connection (SQLite's default is 2 MiB): the
                    # lists' tables stay in memory instead of being read again from the
                    # file by every query (issue 10, docs/bench.md).
                    "PRAGMA cache_size=-32768;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end after TRACKER_SESSION_IDLE_SECONDS without a request (tracker.middleware.
# SessionIdleMiddleware), and when the browser closes unless 记住我 was ticked at login.
TRACKER_SESSION_IDLE_SECONDS = env_int("TRACKER_SESSION_IDLE_SECONDS", 8 * 3600)
SESSION_COOKIE_AGE = TRACKER_SESSION_IDLE_SECONDS
# Sessions live in the database, so any app server behind the proxy knows a user another one
# logged in (tests/test_scale_out.py). Named although it is Django's default: a cache or
# file backend here would tie each user to one server. Expired rows: `clearsessions` (README).
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Login throttling (django-axes): after TRACKER_LOGIN_FAILURE_LIMIT failed logins for one
# account, or from one client address, both are refused for TRACKER_LOGIN_LOCKOUT_MINUTES
# after the last failure, or until an administrator unlocks them (admin: 访问尝试, or
# `manage.py axes_reset_username NAME` / `axes_reset_ip ADDRESS` / `axes_reset`).
AXES_FAILURE_LIMIT = env_int("TRACKER_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("TRACKER_LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Failures are counted in the database, shared by every app server (not per process).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_CALLABLE = "tracker.views.accounts.locked_out"
# The client address, from X-Forwarded-For only when the request comes from a trusted proxy.
AXES_CLIENT_IP_CALLABLE = "tracker.middleware.client_address"
# Every failure is kept (admin: 登录失败记录) and logged with the account and the address.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_SENSITIVE_PARAMETERS: list[str] = []
# No start-up banner on every manage.py command; the failure lines still name both.
AXES_VERBOSE = False
# A successful login does not wipe the address's failures: one valid account must not reset
# the count of guesses at the others.
AXES_RESET_ON_SUCCESS = False
# Addresses (or networks) of the reverse proxies whose X-Forwarded-For is believed.
TRACKER_TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES", "")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "tracker" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
# Evidence files and issued bulletins go through Django's storage API: a folder on this
# server (DJANGO_MEDIA_ROOT) by default, or, with DJANGO_S3_BUCKET set, S3-compatible object
# storage (django-storages), which every app server behind the proxy shares (README:
# scale-out). The files stay private: no public ACL, and the site serves them itself after
# checking who may read them.
S3_BUCKET = os.environ.get("DJANGO_S3_BUCKET", "")
DEFAULT_STORAGE: dict[str, Any] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if S3_BUCKET:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("DJANGO_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("DJANGO_S3_REGION") or None,
            "access_key": os.environ.get("DJANGO_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("DJANGO_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("DJANGO_S3_PREFIX", ""),
            # MinIO and most self-hosted stores want path-style URLs.
            "addressing_style": os.environ.get("DJANGO_S3_ADDRESSING_STYLE") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Evidence files live outside static files and are served only through a view
# that checks who may see them.
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# No URL pattern serves MEDIA_ROOT: evidence goes through a permission-checking view.
MEDIA_URL = "/media-not-served/"

# Content-Security-Policy: no inline script without the per-request nonce.
# The admin still writes a few inline style attributes, hence styles alone allow them.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

if not DEBUG:
    # Behind a TLS-terminating proxy (nginx), which sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # The proxy's and the monitoring's health check may ask over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)

# Django 6.1 mailers. Development prints mail on the console; production sends by SMTP.
MAILERS: dict[str, dict[str, Any]]
if env_bool("DJANGO_EMAIL_CONSOLE", DEBUG):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("DJANGO_EMAIL_HOST", "localhost"),
                "port": env_int("DJANGO_EMAIL_PORT", 25),
                "username": os.environ.get("DJANGO_EMAIL_USER", ""),
                "password": os.environ.get("DJANGO_EMAIL_PASSWORD", ""),
                "use_tls": env_bool("DJANGO_EMAIL_USE_TLS", False),
                "timeout": 10,
            },
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "督查督办系统 <noreply@localhost>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # Django's own "django" logger has a console handler in DEBUG; without this its lines
    # would also reach the root handler and print twice.
    "loggers": {"django": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# Where the import page finds gazetteers (地名与单位简称) to offer.
TRACKER_SEEDS_DIR = BASE_DIR / "seeds"

# Product settings (see tracker/states.py for how they are used).
TRACKER_DUE_SOON_DAYS = env_int("TRACKER_DUE_SOON_DAYS", 30)
TRACKER_BEHIND_PACE_POINTS = env_int("TRACKER_BEHIND_PACE_POINTS", 15)
# Links in scheduled reminder mails (manage.py send_reminders) start with this address.
TRACKER_SITE_URL = os.environ.get("TRACKER_SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")

# The bulletin (通报) as issued (tracker/services/bulletins.py): the 文号's prefix
# (聊督通〔2026〕3号), the issuing office named at the head and in the signature, and the main
# recipients a manager starts from. Each issued bulletin keeps its own.
TRACKER_BULLETIN_PREFIX = os.environ.get("TRACKER_BULLETIN_PREFIX", "聊督通")
TRACKER_BULLETIN_ISSUER = os.environ.get("TRACKER_BULLETIN_ISSUER", "聊城市人民政府督查室")
TRACKER_BULLETIN_RECIPIENTS = os.environ.get(
    "TRACKER_BULLETIN_RECIPIENTS", "各县（市、区）人民政府，市政府有关部门："
)

# Evidence upload limits (tracker/forms/reporting.py, tracker/services/reporting.py): per file,
# per report (all its files together) and per body per day (Asia/Shanghai). The form states
# them before anything is uploaded.
MB = 1024 * 1024
TRACKER_UPLOAD_MAX_BYTES = env_int("TRACKER_UPLOAD_MAX_BYTES", 20 * MB)
TRACKER_UPLOAD_REPORT_MAX_BYTES = env_int("TRACKER_UPLOAD_REPORT_MAX_BYTES", 50 * MB)
TRACKER_UPLOAD_BODY_DAY_MAX_BYTES = env_int("TRACKER_UPLOAD_BODY_DAY_MAX_BYTES", 200 * MB)
# The largest request the site accepts: a report's files plus its form fields. The proxy in
# front must allow at least this much (README: client_max_body_size); a larger request gets
# a 413 page from tracker.middleware.RequestSizeLimitMiddleware.
TRACKER_REQUEST_MAX_BYTES = TRACKER_UPLOAD_REPORT_MAX_BYTES + MB

# The web import (导入方案). A plan file up to TRACKER_IMPORT_MAX_BYTES (a 100-page PDF fits);
# pasted text up to TRACKER_IMPORT_PASTE_MAX_BYTES (UTF-8) — a longer text is answered on the
# form, with the text kept, asking for a file upload instead. The uploaded file stays on the
# server (ImportDraft) between preview and confirmation, for TRACKER_IMPORT_DRAFT_HOURS.
TRACKER_IMPORT_MAX_BYTES = env_int("TRACKER_IMPORT_MAX_BYTES", 20 * MB)
TRACKER_IMPORT_PASTE_MAX_BYTES = env_int("TRACKER_IMPORT_PASTE_MAX_BYTES", 2 * MB)
TRACKER_IMPORT_REVIEW_MAX_BYTES = MB
TRACKER_IMPORT_DRAFT_HOURS = env_int("TRACKER_IMPORT_DRAFT_HOURS", 24)

# Fields other than files (Django's own limit), held in memory while a request is read; files
# above FILE_UPLOAD_MAX_MEMORY_SIZE are spooled to a temporary file, never held in memory.
# 10 MB, not Django's 2.5 MB: the CSRF check reads the form before any view, so a paste over
# the limit would be a bare 400 before the import form could say anything; at 10 MB a paste
# up to that size reaches the form, which refuses it above TRACKER_IMPORT_PASTE_MAX_BYTES with
# the text kept. Beyond 10 MB the 400 page (templates/400.html) says to upload a file.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * MB
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * MB + MB // 2
