"""Settings for the Zhengdong target tracker.

Everything that differs between a laptop and production comes from environment
variables (see the table in README.md). The defaults run on a laptop: SQLite, Celery
tasks inline, DEBUG on.
"""

import json
import os
from datetime import date, timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.getenv(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: str) -> int:
    return int(os.getenv(name, default))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "true")

SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "zhengdong.apps.TrackerAdminConfig",  # django.contrib.admin, managers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_celery_beat",
    "simple_history",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "targets",
    "targets.evidence",
    "targets.notifications",
    "projects",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "targets.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "targets.middleware.PrivateNoStoreMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "targets.middleware.ExportRequestMiddleware",
    # Last: turns a refused login into the login page saying it is locked (HTTP 429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhengdong.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "targets.context_processors.roles",
                "targets.context_processors.plan",
                "targets.notifications.context_processors.unread",
            ],
        },
    },
]

WSGI_APPLICATION = "zhengdong.wsgi.application"

# Database: an SQLite file by default; DATABASE_URL=postgres://user@host:5432/name for
# PostgreSQL. Persistent connections: a new PostgreSQL connection costs a few ms per request.
DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("CONN_MAX_AGE", "600"),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker) share the file: wait instead of failing on a lock.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes), on the product's and the admin's login: after
# LOGIN_FAILURE_LIMIT wrong passwords for one user name, or from one address, that user
# name (and that address) may not log in for LOGIN_COOLOFF_MINUTES after the last failure,
# unless a manager unlocks it (/accounts/lockouts/). API tokens are not affected.
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out user name or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_COOLOFF_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own
AXES_LOCKOUT_CALLABLE = "targets.logins.lockout_response"
# The address the audit log records too (REMOTE_ADDR; the HTTPS proxy must pass the client's).
AXES_CLIENT_IP_CALLABLE = "targets.audit.client_ip"
# A success does not wipe the failures: it would let anyone with an account reset the
# counter of the address they guess other users' passwords from.
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False

