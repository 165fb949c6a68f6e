"""One settings module; everything that differs between machines comes from the environment.

Development needs nothing set. Production (DEBUG off) refuses to start without SECRET_KEY;
the README lists the variables of the production environment.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


TRUE_WORDS, FALSE_WORDS = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    """A yes/no setting. A value that is neither (``SECURE_HTTPS=ture``) is refused rather
    than read as "no", which would quietly turn a protection off."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of {', '.join(sorted(TRUE_WORDS | FALSE_WORDS))}, "
        f"not {os.environ[name]!r}."
    )


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


# Host names that mean "this computer": the only ones development mode may serve.
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]", "testserver"}
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
SERVES_ONLY_THIS_COMPUTER = all(host in LOCAL_HOSTS for host in ALLOWED_HOSTS)
# Unset, DEBUG follows the hosts: development on this computer, production anywhere else, so
# forgetting DEBUG=false on a server fails closed.
DEBUG = env_bool("DEBUG", SERVES_ONLY_THIS_COMPUTER)
if not ALLOWED_HOSTS and DEBUG:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    if not SERVES_ONLY_THIS_COMPUTER:
        raise ImproperlyConfigured(
            "The development key may serve only this computer (localhost), not "
            f"{', '.join(sorted(set(ALLOWED_HOSTS) - LOCAL_HOSTS))}. Set SECRET_KEY (and "
            "DEBUG=false for real users): see README, 'PostgreSQL, Redis and production'."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    "courseware",
    "words",
    "quizzes",
    "review",
    "classroom",
]

MIDDLEWARE = [
    "config.request_ids.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.GZipMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "config.middleware.PrivateResponsesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "config.middleware.SimplifiedContentMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes' own rule).
    "axes.middleware.AxesMiddleware",
]

# Pages are gzipped by the app, for a classroom served straight from gunicorn. Django's own
# level 6 costs the reading page more than twice the CPU of level 2 for a tenth fewer bytes
# (bench/RESULTS.md); behind a proxy that compresses, GZIP_LEVEL=0 leaves it to the proxy.
GZIP_LEVEL = env_int("GZIP_LEVEL", 2)
if not 0 <= GZIP_LEVEL <= 9:
    raise ImproperlyConfigured("GZIP_LEVEL must be 0 (off) or a gzip level from 1 to 9.")

ROOT_URLCONF = "config.urls"

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
                "config.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        # A kept connection is checked before a request uses it: the first request after a
        # PostgreSQL restart reconnects instead of failing.
        conn_health_checks=True,
    )
}
# PgBouncer in transaction mode may hand a named cursor (QuerySet.iterator()) to another
# client between statements: behind it, iterate with client-side cursors.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DISABLE_SERVER_SIDE_CURSORS", False)
# The few statements every request runs are prepared on the server, planned once per
# connection (config.prepared.statement_cursor, which asks for it explicitly). Django turns
# psycopg's preparing off unless a threshold is given; one no count reaches leaves every other
# query unprepared. Off by default behind PgBouncer in transaction mode (the setting above),
# which keeps prepared statements only from 1.22 and with max_prepared_statements set:
# PREPARED_STATEMENTS=true there once it does (docs/deploy.md).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "PREPARED_STATEMENTS", not DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"]
):
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 2**31 - 1
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Several processes (gunicorn workers, the benchmark loader) share one file.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # A transaction that reads and then writes takes the write lock at BEGIN: with SQLite's
    # default (DEFERRED) two such transactions deadlock on the upgrade and one fails at once
    # with "database is locked", without waiting out the timeout.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "vnbop"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Course content (rendered unit bodies, items, the reading order) stays in each process's own
# memory even with Redis: every key holds the content version read from the database, so no
# process can serve an old version, and the largest values we cache (a unit body is ~90 KB)
# would otherwise cross the network on every page. See courseware/caching.py.
CACHES["content"] = {
    # Kept as objects, not pickles: nothing that reads this cache changes what it gets.
    "BACKEND": "courseware.caching.SharedObjectsCache",
    "LOCATION": "course-content",
    "OPTIONS": {"MAX_ENTRIES": 5000},
}
# The unit page's layout for signed-in readers (courseware/layout.py), one per unit, language
# and readings style (72 for the paper's 8 units), each holding the unit's body: a cache of
# its own, so that the layouts of versions retired by admin edits are pushed out by the
# current ones, not kept for the timeout beside them. 100 layouts are at most ~14 MB.
CACHES["unit-layouts"] = {
    "BACKEND": "courseware.caching.SharedObjectsCache",
    "LOCATION": "unit-layouts",
    "OPTIONS": {"MAX_ENTRIES": 100},
}
# Fragments rendered once with holes (config/holes.py): the answer's feedback per item, answer
# and review rules; the unit page's read status and quiz panel per unit and shape. A cache of
# their own, so that however many different answers and panels come in (a due date extended
# for one student is a panel of its own) they push out only each other, never the unit pages
# and reading order above. 3,000 fragments of 1–3 KB are at most ~9 MB.
CACHES["kept-fragments"] = {
    "BACKEND": "courseware.caching.SharedObjectsCache",
    "LOCATION": "kept-fragments",
    "OPTIONS": {"MAX_ENTRIES": 3000},
}
# Word cards, keyed the same way, in a cache of their own: anyone can ask for any word of any
# passage, and however many different cards are asked for, they push out only other cards,
# never the unit pages and reading order above. 2,000 cards are about 4 MB.
CACHES["word-cards"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "word-cards",
    "OPTIONS": {"MAX_ENTRIES": 2000},
}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Django's PBKDF2 default is deliberately slow; the test suite and the benchmark create
# hundreds of users, so they may opt into a fast hasher. Never in production: see below.
FAST_PASSWORD_HASHER = env_bool("FAST_PASSWORD_HASHER", False)
if FAST_PASSWORD_HASHER:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "classroom:login"
LOGIN_REDIRECT_URL = "classroom:home"
LOGOUT_REDIRECT_URL = "courseware:course"

