"""Settings for Emotion Garden.

Everything comes from the environment (django-environ), with embedded defaults that need nothing running:
SQLite in WAL mode, media on the local filesystem, django-q2 on its ORM broker and the local (offline) backends.
Setting DATABASE_URL, REDIS_URL, AWS_STORAGE_BUCKET_NAME or a *_BACKEND variable switches to the scale-out engines
without a code change. See README.md for the full list.
"""

import logging
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import environ
from corsheaders.defaults import default_headers
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from emotion_garden.backend_settings import configured_backends

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

# Where an embedded install keeps its state (database, media, secret): made private, it holds sessions and faces.
DATA_DIR = Path(env("EMOTION_GARDEN_DATA_DIR", default=str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)


def _embedded_secret_key() -> str:
    """A random key kept beside the embedded database, so sessions survive restarts without a shared default."""
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = env("DJANGO_SECRET_KEY", default=None) or _embedded_secret_key()
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# --- HTTPS ----------------------------------------------------------------------------------------------------------
# DJANGO_HTTPS=true says a proxy or load balancer in front terminates TLS and sets X-Forwarded-Proto. Only then (and
# with DEBUG off) do secure cookies, HSTS and the redirect to https turn on: the embedded `manage.py serve` on
# http://127.0.0.1:8000 has no TLS, and a secure cookie or an https redirect would lock its admin out.
HTTPS = env.bool("DJANGO_HTTPS", default=False)
HTTPS_ONLY = HTTPS and not DEBUG
if HTTPS:
    # Trusted only because DJANGO_HTTPS promises a proxy that overwrites the header: a client could set it otherwise.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=HTTPS_ONLY)
# Load balancers probe over plain http inside the network; a redirect would read as unhealthy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"  # a new API key's message: not in a cookie
LOGIN_REDIRECT_URL = "/admin/"  # after the admin's login with an unsafe `next` (Django's default is a 404)
# An hour to start with, as Django's documentation advises: raise it to a year (31536000) once every subdomain is
# known to serve https, since browsers then refuse plain http for that long.
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=3600 if HTTPS_ONLY else 0)
# Both apply only while HSTS is on. Preload lets the domain be submitted to browsers' preload lists; nothing more.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)

INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
    "django.contrib.messages", "whitenoise.runserver_nostatic", "django.contrib.staticfiles",
    "rest_framework", "drf_spectacular", "drf_spectacular_sidecar", "corsheaders", "csp", "django_q", "axes",
    "emotion_garden", "gallery", "curation", "recommender", "tools",
]

