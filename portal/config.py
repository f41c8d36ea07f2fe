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


class DevConfig(Config):
    ENV_NAME = "dev"
    SECRET_KEY = Config.SECRET_KEY or "dev-only-portal-secret"


class TestConfig(DevConfig):
    ENV_NAME = "test"


CONFIGS = {"dev": DevConfig, "test": TestConfig, "production": Config}


def load(overrides: dict | None = None) -> dict:
    """The effective settings: the class chosen by PORTAL_ENV, then `overrides`."""
    return load_settings(CONFIGS, "PORTAL_ENV", "portal.sqlite", overrides)
