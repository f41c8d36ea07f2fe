"""The national payment gateway as the portal sees it (docs/payment-gateway.md): the signed
JSON calls with a timeout, when to ask again, the protocol's codes and times, and the log
of every message (PaymentNotice). No Flask here."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests
from sqlmodel import Session

from common import logs
from common.payment_signature import verify
from portal.models import PaymentNotice, PaymentStatus

CURRENCY = "VND"
TIME_FORMAT = "%Y%m%d%H%M%S"  # UTC, the protocol's paid_at, refunded_at and requested_at
MAX_PARAMS, MAX_VALUE = 32, 300  # what of a message is kept (a notice never holds megabytes)
log = logging.getLogger(__name__)
SURROGATES = re.compile("[\x00\ud800-\udfff]")  # nor does PostgreSQL store a NUL

GATEWAY_DOWN = (
    "Cổng thanh toán quốc gia tạm thời không kết nối được. Hồ sơ vẫn chờ thanh toán; vui lòng "
    "thử lại sau ít phút."
)
GATEWAY_REFUSED = (
    "Cổng thanh toán quốc gia chưa tạo được giao dịch cho hồ sơ này. Vui lòng thử lại sau; "
    "nếu vẫn không được, hãy liên hệ cơ quan giải quyết."
)
NOT_AWAITING = "Hồ sơ không ở trạng thái chờ thanh toán phí, lệ phí."
GAVE_UP = (
    "Chưa nhận được xác nhận kết quả thanh toán từ Cổng thanh toán quốc gia sau nhiều lần tra "
    "soát. Nếu tài khoản của bạn đã bị trừ tiền, vui lòng không thanh toán lại và liên hệ cơ "
    "quan giải quyết, kèm mã giao dịch."
)

# The IPN's answers (docs/payment-gateway.md); the gateway retries until 00 or 02.
ACCEPTED, UNKNOWN_ORDER, ALREADY, WRONG_AMOUNT, BAD_SIGNATURE, OTHER = (
    "00",
    "01",
    "02",
    "04",
    "97",
    "99",
)
ANSWERS = {
    ACCEPTED: "Confirm Success",
    UNKNOWN_ORDER: "Order not found",
    ALREADY: "Order already confirmed",
    WRONG_AMOUNT: "Invalid amount",
    BAD_SIGNATURE: "Invalid signature",
    OTHER: "Unknown error",
}
OUTCOMES = {PaymentStatus.PAID, PaymentStatus.FAILED, PaymentStatus.CANCELLED}


class PaymentError(Exception):
    """A payment that cannot go ahead; `str(exc)` is a Vietnamese message for the citizen."""


class GatewayUnavailable(PaymentError):
    """No answer, or a 5xx, from the gateway."""


@dataclass(frozen=True)
class Gateway:
    """The gateway's API as the portal's merchant: signed JSON calls with a timeout."""

    url: str
    merchant: str
    secret: str
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Gateway:
        return cls(
            config["PAYMENT_URL"].rstrip("/"),
            config["PAYMENT_MERCHANT"],
            config["PAYMENT_SECRET"],
            float(config["PAYMENT_TIMEOUT"]),
        )

    def call(self, method: str, path: str, **kwargs: Any) -> tuple[int, dict]:
        """(status, JSON body) of one call; GatewayUnavailable on no answer or a 5xx."""
        try:
            resp = requests.request(
                method,
                self.url + path,
                timeout=self.timeout,
                allow_redirects=False,
                headers=logs.outgoing_headers(),
                **kwargs,
            )
        except requests.RequestException as exc:
            raise GatewayUnavailable(GATEWAY_DOWN) from exc
        if resp.status_code >= 500:
            raise GatewayUnavailable(GATEWAY_DOWN)
        try:
            body = resp.json()
        except ValueError:
            body = None
        return resp.status_code, body if isinstance(body, dict) else {}

    def verified(self, fields: Mapping[str, Any]) -> bool:
        return self.signed_by_us(fields) and fields.get("merchant") == self.merchant

    def signed_by_us(self, fields: Mapping[str, Any]) -> bool:
        """The signature verifies with the shared secret (common/payment_signature.py)."""
        return verify(fields, self.secret)


@dataclass(frozen=True)
class Backoff:
    """When to ask the gateway again: `first` seconds after the order, then base * 2**n
    seconds (at most `maximum`), `attempts` queries in all."""

    first: int = 900
    base: int = 60
    maximum: int = 3600
    attempts: int = 8

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Backoff:
        return cls(
            config["PAYMENT_FIRST_CHECK_SECONDS"],
            config["PAYMENT_CHECK_BASE_SECONDS"],
            config["PAYMENT_CHECK_MAX_SECONDS"],
            config["PAYMENT_CHECKS"],
        )

    def delay(self, checks: int) -> int:
        """The wait after the `checks`-th query (1, 2, …)."""
        return min(self.base * 2 ** max(checks - 1, 0), self.maximum)


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def parse_timestamp(value: object) -> datetime | None:
    try:
        return datetime.strptime(str(value), TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def clean_params(params: Mapping[str, Any]) -> dict[str, str]:
    """A message's fields as text fit to verify and to keep: at most MAX_PARAMS fields, each
    cut to MAX_VALUE characters, lone surrogates replaced (no database stores them)."""
    out: dict[str, str] = {}
    for key, value in list(params.items())[:MAX_PARAMS]:
        k, v = (text(str(x))[:MAX_VALUE] for x in (key, value))
        out[k] = v
    return out


def text(value: str) -> str:
    return SURROGATES.sub("\ufffd", value)


def note(
    session: Session,
    channel: str,
    params: Mapping[str, str],
    outcome: str,
    now: datetime,
    detail: str | None = None,
) -> None:
    order_id = params.get("order_id")
    session.add(
        PaymentNotice(
            received_at=now,
            channel=channel,
            order_id=order_id[:64] if order_id else None,
            outcome=outcome,
            detail=detail[:500] if detail else None,
            params=dict(params),
        )
    )
    if outcome not in ("accepted", "duplicate", "shown", "pending"):
        log.warning("payment %s %s: %s %s", channel, order_id, outcome, detail or "")
