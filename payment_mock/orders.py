"""The gateway's rules over orders: create (idempotent), settle, refund, and the signed
fields of the messages about an order. Plain functions over a session; no Flask here."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqlmodel import Session, select

from common.payment_signature import signed
from common.web import has_control
from payment_mock.models import Method, Order, OrderStatus, utcnow

MAX_AMOUNT = 10**12
CURRENCY = "VND"
# The return and IPN's response_code of each final status (docs/payment-gateway.md).
RESPONSE_CODES = {OrderStatus.PAID: "00", OrderStatus.CANCELLED: "24", OrderStatus.FAILED: "51"}
TIME_FORMAT = "%Y%m%d%H%M%S"  # UTC, as in paid_at and requested_at
# What the merchant gives when creating an order; the same fields again are the same order.
ORDER_FIELDS = ("amount", "currency", "description", "return_url", "ipn_url")


class OrderError(Exception):
    """A request the gateway refuses; `status` and `code` become the JSON answer."""

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description


@dataclass(frozen=True)
class NewOrder:
    merchant: str
    order_id: str
    amount: int
    currency: str
    description: str
    return_url: str
    ipn_url: str


def is_merchant_url(url: str, merchant_url: str) -> bool:
    """True when `url` is an http(s) address on the merchant's registered origin."""
    if not merchant_url or has_control(url) or "\\" in url or " " in url:
        return False
    parts, origin = urlsplit(url), urlsplit(merchant_url)
    if parts.scheme not in ("http", "https") or "@" in parts.netloc:
        return False
    return (parts.scheme, parts.netloc.lower()) == (origin.scheme, origin.netloc.lower())


def find(session: Session, merchant: str, order_id: str) -> Order | None:
    return session.exec(
        select(Order).where(Order.merchant == merchant, Order.order_id == order_id)
    ).first()


def by_token(session: Session, token: str) -> Order | None:
    return session.exec(select(Order).where(Order.token == token)).first()


def create(session: Session, new: NewOrder, *, merchant_url: str) -> tuple[Order, bool]:
    """The order `new` describes and whether it was created now. The same order again is
    the same order; other fields under a known id are a conflict (409)."""
    for field in ("return_url", "ipn_url"):
        if not is_merchant_url(getattr(new, field), merchant_url):
            raise OrderError(400, "url_not_allowed", f"{field} is not on the merchant's origin")
    existing = find(session, new.merchant, new.order_id)
    if existing is not None:
        if any(getattr(existing, f) != getattr(new, f) for f in ORDER_FIELDS):
            raise OrderError(409, "order_conflict", "another order exists under this order_id")
        return existing, False
    order = Order(
        merchant=new.merchant,
        order_id=new.order_id,
        token=secrets.token_urlsafe(24),
        amount=new.amount,
        currency=new.currency,
        description=new.description,
        return_url=new.return_url,
        ipn_url=new.ipn_url,
    )
    session.add(order)
    session.commit()
    return order, True


def settle(session: Session, order: Order, status: OrderStatus, method: Method | None) -> bool:
    """Record what the citizen did on the payment page; False (nothing changes) when the
    order was already settled."""
    if order.status != OrderStatus.PENDING:
        return False
    now = utcnow()
    order.status = status
    order.method = method.value if method else None
    order.settled_at = now
    if status != OrderStatus.CANCELLED:
        order.transaction_no = _number(now)
    if status == OrderStatus.PAID:
        order.paid_at = now
    session.add(order)
    session.commit()
    return True


def refund(session: Session, order: Order, *, amount: int, reason: str) -> Order:
    """Refund a paid order in full; refunding it again answers the same refund."""
    if amount != order.amount:
        raise OrderError(400, "wrong_amount", "only the full amount can be refunded")
    if order.status == OrderStatus.REFUNDED:
        return order
    if order.status != OrderStatus.PAID:
        raise OrderError(409, "not_paid", f"the order is {order.status}, not paid")
    now = utcnow()
    order.status = OrderStatus.REFUNDED
    order.refund_no = _number(now, prefix="HT")
    order.refunded_at = now
    order.refund_reason = reason
    session.add(order)
    session.commit()
    return order


def _number(now: datetime, prefix: str = "") -> str:
    """A gateway transaction (or refund) number: the date and ten random digits."""
    return f"{prefix}{now:%Y%m%d}{secrets.randbelow(10**10):010d}"


def timestamp(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime(TIME_FORMAT) if value else None


def parse_timestamp(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def outcome_fields(order: Order) -> dict[str, object]:
    """The fields of the return and the IPN (unsigned): what became of the order. A
    refunded order was paid (response code 00) and says its refund too."""
    status = OrderStatus(order.status)
    fields: dict[str, object] = {
        "merchant": order.merchant,
        "order_id": order.order_id,
        "amount": order.amount,
        "currency": order.currency,
        "status": status.value,
        "response_code": RESPONSE_CODES.get(status, "00" if order.paid_at else None),
        "transaction_no": order.transaction_no,
        "method": order.method,
        "paid_at": timestamp(order.paid_at or order.settled_at),
    }
    if status == OrderStatus.REFUNDED:
        fields.update(refund_no=order.refund_no, refunded_at=timestamp(order.refunded_at))
    return fields


def signed_outcome(order: Order, secret: str) -> dict[str, str]:
    return signed(outcome_fields(order), secret)


def refund_fields(order: Order) -> dict[str, object]:
    return {
        "merchant": order.merchant,
        "order_id": order.order_id,
        "amount": order.amount,
        "status": order.status,
        "refund_no": order.refund_no,
        "refunded_at": timestamp(order.refunded_at),
    }
