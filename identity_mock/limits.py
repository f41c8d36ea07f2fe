"""Rate limits of the provider (Flask-Limiter, through common/limits.py).

* sign-in POSTs: per client address (`login_ip`) and per personal ID typed
  (`login_personal_id`, counting failed attempts only, so its owner's successful sign-ins
  never use it up); with the lock in identity_mock/accounts.py this bounds guessing one
  ID from many addresses;
* `/token`: per client address (`token`);
* the population API: per client address, one count over all its endpoints
  (`population_api`).

Limits are `RATE_LIMITS[name]` in the configuration (relaxed in TestConfig). Each app gets
its own limiter, so several providers in one process keep separate counts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request
from flask_limiter import Limiter

from common.limits import client_ip, init_limiter, limit, make_limiter

DIGITS = "0123456789"


def _personal_id_key() -> str:
    """The personal ID typed (or demo persona chosen), ASCII digits only, so spaces or
    look-alike digits do not make a fresh counter."""
    typed = request.form.get("personal_id") or request.form.get("persona") or ""
    return "pid:" + ("".join(ch for ch in typed if ch in DIGITS)[:12] or "-")


def _failed(response: Response) -> bool:
    return response.status_code != 302  # a sign-in that worked redirects


def _wrap(app: Flask, endpoint: str, decorator: Callable[[Callable], Callable[..., Any]]) -> None:
    app.view_functions[endpoint] = decorator(app.view_functions[endpoint])


def init_app(app: Flask, is_json: Callable[[], bool]) -> Limiter:
    limiter = make_limiter()
    init_limiter(app, limiter, "identity/error.html", is_json)
    post = ["POST"]
    _wrap(app, "login.sign_in", limiter.limit(limit("login_ip"), key_func=client_ip, methods=post))
    _wrap(
        app,
        "login.sign_in",
        limiter.limit(
            limit("login_personal_id"), key_func=_personal_id_key, methods=post, deduct_when=_failed
        ),
    )
    _wrap(app, "oidc.issue_token", limiter.limit(limit("token"), key_func=client_ip))
    from identity_mock.views import population_api

    # One count over the whole API, whichever endpoint is called.
    limiter.shared_limit(limit("population_api"), "population_api", key_func=client_ip)(
        population_api.bp
    )
    return limiter
