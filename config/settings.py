"""The one settings module of Stadtallianz.

Every difference between a developer's machine, CI and a city's production deployment comes from
environment variables (documented in docs/deployment.md). The defaults are safe for development;
production mode (DEBUG off) refuses to start when a value it cannot guess is missing.
"""

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from environs import Env

from stadtallianz.core.theme import checked_colour

BASE_DIR = Path(__file__).resolve().parent.parent


class EnvironmentSettings(Env):
    """environs' reader (typed: a value that is not one of its type stops the start with a
    message naming the variable), where a variable set to an empty value counts as not set and
    takes the default written beside it. An empty line of the environment file (`MEDIA_ROOT=`)
    must not mean "the working directory" or "no rate limit"."""

    def _get_value(self, env_key, default):  # environs' own FileAwareEnv overrides it the same way
        value = super()._get_value(env_key, default)
        return default if value == "" else value


env = EnvironmentSettings()
# Comma-separated names (hosts, origins): spaces around each are dropped, and empty items.
env.add_parser("names", lambda value: [item.strip() for item in value.split(",") if item.strip()])


def required_in_production(name: str, development_default: str) -> str:
    value = env.str(name, None)
    if not value:
        if not DEBUG:
            raise ImproperlyConfigured(
                f"{name} must be set when DEBUG is off (production mode). See docs/deployment.md."
            )
        return development_default
    return value


DEBUG = env.bool("DEBUG", False)
SECRET_KEY = required_in_production(
    "SECRET_KEY", "insecure-development-key-never-use-in-production")
ALLOWED_HOSTS = env.names("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off (production mode).")
CSRF_TRUSTED_ORIGINS = env.names("CSRF_TRUSTED_ORIGINS", "")

SITE_NAME = env.str("SITE_NAME", "Stadtallianz")
SITE_URL = env.str("SITE_URL", "http://127.0.0.1:8000")
# The deployment's theme over KERN UX (docs/deployment.md "Theme"): logo and favicon are static
# paths or URLs; the colours must have 4.5:1 contrast against white, or the start is refused.
SITE_LOGO = env.str("SITE_LOGO", "core/img/stadtallianz-logo.svg")
FAVICON = env.str("FAVICON", "core/favicon.svg")
THEME_PRIMARY_COLOR = checked_colour("THEME_PRIMARY_COLOR",
                                     env.str("THEME_PRIMARY_COLOR", "#005a8c"))
THEME_ACCENT_COLOR = checked_colour("THEME_ACCENT_COLOR", env.str("THEME_ACCENT_COLOR", "#0b6e3d"))
# The open-data catalogue (docs/standards.md, "Open data"). The municipality's regional key
# (Amtlicher Regionalschlüssel, 12 digits: Münster 055150000000) and the level of that key
# give every dataset its dcatde:politicalGeocodingURI and ...LevelURI; the contributor id is
# the one GovData assigned to the publishing body (conventions 12 and 13).
OPEN_DATA_REGIONAL_KEY = env.str("OPEN_DATA_REGIONAL_KEY", "055150000000")
OPEN_DATA_GEOCODING_LEVEL = env.str("OPEN_DATA_GEOCODING_LEVEL", "municipality")
DCAT_CONTRIBUTOR_ID = env.str("DCAT_CONTRIBUTOR_ID",
                              "http://dcat-ap.de/def/contributors/stadtMuenster")
# The folder with GovData's DCAT-AP.de 3.0 SHACL shapes for the nightly check of the catalogue
# (GovDataOfficial/DCAT-AP.de-SHACL-Validation, validator/resources/v3.0/shapes). Empty: the
# catalogue is not checked and the dashboard says so.
DCAT_SHACL_DIR = env.str("DCAT_SHACL_DIR", "")
# The contact point of the alliance's own datasets; empty: DEFAULT_FROM_EMAIL.
OPEN_DATA_CONTACT_EMAIL = env.str("OPEN_DATA_CONTACT_EMAIL", "")
# Empty: "Koordinierungsstelle" / "coordination office" in the reader's language.
COORDINATION_OFFICE_NAME = env.str("COORDINATION_OFFICE_NAME", "")

