"""Settings, read from the environment.

Development defaults: DEBUG on, a local SQLite file. Production: set DEBUG=0,
SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL (postgres://...).
"""

import os
from pathlib import Path

import dj_database_url
import django
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default):
    return os.environ.get(name, str(default)).lower() in ("1", "true", "yes", "on")


def envint(name, default):
    return int(os.environ.get(name, default))


def envlist(name, default):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)
DEBUG_PAGES = envbool("DEBUG_PAGES", False)  # Django's technical 404/500 pages in development instead of the app's
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for development).")
    SECRET_KEY = "development-only-not-secret-" + "x" * 40

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tables2",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    *(["django_tasks"] if django.VERSION < (6, 0) else []),
    "django_tasks_db",
    "outbox",
    "maturity",
    "councils",
    "assessments",
    "actionplans",
    "reports",
    "ratings",
    "signin",
    "api",
    "reminders",
    "ninja",  # django-ninja: its docs page template (overridden in templates/ninja/, Swagger UI vendored in static/)
    "home",
    "demo",
    # django-allauth: password sign-in with a second factor, single sign-on (OpenID Connect) and sessions
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "allauth.usersessions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "config.middleware.FriendlyErrorPagesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.QueryTextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "config.middleware.SignedOutHtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "signin.middleware.SessionEndMiddleware",
    "signin.middleware.SecondFactorMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "councils.context_processors.caps",
                "signin.context_processors.session_end",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent autosaves on the default database: readers never block the writer (WAL), a writer waits its turn
    # (busy timeout) and takes the write lock when its transaction begins (IMMEDIATE), so of two saves from the same
    # version one wins and the other gets a 409, never "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 30, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
    # Tests on a file, not in memory: with an in-memory database Django hands the live server thread the test thread's
    # own connection, so a report worker running in a test and the page polling it would share one transaction.
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME", str(BASE_DIR / ".test-db.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "councils.backends.MemberBackend",  # ModelBackend, with the membership loaded alongside the user
    "django.contrib.auth.backends.ModelBackend",  # sessions begun before MemberBackend still name this one
]

# Sign-in (django-allauth). Passwords: username and password, then a code from an authenticator app (TOTP) or a
# recovery code for those who have one; heads of procurement, site staff and everyone in a council whose sign-in
# settings say so must have one (signin.middleware). Single sign-on: each council's own OpenID Connect provider
# (Microsoft Entra ID), set by site staff in signin.SignInPolicy; it links only to an existing account of the same
# council with the same address, never creates one (signin.adapters). Nobody signs up: accounts come from heads'
# invitations and site staff.
ACCOUNT_ADAPTER = "signin.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "signin.adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = True  # the session lasts SESSION_COOKIE_AGE, closed browser or not (the sign-in itself a working day: SIGN_IN_SECONDS)
ACCOUNT_FORMS = {"login": "signin.forms.LoginForm"}
ACCOUNT_RATE_LIMITS = False  # django-axes counts failed passwords and second factors (below)
ACCOUNT_LOGOUT_REDIRECT_URL = "login"
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {"provider_class": "signin.provider.CouncilProvider", "OAUTH_PKCE_ENABLED": True},
}
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_OPENID_CONNECT_URL_PREFIX = "sso"
SOCIALACCOUNT_REQUESTS_TIMEOUT = envint("SSO_TIMEOUT_SECONDS", 10)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = os.environ.get("MFA_ISSUER", "NPS procurement maturity")
MFA_FORMS = {"authenticate": "signin.forms.SecondFactorForm", "reauthenticate": "signin.forms.SecondFactorReauthenticateForm"}
MFA_RECOVERY_CODE_COUNT = 10
REMINDER_HOUR = envint("REMINDER_HOUR", 7)  # the daily reminder run, local time
REMINDER_DIGEST_WEEKDAY = envint("REMINDER_DIGEST_WEEKDAY", 0)  # Monday: weekly digests go out
KPI_ACTUAL_DUE_DAYS = envint("KPI_ACTUAL_DUE_DAYS", 30)  # a KPI's actual is due this many days after its period ends
API_REQUESTS_PER_MINUTE = envint("API_REQUESTS_PER_MINUTE", 60)  # per key, counted in the database (every machine)
SECOND_FACTOR_REQUIRED = envbool("SECOND_FACTOR_REQUIRED", True)  # tests turn it off, and on where they test it
USERSESSIONS_TRACK_ACTIVITY = False  # one row per session, written at sign-in; no write on every page
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_URL_PATH = "/accounts/login/"  # where LOGIN_URL leads (config.middleware.SignedOutHtmxMiddleware)
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: lock a username from one address after repeated failures (failures from one address never
# lock the user out from another), and an address after many failures across usernames. Behind a proxy the
# address is the client's, from the trusted proxies' X-Forwarded-For (config/proxy.py).
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_LIMIT = envint("LOGIN_ADDRESS_LIMIT", 30)
PASSWORD_RESET_ADDRESS_LIMIT = envint("PASSWORD_RESET_ADDRESS_LIMIT", 3)  # reset mails asked for one address an hour
PASSWORD_RESET_CLIENT_LIMIT = envint("PASSWORD_RESET_CLIENT_LIMIT", 10)  # reset requests from one client an hour
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "config.proxy.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
# Pages render numbers unlocalised ({% localize off %} in base.html: every number through the locale's formatter cost
# the dashboard 2 ms), so a value printed without a filter must read the same either way: these are en-GB's own.
DATE_FORMAT, DATETIME_FORMAT, TIME_FORMAT = "j M Y", "j M Y, P", "P"
SHORT_DATE_FORMAT, SHORT_DATETIME_FORMAT, YEAR_MONTH_FORMAT, MONTH_DAY_FORMAT = "d/m/Y", "d/m/Y P", "F Y", "j F"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# The address people reach the site at, for links in e-mails sent without a request (a report made by a worker).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# E-mail: SMTP in production (EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS or
# EMAIL_USE_SSL); the console in development. The console backend would print password-reset links, tokens and
# all, into the server log, so with DEBUG off it is refused unless EMAIL_ALLOW_CONSOLE=1 says so.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend"
)
if not DEBUG and EMAIL_BACKEND.endswith("console.EmailBackend") and not envbool("EMAIL_ALLOW_CONSOLE", False):
    raise ImproperlyConfigured("EMAIL_BACKEND is the console with DEBUG off: mail (password-reset links) would go to the log. Configure SMTP, or set EMAIL_ALLOW_CONSOLE=1.")
