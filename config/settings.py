"""The one settings module. Everything that differs between machines comes from the environment.

Environment:
  DATABASE_URL         a real PostgreSQL; unset = the embedded server under HUBS_VAR_DIR
  CELERY_BROKER_URL    a real Redis; unset = the embedded redis-server under HUBS_VAR_DIR
  HUBS_VAR_DIR         where embedded data, media and mail go (default ./var)
  SECRET_KEY, DEBUG, ALLOWED_HOSTS (comma separated), PLATFORM_DOMAIN (default localhost),
  PUBLIC_PORT (port shown in links, default PORT or 8000), EMAIL_URL-like settings below.
  HTTPS=1 in production (secure cookies, https redirect, HSTS), TRUST_X_FORWARDED_PROTO, TRUSTED_PROXY_HOPS,
  HEALTH_TOKEN: platform/README.md explains each production setting.
"""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab

from config import embedded
from config.env import env, env_bool, env_list

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = embedded.var_dir()

SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")
DEBUG = env_bool("DEBUG", False)
PLATFORM_DOMAIN = env("PLATFORM_DOMAIN", "localhost")
PUBLIC_PORT = env("PUBLIC_PORT", env("PORT", "8000"))
PUBLIC_SCHEME = env("PUBLIC_SCHEME", "http")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [PLATFORM_DOMAIN, f".{PLATFORM_DOMAIN}", "testserver"])

# --- Tenancy (django-tenants) -----------------------------------------------------------------------
# Auth and sessions sit in both lists: platform staff sign in on the public schema, every hub keeps
# its own accounts and sessions in its own schema (docs/architecture.md, Tenancy).
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "billing",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "incubator.accounts",
    "django.contrib.sessions",
    "django.contrib.admin",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "incubator.accounts",
    "django.contrib.sessions",
    "django.contrib.messages",
    "incubator.audit",
    "incubator.notifications",
    "incubator.areas",
    "incubator.orgs",
    "incubator.filings",
    "incubator.funding",
    "incubator.courses",
    "incubator.projects",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "django.contrib.sitemaps",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "cms",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Hub"
TENANT_DOMAIN_MODEL = "tenants.Domain"
# New hubs are cloned from this schema instead of replaying every migration (docs/architecture.md, Tenancy).
TENANT_BASE_SCHEMA = "hub_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
# Deliberately not SHOW_PUBLIC_IF_NO_TENANT_FOUND: an unknown host gets a 404, never the platform.
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]

