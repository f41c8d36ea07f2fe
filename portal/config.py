"""Portal configuration from the environment; `PORTAL_ENV` picks dev, test or production.

The session cookie (`portal_session`) is HttpOnly and SameSite=Lax everywhere, and Secure in
production unless `PORTAL_COOKIE_SECURE=0` (a production build served over plain HTTP on a
private network); dev and test run over plain HTTP, so there it is not Secure. It holds only
the id of a server-side login session (portal/services/sessions.py): sign-out ends it.
"""

import os
from pathlib import Path

from common.config import load_settings

ROOT = Path(__file__).resolve().parent.parent


class Config:
    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("PORTAL_SECRET_KEY", "")
    INSTANCE_PATH = os.environ.get("PORTAL_INSTANCE_PATH", str(ROOT / "instance"))
    DATABASE_URL = os.environ.get("DATABASE_URL", "")
    DATABASE_SCHEMA = os.environ.get("DATABASE_SCHEMA") or None
    PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:5000")
    OIDC_ISSUER = os.environ.get("IDP_ISSUER", "http://127.0.0.1:5001")
    OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "cong-dich-vu-cong")
    OIDC_SCOPE = "openid profile address population"
    OIDC_LEEWAY = 60
    OIDC_HTTP_TIMEOUT = 10
    SESSION_COOKIE_NAME = "portal_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("PORTAL_COOKIE_SECURE", "1") != "0"
    # Flask-Login's remember-me cookie is never set (no "remember me"); flags for safety.
    REMEMBER_COOKIE_DURATION = 0
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    LOGIN_SESSION_HOURS = 8
    WTF_CSRF_TIME_LIMIT = None
    # Uploads are checked against 5 MB each (portal/services/uploads.py); a request larger
    # than this is cut off before it is read, with the 413 page. The form fields of a request
    # (everything but its files) may take MAX_FORM_MEMORY_SIZE bytes in all: each typed field
    # has its own limit in characters (the procedure file's max_length, 200 by default), so
    # no field of megabytes is ever read, let alone stored.
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 100 * 1024
    # Flask-Limiter limits by name (common/limits.py): in memory, or in Redis when REDIS_URL
    # is set (shared by every worker). verify: the public verification page, per client
    # address; filing_submit: submitting a dossier, per citizen; api: /api/v1, one count per
    # client address over all its endpoints; tracking: the public dossier tracking page, per
    # client address (what keeps its four digits from being guessed); contact_code: sending
    # a confirmation code to a new e-mail or phone, per citizen and channel.
    RATELIMIT_KEY_PREFIX = "portal"
    RATE_LIMITS = {
        "verify": "30/minute;300/hour",
        "filing_submit": "10/minute;60/hour",
        "api": "120/minute;2000/hour",
        "tracking": "10/minute;60/hour",
        "contact_code": "3/10 minutes;10/day",
    }
    # Task queue (portal/tasks.py, Huey): Redis when REDIS_URL is set, else an SQLite file
    # (TASK_QUEUE_FILE, default instance/portal-tasks.sqlite) that needs no server.
    # The worker: `python -m huey.bin.huey_consumer portal.tasks.huey`.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    TASK_QUEUE_FILE = os.environ.get("TASK_QUEUE_FILE", "")
    # Run tasks in the enqueuing process at once (Huey's immediate mode): tests, or a
    # development run without a worker.
    TASK_QUEUE_IMMEDIATE = os.environ.get("TASK_QUEUE_IMMEDIATE") == "1"
    # Registry write-back retries on transient failures: BASE * 2**attempt seconds, at
    # most MAX; the periodic sweep re-enqueues a pending one GRACE seconds past its due time.
    TASK_RETRY_BASE_SECONDS = 30
    TASK_RETRY_MAX_SECONDS = 3600
    TASK_PENDING_GRACE_SECONDS = 120
    # E-mail and SMS (services/channels.py), sent by the task queue: SMTP to SMTP_HOST (in
    # development the mail catcher `make run` starts on port 1025); SMS through the
    # provider SMS_PROVIDER ("mock": recorded in instance/sms.jsonl, nothing sent).
    SMTP_HOST = os.environ.get("SMTP_HOST", "localhost")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "25"))
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_STARTTLS = os.environ.get("SMTP_STARTTLS") == "1"
    SMTP_TIMEOUT = 10
    MAIL_FROM = os.environ.get("MAIL_FROM", "Cổng Dịch vụ công <khong-tra-loi@dichvucong.test>")
    SMS_PROVIDER = os.environ.get("SMS_PROVIDER", "mock")
    # The national payment gateway (docs/payment-gateway.md; payment_mock in dev and tests):
    # its base URL, the portal's merchant code and the secret both sides sign with (required
    # in production). Status queries when no IPN came: the first PAYMENT_FIRST_CHECK_SECONDS
    # after the order, then BASE * 2**n seconds (at most MAX), PAYMENT_CHECKS in all.
    PAYMENT_URL = os.environ.get("PAYMENT_URL", "http://127.0.0.1:5002")
    PAYMENT_MERCHANT = os.environ.get("PAYMENT_MERCHANT", "CONGDVC")
    PAYMENT_SECRET = os.environ.get("PAYMENT_SECRET", "")
    PAYMENT_TIMEOUT = 10
    PAYMENT_FIRST_CHECK_SECONDS = 900
    PAYMENT_CHECK_BASE_SECONDS = 60
    PAYMENT_CHECK_MAX_SECONDS = 3600
    PAYMENT_CHECKS = 8
    PAYMENT_IPN_LIMIT = "300/minute"  # the gateway's notifications, per client address


class DevConfig(Config):
    ENV_NAME = "dev"
    SECRET_KEY = Config.SECRET_KEY or "dev-only-portal-secret"
    PAYMENT_SECRET = Config.PAYMENT_SECRET or "dev-only-payment-merchant-secret"
    SESSION_COOKIE_SECURE = REMEMBER_COOKIE_SECURE = False
    SMTP_HOST = os.environ.get("SMTP_HOST", "127.0.0.1")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "1025"))  # the mail catcher of `make run`


class TestConfig(DevConfig):
    ENV_NAME = "test"
    TASK_QUEUE_IMMEDIATE = True
    # Relaxed: the suite files and verifies hundreds of times from 127.0.0.1. Tests of the
    # limits themselves set tight ones.
    RATE_LIMITS = {
        "verify": "10000/minute",
        "filing_submit": "10000/minute",
        "api": "10000/minute",
        "tracking": "10000/minute",
        "contact_code": "10000/minute",
    }


CONFIGS: dict[str, type] = {"dev": DevConfig, "test": TestConfig, "production": Config}


def load(overrides: dict | None = None) -> dict:
    """The effective settings: the class chosen by PORTAL_ENV, then `overrides`."""
    settings = load_settings(CONFIGS, "PORTAL_ENV", "portal.sqlite", overrides)
    settings["RATE_LIMITS"] = dict(settings["RATE_LIMITS"])  # each app its own, to adjust
    if not settings["PAYMENT_SECRET"]:
        raise ValueError("PAYMENT_SECRET must be set outside dev and test")
    return settings
