"""Settings come only from environment variables; `.env.example` documents each one."""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import dj_email_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # Sessions, password-reset links and signed data would be forgeable with a known key.
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG=0 Кабинет does not start without it: set "
            "SECRET_KEY to a long random string (python -c \"import secrets; "
            "print(secrets.token_urlsafe(50))\"), or DEBUG=1 on a development machine."
        )
    # Development only (DEBUG=1): a key that is obviously not a secret.
    SECRET_KEY = "insecure-development-key-set-SECRET_KEY-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = [SITE_URL] if SITE_URL.startswith("http") else []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "kabinet.lib",
    "kabinet.users",
    "kabinet.orgs",
    "kabinet.billing",
    "kabinet.meters",
    "kabinet.accounts",
    "kabinet.payments",
    "kabinet.helpdesk",
    "kabinet.news",
    "kabinet.front",
    # REST API v1 (kabinet/api, SPEC 3.6)
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "kabinet.api",
    "kabinet.office",
]

MIDDLEWARE = [
    # First, so its time and status cover every other middleware (kabinet/lib/requestlog.py).
    "kabinet.lib.requestlog.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kabinet.front.middleware.ContentSecurityPolicyMiddleware",
    "kabinet.users.middleware.PasswordChangeRequiredMiddleware",
    "kabinet.users.middleware.AdminSignInMiddleware",
    "kabinet.office.audit.AuditMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kabinet.payments.context_processors.payments_sandbox",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
# A kept connection is checked before each request uses it: after a database restart the first
# request reconnects instead of failing.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "users.User"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "phone", "inn", "first_name", "last_name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Русский")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Novosibirsk"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and env_bool("STATIC_MANIFEST", True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"

# E-mail: EMAIL_URL such as smtp://127.0.0.1:1025; the console in development.
_email = dj_email_url.parse(os.environ.get("EMAIL_URL") or "console:")
# Every e-mail goes through the outbox (kabinet/lib/outbox.py): delivered at once by the backend
# of EMAIL_URL, or kept and retried when the mail server is down; never an error page.
EMAIL_BACKEND = "kabinet.lib.outbox.OutboxEmailBackend"
OUTBOX_EMAIL_BACKEND = _email["EMAIL_BACKEND"]
# Seconds to wait for the mail server before the message goes to the outbox.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
if _email.get("EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"]
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Кабинет <noreply@kabinet.local>")

# SMS (kabinet/lib/sms.py): console, file (one JSON file per message in SMS_FILE_DIR) or smsru.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "console")
SMS_FILE_DIR = os.environ.get("SMS_FILE_DIR", str(BASE_DIR / "var" / "sms"))
SMS_API_URL = os.environ.get("SMS_API_URL", "https://sms.ru/sms/send")
SMS_API_KEY = os.environ.get("SMS_API_KEY", "")
SMS_SENDER = os.environ.get("SMS_SENDER", "")

# Celery: without a broker every task runs eagerly in the calling process.
# Encrypts secrets stored in the database (kabinet.lib.crypto); derived from SECRET_KEY if unset.
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "")

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# With a worker and `celery beat`: poll the gateways for payments still pending.
CELERY_BEAT_SCHEDULE = {
    "reconcile-payments": {"task": "kabinet.payments.tasks.reconcile_payments", "schedule": 300.0},
    # E-mail and SMS that could not be delivered at once (kabinet/lib/outbox.py).
    "send-outbox": {"task": "kabinet.lib.tasks.send_outbox", "schedule": 60.0},
}
# Daily at 09:00 (TIME_ZONE): reminders go once per reading window, so a missed day catches up.
CELERY_BEAT_SCHEDULE["reading-reminders"] = {
    "task": "kabinet.meters.tasks.send_reading_reminders",
    "schedule": crontab(hour=9, minute=0),
}

# The built-in test bank (provider `sandbox`): on by default only with DEBUG=1; with DEBUG=0 it
# is refused unless PAYMENTS_SANDBOX=1, and then every page says «Тестовый режим оплаты».
PAYMENTS_SANDBOX = env_bool("PAYMENTS_SANDBOX", DEBUG)
# The test bank signs its notifications with this key (HMAC-SHA256); empty: a random key made
# once and kept in the database (kabinet.payments.models.SandboxKey), never derived from SECRET_KEY.
PAYMENTS_SANDBOX_SECRET = os.environ.get("PAYMENTS_SANDBOX_SECRET", "")

REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Shared by every app server (rate limits count here): the database, never process memory.
    # The table comes with `migrate` (kabinet/lib/migrations/0001_cache_table.py).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "kabinet_cache",
        }
    }
# Rendered fragments of pages (a published month's tables, the latest news): keyed by a data
# version that lives in the shared cache above, so a copy kept by one app server alone is never
# stale. Redis when there is one; otherwise each process's memory, which costs no query.
CACHES["pages"] = (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
)

# The client's address (kabinet/lib/ratelimit.py): X-Forwarded-For is believed only when the peer
# is one of these proxies (addresses or networks, e.g. "10.0.0.0/8,127.0.0.1").
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")

# Security headers; HSTS and secure cookies whenever DEBUG is off and the site is served over HTTPS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
_https = SITE_URL.startswith("https://")
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
if _https and not DEBUG:
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Sign-in (kabinet/users): by e-mail, phone or ИНН; lockout by django-axes, TOTP by django-otp.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "index"
AUTHENTICATION_BACKENDS = ["kabinet.users.backends.LoginBackend"]
# «Запомнить меня» keeps the session for 30 days; otherwise it ends with the browser, and the
# server forgets it within a day (kabinet/users/sessions.py).
SESSION_COOKIE_AGE = 30 * 24 * 3600
SESSION_ENGINE = "kabinet.users.sessions"
PASSWORD_RESET_TIMEOUT = 24 * 3600
# django-axes: five wrong passwords for one login from one address lock it for 15 minutes;
# further limits per login and per address, and no CAPTCHA, are in kabinet/users/signin.py.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "users/locked_out.html"
AXES_USERNAME_CALLABLE = "kabinet.users.backends.axes_username"
AXES_CLIENT_STR_CALLABLE = "kabinet.users.backends.axes_client_str"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "kabinet.lib.ratelimit.client_ip"
OTP_TOTP_ISSUER = "Кабинет"

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# REST API v1 (kabinet/api): Bearer personal access tokens, one error shape, OpenAPI 3 schema.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["kabinet.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["kabinet.api.authentication.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["kabinet.api.authentication.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kabinet.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Кабинет API",
    "DESCRIPTION": "REST API v1 личного кабинета абонента ЖКХ (SPEC 3.6).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
}
# Requests per minute per API token (429 with Retry-After above it).
API_RATE_LIMIT_PER_MINUTE = int(os.environ.get("API_RATE_LIMIT_PER_MINUTE", "120"))
# One JSON line per request (method, path, status, duration_ms, request_id) on stdout.
LOGGING["formatters"]["json"] = {"()": "kabinet.lib.requestlog.JsonFormatter"}
LOGGING["handlers"]["requests"] = {
    "class": "logging.StreamHandler",
    "formatter": "json",
    "stream": "ext://sys.stdout",
}
LOGGING["loggers"]["kabinet.request"] = {
    "handlers": ["requests"],
    "level": "INFO",
    "propagate": False,
}
# Django's own line for every 4xx/5xx would repeat the request line without the request id.
LOGGING["loggers"]["django.request"] = {"level": "ERROR"}
