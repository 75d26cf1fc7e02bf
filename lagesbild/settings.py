"""Lägesbild settings: the one settings module, every knob from an environment variable.

Defaults give a working local installation on SQLite under var/; production sets at least
DATABASE_URL, SECRET_KEY (or SECRET_KEY_FILE) and ALLOWED_HOSTS.
"""

import ipaddress
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LAGESBILD_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_secret(name: str) -> str | None:
    """A secret from NAME, or from the file named by NAME_FILE (Docker/systemd credentials)."""
    if os.environ.get(name):
        return os.environ[name]
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return None


def generated_secret_key() -> str:
    """A key kept in var/ so a local installation survives restarts without configuration."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG")
TESTING = env_bool("TESTING")
SECRET_KEY = env_secret("SECRET_KEY") or generated_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves the API docs page from static files instead of a CDN
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "lagesbild.web",
    "lagesbild.audit",
    "lagesbild.accounts",
    "lagesbild.partnerships",
    "lagesbild.geography",
    "lagesbild.incidents",
    "lagesbild.pictures",
    "lagesbild.interventions",
    "lagesbild.guests",
    "lagesbild.indicators",
    "lagesbild.api",
    "lagesbild.operations",
    "lagesbild.dataprotection",
    "lagesbild.policeevents",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # First: counts and times every answer for /metrics, static files and redirects too.
    "lagesbild.operations.metrics.count_requests",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, so static files keep their long caching; everything else is no-store.
    "lagesbild.accounts.middleware.no_store",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "lagesbild.partnerships.middleware.PartnershipTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "lagesbild.web.middleware.RefuseOversizedRequests",
    "lagesbild.web.middleware.RefuseNulCharacters",
    "lagesbild.accounts.middleware.session_limits",
    "lagesbild.accounts.middleware.second_factor",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lagesbild.urls"
WSGI_APPLICATION = "lagesbild.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "lagesbild.partnerships.context_processors.membership",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'lagesbild.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the reporting form write while the picture is being read. secure_delete
    # overwrites what is deleted or replaced, so redacted or erased text does not linger in
    # the file's free pages (docs/operations.md, Dataskydd).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA secure_delete=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Partnership, municipality and area names, and "Sommar2026"-style word + year.
    {"NAME": "lagesbild.accounts.passwords.ContextWordValidator"},
]
# django-axes goes first: a locked-out login is refused before the password is hashed,
# which is what makes a password-guessing run cheap to stop.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "lagesbild" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Stockholm")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("TESTING")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- HTTPS. Production runs behind TLS, so it is the default whenever DEBUG is off: secure
# cookies, a redirect from http and HSTS. `make run` and the tests serve plain http on
# 127.0.0.1 and say HTTPS=false (the tests through TESTING). Behind a reverse proxy that ends
# TLS, SECURE_PROXY_SSL_HEADER names the header it sets (X-Forwarded-Proto), else every
# request looks like http and is redirected for ever.
HTTPS = env_bool("HTTPS", default=not (DEBUG or TESTING))
_proxy_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
if _proxy_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")
# How many reverse proxies append to X-Forwarded-For: the client address for the lockout and
# the audit trail is the one the outermost trusted proxy saw. 0 = use the socket's address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=HTTPS)
# Load balancers and Prometheus ask the app servers directly, over plain http: no redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz(/worker)?$", r"^metrics$"]
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
# Preloading is a decision for whoever owns the whole domain (kommun.se), made by submitting
# it to the browsers' list; an app on one host cannot take it, so its check is silenced.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Sessions. Coordinators, analysts and administrators are logged out after
# SESSION_IDLE_MINUTES_PRIVILEGED without a request, everyone else after SESSION_IDLE_MINUTES;
# every session ends SESSION_MAX_HOURS after its login, however busy.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 8 * 60)
SESSION_IDLE_MINUTES_PRIVILEGED = env_int("SESSION_IDLE_MINUTES_PRIVILEGED", 30)
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600

# --- Lockout (django-axes): LOGIN_FAILURE_LIMIT wrong passwords for one user name from one
# address lock that pair for LOGIN_LOCKOUT_MINUTES; coordinators and administrators can unlock
# earlier. By name and address together, so an attacker elsewhere cannot lock a user out.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "lagesbild.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "lagesbild.accounts.client_ip.client_ip"
# Attempts during a lockout are refused without a write, so a guessing run costs nothing and
# cannot stretch the lockout.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# Successful logins are in the audit trail already; axes need not keep a second record.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# --- Two-factor authentication (django-otp, TOTP with recovery codes). Required for
# coordinators, analysts and administrators, offered to everyone.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Lägesbild")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- API tokens: lifetime when none is chosen, and the longest allowed.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365)

# --- Area import in the app: the uploaded file's size cap, the cap on what a zip may unpack
# to (a zip bomb is refused before GDAL reads it), and the most features one import takes.
AREA_IMPORT_MAX_BYTES = env_int("AREA_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
AREA_IMPORT_MAX_UNZIPPED_BYTES = env_int("AREA_IMPORT_MAX_UNZIPPED_BYTES", 200 * 1024 * 1024)
AREA_IMPORT_MAX_FEATURES = env_int("AREA_IMPORT_MAX_FEATURES", 20_000)
# Any request body over this is refused from its Content-Length, before it is read (each
# upload form then applies its own, smaller cap). Large enough for a big incident file.
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 512 * 1024 * 1024)

# --- Invitations: days an invitation link works (a new partnership's first coordinator).
INVITATION_DAYS = env_int("INVITATION_DAYS", 7)

# No base map unless the operator names a tile server: a municipal intranet often has no way
# out, and every tile request tells the server which part of the map is being looked at, so
# sending that to a third party is the operator's choice to make. Without tiles the maps show
# areas and points on a plain background. OpenStreetMap's own server is one choice
# (https://tile.openstreetmap.org/{z}/{x}/{y}.png, under its tile usage policy).
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
# Shown beside the tiles only; the default credits OpenStreetMap, whose data most tile servers
# draw (its licence asks for the credit).
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "&copy; OpenStreetMap contributors")
_tile_origin = "/".join(MAP_TILE_URL.split("/")[:3]) if "://" in MAP_TILE_URL else ""

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", *([_tile_origin] if _tile_origin else [])],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Heavy analysis runs in the background on django-tasks with a database-backed queue, so no
# broker is needed: `manage.py worker` (started by `make run`) executes the tasks.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if env_bool("TESTING") or env_bool("TASKS_IMMEDIATE")
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

# Queue a recomputation of the week's picture whenever its incidents change. Off in tests,
# where each test runs the analysis it needs explicitly.
ANALYSIS_ON_CHANGE = env_bool("ANALYSIS_ON_CHANGE", default=not env_bool("TESTING"))
# Seconds a requested run waits before it starts, so a burst of reports is computed once.
ANALYSIS_DELAY_SECONDS = env_int("ANALYSIS_DELAY_SECONDS", 20)
# A running analysis run's lease: the worker renews it every third of this while it computes;
# a run whose worker died is given up and redone this long after the last renewal.
ANALYSIS_LEASE_SECONDS = env_int("ANALYSIS_LEASE_SECONDS", 60)
# How long a queued run may wait for a worker before it counts as lost and is queued again.
ANALYSIS_QUEUE_SECONDS = env_int("ANALYSIS_QUEUE_SECONDS", 900)
# How often the worker (`manage.py worker`) writes its heartbeat and redoes lost runs.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 10)
# /healthz/worker answers 503 when the freshest worker heartbeat is older than this.
WORKER_HEARTBEAT_MAX_AGE_SECONDS = env_int(
    "WORKER_HEARTBEAT_MAX_AGE_SECONDS", max(60, 3 * WORKER_HEARTBEAT_SECONDS)
)


def env_networks(name: str) -> list:
    """IP networks ("10.0.0.5", "10.1.0.0/16", "::1") from a comma-separated variable."""
    networks = []
    for item in env_list(name, ""):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}: {item!r} is not an IP address or network") from exc
    return networks


# /metrics (Prometheus) is off unless one of these is set: a bearer token (METRICS_TOKEN or
# METRICS_TOKEN_FILE) and/or the client addresses allowed without one (client address as in
# TRUSTED_PROXY_COUNT). Others get 403; with neither set everyone gets 404.
METRICS_TOKEN = env_secret("METRICS_TOKEN")
METRICS_ALLOWED_IPS = env_networks("METRICS_ALLOWED_IPS")

# Incident imports (the wizard and `manage.py import_incidents`): files are refused before any
# row is read when larger than IMPORT_MAX_FILE_MB (or, for .xlsx, when they unpack to more
# than IMPORT_MAX_UNPACKED_MB, or a part unpacks like a zip bomb) or when they hold more than
# IMPORT_MAX_ROWS rows; a cell longer than IMPORT_MAX_CELL_CHARS refuses its row only
# (docs/operations.md). The defaults take a city's history of 2 million rows: a million rows
# are about 130 MB of CSV, or an .xlsx of about 50 MB unpacking to about 430 MB.
IMPORT_MAX_FILE_MB = env_int("IMPORT_MAX_FILE_MB", 300)
IMPORT_MAX_UNPACKED_MB = env_int("IMPORT_MAX_UNPACKED_MB", 1000)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 2_000_000)
IMPORT_MAX_CELL_CHARS = env_int("IMPORT_MAX_CELL_CHARS", 10_000)

# Retention (dataprotection/retention.py): each partnership's schedule is applied once a day
# by the worker, at or after this hour of the partnership's local time.
RETENTION_HOUR = env_int("RETENTION_HOUR", 3)
# Audit entries outside any partnership (logins, lockouts) lose their IP address and user
# agent after this many months; 0 keeps them. Partnerships set their own in the app.
AUDIT_ADDRESS_MONTHS = env_int("AUDIT_ADDRESS_MONTHS", 0)

# The police's public events (policeevents/): the feed's address, the User-Agent every call
# names itself with (polisen.se asks for one; give a contact) and how often the worker polls it
# in minutes. 0 (the default) leaves polling off; `manage.py import_police_events` still
# imports from a file. polisen.se allows one call per 10 s and 1,440 a day; the app keeps to
# that whatever is set here, and polls no more often than every 5 minutes.
POLICE_EVENTS_URL = os.environ.get("POLICE_EVENTS_URL", "https://polisen.se/api/events")
POLICE_EVENTS_USER_AGENT = os.environ.get(
    "POLICE_EVENTS_USER_AGENT", "Lagesbild/1 (EST-samverkan; polisens handelsenotiser)"
)
POLICE_EVENTS_POLL_MINUTES = env_int("POLICE_EVENTS_POLL_MINUTES", 0)
if 0 < POLICE_EVENTS_POLL_MINUTES < 5:
    raise ImproperlyConfigured("POLICE_EVENTS_POLL_MINUTES: 0 (off) or at least 5 minutes")

# E-mail (reminders about interventions, the weekly digest, a coordinator's invitations):
# printed to the console unless EMAIL_HOST names an SMTP server or EMAIL_BACKEND names another
# backend. SITE_URL makes the links in e-mails absolute.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "lagesbild@localhost")
# Seconds an SMTP connection may take: an invitation is e-mailed while the coordinator waits
# for the page, which must not hang on a mail server that does not answer.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Tests create a new client per test; without autorefresh WhiteNoise rescans every static
# file for each one (42 ms against 3 ms a request).
WHITENOISE_AUTOREFRESH = DEBUG or env_bool("TESTING")

if env_bool("TESTING"):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