MIDDLEWARE = [
    # First, so the request id is set for everything below it and the logged duration covers the whole stack.
    "emotion_garden.middleware.RequestIdMiddleware",
    # A view that needed Redis while it is unreachable: 503 with Retry-After rather than a 500 (emotion_garden.outages).
    "emotion_garden.middleware.UnavailableDependencyMiddleware",
    "emotion_garden.middleware.NulGuardMiddleware",
    "emotion_garden.middleware.HeadWithoutBodyMiddleware",
    "emotion_garden.rate_limit_headers.RateLimitHeadersMiddleware",
    # Before anything that can answer on its own (redirects, static files), so those answers carry CORS headers too.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "emotion_garden.middleware.LargeBodyGuardMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]
# Ten wrong passwords for one login from one address lock that pair out for 15 minutes (django-axes): the admin login
# had no limit, and curators choose their own passwords. The address as the throttles read it (API_NUM_PROXIES).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT, AXES_COOLOFF_TIME, AXES_CLIENT_IP_CALLABLE = 10, 0.25, "gallery.api_access.client_address"
AXES_LOCKOUT_PARAMETERS, AXES_RESET_ON_SUCCESS, AXES_DISABLE_ACCESS_LOG = [["username", "ip_address"]], True, True
AXES_LOCKOUT_CALLABLE = "gallery.login_lockout.locked_out"

ROOT_URLCONF = "emotion_garden.urls"
WSGI_APPLICATION = "emotion_garden.wsgi.application"

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
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while the django-q2 worker writes; IMMEDIATE transactions take the write
        # lock up front, so concurrent writers wait (up to the timeout) instead of failing with "database is locked".
        # Web workers checkpoint the log in the background (emotion_garden.sqlite_wal): a commit checkpoints only
        # past 10,000 pages, where SQLite's default of 1,000 made one Like in a hundred wait for it.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=10000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
# Kept open between requests, each thread its own: PostgreSQL starts a process per connection, SQLite runs PRAGMAs.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # A connection the server dropped (a restart, a failover) is replaced before a request uses it, not failed.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and task queue -----------------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # Short socket timeouts: a Redis that is down or unroutable must fail a request's cache call in about a second,
    # after which the callers carry on without it (emotion_garden.outages), not hold a thread for the OS's timeout.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
else:
    # A throttle counter per address and minute: past MAX_ENTRIES (default 300) locmem drops a third of all entries.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                          "OPTIONS": {"MAX_ENTRIES": 20_000}}}

Q_CLUSTER = {
    "name": env("Q_CLUSTER_NAME", default="emotion_garden"),
    "workers": env.int("Q_WORKERS", default=2),
    # A generation job of a few dozen images must not be killed half-way; retry only after the timeout has passed.
    "timeout": env.int("Q_TIMEOUT", default=900),
    "retry": env.int("Q_RETRY", default=960),
    "max_attempts": 3,
    "catch_up": False,
    "label": "Task queue",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["poll"] = 0.5

# --- Static files and media ---------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", default=str(DATA_DIR / "static")))
MEDIA_URL = env("DJANGO_MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(DATA_DIR / "media")))

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", default=None),
            "signature_version": "s3v4",
            "file_overwrite": False,
        },
    }
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Django serves local media itself only when no S3 bucket (or front proxy) does it.
SERVE_MEDIA = env.bool("DJANGO_SERVE_MEDIA", default=not AWS_STORAGE_BUCKET_NAME)


def _media_origins() -> list[str]:
    """Where the pages' images come from when that is not this site: a media URL on another host, or S3."""
    origins = []
    if urlsplit(MEDIA_URL).netloc:
        origins.append(f"{urlsplit(MEDIA_URL).scheme}://{urlsplit(MEDIA_URL).netloc}")
    if AWS_STORAGE_BUCKET_NAME:
        s3 = MEDIA_STORAGE["OPTIONS"]
        if s3["custom_domain"]:
            origins.append(f"https://{s3['custom_domain']}")
        elif s3["endpoint_url"]:
            origins.append(f"{urlsplit(s3['endpoint_url']).scheme}://{urlsplit(s3['endpoint_url']).netloc}")
        else:
            origins.append(f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com")
            if s3["region_name"]:
                origins.append(f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{s3['region_name']}.amazonaws.com")
    return origins

# --- Pluggable backends (the STORAGES pattern: a dotted path plus keyword options per capability) ------------------
AWS_REGION = env("AWS_REGION", default="us-east-1")

EMOTION_GARDEN_BACKENDS = configured_backends(env, aws_region=AWS_REGION)

# The original web clients (gallery.compat) never ask for consent: by default their /emotion neither searches nor keeps
# faces. Only a kiosk whose visitors agreed to it (signage) should turn this on; it then stands for every request's
# consent to be recognised and remembered.
COMPAT_REMEMBER_FACES = env.bool("COMPAT_REMEMBER_FACES", default=False)
# The original endpoints that change the catalogue or start work (/remove, /removePool, /clearIndex, /bulk,
# /generateDataset, /text2image, /updateDisplay) answer only to a curator: a staff session with the permissions, from
# this site's pages, or an API key with the `curation` scope. True opens them to anyone who can reach the server: only
# for a closed kiosk network (logged as a warning at every start).
COMPAT_OPEN_CURATION = env.bool("COMPAT_OPEN_CURATION", default=False)

# Similarities (0-100) on Rekognition's scale, where the local backend puts its verification cut at 80.
# FACE_MATCH_THRESHOLD decides whether two photos show the same person (faces/compare, `evaluate_faces --pairs`);
# the original system used 80 for everything.
FACE_MATCH_THRESHOLD = env.float("FACE_MATCH_THRESHOLD", default=80.0)
# FACE_SEARCH_THRESHOLD decides whether a visitor is someone remembered: a search against everyone stored, where a
# stranger can match any of them. At 80, 48.7% of strangers matched somebody in a gallery of only 175 people; at 95,
# none of 398 did, while 93.2% of returning people were still found from another photo taken years apart
# (benchmarks/face_identification.py on faces-dev). A wrong match would show a stranger someone else's picks.
FACE_SEARCH_THRESHOLD = env.float("FACE_SEARCH_THRESHOLD", default=95.0)
# The look-alike calls a reference person at FACE_MATCH_THRESHOLD or above "probably the same person", at this or
# above "a strong resemblance", and below it "a faint resemblance". With the local backend about 1 pair of strangers
# in 20 is as alike as 55 (benchmarks/lookalike_bands.py on faces-dev: 5.3%; 0.4% reach 80). Rekognition's
# similarities are spread differently: measure before relying on the band there.
LOOKALIKE_STRONG_THRESHOLD = env.float("LOOKALIKE_STRONG_THRESHOLD", default=55.0)

# Face users unseen this many days are forgotten, daily (gallery.tasks.purge_expired_face_data); 0: only on request.
FACE_DATA_RETENTION_DAYS = env.int("FACE_DATA_RETENTION_DAYS", default=365)

# "auto" garden mode switches a face user from emotion picks to personal picks after this many likes.
PERSONAL_PICKS_MIN_LIKES = env.int("PERSONAL_PICKS_MIN_LIKES", default=3)

# Each generated image is tried this many times, waiting GENERATION_RETRY_SECONDS x 2^(attempt-1) in between.
GENERATION_ATTEMPTS = env.int("GENERATION_ATTEMPTS", default=3)
GENERATION_RETRY_SECONDS = env.float("GENERATION_RETRY_SECONDS", default=2.0)

# --- Upload limits ------------------------------------------------------------------------------------------------
MAX_IMAGE_UPLOAD_BYTES = env.int("MAX_IMAGE_UPLOAD_BYTES", default=10 * 1024 * 1024)
# A phone photo is 3-8 MB. Pixels are checked from the header before decoding (decompression bombs): 24 MP fits a
# kiosk frame, a phone (12 MP) and a DSLR (6000x4000); a PNG at the old 40 MP limit took 3.2 s of a core and 376 MB.
MAX_IMAGE_PIXELS = env.int("MAX_IMAGE_PIXELS", default=24_000_000)
# How many decodes of more than 4 MP (after JPEG draft mode) one web worker runs at once; more at the same moment are
# answered 503 `decoder_busy` at once (emotion_garden.imaging._decode_slot). One per worker leaves the other core to
# the rest of the site: with 16 clients sending 23.5 MP PNGs, gardens beside them kept p99 under 100 ms with 1 and
# reached 215 ms with 2 (benchmarks/probe.py --probes decode). Raise it with the cores per worker.
IMAGE_LARGE_DECODES_PER_WORKER = env.int("IMAGE_LARGE_DECODES_PER_WORKER", default=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = FILE_UPLOAD_MAX_MEMORY_SIZE = MAX_IMAGE_UPLOAD_BYTES + 1024 * 1024

# --- REST API -----------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "emotion_garden.api.exception_handler",
    "DEFAULT_AUTHENTICATION_CLASSES": ["gallery.api_access.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["gallery.api_access.ApiScopePermission"],
    "DEFAULT_THROTTLE_CLASSES": ["gallery.api_access.ApiRateThrottle"],
    "DEFAULT_PARSER_CLASSES": ["gallery.parsers.LimitedJSONParser", "gallery.parsers.LimitedMultiPartParser"],
    # JSON only: the browsable renderer answered errors as HTML pages to `Accept: text/html` (docs: /api/docs).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
    # Throttles count anonymous callers per IP: REMOTE_ADDR, unless proxies in front append X-Forwarded-For. 0 keeps
    # a client from dodging its limit with a made-up X-Forwarded-For; behind one proxy, set API_NUM_PROXIES=1.
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
}
# API keys (admin or `manage.py create_api_key`) identify mobile and third-party clients. With API_KEYS_REQUIRED,
# /api/v1 answers 401 to callers without one, except the site's own page at / (its signed cookie: gallery.api_access).
API_KEYS_REQUIRED = env.bool("API_KEYS_REQUIRED", default=False)
# "<count>/<s|min|hour|day>", or "none". A visitor of the web gallery makes a few requests a minute; 300 leaves room
# for a school or office sharing one address. Keys get more, each key may have its own rate. Without a key, a face
# request costs API_FACE_REQUEST_COST; one that may search the people is the address's even with a person's
# credential, unless it was that person; other calls with one use the person's budget (gallery.api_access).
API_ANON_RATE = env("API_ANON_RATE", default="300/min")
API_KEY_RATE = env("API_KEY_RATE", default="1200/min")
API_PERSON_RATE = env("API_PERSON_RATE", default="600/min")
API_FACE_REQUEST_COST = env.int("API_FACE_REQUEST_COST", default=1)
# Where the throttle counts: without Redis, a SQLite file of its own that every worker process of this machine shares
# (gallery.rate_counts; a per-process cache let each worker grant the full rate); with Redis, the cache.
API_RATE_COUNTERS = env("API_RATE_COUNTERS", default="" if REDIS_URL else str(DATA_DIR / "rate-counters.sqlite3"))
# JSON requests are a few hundred bytes, larger ones refused (413) unparsed; multipart forms carry at most two photos
# (faces/compare), where Django's own limit counts only the non-file fields.
API_MAX_JSON_BYTES = env.int("API_MAX_JSON_BYTES", default=64 * 1024)
API_MAX_MULTIPART_BYTES = 2 * MAX_IMAGE_UPLOAD_BYTES + 1024 * 1024
# Browser apps on these origins (e.g. https://app.example.org) may call /api/ (none by default); keys and person
# tokens travel in headers and the person cookie is SameSite=Strict for the site's pages: CORS allows no credentials.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_HEADERS = (*default_headers, "x-api-key", "x-person-token")
CORS_EXPOSE_HEADERS = ["Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"]

SPECTACULAR_SETTINGS = {
    "TITLE": "Emotion Garden API",
    "DESCRIPTION": (
        "Read a face's emotion, get images that express it, and teach the recommender with Likes.\n\n"
        "Every error answers `{\"error\": {\"code\", \"message\", \"fields\"?, \"request_id\", \"docs\"}}`: "
        "`code` is stable, `message` is for people, `fields` names each invalid request field, and `request_id` (also "
        "the `X-Request-ID` header, yours if you sent a sane one) is what to quote when reporting a problem. Each "
        "operation below lists its own codes. Paths have no trailing slash; one with a slash is redirected (308)."
    ),
    "TAGS": [
        {"name": "faces", "description": "Read a photo's emotion, compare faces, find look-alikes."},
        {"name": "garden", "description": "Images and songs for a visitor, page by page, and images like an image."},
        {"name": "likes", "description": "Likes, unlikes and not-interested: what the recommender learns from."},
        {"name": "people", "description": "A remembered person's own data: read, list likes, export, forget."},
    ],
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "gallery.schema.document_errors"],
    # One named enum per vocabulary, however many fields use it: generated clients get one Emotion type.
    "ENUM_NAME_OVERRIDES": {
        "Emotion": "emotion_garden.vocabulary.Emotion",
        "Gender": "emotion_garden.vocabulary.Gender",
        "ThemeMatch": ["exact", "all", "any"],  # a StrEnum, which the override cannot import
    },
}

# --- Content-Security-Policy (django-csp) ---------------------------------------------------------------------------
# On every answer: the visitor page, the admin, the API docs. No inline script and no inline style anywhere (scripts
# and styles are static files; the page's settings are a JSON data block), so an injected <script> or style cannot
# run. Images may also come from the media storage's own host (S3, a CDN) and from blob:/data: URLs (the visitor's own
# photo before it is read; Swagger UI's icons). CSP_EXTRA_IMG_SRC adds more image hosts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:", *_media_origins(), *env.list("CSP_EXTRA_IMG_SRC", default=[])],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if HTTPS_ONLY:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = True

# --- Auth, i18n -----------------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ko", "한국어")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# LOG_FORMAT=json: one JSON object per line for a log collector; plain lines for a person at a terminal otherwise.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'plain' or 'json', not {LOG_FORMAT!r}")
if LOG_FORMAT == "json":
    logging.captureWarnings(True)  # Python's warnings as records of py.warnings, so JSON too
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "emotion_garden.logs.RequestIdFilter"},
                "client_faults": {"()": "emotion_garden.logs.ClientFaultFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "emotion_garden.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT,
                             "filters": ["request_id", "client_faults"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},  # its lockouts, not a line per start and per failed password
}
