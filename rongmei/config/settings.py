"""Rongmei settings: one module, driven by environment variables.

Three profiles, chosen by ``RONGMEI_ENV``:

* ``development`` (default) — SQLite file, in-process cache, tasks run inline, DEBUG on.
* ``test`` — like development, but quiet and fast (set by the test runner).
* ``production`` — DEBUG off, secure cookies, HSTS, a real SECRET_KEY required,
  tasks stored in the database for ``rongmei db_worker``.

Every variable is documented in README.md ("Configuration").
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent  # the rongmei/ package
PROJECT_DIR = BASE_DIR.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


# Under pytest the default profile is "test" (quiet logs, fast hashing, inline tasks).
RONGMEI_ENV = env("RONGMEI_ENV", "test" if "pytest" in sys.modules else "development")
if RONGMEI_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured("RONGMEI_ENV must be development, test or production")
PRODUCTION = RONGMEI_ENV == "production"
TESTING = RONGMEI_ENV == "test"

DEBUG = env_bool("DEBUG", default=not PRODUCTION and not TESTING)
# Django's technical 404/500 pages, even with DEBUG on, only when asked for (never in the demo).
RONGMEI_TECHNICAL_ERRORS = env_bool("RONGMEI_TECHNICAL_ERRORS", False)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    SECRET_KEY = "dev-only-insecure-key-rongmei-do-not-use-in-production-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "*")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- Site identity -------------------------------------------------------------------------
RONGMEI_COUNTY_NAME = env("RONGMEI_COUNTY_NAME", "莲乡县")
RONGMEI_SITE_NAME = env("RONGMEI_SITE_NAME", "莲乡融媒")
RONGMEI_SITE_SLOGAN = env("RONGMEI_SITE_SLOGAN", "新闻 + 政务 + 商务，一端通办")
RONGMEI_SITE_LOGO = env("RONGMEI_SITE_LOGO", "rongmei/img/logo.svg")  # a static path
WAGTAIL_SITE_NAME = RONGMEI_SITE_NAME
WAGTAILADMIN_BASE_URL = env("BASE_URL", "http://127.0.0.1:8000")
# Open311 GeoReport v2 (/open311/): the jurisdiction_id this endpoint answers for (empty:
# any), and how many cases one partner key may file per hour.
OPEN311_JURISDICTION_ID = env("OPEN311_JURISDICTION_ID", "")
OPEN311_POSTS_PER_HOUR = int(env("OPEN311_POSTS_PER_HOUR", "300"))

# --- Applications --------------------------------------------------------------------------
# Capabilities are switched on per county (rongmei/config/modules.py): e.g.
# RONGMEI_MODULES=news,wordgate,media,outlets,push,engage,points,wenzheng, or -mall,-vouchers.
from .modules import MODULES, PLATFORM_APPS, ModuleConfigurationError, resolve  # noqa: E402

try:
    RONGMEI_MODULES = [module.code for module in resolve(env("RONGMEI_MODULES", "all"))]
except ModuleConfigurationError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
# Links into modules that are off are hidden (rongmei.core.modules.link_is_on).
RONGMEI_OFF_PATHS = [path for module in MODULES if module.code not in RONGMEI_MODULES
                     for path in module.paths]

INSTALLED_APPS = [
    *PLATFORM_APPS,
    *(f"rongmei.{code}" for code in RONGMEI_MODULES),
    # Wagtail: the staff console, pages, revisions, images.
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "rongmei.accounts.users_app.RongmeiUsersAppConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "rongmei.core.middleware.RequestLogMiddleware",
    "rongmei.core.middleware.FriendlyErrorsMiddleware",
    # Outside every middleware that sets a header: writes the files nginx answers a crowd's
    # anonymous pages with (PAGE_SNAPSHOT_DIR; off when empty).
    "rongmei.core.snapshots.PageSnapshotMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "rongmei.core.middleware.SecurityHeadersMiddleware",
    # Static files gzipped in the demo as WhiteNoise's precompressed copies are in production.
    "rongmei.core.compress.StaticCompressionMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Open311: every error under /open311/ in GeoReport's shape, whoever answered it (inside
    # the security headers, so a converted error carries them too).
    *(["rongmei.wenzheng.open311.GeoReportErrorsMiddleware"]
      if "wenzheng" in RONGMEI_MODULES else []),
    # Resident pages say how browsers and proxies may keep them (Vary: Cookie, private).
    "rongmei.core.freshness.PageFreshnessMiddleware",
    "rongmei.core.pagecache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "rongmei.core.middleware.ContentLanguageMiddleware",  # LocaleMiddleware, tag as zh-Hans
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, which reads the body too: oversized or hostile input gets the Chinese 4xx.
    "rongmei.core.hostile_input.HostileInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "rongmei.accounts.middleware.StaffConsoleMiddleware",
    "rongmei.accounts.middleware.WechatSessionMiddleware",  # 解除微信绑定 ends its sessions
    "django.contrib.messages.middleware.MessageMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # 三审: a refused workflow action answers with its reason in Chinese (issue 13).
    *(["rongmei.news.middleware.ReviewRefusalMiddleware"] if "news" in RONGMEI_MODULES else []),
]

ROOT_URLCONF = "rongmei.config.urls"
WSGI_APPLICATION = "rongmei.config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
# Who an API bearer token belongs to (rongmei.core.api calls it; accounts owns app tokens).
API_TOKEN_USER = "rongmei.accounts.services.api_token_user"
# The first is the staff password; the second only marks sessions signed in with an SMS code,
# which never open the console (rongmei.accounts.middleware.StaffConsoleMiddleware).
AUTHENTICATION_BACKENDS = ["rongmei.accounts.backends.PhoneBackend",
                           "rongmei.accounts.backends.SmsCodeBackend"]
LOGIN_URL = "accounts:login"
# A page restricted with 隐私 (登录可见) sends visitors to the residents' SMS login, not to
# Wagtail's username-and-password form, which residents have no password for.
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rongmei.core.context_processors.site",
                # The first-party beacon's <script> in the resident layout, while 数据 is on.
                *(["rongmei.analytics.context_processors.beacon"]
                  if "analytics" in RONGMEI_MODULES else []),
            ],
        },
    },
]

# --- Data ----------------------------------------------------------------------------------
DATA_DIR = Path(env("RONGMEI_DATA_DIR", str(PROJECT_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)  # the embedded default keeps its files here
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'rongmei.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets the demo serve reads while a write is in flight.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    # Tests use a file, not SQLite's shared in-memory database, so that threads in the
    # concurrency tests contend on real (WAL) locks instead of failing with "table is locked".
    # One file per process, so parallel test runs never share (and clobber) a database.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _redis_url_for_this_process(url: str) -> str:
    """Give each pytest-xdist worker its own Redis database.

    Tests clear the cache between cases; two workers sharing one database would
    wipe each other's rate-limit counters mid-test.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    base_db = int(parts.path.lstrip("/") or 0)
    db = base_db + 1 + int(worker[2:])
    return urlunsplit(parts._replace(path=f"/{db}"))


