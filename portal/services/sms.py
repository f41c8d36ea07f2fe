"""Sending SMS through a provider (an SMS brandname gateway in production).

The portal talks to any provider through `SmsProvider`; `SMS_PROVIDER` in the config picks
one. Only the recording mock exists today: it sends nothing and appends each message as a
JSON line to a file (instance/sms.jsonl), and keeps them in memory for tests. A provider
signals a failure worth retrying with `SmsError(transient=True)`, a refusal (a number the
gateway will never reach) with `transient=False`.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Protocol

MOCK = "mock"
SMS_FILE = "sms.jsonl"


class SmsError(Exception):
    """The provider did not take the message; `transient`: try again later."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


class SmsProvider(Protocol):
    def send(self, to: str, text: str) -> str:
        """Hand `text` to the provider for the number `to` (+84…); the provider's id of the
        message. Raises SmsError."""
        ...


@dataclass
class RecordingSms:
    """The development and test provider: records instead of sending. `fail_next`
    transient failures come first (tests of the retries)."""

    path: Path | None = None
    sent: list[dict] = field(default_factory=list)
    fail_next: int = 0
    _ids: count = field(default_factory=lambda: count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, to: str, text: str) -> str:
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                raise SmsError("mock provider: temporarily unavailable", transient=True)
            record = {
                "id": f"mock-{next(self._ids)}",
                "to": to,
                "text": text,
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            self.sent.append(record)
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
            return record["id"]


def provider(name: str, instance_path: str | Path) -> SmsProvider:
    """The provider `name` (SMS_PROVIDER); its files in `instance_path`."""
    if name == MOCK:
        return RecordingSms(Path(instance_path) / SMS_FILE)
    raise ValueError(f"unknown SMS_PROVIDER {name!r} (known: {MOCK!r})")


def recorded(instance_path: str | Path) -> list[dict]:
    """The messages the mock wrote to the instance folder, oldest first."""
    path = Path(instance_path) / SMS_FILE
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
