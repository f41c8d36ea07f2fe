"""The merchant's API: create an order, ask its status, refund it. Every request and every
answer is signed (common/payment_signature.py); the models in payment_mock/schemas.py
check the shape first, then the merchant and the signature are checked here."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, current_app, request
from spectree import Response

from common.payment_signature import signed, verify
from payment_mock import orders
from payment_mock.api_spec import spec
from payment_mock.db import db
from payment_mock.orders import NewOrder, OrderError
from payment_mock.schemas import (
    CreateOrder,
    Error,
    OrderCreated,
    OrderState,
    Refunded,
    RefundRequest,
    StatusQuery,
    amount_value,
)

bp = Blueprint("api", __name__, url_prefix="/api")
ERRORS = {f"HTTP_{s}": Error for s in (400, 401, 404, 409, 503)}
TAGS = ("orders",)


NOT_JSON = OrderError(400, "invalid_request", "the body must be a JSON object")


def _error(exc: OrderError) -> tuple[dict[str, str], int]:
    return {"error": exc.code, "error_description": exc.description}, exc.status


def _check_signed(fields: dict[str, Any], merchant: str) -> None:
    """The merchant must be the registered one and the fields signed with its secret."""
    if merchant != current_app.config["MERCHANT"]:
        raise OrderError(401, "unknown_merchant", "the merchant is not registered")
    if not verify(fields, current_app.config["MERCHANT_SECRET"]):
        current_app.logger.warning("refused a message with a bad signature on %s", request.path)
        raise OrderError(401, "invalid_signature", "the signature does not verify")


def _check_fresh(requested_at: str) -> None:
    at = orders.parse_timestamp(requested_at)
    age = current_app.config["REQUEST_MAX_AGE"]
    if at is None or abs((datetime.now(UTC) - at).total_seconds()) > age:
        raise OrderError(400, "stale_request", f"requested_at must be within {age} s of now")


def _pay_url(order) -> str:
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/thanh-toan/{order.token}"


def _secret() -> str:
    return current_app.config["MERCHANT_SECRET"]


@bp.post("/orders")
@spec.validate(json=CreateOrder, resp=Response(HTTP_201=OrderCreated, **ERRORS), tags=TAGS)
def create_order():
    """Create an order (the same order again gives the same answer; 409 on other fields)."""
    body: CreateOrder | None = request.context.json  # type: ignore[attr-defined]
    raw = request.get_json(silent=True)
    try:
        if body is None or not isinstance(raw, dict):
            raise NOT_JSON
        _check_signed(raw, body.merchant)
        new = NewOrder(
            merchant=body.merchant,
            order_id=body.order_id,
            amount=amount_value(body.amount),
            currency=body.currency,
            description=body.description,
            return_url=body.return_url,
            ipn_url=body.ipn_url,
        )
        order, _created = orders.create(
            db.session, new, merchant_url=current_app.config["MERCHANT_URL"]
        )
    except OrderError as exc:
        return _error(exc)
    fields = {"merchant": order.merchant, "order_id": order.order_id, "status": order.status}
    return signed({**fields, "pay_url": _pay_url(order)}, _secret()), 201


@bp.get("/orders/<order_id>")
@spec.validate(query=StatusQuery, resp=Response(HTTP_200=OrderState, **ERRORS), tags=TAGS)
def order_status(order_id: str):
    """The order's status, with the same signed fields as its IPN."""
    query: StatusQuery = request.context.query  # type: ignore[attr-defined]
    fields = request.args.to_dict()
    try:
        if fields.setdefault("order_id", order_id) != order_id:
            raise OrderError(400, "invalid_request", "order_id differs from the path")
        _check_signed_query(fields, query.merchant)
        _check_fresh(query.requested_at)
        order = orders.find(db.session, query.merchant, order_id)
        if order is None:
            raise OrderError(404, "unknown_order", "no such order")
    except OrderError as exc:
        return _error(exc)
    return orders.signed_outcome(order, _secret()), 200


def _check_signed_query(fields: dict[str, Any], merchant: str) -> None:
    """The signed fields are the query's and the path's order_id; a signature over the
    query alone is accepted too (the order is still the path's)."""
    try:
        _check_signed(fields, merchant)
    except OrderError as exc:
        if exc.code != "invalid_signature" or "order_id" in request.args:
            raise
        _check_signed(request.args.to_dict(), merchant)


@bp.post("/orders/<order_id>/refund")
@spec.validate(json=RefundRequest, resp=Response(HTTP_200=Refunded, **ERRORS), tags=TAGS)
def refund_order(order_id: str):
    """Refund a paid order in full (again: the same refund)."""
    body: RefundRequest | None = request.context.json  # type: ignore[attr-defined]
    raw = request.get_json(silent=True)
    try:
        if body is None or not isinstance(raw, dict):
            raise NOT_JSON
        _check_signed(raw, body.merchant)
        if body.order_id != order_id:
            raise OrderError(400, "invalid_request", "order_id differs from the path")
        _check_fresh(body.requested_at)
        order = orders.find(db.session, body.merchant, order_id)
        if order is None:
            raise OrderError(404, "unknown_order", "no such order")
        order = orders.refund(
            db.session, order, amount=amount_value(body.amount), reason=body.reason
        )
    except OrderError as exc:
        return _error(exc)
    return signed(orders.refund_fields(order), _secret()), 200
