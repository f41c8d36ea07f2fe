"""JSON-lines logs with a request id, shared by both apps.

Every request gets an id: the caller's `X-Request-ID` when it is a plausible one (letters,
digits and `._:-`, at most 128 characters), else a new one. It is echoed in the response,
attached to every log record written during the request, and sent on by the portal to
the provider (`outgoing_headers()`), so one citizen's action can be followed across both
apps' logs.

Each request ends with one access record (method, path, status, duration_ms). With
`LOG_FORMAT=json` (as `make serve` sets), `configure()` makes every record one JSON
object per line on stderr: time, level, app, logger, message, request_id and, for access
records, method, path, status and duration_ms.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import requests
from flask import Flask, Response, g, has_request_context, request

HEADER = "X-Request-ID"
ACCESS_LOGGER = "access"
_VALID_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_ACCESS_FIELDS = ("method", "path", "status", "duration_ms")


def request_id() -> str | None:
    """The current request's id (None outside a request)."""
    return g.get("request_id") if has_request_context() else None


def outgoing_headers() -> dict[str, str]:
    """Headers to add to an HTTP call made while handling a request, so the callee logs
    the same request id: `requests.get(url, headers={**outgoing_headers(), ...})`."""
    rid = request_id()
    return {HEADER: rid} if rid else {}


class TracedSession(requests.Session):
    """A requests session that passes the current request id on with every call (for
    clients that are sessions themselves, mix it in after them: `class C(X, TracedSession)`)."""

    def request(self, method, url, **kwargs):  # type: ignore[override]
        kwargs["headers"] = {**outgoing_headers(), **(kwargs.get("headers") or {})}
        return super().request(method, url, **kwargs)


def init_app(app: Flask, name: str | None = None) -> None:
    """Request ids and one access record per request for `app`; JSON output when
    LOG_FORMAT=json."""
    app_name = name or app.import_name
    app.extensions["log_app_name"] = app_name
    if os.environ.get("LOG_FORMAT") == "json":
        configure(app_name)
    access = logging.getLogger(ACCESS_LOGGER)

    def _start() -> None:
        incoming = request.headers.get(HEADER, "")
        g.request_id = incoming if _VALID_ID.fullmatch(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    def _finish(response: Response) -> Response:
        rid = g.get("request_id")
        if rid:
            response.headers[HEADER] = rid
            elapsed = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1e3
            access.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "request_id": rid,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(elapsed, 1),
                },
            )
        return response

    # First in, last out: the id exists before any other hook (a rate limit's 429 is
    # logged with it too) and the duration covers the other after-request hooks.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request_funcs.setdefault(None, []).insert(0, _finish)


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def __init__(self, app_name: str) -> None:
        super().__init__()
        self.app_name = app_name

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "app": self.app_name,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id(),
        }
        for field in _ACCESS_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(app_name: str, level: int = logging.INFO) -> None:
    """Send every log record (the app's, gunicorn's, the worker's) to stderr as JSON."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(app_name))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("gunicorn.error", "gunicorn.access", "huey", "werkzeug"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True


def gunicorn_logconfig(app_name: str) -> dict[str, Any]:
    """gunicorn's `logconfig_dict`: its own records as JSON lines too."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter, "app_name": app_name}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": True},
        },
    }