REDIS_URL = _redis_url_for_this_process(env("REDIS_URL"))

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "rm",
            "TIMEOUT": 300,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "rongmei",
            "TIMEOUT": 300,
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30  # residents stay signed in for 30 days
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Files ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it to exist
NODE_MODULES = PROJECT_DIR / "node_modules"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "rongmei.core.staticfiles.NpmFilesFinder",  # the few files used from npm packages
]
MEDIA_URL = env("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "media")))
# Page snapshots (rongmei.core.snapshots): where the app writes the anonymous pages nginx
# serves as files, five seconds each. Empty (the default) writes none; deploy/nginx.conf's
# "location /" reads this directory (docs/operations.md).
PAGE_SNAPSHOT_DIR = env("PAGE_SNAPSHOT_DIR", "")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
if env("S3_BUCKET"):
    # Any S3-compatible object store (MinIO, 阿里云 OSS, 腾讯云 COS in S3 mode).
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET"),
            "endpoint_url": env("S3_ENDPOINT_URL") or None,
            "access_key": env("S3_ACCESS_KEY"),
            "secret_key": env("S3_SECRET_KEY"),
            "region_name": env("S3_REGION") or None,
            "custom_domain": env("S3_CUSTOM_DOMAIN") or None,
            "querystring_auth": env_bool("S3_QUERYSTRING_AUTH", False),
            "file_overwrite": False,
        },
    }
WHITENOISE_MAX_AGE = 60 * 60 * 24 * 30 if PRODUCTION else 0
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Language and time ---------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Background tasks ----------------------------------------------------------------------
TASKS_BACKEND = env("TASKS_BACKEND", "database" if PRODUCTION else "immediate")
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
            "dummy": "django_tasks.backends.dummy.DummyBackend",
        }[TASKS_BACKEND],
    }
}