MIDDLEWARE = [
    "tenants.middleware.HubMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.locale.CookieLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "config.middleware.RefuseNulMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.HubRedirectMiddleware",
    # Last: serves anonymous showcase pages per hub and language, after locale, CSRF, session and auth.
    "cms.cache.ShowcaseCacheMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# --- Database ---------------------------------------------------------------------------------------
if env("DATABASE_URL"):
    _db = dj_database_url.parse(env("DATABASE_URL"), conn_max_age=60)
else:
    _db = embedded.ensure_postgres()
    _db["CONN_MAX_AGE"] = 60
_db["ENGINE"] = "django_tenants.postgresql_backend"
_db.setdefault("TEST", {})["NAME"] = f"test_{_db['NAME']}"
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker and cache ------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or embedded.ensure_redis()
REDIS_CACHE_URL = env("REDIS_CACHE_URL") or CELERY_BROKER_URL.replace("redis+socket://", "unix://")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_CACHE_URL,
        # Without the tenant key function Wagtail's site root paths and renditions leak between hubs.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", "hubs"),
    }
}
# Full-page cache of the public showcase (cms/cache.py): how long a page may show time-based changes
# (calls closing at their deadline, notice periods ending) late; data changes invalidate at once. 0 = off.
SHOWCASE_CACHE_SECONDS = int(env("SHOWCASE_CACHE_SECONDS", "300"))
# Reverse proxies in front of gunicorn that append to X-Forwarded-For (nginx, a load balancer): the client's
# address is that many entries from the right. 0 (direct) trusts no header, which a client could forge.
TRUSTED_PROXY_HOPS = int(env("TRUSTED_PROXY_HOPS", "0"))
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "config.beat:HubScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Entries without "tenant_schemas" run once in every live hub's schema (config.beat.HubScheduler).
CELERY_BEAT_SCHEDULE: dict = {
    "flag-inactive-organisations": {
        "task": "incubator.orgs.tasks.flag_inactive_organisations",
        "schedule": crontab(hour=2, minute=10),
    },
    "close-due-calls": {
        "task": "incubator.funding.tasks.close_due_calls",
        "schedule": crontab(minute="*/5"),
    },
    "close-notices": {
        "task": "incubator.funding.tasks.close_notices",
        "schedule": crontab(hour=0, minute=30),
    },
    "daily-digests": {
        "task": "incubator.notifications.tasks.send_digests",
        "schedule": crontab(hour=18, minute=0),
    },
    "final-report-reminders": {
        "task": "incubator.projects.tasks.final_report_reminders",
        "schedule": crontab(hour=8, minute=10),
    },
    "overdue-rectifications": {
        "task": "incubator.projects.tasks.flag_overdue_rectifications",
        "schedule": crontab(hour=8, minute=20),
    },
    "expire-course-offers": {
        "task": "incubator.courses.tasks.expire_offers",
        "schedule": crontab(minute="*/5"),
    },
    "course-reminders": {
        "task": "incubator.courses.tasks.send_reminders",
        "schedule": crontab(minute="*/15"),
    },
    "annual-report-reminders": {
        "task": "incubator.filings.tasks.send_due_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
}

# --- Sessions and security --------------------------------------------------------------------------
# Host-only cookies: never SESSION_COOKIE_DOMAIN, or one hub's session would travel to another.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Production serves over HTTPS only: HTTPS=1 turns on secure cookies, the redirect to https and HSTS together
# (platform/README.md says why each one). Each can still be set on its own.
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
# The load balancer's probe may speak plain HTTP to the app.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000" if HTTPS else "0"))
# Hubs' custom domains are not ours to pin, so subdomains are opted in explicitly, never by default.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = False
# Only behind a proxy that sets X-Forwarded-Proto itself (and drops the client's): otherwise a client could
# claim https.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TRUST_X_FORWARDED_PROTO", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"
# /healthz?deep=1 pings the Celery workers (up to 2 s): only with this token, or from the machine itself.
HEALTH_TOKEN = env("HEALTH_TOKEN", "")

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Django's rule, with a message its Chinese catalogue translates (incubator/accounts/password_validation.py).
    {"NAME": "incubator.accounts.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"
LOGIN_REDIRECT_URL = "/portal/"

# --- Language and time ------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LANGUAGE_COOKIE_NAME = "hubs_language"
LOCALE_PATHS = [
    BASE_DIR / "config" / "locale",
    # Wagtail's zh_Hans catalogues are incomplete; this one only fills their gaps and is not made by makemessages.
    BASE_DIR / "config" / "wagtail_locale",
]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Files ------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "config" / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Uploads land in MEDIA_ROOT/<schema>/ and are served only through that hub's own host.
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- E-mail -----------------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "noreply@hubs.localhost")

# --- Wagtail ----------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "社会组织孵化基地"
# No WAGTAILADMIN_BASE_URL: Wagtail's own e-mails (password reset…) must link to the hub's host.
SILENCED_SYSTEM_CHECKS = ["wagtailadmin.W003"]
WAGTAIL_I18N_ENABLED = False
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no third-party avatar requests from the back office
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# Sign-ins counted and throttled (incubator/accounts/forms.py); the platform console sets its own in tenants/admin.py.
WAGTAILADMIN_USER_LOGIN_FORM = "incubator.accounts.forms.HubAdminLoginForm"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