INSTALLED_APPS = [
    "stadtallianz.core",
    "stadtallianz.accounts",
    "stadtallianz.legal",
    "stadtallianz.partners",
    "stadtallianz.letter_of_intent",
    "stadtallianz.workinggroups",
    "stadtallianz.moderation",
    "stadtallianz.discussions",
    "stadtallianz.events",
    "stadtallianz.knowledge",
    "stadtallianz.ideas",
    "stadtallianz.projects",
    "stadtallianz.assessments",
    "stadtallianz.livinglabs",
    "stadtallianz.funding",
    "stadtallianz.proposals",
    "stadtallianz.partnering",
    "stadtallianz.opendata",
    "stadtallianz.sensorthings",
    "stadtallianz.notifications",
    "stadtallianz.search",
    "stadtallianz.matchmaking",
    "stadtallianz.backoffice",
    "stadtallianz.impact",
    "stadtallianz.syndication",
    "stadtallianz.portal",
    "stadtallianz.operations",
    "stadtallianz.privacy",
    "stadtallianz.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "ninja",
    "corsheaders",
    "axes",
    "csp",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # First, so it times and counts every answer, whatever the middleware below decides.
    "stadtallianz.operations.metrics.RequestMetrics",
    # Before anything that may answer (the rate limit's 429 too), so every /sta/ answer has
    # its CORS headers (CORS_* below).
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Needs the user (logged-in people are not limited): after AuthenticationMiddleware.
    "stadtallianz.core.ratelimit.AnonymousReadRateLimit",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After the user and htmx: a changed privacy notice is accepted before other pages.
    "stadtallianz.legal.middleware.ConsentRequired",
    # Last, as django-axes requires: it turns a lock-out into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
# Form widgets render through TEMPLATES, so the design system overrides a widget's template once
# for every form (core/templates/django/forms/: a select's empty choice reads "– Please choose –").
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "stadtallianz.core.context_processors.site",
                "stadtallianz.notifications.context_processors.unread_notifications",
            ],
        },
    }
]

# Databases: SQLite is the embedded default for a first look; PostgreSQL in production and CI.
VAR_DIR = BASE_DIR / "var"  # the embedded default's database, uploads, mail and static files
DATABASE_URL = env.str("DATABASE_URL", "")
if not DATABASE_URL:
    VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env.int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE avoids "database is locked"
    # when two requests upgrade a read to a write at the same time.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", "")
# "bulk" holds many large entries that are made again when missing (CKAN's package dicts, some
# 8 KB each, one per dataset a harvester reads): apart from "default", so that without Redis
# they cannot push rate-limit counters and cached figures out of the 300 entries a local cache
# keeps, and with Redis under a prefix of their own.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL},
              "bulk": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                       "LOCATION": REDIS_URL, "KEY_PREFIX": "bulk"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
              "bulk": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                       "LOCATION": "bulk", "OPTIONS": {"MAX_ENTRIES": 20000}}}

AUTH_USER_MODEL = "accounts.User"
# The living labs SensorThings entities belong to. SensorThings, the lower layer, names the
# model only through this setting and asks livinglabs the rest through its hook
# (stadtallianz/sensorthings/labs.py).
SENSORTHINGS_LAB_MODEL = "livinglabs.LivingLab"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out person is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:my_area"
LOGOUT_REDIRECT_URL = "portal:home"

# Login throttling: after AXES_FAILURE_LIMIT failures for one account from one address the
# account is locked for that address for AXES_COOLOFF_TIME hours.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env.float("LOGIN_COOLOFF_HOURS", 0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", 0) or None
# The client's address behind PROXY_COUNT proxies, one rule for login throttling and the API
# rate limits (django-ipware, which axes would use for it, is not installed).
AXES_CLIENT_IP_CALLABLE = "stadtallianz.core.ratelimit.client_address"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
AXES_VERBOSE = False

