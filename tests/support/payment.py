"""The payment gateway for tests: an app on a fresh database, a merchant that signs like
the portal, and a tiny HTTP receiver standing in for the merchant's IPN endpoint."""

from __future__ import annotations

import json
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import payment_mock
from common.payment_signature import signed
from payment_mock.config import TestConfig
from tests.support.databases import create_tables, database_settings, drop_schema
from tests.support.filing import csrf_token

MERCHANT = TestConfig.MERCHANT
SECRET = TestConfig.MERCHANT_SECRET


def make_payment(
    tmp: Path,
    *,
    merchant_url: str,
    public_url: str = "http://payment.test",
    migrations: bool = False,
    **overrides: Any,
):
    """A gateway (test mode) on a fresh database (tables from the models, or from the
    migrations when `migrations`) whose merchant lives at `merchant_url`."""
    db = database_settings(tmp, "payment")
    create_tables("payment_mock", db, migrations=migrations)
    return payment_mock.create_app(
        {
            "ENV_NAME": "test",
            "INSTANCE_PATH": str(tmp / "payment"),
            "DATABASE_URL": db["DATABASE_URL"],
            "DATABASE_SCHEMA": db["DATABASE_SCHEMA"],
            "PUBLIC_URL": public_url,
            "MERCHANT_URL": merchant_url,
            **overrides,
        }
    )


def openapi_document() -> dict:
    """The gateway's OpenAPI document, from an app that opens no database."""
    with tempfile.TemporaryDirectory() as tmp:
        app = payment_mock.create_app(
            {"ENV_NAME": "test", "INSTANCE_PATH": tmp, "DATABASE_URL": "sqlite://"}
        )
        return app.test_client().get("/openapi.json").get_json()


def dispose_payment(app) -> None:
    """Let the IPN threads finish, close the engine, drop the PostgreSQL schema if any."""
    app.extensions["payment_notifier"].wait_idle()
    engine = app.extensions.get("payment_db")
    if engine is not None:
        engine.dispose()
    drop_schema(app.config.get("DATABASE_SCHEMA"))


def now_stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d%H%M%S")


def order_fields(merchant_url: str, order_id: str = "G01.123.456-1", **changes: Any) -> dict:
    """An order as the portal creates it (unsigned)."""
    fields: dict[str, Any] = {
        "merchant": MERCHANT,
        "order_id": order_id,
        "amount": 200000,
        "currency": "VND",
        "description": "Lệ phí đăng ký kết hôn, hồ sơ G01.123.456",
        "return_url": f"{merchant_url}/thanh-toan/ket-qua",
        "ipn_url": f"{merchant_url}/thanh-toan/ipn",
    }
    fields.update(changes)
    return fields


def sign_json(fields: dict, secret: str = SECRET) -> dict:
    """`fields` plus their signature, the amount kept a JSON integer."""
    out = dict(fields)
    out["signature"] = signed(fields, secret)["signature"]
    return out


class IpnReceiver:
    """The merchant's IPN endpoint: keeps every POST's form fields and answers each with
    the next code of `codes` (the last one repeats), JSON like the portal."""

    def __init__(self) -> None:
        self.received: list[dict[str, str]] = []
        self.codes: list[str] = ["00"]
        self._event = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                length = int(self.headers.get("Content-Length") or 0)
                fields = dict(parse_qsl(self.rfile.read(length).decode()))
                with receiver._event:
                    receiver.received.append(fields)
                    index = min(len(receiver.received), len(receiver.codes)) - 1
                    code = receiver.codes[index]
                    receiver._event.notify_all()
                body = json.dumps({"code": code, "message": "test"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def wait_for(self, count: int, timeout: float = 10) -> list[dict[str, str]]:
        """The IPNs received once there are `count` of them (or the timeout passed)."""
        with self._event:
            self._event.wait_for(lambda: len(self.received) >= count, timeout)
            return list(self.received)


@contextmanager
def ipn_receiver() -> Iterator[IpnReceiver]:
    receiver = IpnReceiver()
    thread = threading.Thread(
        target=receiver.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()


class Merchant:
    """What the portal does with the gateway, through a Flask test client."""

    def __init__(self, client, merchant_url: str) -> None:
        self.client = client
        self.merchant_url = merchant_url

    def create(self, order_id: str = "G01.123.456-1", **changes: Any):
        fields = order_fields(self.merchant_url, order_id, **changes)
        return self.client.post("/api/orders", json=sign_json(fields))

    def status(self, order_id: str, **changes: Any):
        fields = {"merchant": MERCHANT, "order_id": order_id, "requested_at": now_stamp()}
        fields.update(changes)
        query = signed(fields, SECRET)
        del query["order_id"]  # in the path, and signed
        return self.client.get(f"/api/orders/{order_id}", query_string=query)

    def refund(self, order_id: str, amount: int = 200000, *, path: str = "", **changes: Any):
        """Ask for a refund of `order_id` (at the URL of order `path`, when given)."""
        fields = {
            "merchant": MERCHANT,
            "order_id": order_id,
            "amount": amount,
            "reason": "Hồ sơ bị từ chối tiếp nhận",
            "requested_at": now_stamp(),
            **changes,
        }
        url = f"/api/orders/{path or order_id}/refund"
        return self.client.post(url, json=sign_json(fields))

    def pay_path(self, order_id: str = "G01.123.456-1") -> str:
        pay_url = self.create(order_id).get_json()["pay_url"]
        return "/" + pay_url.split("/", 3)[3]

    def submit(
        self, path: str, outcome: str = "paid", method: str | None = "card", *, csrf: str = ""
    ):
        """Press one of the payment page's buttons (the page opened first for its CSRF
        token, unless `csrf` is given: a form kept from earlier)."""
        token = csrf or csrf_token(self.client.get(path).get_data(as_text=True))
        form = {"csrf_token": token, "outcome": outcome}
        if method:
            form["method"] = method
        return self.client.post(path, data=form)
