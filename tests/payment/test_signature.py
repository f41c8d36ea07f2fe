"""The signature both sides use (common/payment_signature.py): round trips and refusals."""

from __future__ import annotations

import pytest

from common.payment_signature import canonical, sign, signed, verify

SECRET = "bi-mat-thu"
FIELDS = {"merchant": "CONGDVC", "order_id": "G01-1", "amount": 200000, "description": "Lệ phí"}


def test_canonical_sorts_encodes_and_leaves_out_the_signature_and_none():
    text = canonical({**FIELDS, "signature": "x", "method": None})
    assert text == "amount=200000&description=L%E1%BB%87+ph%C3%AD&merchant=CONGDVC&order_id=G01-1"


@pytest.mark.parametrize(
    "fields",
    [
        FIELDS,
        {**FIELDS, "amount": "200000"},  # text or integer: the same signature
        {"description": "a&b=c d+e/%", "merchant": "CONGDVC"},
        {"description": "Đăng ký khai sinh – bản sao", "x": ""},
    ],
)
def test_round_trip(fields):
    message = signed(fields, SECRET)
    assert verify(message, SECRET)
    assert message["signature"] == sign(fields, SECRET)
    assert len(message["signature"]) == 128


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"amount": "200001"}, "a field changed"),
        ({"extra": "1"}, "a field added"),
        ({"signature": ""}, "empty signature"),
        ({"signature": None}, "missing signature"),
        ({"signature": 12}, "a number, not text"),
        ({"signature": "é" * 128}, "non-ASCII text (compare_digest would raise)"),
        ({"signature": "\ud800"}, "a lone surrogate"),
    ],
)
def test_tampered_messages_are_refused(change, why):
    message: dict = {**signed(FIELDS, SECRET), **change}
    assert not verify(message, SECRET), why


def test_other_secret_is_refused_and_case_does_not_matter():
    message = signed(FIELDS, SECRET)
    assert not verify(message, "khac")
    assert verify({**message, "signature": message["signature"].upper()}, SECRET)
