"""A stand-in for the national payment gateway in the portal's own tests: a tiny WSGI app on
a free port that speaks docs/payment-gateway.md (create an order, its status, a refund, all
signed with common/payment_signature.py), remembers every call, and builds the signed
return and IPN messages a test then posts to the portal itself. `down` makes every API
answer 503, `status_answer` is what a status query says (default: the order's own)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qs

from common.payment_signature import signed, verify
from tests.support.apps import LiveServer, free_port

SECRET = "dev-only-payment-merchant-secret"  # the portal's dev and test default
MERCHANT = "CONGDVC"
RESPONSE_CODES = {"paid": "00", "cancelled": "24", "failed": "51"}


@dataclass
class StubOrder:
    fields: dict[str, str]
    status: str = "pending"
    transaction_no: str = ""
    paid_at: str = ""
    refund_no: str = ""


@dataclass
class PaymentStub:
    url: str = ""
    orders: dict[str, StubOrder] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    down: bool = False
    status_answer: str | None = None  # what a status query reports; None: the order's own
    bad_answer_signature: bool = False

    # --- what the citizen does on the gateway's page -------------------------------------

    def settle(self, order_id: str, status: str, *, method: str = "card") -> dict[str, str]:
        """The order paid, failed or cancelled on the page; the signed outcome (the fields of
        the return and the IPN)."""
        order = self.orders[order_id]
        order.status = status
        now = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        if status != "cancelled":
            order.transaction_no = f"GD{now}{len(self.orders):04d}"
        order.paid_at = now
        return self.outcome(order_id, method=method)

    def outcome(self, order_id: str, *, method: str = "card", **changes: object) -> dict[str, str]:
        order = self.orders[order_id]
        fields: dict[str, object] = {
            "merchant": MERCHANT,
            "order_id": order_id,
            "amount": order.fields["amount"],
            "currency": "VND",
            "status": order.status,
            "response_code": RESPONSE_CODES.get(order.status),
            "transaction_no": order.transaction_no or None,
            "method": method if order.status != "pending" else None,
            "paid_at": order.paid_at or None,
            **changes,
        }
        return signed(fields, SECRET)

    def only(self, method: str, prefix: str) -> list[tuple[str, str]]:
        return [c for c in self.calls if c[0] == method and c[1].startswith(prefix)]

    # --- the WSGI app ------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        self.calls.append((method, path))
        status, body = self._answer(environ, method, path)
        if self.bad_answer_signature and "signature" in body:
            body["signature"] = "0" * 128
        data = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/json")])
        return [data]

    def _answer(self, environ, method: str, path: str) -> tuple[str, dict]:
        if self.down:
            return "503 Service Unavailable", {"error": "unavailable"}
        parts = path.strip("/").split("/")
        if method == "POST" and parts == ["api", "orders"]:
            return self._create(_json(environ))
        if method == "GET" and len(parts) == 3 and parts[:2] == ["api", "orders"]:
            query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            return self._status(parts[2], query)
        if method == "POST" and len(parts) == 4 and parts[3] == "refund":
            return self._refund(parts[2], _json(environ))
        return "404 Not Found", {"error": "not_found"}

    def _create(self, body: dict) -> tuple[str, dict]:
        if not verify(body, SECRET):
            return "401 Unauthorized", {"error": "invalid_signature"}
        fields = {k: str(v) for k, v in body.items() if k != "signature"}
        order_id = fields["order_id"]
        known = self.orders.get(order_id)
        if known is not None and known.fields != fields:
            return "409 Conflict", {"error": "order_conflict"}
        order = self.orders.setdefault(order_id, StubOrder(fields))
        answer = {"merchant": MERCHANT, "order_id": order_id, "status": order.status}
        return "201 Created", signed({**answer, "pay_url": f"{self.url}/pay/{order_id}"}, SECRET)

    def _status(self, order_id: str, query: dict) -> tuple[str, dict]:
        if not verify({**query, "order_id": order_id}, SECRET):
            return "401 Unauthorized", {"error": "invalid_signature"}
        if order_id not in self.orders:
            return "404 Not Found", {"error": "unknown_order"}
        if self.status_answer and self.orders[order_id].status == "pending":
            if self.status_answer != "pending":
                self.settle(order_id, self.status_answer)
        return "200 OK", self.outcome(order_id)

    def _refund(self, order_id: str, body: dict) -> tuple[str, dict]:
        order = self.orders.get(order_id)
        if not verify(body, SECRET) or order is None:
            return "401 Unauthorized", {"error": "invalid_signature"}
        if order.status not in ("paid", "refunded"):
            return "409 Conflict", {"error": "not_paid"}
        order.status = "refunded"
        order.refund_no = order.refund_no or f"HT{order.transaction_no}"
        now = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        fields = {
            "merchant": MERCHANT,
            "order_id": order_id,
            "amount": order.fields["amount"],
            "status": "refunded",
            "refund_no": order.refund_no,
            "refunded_at": now,
        }
        return "200 OK", signed(fields, SECRET)


def _json(environ) -> dict:
    size = int(environ.get("CONTENT_LENGTH") or 0)
    try:
        body = json.loads(environ["wsgi.input"].read(size) or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


@contextmanager
def running_stub() -> Iterator[PaymentStub]:
    """The stub served on a free port for the `with` block."""
    port = free_port()
    stub = PaymentStub(url=f"http://127.0.0.1:{port}")
    server = LiveServer(stub, port)
    server.start()
    try:
        yield stub
    finally:
        server.stop()


def paid_through_ipn(app, code: str) -> None:
    """The dossier `code` (awaiting payment) paid online: its order, and the gateway's signed
    notification posted to the portal's IPN endpoint, as a gateway would after the citizen
    paid (for tests whose subject is what comes after payment)."""
    from sqlmodel import select

    from portal.db import db
    from portal.models import Dossier, Payment
    from portal.services.actions import amount_due

    with app.app_context(), db.new_session() as session:
        dossier = session.exec(select(Dossier).where(Dossier.code == code)).one()
        assert dossier.status == "awaiting_payment", dossier.status
        assert dossier.id is not None
        amount = amount_due(dossier)
        session.add(
            Payment(
                dossier_id=dossier.id,
                attempt=1,
                order_id=f"{code}-1",
                amount=amount,
                description=f"Phí, lệ phí, hồ sơ {code}",
            )
        )
        session.commit()
    now = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    fields = {
        "merchant": MERCHANT,
        "order_id": f"{code}-1",
        "amount": amount,
        "currency": "VND",
        "status": "paid",
        "response_code": "00",
        "transaction_no": f"GD{now}",
        "method": "card",
        "paid_at": now,
    }
    answer = app.test_client().post("/api/thanh-toan/ipn", data=signed(fields, SECRET))
    assert answer.get_json()["code"] == "00", answer.get_json()
