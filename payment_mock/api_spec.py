"""The one SpecTree of the gateway: request validation and the OpenAPI document."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from spectree import SpecTree

from payment_mock.schemas import Error

INVALID = "Dữ liệu gửi lên không hợp lệ"


def _invalid_request(
    req: Any, resp: Any, req_validation_error: Any, instance: Any, *_args: Any
) -> None:
    """A request the models refuse: the gateway's JSON error (naming the fields, never
    echoing what was sent) instead of pydantic's list."""
    if req_validation_error is None or resp is None:
        return
    fields = sorted({".".join(str(p) for p in e["loc"]) for e in req_validation_error.errors()})
    body = jsonify(error="invalid_request", error_description=f"{INVALID}: {', '.join(fields)}")
    resp.set_data(body.get_data())
    resp.mimetype = "application/json"


spec = SpecTree(
    "flask",
    mode="strict",
    title="Cổng thanh toán quốc gia (mô phỏng)",
    description="Mock national payment gateway: the merchant's API (docs/payment-gateway.md).",
    version="1",
    validation_error_status=400,
    validation_error_model=Error,
    before=_invalid_request,
)