# Internationalisation: German is the default, English complete; URLs carry the language.
LANGUAGE_CODE = env.str("LANGUAGE_CODE", "de")
LANGUAGES = [("de", _("German")), ("en", _("English"))]
TIME_ZONE = env.str("TIME_ZONE", "Europe/Berlin")
USE_I18N = True
# Unambiguous English dates (12 December 2026) and "Uhr" after German times: core/formats.
FORMAT_MODULE_PATH = ["stadtallianz.core.formats"]
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", str(VAR_DIR / "static")))
# Third-party front-end libraries come from npm at set-up (package.json with its lock file).
STATICFILES_DIRS = ([("vendor", BASE_DIR / "node_modules")]
                    if (BASE_DIR / "node_modules").is_dir() else [])
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", str(VAR_DIR / "media")))
# In production the reverse proxy serves uploads; SERVE_MEDIA lets Django do it on a first look.
SERVE_MEDIA = env.bool("SERVE_MEDIA", DEBUG)
# Uploaded documents (possibly members-only): never served by the proxy, only by the download
# view that checks who asks (docs/deployment.md).
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
# How long the e-mailed link to a person's data export works; then the file is deleted
# (`stadtallianz expire_data_exports`, docs/privacy.md).
DATA_EXPORT_VALID_DAYS = env.int("DATA_EXPORT_VALID_DAYS", 7)
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", 20 * 1024 * 1024)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env.bool("STATIC_MANIFEST", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024


def email_settings(url: str) -> dict:
    """Reads EMAIL_URL: smtp://user:password@host:587?tls=1, console:, file:///path, locmem:."""
    parsed = urlparse(url)
    scheme = parsed.scheme
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme == "file":
        return {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": (parsed.path if parsed.path not in ("", "/")
                                    else str(VAR_DIR / "mail"))}
    if scheme in {"smtp", "smtps"}:
        query = parse_qs(parsed.query)
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parsed.hostname or "localhost",
            "EMAIL_PORT": parsed.port or (465 if scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parsed.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_SSL": scheme == "smtps",
            "EMAIL_USE_TLS": query.get("tls", ["0"])[0] in {"1", "true"},
        }
    raise ImproperlyConfigured(f"EMAIL_URL has an unknown scheme: {scheme!r}")


globals().update(email_settings(env.str("EMAIL_URL",
                                         "file:///" if DEBUG else "smtp://localhost:25")))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "noreply@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security. Behind a TLS-terminating reverse proxy (docs/deployment.md).
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", True)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Strict Content Security Policy: no inline script or style anywhere; map tiles are the only
# third-party origin, and only when MAP_TILE_URL names one.
MAP_TILE_URL = env.str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
if MAP_TILE_URL.lower() == "none":  # maps without tiles, and no third-party origin at all
    MAP_TILE_URL = ""
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")
_tile_origin = "{0.scheme}://{0.netloc}".format(urlparse(MAP_TILE_URL)) if MAP_TILE_URL else None
# Who may frame the embeddable widgets (/<lang>/embed/…, docs/embedding.md): CSP sources,
# comma-separated; "*" any site. Every other page may be framed by nobody.
EMBED_FRAME_ANCESTORS = env.names("EMBED_FRAME_ANCESTORS", "*")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"] + ([_tile_origin] if _tile_origin else []),
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Background jobs (django-tasks, docs/architecture.md). The embedded default runs them in-process
# right after the commit; TASKS_BACKEND=database queues them in the database for `db_worker`.
TASKS_BACKEND = env.str("TASKS_BACKEND", "immediate")
TASKS = {"default": {"BACKEND": {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}.get(TASKS_BACKEND) or TASKS_BACKEND}}

