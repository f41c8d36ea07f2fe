"""Fixtures of the payment gateway's tests: a gateway whose merchant is a tiny local HTTP
receiver (the IPN endpoint), and its test client."""

from __future__ import annotations

import pytest

from tests.support.payment import Merchant, dispose_payment, ipn_receiver, make_payment


@pytest.fixture
def merchant():
    """The merchant's IPN endpoint, listening on a free port."""
    with ipn_receiver() as receiver:
        yield receiver


@pytest.fixture
def payment_app(tmp_path, merchant):
    app = make_payment(tmp_path, merchant_url=merchant.url)
    yield app
    dispose_payment(app)


@pytest.fixture
def payment_client(payment_app):
    return payment_app.test_client()


@pytest.fixture
def gateway(payment_client, merchant):
    """The portal's side of the conversation, through the test client."""
    return Merchant(payment_client, merchant.url)
