"""Rate limits of the gateway (Flask-Limiter, through common/limits.py): the merchant's
API per calling address (`api`, one count over its endpoints) and the payment page's
POSTs per address (`pay`). Limits are `RATE_LIMITS[name]` (relaxed in TestConfig)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask_limiter import Limiter

from common.limits import client_ip, init_limiter, limit, make_limiter


def init_app(app: Flask, is_json: Callable[[], bool]) -> Limiter:
    limiter = make_limiter()
    init_limiter(app, limiter, "payment/error.html", is_json)
    decorate: Callable[[Callable], Callable[..., Any]] = limiter.limit(
        limit("pay"), key_func=client_ip, methods=["POST"]
    )
    app.view_functions["pay.submit"] = decorate(app.view_functions["pay.submit"])
    from payment_mock.views import api

    limiter.shared_limit(limit("api"), "payment_api", key_func=client_ip)(api.bp)
    return limiter