# MQTT (docs/deployment.md, "MQTT"): the broker the platform publishes SensorThings
# notifications to and `stadtallianz mqtt-bridge` ingests observations from. Empty: no MQTT.
# mqtt://user:password@host:1883 (mqtts:// for TLS).
MQTT_URL = env.str("MQTT_URL", "")
# The broker address devices and subscribers use, advertised in the SensorThings service root
# (mqtt://data.example.org:1884). Never MQTT_URL itself: that carries the bridge's password.
# Empty: no endpoint is advertised. User info given here is stripped before it is shown.
MQTT_PUBLIC_URL = env.str("MQTT_PUBLIC_URL", "")
# The listener subscribers use (notifications, anonymous, read only), advertised as the
# receive-updates endpoint (mqtt://data.example.org:1883). Empty: MQTT_PUBLIC_URL for both.
MQTT_SUBSCRIBE_URL = env.str("MQTT_SUBSCRIBE_URL", "")
# `$select` topics announced beside the plain ones (the broker cannot tell the platform what is
# subscribed): `<EntitySet>?$select=<a>,<b>`, several separated by ";". Subscribers use them
# verbatim on any topic of that set, e.g. v1.1/Datastreams(7)/Observations?$select=result,
# phenomenonTime (docs/standards.md, "MQTT").
MQTT_SELECT_TOPICS = [topic for topic in env.str("MQTT_SELECT_TOPICS", "").split(";") if topic]
# Where devices' messages land (the device listener's mount_point): the bridge reads
# <prefix>v1.1/Datastreams(<id>)/Observations; subscribers never see these raw payloads.
MQTT_INGEST_PREFIX = env.str("MQTT_INGEST_PREFIX", "ingest/")
# The broker runs contrib/mosquitto/stadtallianz_publisher.c from this path (`make
# mosquitto-plugin`): every device message names the token that sent it, so the bridge checks
# it against that token's lab and devices may use every MQTT create topic of SensorThings 1.1.
# Empty: the ACL alone decides, per datastream topic (docs/deployment.md "MQTT").
MQTT_PUBLISHER_PLUGIN = env.str("MQTT_PUBLISHER_PLUGIN", "")
# The bridge's client id: stable, so the broker keeps its session (and unacknowledged messages)
# while it is down.
MQTT_CLIENT_ID = env.str("MQTT_CLIENT_ID", "stadtallianz-bridge")

# SensorThings reads on PostgreSQL stop after this many milliseconds (503 asking to narrow the
# query), so one heavy $filter/$orderby/$count cannot occupy the database. SQLite: no limit.
STA_QUERY_TIMEOUT_MS = env.int("STA_QUERY_TIMEOUT_MS", 5000)
# What one SensorThings read may build (docs/api.md, "Limits of a read"): entities fetched
# across all $expand levels together (nested pages, then the top-level page, are made smaller,
# with next links), and bytes of the answer (a page is cut there with a next link; a single
# entity larger than this is a 400).
STA_MAX_ENTITIES = env.int("STA_MAX_ENTITIES", 20000)
STA_MAX_RESPONSE_BYTES = env.int("STA_MAX_RESPONSE_BYTES", 32 * 1024 * 1024)
# Reads planned to fetch more entities than this are "large": one at a time per server process
# and, on PostgreSQL, STA_EXPENSIVE_READS at a time across all of them; another is a 503 with
# Retry-After, so small reads, pages and /healthz keep threads and CPU.
STA_EXPENSIVE_ENTITIES = env.int("STA_EXPENSIVE_ENTITIES", 5000)
STA_EXPENSIVE_READS = env.int("STA_EXPENSIVE_READS", 2)
# Anonymous reads of /api/v1/ and /sta/ per client address (the address as PROXY_COUNT makes
# it): "requests/seconds"; then 429 with Retry-After. Empty or 0: no limit. Logged-in people
# and valid tokens are not limited (stadtallianz/core/ratelimit.py).
ANON_READ_RATE = env.str("ANON_READ_RATE", "600/60")
# Registrations and password resets (each sends an e-mail), "events/seconds" counted per client
# address and per e-mail address; over either the form answers 429 (docs/api.md "Rate limits").
ACCOUNT_CLIENT_RATE = env.str("ACCOUNT_CLIENT_RATE", "20/3600")
ACCOUNT_EMAIL_RATE = env.str("ACCOUNT_EMAIL_RATE", "3/3600")
# A window of an aggregated datastream is served this many seconds after it closed, and takes
# no value from then on (docs/privacy.md): late values could otherwise be read as differences.
AGGREGATION_GRACE_SECONDS = env.int("AGGREGATION_GRACE_SECONDS", 900)
# An observation's time may lie at most this many seconds in the future (device clocks drift);
# later, and before 1970, it is refused (core/timerange.py, docs/api.md "Dates and times").
OBSERVATION_FUTURE_MARGIN_SECONDS = env.int("OBSERVATION_FUTURE_MARGIN_SECONDS", 86400)

