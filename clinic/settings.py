"""ClinicOps settings: everything comes from the environment, read once, here.

With no configuration the app runs in the embedded default (SQLite under ``var/``,
jobs in-process, console SMS). Setting ``DATABASE_URL`` switches to production rules:
``SECRET_KEY`` and ``ALLOWED_HOSTS`` must then be given explicitly.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import environ

from clinic.database_settings import database_settings
from clinic.practice import practice_settings
from clinic.storage_settings import storage_settings

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CLINICOPS_VAR_DIR", BASE_DIR / "var"))

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
DATABASE_URL = env.str("DATABASE_URL", default="")
EMBEDDED = not DATABASE_URL


def _embedded_secret_key(name: str = "secret_key") -> str:
    """A per-checkout key kept under var/, so the embedded default needs no setup."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


if EMBEDDED:
    SECRET_KEY = env.str("SECRET_KEY", default="") or _embedded_secret_key()
    ALLOWED_HOSTS = env.list(
        "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"]
    )
else:
    # Production secrets have no default: a missing one stops the process at start.
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

CLINIC_NAME = env.str("CLINIC_NAME", default="ClinicOps Demo Clinic")

# --- Registration ------------------------------------------------------------------
# Phone numbers typed without a country code belong to this region (ISO 3166 code);
# they are stored in E.164.
PHONENUMBER_DEFAULT_REGION = env.str("CLINIC_PHONE_REGION", default="US")
PHONENUMBER_DB_FORMAT = "E164"
# How staff type dates with slashes or dashes: "MDY" (03/07/1980 is March 7) or "DMY".
# Dotted dates (7.3.1980) are always day first.
CLINIC_DATE_ORDER = env.str("CLINIC_DATE_ORDER", default="MDY")
# Insurance card images: largest accepted upload, in bytes.
CARD_IMAGE_MAX_BYTES = env.int("CARD_IMAGE_MAX_BYTES", default=5 * 1024 * 1024)
# Eligibility (270/271) backend: "simulated" (a built-in payer) or "x12".
ELIGIBILITY_BACKEND = env.str("ELIGIBILITY_BACKEND", default="simulated")
# An eligibility check older than this many days shows as a warning at check-in.
ELIGIBILITY_STALE_DAYS = env.int("ELIGIBILITY_STALE_DAYS", default=30)
# The clinic as the information receiver in X12 270 requests.
CLINIC_NPI = env.str("CLINIC_NPI", default="1234567893")

# The project's own apps; their models must all keep history (see
# tests/clinic/test_history.py).
PROJECT_APPS = [
    "clinic",
    "registration",
    "scheduling",
    "medications",
    "diagnostics",
    "billing",
    "careplans",
    "selfservice",
    "alerts",
    "automations",
    "smart",
    "fhir",
    "training",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "simple_history",
    "axes",
    "django_rq",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "csp",
    "phonenumber_field",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    *PROJECT_APPS,
]

MIDDLEWARE = [
    "clinic.middleware.PermissionsPolicyMiddleware",
    "clinic.middleware.DatabaseAvailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "clinic.middleware.NoStoreForStaffMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "clinic.middleware.NulCharacterMiddleware",
    "clinic.db_limits.StatementTimeoutMiddleware",
    "clinic.middleware.InProcessJobsMiddleware",
    "clinic.middleware.SessionLimitsMiddleware",
    "clinic.middleware.PasswordChangeRequiredMiddleware",
    "clinic.middleware.TwoFactorRequiredMiddleware",
    "registration.restriction.RestrictedPatientMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

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
                "clinic.context_processors.shell",
                "alerts.context_processors.inbox_badge",
                "training.context_processors.help_panel",
            ],
        },
    },
]

# --- Database (clinic/database_settings.py) ------------------------------------------
vars().update(
    database_settings(
        env, embedded=EMBEDDED, var_dir=VAR_DIR, database_url=DATABASE_URL
    )
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts, sessions, passwords ----------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "clinic:login"
LOGIN_REDIRECT_URL = "clinic:home"
LOGOUT_REDIRECT_URL = "clinic:login"

_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {
        "NAME": f"{_VALIDATORS}.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": "clinic.password_validation.UserNameInPasswordValidator"},
]

SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Idle sessions end after this many seconds without a request; every session ends
# SESSION_ABSOLUTE_SECONDS after log-in, whatever the activity.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=15 * 60)
SESSION_IDLE_WARNING_SECONDS = env.int("SESSION_IDLE_WARNING_SECONDS", default=2 * 60)
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Repeated failed log-ins (a wrong password or a wrong second-step code) lock one
# user name from one address; many failures from one address, whatever the names
# (password spraying), lock that address at a higher count, so a clinic behind one
# NAT is not locked out by a few typos (clinic.login_guard).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)
# Failed log-ins for this many distinct user names from one address within the
# cool-off time raise an alert for the administrators.
AXES_SPRAYING_ALERT_NAMES = env.int("AXES_SPRAYING_ALERT_NAMES", default=8)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "clinic.login_guard.ClinicAxesHandler"
AXES_LOCKOUT_CALLABLE = "clinic.views.accounts.lockout_response"
AXES_CLIENT_IP_CALLABLE = "clinic.requests.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Every failed log-in is kept (for the weekly summary and audits), not only lock-outs.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Refused token requests count too (smart/throttle.py); their signed assertion is
# not kept in the attempt's record.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "client_assertion"]

# Two-factor log-in (django-otp): roles that must enrol an authenticator app before
# reaching any page; the other roles may. The embedded demo requires none, so its
# demo users log in with a password alone.
OTP_REQUIRED_ROLES = env.list(
    "OTP_REQUIRED_ROLES", default=[] if EMBEDDED else ["Administrator", "Billing"]
)
OTP_TOTP_ISSUER = CLINIC_NAME
# "Trust this device": the second step is skipped on that browser for this long.
OTP_TRUSTED_DEVICE_HOURS = env.int("OTP_TRUSTED_DEVICE_HOURS", default=12)
OTP_RECOVERY_CODES = 10

# Number of reverse proxies in front of the app whose X-Forwarded-For is trusted.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Security --------------------------------------------------------------------
# Production (DATABASE_URL set) serves https only unless HTTPS=off says otherwise
# (e.g. a private test host); the embedded demo serves plain http.
HTTPS = env.bool("HTTPS", default=not EMBEDDED)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = False
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Browser features no page uses (barcode scanners type like keyboards).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Internationalisation and time -------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("CLINIC_TIME_ZONE", default="America/New_York")
CLINIC_TIME_ZONE = TIME_ZONE
# A visit not checked in this many minutes after its start becomes a no-show.
SCHEDULING_NO_SHOW_MINUTES = env.int("SCHEDULING_NO_SHOW_MINUTES", default=30)
# Check-in, rooming and completion happen on the visit's day, from this many minutes
# before its start; a no-show is marked only this long after the start. Outside those
# times a status change needs scheduling.override_visit_window and a reason.
VISIT_EARLY_CHECKIN_MINUTES = env.int("VISIT_EARLY_CHECKIN_MINUTES", default=120)
NO_SHOW_GRACE_MINUTES = env.int("NO_SHOW_GRACE_MINUTES", default=15)
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STORAGES = {
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
# Files the app keeps: clinic/storage_settings.py.
_files = storage_settings(env, embedded=EMBEDDED, var_dir=VAR_DIR)
STORAGES.update(_files.pop("FILE_STORAGES"))
vars().update(_files)
# Local files are readable by the app's own user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700


CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Selects are written without a template per option (clinic/form_renderer.py).
FORM_RENDERER = "clinic.form_renderer.FormRenderer"

# --- Jobs ------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
JOB_QUEUES = ["default", "notifications", "billing", "reports"]
# Without Redis (embedded default) jobs run in-process right after commit.
JOBS_INLINE = not REDIS_URL
RQ_QUEUES = {
    name: {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 600}
    for name in JOB_QUEUES
}
# With Redis, Django's cache is shared by every host (nothing may count per
# process); without it, the embedded default's one process keeps it in memory.
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis away is a cache miss, never a failed page (clinic/cache.py).
            "BACKEND": "clinic.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
        }
    }
# Enqueueing after commit is done by clinic.queueing for every kind of enqueue.
RQ = {"COMMIT_MODE": "auto"}
# The RQ dashboard lives in the Django admin (/admin/django_rq/dashboard/), staff only.
RQ_SHOW_ADMIN_LINK = True

# --- Mail, SMS, clearinghouse (used by later apps) --------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="clinicops@localhost")
SMS_BACKEND = env.str("SMS_BACKEND", default="console")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
TWILIO_API_BASE = env.str("TWILIO_API_BASE", default="")
TWILIO_TIMEOUT_SECONDS = env.int("TWILIO_TIMEOUT_SECONDS", default=10)
# The https base URL Twilio calls (behind a TLS proxy), for webhook signatures.
TWILIO_WEBHOOK_BASE_URL = env.str("TWILIO_WEBHOOK_BASE_URL", default="")
CLEARINGHOUSE_BACKEND = env.str("CLEARINGHOUSE_BACKEND", default="folder")
CLEARINGHOUSE_DIR = env.path("CLEARINGHOUSE_DIR", default=VAR_DIR / "clearinghouse")
CLEARINGHOUSE_URL = env.str("CLEARINGHOUSE_URL", default="")
# A training copy (issue 23): every outbound edge above is switched off in one place.
PRACTICE_MODE = env.bool("PRACTICE_MODE", default=False)
if PRACTICE_MODE:
    vars().update(practice_settings(VAR_DIR))