# Content-Security-Policy (django-csp): scripts, styles, fonts and images from this site
# only; no inline script or style attribute anywhere (charts are drawn by static JS from
# json_script data), so an injected <script> or onclick= does not run. Images may also be
# data: URIs (Plotly's and the API docs' icons). Plotly adds its own CSS rules through
# empty <style> elements it fills with insertRule (not subject to the policy): the hash of
# the empty string lets exactly those in, and no <style> with any text.
EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
# plotly.js 4.1 also injects MapLibre's stylesheet (map traces, unused here) as one fixed
# <style>: allowed by its hash, so the console stays clean (tests/targets/test_browser_csp.py
# fails on a plotly upgrade that changes it).
PLOTLY_MAPLIBRE_STYLE_HASH = "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "style-src": ["'self'", EMPTY_STYLE_HASH, PLOTLY_MAPLIBRE_STYLE_HASH],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Sessions expire: two weeks at most, and when the browser closes.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(8 * 3600))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Internationalisation: Chinese first, English selectable.
LANGUAGE_CODE = os.getenv("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "zhengdong" / "locale"]
TIME_ZONE = os.getenv("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # plotly.min.js ships inside the plotly package: served from there, never from a CDN.
    "zhengdong.assets.PlotlyFinder",
]
# Uploaded files (evidence, archived reports): the file system under MEDIA_ROOT by default;
# an S3-compatible store (MinIO …) with MEDIA_STORAGE_BACKEND=storages.backends.s3.S3Storage
# and its options as JSON in MEDIA_STORAGE_OPTIONS (see README). Either way files are
# served only through the app's access-checked views, never by URL.
STORAGES = {
    "default": {
        "BACKEND": os.getenv("MEDIA_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(os.getenv("MEDIA_STORAGE_OPTIONS", "") or "{}"),
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "zhengdong.assets.GzipManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"

# Uploads: XLSX imports are refused above 5 MB before openpyxl opens them.
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
IMPORT_MAX_BYTES = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# The plan grid posts every indicator's cells at once: target, operator, unit, deadline,
# cadence and a weight per month and per 旬 (54 for a year-long indicator); the briefing's
# 88 indicators post 1,381 fields, above Django's default 1,000.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10000
# Evidence files (targets/evidence): each at most EVIDENCE_MAX_BYTES (a larger request is
# refused from its Content-Length, before its body is read); photos at most
# EVIDENCE_MAX_PIXELS (decompression bombs), shrunk to EVIDENCE_MAX_SIDE px and
# thumbnailed at EVIDENCE_THUMB_SIZE px; at most EVIDENCE_MAX_FILES per form.
EVIDENCE_MAX_BYTES = envint("EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024))
EVIDENCE_MAX_PIXELS = envint("EVIDENCE_MAX_PIXELS", "50000000")
EVIDENCE_MAX_SIDE = envint("EVIDENCE_MAX_SIDE", "4096")
EVIDENCE_THUMB_SIZE = envint("EVIDENCE_THUMB_SIZE", "320")
EVIDENCE_MAX_FILES = envint("EVIDENCE_MAX_FILES", "5")

EMAIL_BACKEND = os.getenv("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "tracker@zhengdong.local")
# SMTP (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend): notifications (the
# deadline notices among them) and reports. A timeout, so a mail server that hangs fails
# the send (retried) rather than holding a worker.
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "false")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "20")
# Absolute base of links in emails (notifications, reports), e.g. https://tracker.example.gov.cn
# History is for reading: a figure changes only through targets.services, never by a
# "revert" in the admin.
SIMPLE_HISTORY_REVERT_DISABLED = True

SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000")

# Time-progress status thresholds (cumulative actual ÷ cumulative plan).
STATUS_GREEN_AT = float(os.getenv("STATUS_GREEN_AT", "1.0"))
STATUS_YELLOW_AT = float(os.getenv("STATUS_YELLOW_AT", "0.9"))

# Celery: without a broker URL every task runs inline, in the caller's process.
CELERY_BROKER_URL = os.getenv("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis keeps a delivered task until the worker acknowledges it (after the task, acks_late)
# and hands it to another worker once the visibility timeout has passed: a worker killed
# whole (kill -9, out of memory, power) is made up for after that long. Short tasks (every
# roll-up after a save, notices and their deliveries, the weekly report: seconds each) share a short timeout;
# the nightly job over every indicator runs on the "rebuild" queue, whose worker keeps its
# unacknowledged tasks under keys of their own with a long timeout (CELERY_LONG_TASKS=true,
# see the Procfile), so the short sweep never hands a running rebuild out twice.
CELERY_REBUILD_QUEUE = "rebuild"
CELERY_TASK_ROUTES = {"targets.tasks.rebuild_all_rollups": {"queue": CELERY_REBUILD_QUEUE}}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", "300"),
    # Look for tasks of dead workers every 10 s (by default only every 100 s).
    "unacked_restore_interval": envint("CELERY_RESTORE_INTERVAL", "10"),
    "unacked_restore_throttle": 1,
    # Two deployments on one Redis (staging, production) keep apart with a prefix.
    "global_keyprefix": os.getenv("CELERY_REDIS_PREFIX", ""),
}
if envbool("CELERY_LONG_TASKS", "false"):
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        visibility_timeout=envint("CELERY_LONG_VISIBILITY_TIMEOUT", "7200"),
        unacked_key="unacked_long",
        unacked_index_key="unacked_index_long",
        unacked_mutex_key="unacked_mutex_long",
    )
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    # Nightly full roll-up rebuild at 02:00 Asia/Shanghai (CELERY_TIMEZONE); it also moves
    # each row's time-progress status on to the new day.
    "rebuild-rollups-nightly": {
        "task": "targets.tasks.rebuild_all_rollups",
        "schedule": crontab(hour=2, minute=0),
    },
    # Roll-ups whose task was lost (broker down at the save, a worker killed whole): found
    # by targets.freshness and refreshed within minutes, not at night.
    "catch-up-rollups": {
        "task": "targets.tasks.catch_up_rollups",
        "schedule": crontab(minute="*/2"),
    },
    # Deadlines approaching and overdue (weeks, milestones, problems): daily 08:30, each
    # notice once a day (targets.notifications.due). It is also the weekly entry reminder:
    # a unit's clerks get one message a day about its weeks due (Monday 12:00) or overdue.
    "daily-due-notices": {
        "task": "targets.notifications.tasks.send_due_notices",
        "schedule": crontab(hour=8, minute=30),
    },
    # The week's progress report (PDF) into the archive and to the managers: Monday 09:00.
    "weekly-progress-report": {
        "task": "targets.tasks.build_weekly_report",
        "schedule": crontab(hour=9, minute=0, day_of_week="mon"),
    },
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

REST_FRAMEWORK = {
    # Token first: an anonymous call gets 401 with WWW-Authenticate, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "targets.api.common.ApiSchema",
    # JSON nested too deep is a 400 parse_error, not a server error.
    "DEFAULT_PARSER_CLASSES": [
        "targets.api.policies.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "targets.api.policies.Pagination",
    "PAGE_SIZE": 50,
    "COERCE_DECIMAL_TO_STRING": True,
    "EXCEPTION_HANDLER": "targets.api.common.exception_handler",
    # Requests with an API token, per user (browser sessions are not throttled).
    "DEFAULT_THROTTLE_CLASSES": ["targets.api.policies.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": os.getenv("API_TOKEN_RATE", "120/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "郑东新区目标任务跟踪 API",
    "DESCRIPTION": (
        "郑东新区目标任务跟踪的指标、汇总序列、填报数据和项目。认证：请求头 "
        "`Authorization: Token <令牌>`（在 /accounts/token/ 生成），或浏览器登录会话（写操作带 "
        "X-CSRFToken 头）。所有错误都是同一格式："
        '`{"error": {"code", "message", "fields", "entry"}}`。'
        "填报员只能读写本单位的填报数据；领导、管理员可读全部；写入与网页填报走同一校验服务。"
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "IndicatorKindEnum": "targets.models.Indicator.Kind",
        "CampaignKindEnum": "projects.models.SafetyCampaign.Kind",
        "ProjectKindEnum": "projects.api.serializers.KINDS",
        "ProblemStatusEnum": "projects.models.Problem.Status",
        "PeriodStatusEnum": "targets.models.PeriodValue.Status",
        "KeyProjectStageEnum": "projects.models.KeyProject.Stage",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Caches (API token throttling): Redis when CACHE_URL is set (shared by every worker),
# otherwise this process's memory.
CACHE_URL = os.getenv("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"

# Production hardening, active whenever DEBUG is off.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "true")
    # The health check answers plain HTTP too: probes call the app directly, not the proxy.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", "true")
    CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", "true")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint logs every layout step of every PDF at INFO.
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# The demo's fixed "today" (YYYY-MM-DD; ``make run`` sets 2021-11-19, the demo data's last
# day). Unset in production: the product's clock (targets.clock) is then the real date.
DEMO_TODAY = (
    date.fromisoformat(os.environ["DEMO_TODAY"].strip()) if os.getenv("DEMO_TODAY", "").strip() else None
)

# Password of the demo users that `make run` creates (demo only, printed in the README).
DEMO_PASSWORD = "zhengdong2021"  # noqa: S105 (demo users only)