# --- Wagtail -------------------------------------------------------------------------------
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILADMIN_LOGIN_URL = "wagtailadmin_login"
# 三审: text edited during review goes back through every step (adversarial review: a 终审
# reviewer rewrote a story after 初审 and 复审 and took text no one else saw live).
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
WAGTAILADMIN_USER_LOGIN_FORM = "rongmei.accounts.forms.StaffLoginForm"
WAGTAIL_PASSWORD_RESET_ENABLED = False  # staff have no e-mail here; admins reset passwords
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# Documents: an allow-list of types, each checked by its content (core.uploads.check_document).
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "et", "txt"]
WAGTAILDOCS_DOCUMENT_FORM_BASE = "rongmei.core.library_forms.DocumentForm"
# Image titles are alt text on live pages: they pass the word gate (core.library_forms).
WAGTAILIMAGES_IMAGE_FORM_BASE = "rongmei.core.library_forms.ImageForm"
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 24_000_000  # = rongmei.core.uploads.MAX_PIXELS (memory budget)
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_USER_TIME_ZONES = [TIME_ZONE]  # one county, one time zone: no 600-entry chooser
WAGTAIL_I18N_ENABLED = False

# --- Accounts, SMS, rate limits ------------------------------------------------------------
SMS_PROVIDER = env("SMS_PROVIDER", "outbox")  # outbox | tencent
SMS_TENCENT = {
    "ENDPOINT": env("SMS_TENCENT_ENDPOINT", "https://sms.tencentcloudapi.com"),
    "SECRET_ID": env("SMS_TENCENT_SECRET_ID"),
    "SECRET_KEY": env("SMS_TENCENT_SECRET_KEY"),
    "REGION": env("SMS_TENCENT_REGION", "ap-guangzhou"),
    "SDK_APP_ID": env("SMS_TENCENT_SDK_APP_ID"),
    "SIGN_NAME": env("SMS_TENCENT_SIGN_NAME", RONGMEI_SITE_NAME),
    # Template name → approved template ID. Every notice kind that sends SMS has its own
    # template, named after the kind: SMS_TENCENT_TEMPLATES="wenzheng_urge=123456,…".
    "TEMPLATES": {"login_code": env("SMS_TENCENT_TEMPLATE_LOGIN", ""),
                  "wenzheng_status": env("SMS_TENCENT_TEMPLATE_WENZHENG", ""),
                  "merchant_invite": env("SMS_TENCENT_TEMPLATE_MERCHANT_INVITE", ""),
                  **dict(item.split("=", 1) for item in env_list("SMS_TENCENT_TEMPLATES")
                         if "=" in item)},
    "TIMEOUT": 5,
}
OTP_TTL_SECONDS = 300
OTP_MAX_ATTEMPTS = 5
OTP_RESEND_SECONDS = 60
OTP_MAX_PER_PHONE_PER_DAY = 10
OTP_MAX_PER_IP_PER_HOUR = 30
# Anti-scalping: grabs per client address / device per minute (a school or a factory may
# share one address behind NAT, hence the generous per-address figure).
VOUCHER_GRAB_PER_IP_PER_MINUTE = int(env("VOUCHER_GRAB_PER_IP_PER_MINUTE", "120"))
VOUCHER_GRAB_PER_DEVICE_PER_MINUTE = int(env("VOUCHER_GRAB_PER_DEVICE_PER_MINUTE", "20"))
VOUCHER_GRAB_PER_ACCOUNT_PER_MINUTE = int(env("VOUCHER_GRAB_PER_ACCOUNT_PER_MINUTE", "20"))
# Read beacons (engage): per client address (carrier NAT puts many phones behind one) and
# per reader (account, device id or address+browser), each per minute.
ENGAGE_READS_PER_IP_PER_MINUTE = int(env("ENGAGE_READS_PER_IP_PER_MINUTE", "240"))
ENGAGE_READS_PER_READER_PER_MINUTE = int(env("ENGAGE_READS_PER_READER_PER_MINUTE", "30"))
MALL_ORDER_HOLD_HOURS = int(env("MALL_ORDER_HOLD_HOURS", "72"))  # uncollected orders cancel after
STAFF_LOGIN_MAX_FAILURES = 5
STAFF_LOGIN_LOCK_SECONDS = 15 * 60
# A second factor after the staff password: "" (none) or "sms" (a code texted to the staff
# member's own phone, with the SMS login's limits). accounts/staff_login.py.
STAFF_SECOND_FACTOR = env("STAFF_SECOND_FACTOR", "")
if STAFF_SECOND_FACTOR not in ("", "sms"):
    raise ImproperlyConfigured("STAFF_SECOND_FACTOR must be empty or 'sms'")
# Key that encrypts ID-card numbers at rest (Fernet). Defaults to one derived from SECRET_KEY;
# set it explicitly in production so rotating SECRET_KEY does not orphan the data.
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY")
# Behind nginx the client address is in X-Forwarded-For; trust it only when told to.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", PRODUCTION)