# Billing (issue 8): who the 837P says it is from and to, and the claim rules.
CLEARINGHOUSE_SENDER_ID = env.str("CLEARINGHOUSE_SENDER_ID", default="CLINICOPS")
CLEARINGHOUSE_RECEIVER_ID = env.str("CLEARINGHOUSE_RECEIVER_ID", default="CLEARHOUSE")
CLEARINGHOUSE_RECEIVER_NAME = env.str(
    "CLEARINGHOUSE_RECEIVER_NAME", default="Clearinghouse"
)
CLEARINGHOUSE_TIMEOUT_SECONDS = env.int("CLEARINGHOUSE_TIMEOUT_SECONDS", default=30)
CLEARINGHOUSE_HTTP_RETRIES = env.int("CLEARINGHOUSE_HTTP_RETRIES", default=3)
# ISA15: T while testing with the clearinghouse, P in production.
X12_USAGE_INDICATOR = env.str("X12_USAGE_INDICATOR", default="T")
BILLING_TIMELY_FILING_DAYS = env.int("BILLING_TIMELY_FILING_DAYS", default=365)
BILLING_UNPAID_DAYS = env.int("BILLING_UNPAID_DAYS", default=30)

# --- Logging ---------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The twilio client logs every request's headers at INFO (a dozen lines
        # per text): keep its warnings and errors only.
        "twilio.http_client": {"level": "WARNING"},
    },
}

# --- PHI access log ------------------------------------------------------------
# Rows are chained by HMAC-SHA-256 under this key, kept outside the database (so
# whoever can write the table cannot forge the chain); production has no default.
ACCESS_LOG_HMAC_KEY = (
    env.str("ACCESS_LOG_HMAC_KEY", default="") or _embedded_secret_key("access_log_key")
    if EMBEDDED
    else env.str("ACCESS_LOG_HMAC_KEY")
)
# dispatch_due appends the chain's head here (and logs it, for syslog) when it moved;
# verify_access_log checks the log still holds it, so a deleted tail is caught.
ACCESS_LOG_ANCHOR_FILE = env.path(
    "ACCESS_LOG_ANCHOR_FILE", default=VAR_DIR / "access_log_anchor.log"
)

# --- Compliance report exports ------------------------------------------------
EXPORT_RETENTION_HOURS = env.int("EXPORT_RETENTION_HOURS", default=24)
# How often a running background job (export, HL7 or 835 upload) writes its beat
# and progress; a run with no beat for two minutes is taken as dead.
BACKGROUND_HEARTBEAT_SECONDS = env.float("BACKGROUND_HEARTBEAT_SECONDS", default=5.0)
# Where staff reach the app; used for links in e-mails.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
# Where patients open their own links (texts); PUBLIC_BASE_URL when not set.
SELF_SERVICE_BASE_URL = env.str("SELF_SERVICE_BASE_URL", default="")
# A self-service link works until its visit starts, and never longer than this.
SELF_SERVICE_LINK_MAX_DAYS = env.int("SELF_SERVICE_LINK_MAX_DAYS", default=90)
# Requests one valid link answers an hour (all addresses together); 429 after.
SELF_SERVICE_LINK_REQUESTS_PER_HOUR = env.int(
    "SELF_SERVICE_LINK_REQUESTS_PER_HOUR", default=60
)
# The intake link goes with the booking of a first visit; this long before the
# visit, an intake still missing is published (intake.missing) for a second text.
SELF_SERVICE_INTAKE_RESEND_HOURS = env.int(
    "SELF_SERVICE_INTAKE_RESEND_HOURS", default=48
)

# --- Medications (MAR) -----------------------------------------------------------
# A dose may be given this many minutes either side of its time without a reason.
MAR_TIME_WINDOW_MINUTES = env.int("MAR_TIME_WINDOW_MINUTES", default=30)
# A dose not given this many minutes after its time is overdue (and raises an alert).
MAR_OVERDUE_MINUTES = env.int("MAR_OVERDUE_MINUTES", default=30)
MAR_DUE_SOON_MINUTES = env.int("MAR_DUE_SOON_MINUTES", default=60)
# A dose this many hours late shows as missed.
MAR_MISSED_HOURS = env.int("MAR_MISSED_HOURS", default=4)
# How far ahead scheduled doses are generated.
MAR_SCHEDULE_HOURS = env.int("MAR_SCHEDULE_HOURS", default=36)
MAR_ALERT_LOOKBACK_HOURS = env.int("MAR_ALERT_LOOKBACK_HOURS", default=24)