# CORS (django-cors-headers): browser clients on other sites (Masterportal, web maps) use the
# SensorThings API. Any origin, never with credentials: a foreign page's request carries no
# session cookie, so it reads what a visitor reads, and writing needs the lab token in the
# Authorization header. The REST API under /api/v1/ is for the platform's own pages and for
# scripts with a token, so it sends no CORS headers.
CORS_URLS_REGEX = r"^/sta/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"]
CORS_ALLOW_HEADERS = ["authorization", "content-type"]
# Location: a created entity; Retry-After: a 429 (rate limit) or 503 (server busy).
CORS_EXPOSE_HEADERS = ["Location", "Retry-After"]
CORS_PREFLIGHT_MAX_AGE = 86400

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

# The operator's endpoints (docs/monitoring.md): /healthz/processes and /metrics answer a
# request with `Authorization: Bearer <OPS_TOKEN>` or a superuser's session. Empty: superusers
# only. At least 32 characters: python -c "import secrets; print(secrets.token_urlsafe(32))".
OPS_TOKEN = env.str("OPS_TOKEN", "")
if OPS_TOKEN and len(OPS_TOKEN) < 32:
    raise ImproperlyConfigured("OPS_TOKEN must be at least 32 characters long.")


def expected_processes(overrides: str) -> dict[str, int]:
    """The processes /healthz/processes expects, with the seconds after which each is stale (a
    long-running one: since its last heartbeat; a job, "job:<command>": since its last success):
    what the configuration implies, changed by OPS_EXPECTED_PROCESSES, "name=seconds" to add or
    change one, "-name" to drop one, separated by commas."""
    expected = {
        # the schedules of docs/deployment.md "Scheduled jobs", with room for one late run
        "job:send_pending_notifications": 15 * 60,
        "job:send_event_reminders": 2 * 3600,
        "job:send_notification_digests": 26 * 3600,
        "job:apply_retention": 26 * 3600,
        "job:send_funding_reminders": 2 * 3600,
        "job:archive_expired_notices": 26 * 3600,
        "job:refresh_open_data": 26 * 3600,
        "job:validate_catalogue": 26 * 3600,
        "job:compute_impact_figures": 26 * 3600,
        # the nightly backup (deploy/systemd/stadtallianz-backup.timer, docs/backup.md): a
        # night without one is something to act on; "-job:backup" where backups are made
        # otherwise
        "job:backup": 26 * 3600,
    }
    if TASKS_BACKEND == "database":
        expected["worker"] = 120
    if MQTT_URL:
        expected[f"mqtt-bridge:{MQTT_CLIENT_ID}"] = 120
        expected["mosquitto-config"] = 120
    for item in (part.strip() for part in overrides.split(",")):
        if item.startswith("-"):
            expected.pop(item[1:].strip(), None)
        elif item:
            name, sep, seconds = item.rpartition("=")
            if not sep or not name.strip() or not seconds.strip().isdigit():
                raise ImproperlyConfigured(f"OPS_EXPECTED_PROCESSES: {item!r} is neither "
                                           "name=seconds nor -name.")
            expected[name.strip()] = int(seconds)
    return expected


OPS_EXPECTED_PROCESSES = expected_processes(env.str("OPS_EXPECTED_PROCESSES", ""))
# Tasks waiting longer than this (seconds) make /healthz/processes unhealthy even while the
# worker's heartbeat is fresh (a worker that turns but does not get through its queue).
OPS_TASK_MAX_WAIT = env.int("OPS_TASK_MAX_WAIT", 600)

# Logs go to standard error (journald under systemd, docs/monitoring.md "Logs"). LOG_FORMAT=json:
# one JSON object per line, with the fields a message carries (`extra=`).
LOG_FORMAT = env.str("LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT must be text or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "stadtallianz.operations.logformat.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler",
                             **({"formatter": "json"} if LOG_FORMAT == "json" else {})}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
