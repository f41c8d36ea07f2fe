"""Rate limits shared by both apps (Flask-Limiter).

Storage is in memory by default and Redis when `REDIS_URL` is set, so several gunicorn
workers share one count. Each limit is configuration (`RATE_LIMITS[name]`, a
Flask-Limiter string such as "10/minute;100/hour"), so tests that need volume relax it.
A refused request gets a Vietnamese page (JSON on APIs) with `Retry-After`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Flask, current_app, jsonify, render_template, request
from flask_limiter import Limiter

RETRY_MESSAGE = (
    "Quá nhiều yêu cầu",
    "Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn. Vui lòng đợi một lát rồi thử lại.",
)


def make_limiter() -> Limiter:
    """A limiter with no default limit: each view names the limit it needs. Flask-Limiter's
    own headers stay off: it would put Retry-After on every answer of a limited endpoint (a
    503 would then read as "come back in a minute"); the 429 handler sets it."""
    return Limiter(key_func=client_ip, headers_enabled=False)


def init_limiter(app: Flask, limiter: Limiter, template: str, is_json: Callable[[], bool]) -> None:
    """Point `limiter` at Redis or memory and answer 429 in Vietnamese."""
    redis_url = app.config.get("REDIS_URL") or ""
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)

    @app.errorhandler(429)
    def too_many(exc):
        retry_after = _retry_after(limiter, exc)
        if is_json():
            resp = jsonify(error=RETRY_MESSAGE[0], error_description=RETRY_MESSAGE[1])
        else:
            resp = current_app.make_response(
                render_template(
                    template, status=429, title=RETRY_MESSAGE[0], message=RETRY_MESSAGE[1]
                )
            )
        resp.status_code = 429
        resp.headers["Retry-After"] = str(retry_after)
        return resp


def limit(name: str) -> Callable[[], str]:
    """The configured limit `name` as a callable, read when the request arrives."""
    return lambda: current_app.config["RATE_LIMITS"][name]


def _retry_after(limiter: Limiter, exc) -> int:
    """Seconds until the window that refused this request resets (at least 1)."""
    current = limiter.current_limit
    if current is not None:
        return max(1, int(current.reset_at - time.time()))
    limit_obj = getattr(exc, "limit", None)
    return max(1, int(limit_obj.limit.get_expiry())) if limit_obj is not None else 60


def client_ip() -> str:
    """The caller's address, the key for per-IP limits."""
    return request.remote_addr or "unknown"