_SMTP = {
    "host": os.environ.get("EMAIL_HOST", "localhost"),
    "port": envint("EMAIL_PORT", 25),
    "username": os.environ.get("EMAIL_HOST_USER", ""),
    "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
    "use_tls": envbool("EMAIL_USE_TLS", False),
    "use_ssl": envbool("EMAIL_USE_SSL", False),
    "timeout": envint("EMAIL_TIMEOUT", 30),
}
if django.VERSION >= (6, 1):  # mailers replace the EMAIL_* settings
    MAILERS = {"default": {"BACKEND": EMAIL_BACKEND, "OPTIONS": _SMTP if EMAIL_BACKEND.endswith("smtp.EmailBackend") else {}}}
    del EMAIL_BACKEND
else:
    EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD = _SMTP["host"], _SMTP["port"], _SMTP["username"], _SMTP["password"]
    EMAIL_USE_TLS, EMAIL_USE_SSL, EMAIL_TIMEOUT = _SMTP["use_tls"], _SMTP["use_ssl"], _SMTP["timeout"]
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "nps-maturity@localhost")
INVITATION_DAYS = envint("INVITATION_DAYS", 7)  # how long an invitation link works (once)

FORM_RENDERER = "common.widgets.FastRenderer"  # Django's, with inputs, textareas and selects written in Python
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"

# Security: cookies and HTTPS in production, headers always.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
BEHIND_PROXY = envbool("BEHIND_PROXY", False)
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 1) if BEHIND_PROXY else 0
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SIGN_IN_SECONDS = envint("SESSION_HOURS", 9) * 3600  # a sign-in lasts a working day from signing in (signin.middleware.SessionEndMiddleware)
SESSION_COOKIE_AGE = SIGN_IN_SECONDS + 3600  # the session itself outlives it a little, so the sign-out can say why
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
STATIC_URL_PATH = "/static/"

# Only our own static files; no inline script, no third-party host.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# Per-process memory cache: rendered scoring cards (keyed on each score's version) and benchmark counts.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 20_000}}}

# Background jobs (the PDF reports): Django's Tasks framework, queued in the app's own database and run by
# `manage.py db_worker` (make run starts one; in production run one or more beside gunicorn, on any machine).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
MAIL_RETRIES = envint("MAIL_RETRIES", 6)  # a mail the server refused is tried again this many times by the worker…
MAIL_RETRY_SECONDS = envint("MAIL_RETRY_SECONDS", 60)  # …after 1, 2, 4, 8… minutes
REPORT_JOB_STALE_SECONDS = envint("REPORT_JOB_STALE_SECONDS", 300)  # a running job silent this long is taken to have died

# Evidence files live outside the web root and are served only through a view that checks who may see them.
EVIDENCE_ROOT = Path(os.environ.get("EVIDENCE_ROOT", BASE_DIR / "var" / "evidence"))
# Where evidence files live (django-storages), so that every machine behind a load balancer sees every file:
# Azure Blob Storage when AZURE_STORAGE_CONNECTION_STRING (or AZURE_ACCOUNT_NAME with AZURE_ACCOUNT_KEY) is set;
# S3-compatible storage when AWS_STORAGE_BUCKET_NAME is set (pip install -e ".[s3]"); else the folder EVIDENCE_ROOT
# (one machine, development). Files stay private: no public URLs; they are served only through the evidence view,
# which checks access.
EVIDENCE_STORAGE_TIMEOUT = envint("EVIDENCE_STORAGE_TIMEOUT", 20)  # seconds before an unreachable store is reported
if os.environ.get("AZURE_STORAGE_CONNECTION_STRING") or os.environ.get("AZURE_ACCOUNT_NAME"):
    STORAGES["evidence"] = {
        "BACKEND": "storages.backends.azure_storage.AzureStorage",
        "OPTIONS": {
            "connection_string": os.environ.get("AZURE_STORAGE_CONNECTION_STRING") or None,
            "account_name": os.environ.get("AZURE_ACCOUNT_NAME") or None,
            "account_key": os.environ.get("AZURE_ACCOUNT_KEY") or None,
            "azure_container": os.environ.get("AZURE_CONTAINER", "evidence"),
            "overwrite_files": False,
            "timeout": EVIDENCE_STORAGE_TIMEOUT,
            "client_options": {"retry_total": 2, "retry_backoff_factor": 0.5},  # a page never hangs on retries
        },
    }
elif os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    STORAGES["evidence"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "default_acl": None,  # the bucket's own (private) policy; never public-read
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    STORAGES["evidence"] = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": EVIDENCE_ROOT, "base_url": None}}
EVIDENCE_MAX_BYTES = envint("EVIDENCE_MAX_MB", 10) * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
REPORT_JOBS_WAITING_PER_COUNCIL = envint("REPORT_JOBS_WAITING_PER_COUNCIL", 4)  # more of one council's reports wait unqueued, so others go first
