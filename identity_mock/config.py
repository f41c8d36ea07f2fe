"""Configuration of the identity provider, read from the environment.

`IDP_ENV` picks the class: "dev" (default, persona picker and test switches on),
"test" (switches on) or "production" (both off).
"""

import os
from pathlib import Path

from common.config import load_settings

ROOT = Path(__file__).resolve().parent.parent


class Config:
    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("IDP_SECRET_KEY", "")
    INSTANCE_PATH = os.environ.get("IDP_INSTANCE_PATH", str(ROOT / "instance"))
    DATABASE_URL = os.environ.get("IDP_DATABASE_URL", "")
    DATABASE_SCHEMA = os.environ.get("IDP_DATABASE_SCHEMA") or None
    ISSUER = os.environ.get("IDP_ISSUER", "http://127.0.0.1:5001")
    # The portal's registration: its callback, its logout landing page and its JWKS.
    PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:5000")
    SESSION_COOKIE_NAME = "vneid_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    CODE_LIFETIME = 60
    ACCESS_TOKEN_LIFETIME = 3600
    ID_TOKEN_LIFETIME = 600
    LOCKOUT_ATTEMPTS = 5
    LOCKOUT_MINUTES = 15
    DEV_PERSONAS = False
    TEST_SWITCHES = False
    RECORD_CALLS = False  # a row per OIDC/API call, for tests that assert who called what


class DevConfig(Config):
    ENV_NAME = "dev"
    SECRET_KEY = Config.SECRET_KEY or "dev-only-vneid-secret"
    DEV_PERSONAS = True
    TEST_SWITCHES = True


class TestConfig(DevConfig):
    ENV_NAME = "test"
    RECORD_CALLS = True
    WTF_CSRF_ENABLED = True


CONFIGS: dict[str, type] = {"dev": DevConfig, "test": TestConfig, "production": Config}


def load(overrides: dict | None = None) -> dict:
    """The effective settings: the class chosen by IDP_ENV, then `overrides`."""
    return load_settings(CONFIGS, "IDP_ENV", "identity.sqlite", overrides)