# --- Newsroom, media, push, 问政 -----------------------------------------------------------
# Scheduled publishing runs every minute (``rongmei news_publish_due`` from a systemd timer).
NEWS_ARCHIVE_BY = env("NEWS_ARCHIVE_BY", "month")  # year | month: folders under each section
FFMPEG_BINARY = env("FFMPEG_BINARY", "ffmpeg")
FFPROBE_BINARY = env("FFPROBE_BINARY", "ffprobe")
MEDIA_MAX_VIDEO_MB = int(env("MEDIA_MAX_VIDEO_MB", "2048"))
MEDIA_MAX_AUDIO_MB = int(env("MEDIA_MAX_AUDIO_MB", "300"))
# Web Push (VAPID). Production must set a key (``rongmei push_keys`` prints a new pair);
# development and tests make one under RONGMEI_DATA_DIR.
VAPID_PRIVATE_KEY = env("VAPID_PRIVATE_KEY")
VAPID_SUBJECT = env("VAPID_SUBJECT", "mailto:admin@example.com")
# Personal data of closed 问政 cases is anonymised after this many days (statistics stay).
WENZHENG_RETENTION_DAYS = int(env("WENZHENG_RETENTION_DAYS", "1095"))

# --- 数据 (rongmei.analytics) -----------------------------------------------------------------
# Raw events are dropped after this many days (privacy); the daily tables are kept.
ANALYTICS_RAW_RETENTION_DAYS = int(env("ANALYTICS_RAW_RETENTION_DAYS", "90"))
# Beacon requests per client address per minute (a whole school behind one NAT on a 六进 day).
ANALYTICS_EVENTS_PER_CLIENT_PER_MINUTE = int(env("ANALYTICS_EVENTS_PER_CLIENT_PER_MINUTE", "3000"))
# New anonymous device ids one client address may be issued a day: the most 新增用户 one
# address can add (a school or a village behind one NAT stays well under it).
ANALYTICS_NEW_DEVICES_PER_CLIENT_PER_DAY = int(env("ANALYTICS_NEW_DEVICES_PER_CLIENT_PER_DAY",
                                                   "500"))
# Events the Redis buffer may hold before the beacon answers 503 (the timer is not running).
ANALYTICS_BUFFER_MAX = int(env("ANALYTICS_BUFFER_MAX", "20000000"))
# With Redis, each process gathers beacon events in memory and pushes them in one round trip
# this often (milliseconds; 0: one Redis round trip per beacon request, nothing held back).
ANALYTICS_BATCH_MS = int(env("ANALYTICS_BATCH_MS", "250"))
# Without Redis, events wait in append-only files here.
ANALYTICS_BUFFER_DIR = env("ANALYTICS_BUFFER_DIR", str(DATA_DIR / "analytics-buffer"))
# Ed25519 private key (32 bytes, Base64) that signs the monthly provincial report; empty:
# one derived from SECRET_KEY (development only — set it in production and give the province
# the public key shown on the report page).
ANALYTICS_REPORT_SIGNING_KEY = env("ANALYTICS_REPORT_SIGNING_KEY", "")
# The county-app index (docs/architecture.md, "数据"): block weights and, per measure, the
# monthly reference value that scores 100 on the log scale. Override as JSON.
ANALYTICS_INDEX = json.loads(env("ANALYTICS_INDEX", "null") or "null") or {
    "reach": {"weight": 0.30, "refs": {"page_views": 1_000_000, "read_hours": 20_000,
                                       "shares": 50_000}},
    "service": {"weight": 0.25, "refs": {"wenzheng_closed": 500, "vouchers_redeemed": 20_000,
                                         "mall_orders": 5_000, "points_issued": 2_000_000}},
    "interaction": {"weight": 0.20, "refs": {"comments": 20_000, "searches": 50_000,
                                             "push_opens": 50_000}},
    "growth": {"weight": 0.25, "refs": {"new_users": 10_000, "installs": 5_000,
                                        "mau_per_mille": 750}},
}

