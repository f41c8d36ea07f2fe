"""Configuration of the identity provider, read from the environment.

`IDP_ENV` picks the class: "dev" (default, persona picker and test switches on),
"test" (switches on, rate limits relaxed) or "production" (both off).

Cookies. The browser holds one cookie, `vneid_session`: Flask's signed session, which
carries the CSRF token, the authorize request waiting for sign-in, and the random key of
the signed-in session. Who is signed in lives on the server (`idp_session`), so signing
out ends it for every copy of the cookie. The cookie is HttpOnly (no script reads it) and
SameSite=Lax (not sent on cross-site POSTs); it is Secure (HTTPS only) in production,
unless `IDP_COOKIE_SECURE=0` (a production build served over plain HTTP on a private
host), and not in dev and test, which run on http://127.0.0.1.

Relying parties. The portal's registration (redirect URIs, JWKS URI) is derived from
`PORTAL_URL`, which has no default: clients are registered by `flask --app identity_mock
seed` (dev) or `flask --app identity_mock register-clients` (any environment), never at
start-up, and never from a guessed URL (see seeds/clients.py).
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
    # The portal's base URL: its callback, logout landing page and JWKS are registered
    # from it. Empty: no portal registration (see the module docstring).
    PORTAL_URL = os.environ.get("PORTAL_URL", "")
    BASIC_CLIENT_SECRET = os.environ.get("IDP_BASIC_CLIENT_SECRET", "")
    SESSION_COOKIE_NAME = "vneid_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("IDP_COOKIE_SECURE", "1") != "0"
    SIGN_IN_LIFETIME = 2 * 3600  # seconds a signed-in VNeID session lasts (server side)
    WTF_CSRF_TIME_LIMIT = None
    CODE_LIFETIME = 60
    ACCESS_TOKEN_LIFETIME = 3600
    ID_TOKEN_LIFETIME = 600
    # Failed passcodes, per personal ID and client address (identity_mock/accounts.py):
    # ATTEMPTS in a row lock the pair for MINUTES, each further lock twice as long, up to
    # MAX_MINUTES.
    LOCKOUT_ATTEMPTS = 5
    LOCKOUT_MINUTES = 15
    LOCKOUT_MAX_MINUTES = 240
    # How passcodes are hashed (werkzeug's method string): scrypt, ~0.1 s a check. The seeds
    # hash with the same method, and an unknown ID is checked against a hash of it too.
    PASSCODE_HASH_METHOD = "scrypt"
    # Flask-Limiter limits by name (common/limits.py): storage in memory, or Redis when
    # REDIS_URL is set (shared by every worker). login_personal_id counts failed sign-ins
    # only; population_api is per calling address (the portal's servers, for all citizens).
    REDIS_URL = os.environ.get("REDIS_URL", "")
    RATELIMIT_KEY_PREFIX = "vneid"
    RATE_LIMITS = {
        "login_ip": "20/minute;200/hour",
        "login_personal_id": "10/minute;30/hour",
        "token": "120/minute",
        "population_api": "600/minute",
    }
    DEV_PERSONAS = False
    TEST_SWITCHES = False
    RECORD_CALLS = False  # a row per OIDC/API call, for tests that assert who called what


class DevConfig(Config):
    ENV_NAME = "dev"
    SECRET_KEY = Config.SECRET_KEY or "dev-only-vneid-secret"
    SESSION_COOKIE_SECURE = False
    DEV_PERSONAS = True
    TEST_SWITCHES = True


class TestConfig(DevConfig):
    ENV_NAME = "test"
    RECORD_CALLS = True
    WTF_CSRF_ENABLED = True
    # Relaxed: the suite signs in hundreds of times from 127.0.0.1. Tests of the limits
    # themselves set tight ones.
    RATE_LIMITS = {
        "login_ip": "10000/minute",
        "login_personal_id": "10000/minute",
        "token": "10000/minute",
        "population_api": "10000/minute",
    }
    # The suite signs in thousands of times: a cheap method (the same code path; only the
    # work factor differs, as test settings of password hashers usually do).
    PASSCODE_HASH_METHOD = "pbkdf2:sha256:1000"


CONFIGS: dict[str, type] = {"dev": DevConfig, "test": TestConfig, "production": Config}


def load(overrides: dict | None = None) -> dict:
    """The effective settings: the class chosen by IDP_ENV, then `overrides`."""
    settings = load_settings(CONFIGS, "IDP_ENV", "identity.sqlite", overrides)
    settings["RATE_LIMITS"] = dict(settings["RATE_LIMITS"])  # each app its own, to adjust
    return settings
