"""Configuration of the payment gateway, read from the environment.

`PAYMENT_ENV` picks the class: "dev" (default, test switches on), "test" (switches on, call
record on, rate limits relaxed, quick IPN retries) or "production" (switches off; the Flask
secret `PAYMENT_SECRET_KEY` and the merchant's shared secret `PAYMENT_SECRET` required).

The merchant. The gateway knows one merchant, the portal: its code `PAYMENT_MERCHANT`
(default "CONGDVC"), the secret both sides sign with (`PAYMENT_SECRET`, see
common/payment_signature.py) and its origin (`PAYMENT_MERCHANT_URL`, else `PORTAL_URL`):
an order whose `return_url` or `ipn_url` is not on that origin is refused, so a leaked
secret cannot send citizens or notifications anywhere else. No origin: every order is
refused.
"""

import os
from pathlib import Path

from common.config import load_settings

ROOT = Path(__file__).resolve().parent.parent


class Config:
    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("PAYMENT_SECRET_KEY", "")
    INSTANCE_PATH = os.environ.get("PAYMENT_INSTANCE_PATH", str(ROOT / "instance"))
    DATABASE_URL = os.environ.get("PAYMENT_DATABASE_URL", "")
    DATABASE_SCHEMA = os.environ.get("PAYMENT_DATABASE_SCHEMA") or None
    # The gateway's own base URL, for the pay_url of each order.
    PUBLIC_URL = os.environ.get("PAYMENT_URL", "http://127.0.0.1:5002")
    MERCHANT = os.environ.get("PAYMENT_MERCHANT", "CONGDVC")
    MERCHANT_NAME = os.environ.get("PAYMENT_MERCHANT_NAME", "Cổng Dịch vụ công quốc gia")
    MERCHANT_SECRET = os.environ.get("PAYMENT_SECRET", "")
    MERCHANT_URL = os.environ.get("PAYMENT_MERCHANT_URL") or os.environ.get("PORTAL_URL", "")
    SESSION_COOKIE_NAME = "payment_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("PAYMENT_COOKIE_SECURE", "1") != "0"
    WTF_CSRF_TIME_LIMIT = None
    # A signed query or refund older (or newer) than this many seconds is refused (replay).
    REQUEST_MAX_AGE = 900
    # The IPN: attempts in all, the wait before the second (doubling after each), the
    # timeout of one call, and the wait of the `ipn_delayed` switch.
    IPN_ATTEMPTS = 6
    IPN_BACKOFF = 2.0
    IPN_TIMEOUT = 5.0
    IPN_DELAY = 5.0
    REDIS_URL = os.environ.get("REDIS_URL", "")
    RATELIMIT_KEY_PREFIX = "payment"
    RATE_LIMITS = {"api": "600/minute", "pay": "30/minute;300/hour"}
    TEST_SWITCHES = False
    RECORD_CALLS = False  # a row per API call and IPN attempt, for tests


class DevConfig(Config):
    ENV_NAME = "dev"
    SECRET_KEY = Config.SECRET_KEY or "dev-only-payment-session-secret"
    MERCHANT_SECRET = Config.MERCHANT_SECRET or "dev-only-payment-merchant-secret"
    SESSION_COOKIE_SECURE = False
    TEST_SWITCHES = True


class TestConfig(DevConfig):
    ENV_NAME = "test"
    RECORD_CALLS = True
    WTF_CSRF_ENABLED = True
    RATE_LIMITS = {"api": "10000/minute", "pay": "10000/minute"}
    IPN_ATTEMPTS = 4
    IPN_BACKOFF = 0.05
    IPN_TIMEOUT = 5.0
    IPN_DELAY = 0.5


CONFIGS: dict[str, type] = {"dev": DevConfig, "test": TestConfig, "production": Config}


def load(overrides: dict | None = None) -> dict:
    """The effective settings: the class chosen by PAYMENT_ENV, then `overrides`."""
    settings = load_settings(CONFIGS, "PAYMENT_ENV", "payment.sqlite", overrides)
    settings["RATE_LIMITS"] = dict(settings["RATE_LIMITS"])
    return settings