# --- 直播 (rongmei.live; docs/operations.md "Live") ---------------------------------------------
# Where residents' players fetch HLS: nginx-rtmp's own http server, or a CDN in front of it.
LIVE_HLS_BASE_URL = env("LIVE_HLS_BASE_URL", "/hls/")
# What staff paste into OBS as the server (the stream key is per room).
LIVE_RTMP_URL = env("LIVE_RTMP_URL", "rtmp://127.0.0.1:1935/live")
# Addresses the media server's callbacks may come from (never the public).
LIVE_MEDIA_SERVER_IPS = env_list("LIVE_MEDIA_SERVER_IPS", "127.0.0.1,::1")
# Where the media server writes recordings; on_record_done paths outside it are refused.
LIVE_RECORD_DIR = Path(env("LIVE_RECORD_DIR", str(DATA_DIR / "live" / "recordings")))
# A stream that drops comes back within this many seconds as the same broadcast
# ("主播暂时离开"); after it, the room ends (rongmei live_tick, or at once with 0).
LIVE_END_GRACE_SECONDS = int(env("LIVE_END_GRACE_SECONDS", "120"))
# The comment stream (SSE from the ASGI server, rongmei live_serve); "" means polling only.
LIVE_STREAM_URL = env("LIVE_STREAM_URL", "/live/stream/")
LIVE_FRAME_MS = int(env("LIVE_FRAME_MS", "300"))  # comments are merged per room this often
LIVE_FRAME_CAP = int(env("LIVE_FRAME_CAP", "40"))  # ordinary comments per frame, at most
LIVE_COMMENT_MAX = int(env("LIVE_COMMENT_MAX", "100"))  # characters in one comment
LIVE_WATCH_POINTS_MINUTES = int(env("LIVE_WATCH_POINTS_MINUTES", "3"))  # watched → 看视频 points
LIVE_NGINX_BINARY = env("LIVE_NGINX_BINARY", "nginx")
LIVE_NGINX_RTMP_MODULE = env("LIVE_NGINX_RTMP_MODULE", "/usr/lib/nginx/modules/ngx_rtmp_module.so")

# 志愿者之家: the unit code of the county's 新时代文明实践中心 (its 志愿队长 dispatch 点单).
RONGMEI_VOLUNTEER_CENTER = env("RONGMEI_VOLUNTEER_CENTER", "LX-D29")

# --- 微信 (rongmei.core.wechat, accounts.wechat; docs/operations.md "微信公众号") ------------------
# The 公众号 (a verified 服务号) whose JS-SDK share cards and 网页授权 sign-in the resident app
# uses. An empty AppID switches both off: no JS-SDK script, no 微信登录.
WECHAT_APP_ID = env("WECHAT_APP_ID", "")
WECHAT_APP_SECRET = env("WECHAT_APP_SECRET", "")
WECHAT_API_BASE = env("WECHAT_API_BASE", "https://api.weixin.qq.com")
WECHAT_OPEN_BASE = env("WECHAT_OPEN_BASE", "https://open.weixin.qq.com")
WECHAT_HTTP_TIMEOUT = float(env("WECHAT_HTTP_TIMEOUT", "10"))

# --- Operations ----------------------------------------------------------------------------
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", "127.0.0.1,::1")
REQUEST_LOG = env_bool("REQUEST_LOG", not TESTING)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "rongmei.core.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING" if TESTING else "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}

# --- Security ------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # Wagtail's preview views override this for themselves
CSRF_FAILURE_VIEW = "rongmei.core.views.csrf_failure"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# Content-Security-Policy for resident pages. The console's own screens (comment and report
# moderation, 问政, 爆料, reviews: where resident text is shown to staff) get
# CSP_ADMIN_STRICT, with no inline script at all; Wagtail's screens get CSP_ADMIN, because
# Wagtail 8 still ships inline scripts in its date/time widgets and inline panels. Neither
# allows eval.
CSP = (
    "default-src 'self'; img-src 'self' data: blob: https:; media-src 'self' blob: https:; "
    "style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; "
    "font-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'self'; "
    "form-action 'self'; manifest-src 'self'; worker-src 'self'"
)
CSP_ADMIN = (
    "default-src 'self'; img-src 'self' data: blob: https:; media-src 'self' blob: https:; "
    "style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; "
    "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'self'; frame-src 'self' https:"
)
CSP_ADMIN_STRICT = CSP_ADMIN.replace("script-src 'self' 'unsafe-inline'", "script-src 'self'")

_HLS = urlsplit(LIVE_HLS_BASE_URL)
if _HLS.scheme in ("http", "https") and _HLS.netloc:  # a CDN in front of HLS
    _hls_origin = f"{_HLS.scheme}://{_HLS.netloc}"
    CSP = CSP.replace("connect-src 'self'", f"connect-src 'self' {_hls_origin}").replace(
        "media-src 'self' blob: https:", f"media-src 'self' blob: https: {_hls_origin}")

SILENCED_SYSTEM_CHECKS: list[str] = []
RONGMEI_ASSET_VERSION = env("RONGMEI_ASSET_VERSION", "1")
