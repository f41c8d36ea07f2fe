"""The server-to-server notification (IPN) of an order's outcome to the merchant.

The first attempt is made at once, before the citizen's browser is sent back, so in the
normal case the merchant knows the outcome when the citizen arrives. Until the merchant
answers `00` (accepted) or `02` (already confirmed), further attempts follow on a
background thread, each wait twice the one before (`IPN_BACKOFF`), `IPN_ATTEMPTS` in all.
Every attempt is recorded (test mode) with the HTTP status and the code the merchant gave.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

import requests
from flask import Flask

from common import logs
from payment_mock import misbehaviour
from payment_mock.db import db
from payment_mock.models import CallRecord

DONE_CODES = ("00", "02")
log = logging.getLogger(__name__)


class Notifier:
    """Sends the IPNs of one app and keeps its retry threads (tests wait on them)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def notify(self, url: str, message: dict[str, str], switches: set[str]) -> None:
        """Send `message` to `url` the way the active `switches` allow."""
        order_id = message.get("order_id")
        if switches & {"ipn_never", "down"}:
            self._record(order_id, 0, None, f"not sent ({', '.join(sorted(switches))})")
            return
        message = misbehaviour.tamper_ipn(message, switches, self.app.config["MERCHANT_SECRET"])
        copies = 2 if "ipn_duplicated" in switches else 1
        if "ipn_delayed" in switches:
            self._background(url, message, copies, first=1, delay=self.app.config["IPN_DELAY"])
            return
        for _ in range(copies):
            if not self._attempt(url, message, 1):
                self._background(url, message, 1, first=2, delay=self._wait(1))

    def wait_idle(self, timeout: float = 10) -> bool:
        """Wait for every retry thread to end; True when none is left."""
        deadline = time.monotonic() + timeout
        for thread in self._running():
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in self._running())

    def _running(self) -> Iterator[threading.Thread]:
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            return iter(list(self._threads))

    def _background(
        self, url: str, message: dict[str, str], copies: int, *, first: int, delay: float
    ) -> None:
        thread = threading.Thread(
            target=self._retry, args=(url, message, copies, first, delay), daemon=True
        )
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _retry(
        self, url: str, message: dict[str, str], copies: int, first: int, delay: float
    ) -> None:
        time.sleep(delay)
        for _ in range(copies):
            attempt = first
            while not self._attempt(url, message, attempt):
                if attempt >= self.app.config["IPN_ATTEMPTS"]:
                    log.warning(
                        "IPN for %s given up after %s attempts", message.get("order_id"), attempt
                    )
                    break
                time.sleep(self._wait(attempt))
                attempt += 1

    def _wait(self, attempt: int) -> float:
        return float(self.app.config["IPN_BACKOFF"]) * 2 ** (attempt - 1)

    def _attempt(self, url: str, message: dict[str, str], attempt: int) -> bool:
        """One POST of the IPN; True when the merchant accepted it (00 or 02)."""
        status, code, detail = 0, None, f"attempt {attempt}"
        try:
            resp = requests.post(
                url,
                data=message,
                timeout=self.app.config["IPN_TIMEOUT"],
                allow_redirects=False,
                headers=logs.outgoing_headers(),
            )
            status = resp.status_code
            body = (
                resp.json()
                if resp.headers.get("Content-Type", "").startswith("application/json")
                else {}
            )
            code = str(body.get("code"))[:8] if isinstance(body, dict) and "code" in body else None
        except (requests.RequestException, ValueError) as exc:
            detail = f"attempt {attempt}: {type(exc).__name__}"
        self._record(message.get("order_id"), status, code, detail)
        return code in DONE_CODES

    def _record(self, order_id: str | None, status: int, code: str | None, detail: str) -> None:
        log.info("IPN %s: HTTP %s code %s (%s)", order_id, status, code, detail)
        if not self.app.config["RECORD_CALLS"]:
            return
        with self.app.app_context(), db.new_session() as session:
            session.add(
                CallRecord(
                    kind="ipn",
                    method="POST",
                    endpoint="ipn",
                    status=status,
                    order_id=order_id,
                    code=code,
                    detail=detail[:200],
                )
            )
            session.commit()
