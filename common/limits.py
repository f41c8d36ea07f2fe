"""Rate limits shared by both apps (Flask-Limiter).

Storage is in memory by default and Redis when `REDIS_URL` is set, so several gunicorn
workers share one count. Each limit is configuration (`RATE_LIMITS[name]`, a
Flask-Limiter string such as "10/minute;100/hour"), so tests that need volume relax it.
A refused request gets a Vietnamese page (JSON on APIs) with `Retry-After`.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, jsonify, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

RETRY_MESSAGE = (
    "Quá nhiều yêu cầu",
    "Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn. Vui lòng đợi một lát rồi thử lại.",
)


def make_limiter() -> Limiter:
    """A limiter with no default limit: each view names the limit it needs."""
    return Limiter(key_func=get_remote_address, headers_enabled=True)


def init_limiter(app: Flask, limiter: Limiter, template: str, is_json: Callable[[], bool]) -> None:
    """Point `limiter` at Redis or memory and answer 429 in Vietnamese."""
    redis_url = app.config.get("REDIS_URL") or ""
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")
    app.config.setdefault("RATELIMIT_ENABLED", True)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)

    @app.errorhandler(429)
    def too_many(exc):
        retry_after = _retry_after(exc)
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


def _retry_after(exc) -> int:
    """Seconds until the window that refused this request resets (at least 1)."""
    header = getattr(exc, "headers", None) or {}
    try:
        return max(1, int(dict(header).get("Retry-After", 0)))
    except (TypeError, ValueError):
        pass
    limit_obj = getattr(exc, "limit", None)
    if limit_obj is not None:
        try:
            return max(1, int(limit_obj.limit.get_expiry()))
        except Exception:  # noqa: BLE001 - fall back to a minute
            return 60
    return 60


def client_ip() -> str:
    """The caller's address, the key for per-IP limits."""
    return request.remote_addr or "unknown"