# Failed sign-ins (classroom/throttling.py): five failures lock the pair (username, address)
# for 15 minutes, so a school behind one address is not locked out by five mistyped
# passwords, and one account's success never clears the failures against another. Above the
# pair, hourly caps per account (across addresses) and per address.
AXES_HANDLER = "classroom.throttling.SignInThrottle"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# An attempt refused while the pair is locked was never checked: it neither restarts the
# 15 minutes the locked-out page promises nor counts toward the hourly caps (axes' default
# does both, and then marks the request as locked only after the caps have counted it).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "classroom.views.locked_out"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
SIGN_IN_ACCOUNT_LIMIT_PER_HOUR = env_int("SIGN_IN_ACCOUNT_LIMIT_PER_HOUR", 20)
SIGN_IN_ADDRESS_LIMIT_PER_HOUR = env_int("SIGN_IN_ADDRESS_LIMIT_PER_HOUR", 300)
# Wrong class join codes (classroom.limits.JoinCodeGuard).
JOIN_CODE_ACCOUNT_LIMIT_PER_HOUR = env_int("JOIN_CODE_ACCOUNT_LIMIT_PER_HOUR", 10)
JOIN_CODE_ADDRESS_LIMIT_PER_HOUR = env_int("JOIN_CODE_ADDRESS_LIMIT_PER_HOUR", 300)
# REMOTE_ADDR, or X-Forwarded-For under BEHIND_PROXY: otherwise, behind the proxy, every
# request would come from the proxy's own address.
AXES_CLIENT_IP_CALLABLE = "config.addresses.client_address"
# Accounts created per address per hour (classroom.limits.SIGN_UPS_PER_ADDRESS): room for a
# whole class signing up behind one school address, not for a script filling a class.
SIGN_UP_LIMIT_PER_HOUR = env_int("SIGN_UP_LIMIT_PER_HOUR", 50)

LANGUAGE_CODE = "zh-hant"
# zh-hans shows the Traditional content converted (courseware.simplified): no columns of its
# own, so it is not one of modeltranslation's languages and falls back to zh-hant there.
LANGUAGES = [("zh-hant", "繁體中文"), ("zh-hans", "简体中文"), ("en", "English")]
MODELTRANSLATION_DEFAULT_LANGUAGE = "zh-hant"
MODELTRANSLATION_LANGUAGES = ("zh-hant", "en")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("zh-hant",)
# modeltranslation reads these names; served from our own static files, never a CDN.
JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.min.js"
JQUERY_URL = "admin/js/vendor/jquery/jquery.min.js"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Taipei")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Production hardening. Each is on by default when DEBUG is off and can be relaxed only
# explicitly (for a local benchmark over plain HTTP on loopback).
SECURE_HTTPS = env_bool("SECURE_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = SECURE_HTTPS
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SECURE_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
# A site that real people use has HTTPS; DEBUG off without it is the benchmark on loopback
# (bench/run.py), the one place besides the tests where the fast hasher belongs.
if FAST_PASSWORD_HASHER and not DEBUG and SECURE_HTTPS:
    raise ImproperlyConfigured(
        "FAST_PASSWORD_HASHER is for the tests and the local benchmark: unset it when DEBUG "
        "is off (it is allowed there only with SECURE_HTTPS=false, on loopback)."
    )
# Behind a reverse proxy (docs/deploy.md) every request reaches Django from the proxy: the
# scheme and the client's address come from the headers the proxy sets.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies append to X-Forwarded-For before Django (nginx alone: 1).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1)
if TRUSTED_PROXY_COUNT < 1:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 1 or more.")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Our own 403 in the reader's language, instead of Django's English-only page.
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SECURE_HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Timestamps and the request id (config/request_ids.py) on every line of the app's own
# loggers and Django's; gunicorn's access log stays gunicorn's.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.request_ids.RequestIdFilter"}},
    "formatters": {
        "timestamped": {
            "format": "%(asctime)s %(levelname)s %(name)s [request %(request_id)s] %(message)s"
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "timestamped",
        }
    },
    "loggers": {
        name: {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False}
        for name in ["django", "axes", "config", "courseware", "quizzes", "classroom"]
    },
}

SITE_NAME = _("Vietnam and the Balance of Power")

# --- LTI 1.3 (issue #17: the course inside the instructor's LMS; docs/lti.md) ------------
# django-lti (lti_tool) keeps platform registrations, deployments, keys and launches; the
# lti app ties them to classes, units and grades. Launch state lives in the cache: with more
# than one worker process it must be shared (CACHE_URL, Redis), or a launch that reaches
# another worker than its login step fails. Nothing else changes: the LTI routes set their
# own frame headers, and pylti1p3 marks its launch cookies SameSite=None; Secure on HTTPS.
INSTALLED_APPS += ["lti_tool", "lti"]
