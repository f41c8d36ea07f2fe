"""Portal configuration from the environment; `PORTAL_ENV` picks dev, test or production."""

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
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE") == "1"
    REMEMBER_COOKIE_DURATION = 0
    LOGIN_SESSION_HOURS = 8
    WTF_CSRF_TIME_LIMIT = None
    # Uploads are checked against 5 MB each (portal/services/uploads.py); a request larger
    # than this is cut off before it is read, with the 413 page.
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
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


class DevConfig(Config):
    ENV_NAME = "dev"
    SECRET_KEY = Config.SECRET_KEY or "dev-only-portal-secret"


class TestConfig(DevConfig):
    ENV_NAME = "test"
    TASK_QUEUE_IMMEDIATE = True


CONFIGS = {"dev": DevConfig, "test": TestConfig, "production": Config}


def load(overrides: dict | None = None) -> dict:
    """The effective settings: the class chosen by PORTAL_ENV, then `overrides`."""
    return load_settings(CONFIGS, "PORTAL_ENV", "portal.sqlite", overrides)
