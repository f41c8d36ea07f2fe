"""The gateway's configuration and small rules: secrets required in production, the
merchant's origin, money on the page."""

from __future__ import annotations

import pytest

import payment_mock
from payment_mock.formatting import money
from payment_mock.orders import is_merchant_url

ORIGIN = "http://127.0.0.1:5000"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SECRET_KEY": "", "MERCHANT_SECRET": "s"}, "PAYMENT_SECRET_KEY"),
        ({"SECRET_KEY": "k", "MERCHANT_SECRET": ""}, "PAYMENT_SECRET"),
    ],
)
def test_production_refuses_to_start_without_its_secrets(tmp_path, overrides, message):
    settings = {"ENV_NAME": "production", "INSTANCE_PATH": str(tmp_path), **overrides}
    with pytest.raises(ValueError, match=message):
        payment_mock.create_app({**settings, "DATABASE_URL": "sqlite://"})


def test_dev_has_switches_and_production_does_not():
    from payment_mock import config

    dev = config.load({"ENV_NAME": "dev"})
    prod = config.load({"ENV_NAME": "production", "SECRET_KEY": "k"})
    assert dev["TEST_SWITCHES"] and dev["MERCHANT_SECRET"]
    assert not prod["TEST_SWITCHES"] and not prod["RECORD_CALLS"]
    assert prod["SESSION_COOKIE_SECURE"] and dev["SESSION_COOKIE_NAME"] == "payment_session"


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        (f"{ORIGIN}/thanh-toan/ket-qua", True),
        (f"{ORIGIN}/ipn?x=1", True),
        ("HTTP://127.0.0.1:5000/x", True),  # scheme and host are case-insensitive
        ("http://127.0.0.1:5001/x", False),  # another port, another origin
        ("https://127.0.0.1:5000/x", False),
        ("http://127.0.0.1:5000@evil.example/x", False),
        ("http://evil.example/?u=http://127.0.0.1:5000", False),
        ("ftp://127.0.0.1:5000/x", False),
        ("/thanh-toan/ket-qua", False),
        (f"{ORIGIN}/a\nb", False),
        (f"{ORIGIN}\\@evil.example", False),
    ],
)
def test_only_the_merchants_origin_is_allowed(url, allowed):
    assert is_merchant_url(url, ORIGIN) is allowed


def test_no_registered_origin_allows_nothing():
    assert not is_merchant_url(f"{ORIGIN}/x", "")


@pytest.mark.parametrize(
    ("amount", "text"),
    [(1, "1 đ"), (1000, "1.000 đ"), (200000, "200.000 đ"), (10**12, "1.000.000.000.000 đ")],
)
def test_money_is_written_the_vietnamese_way(amount, text):
    assert money(amount) == text
