"""Operations hooks of the gateway: `/healthz` and the JSON request logs."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify

from common import logs
from payment_mock.db import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 when the database answers, else 503; never cached."""
    ok = db.is_reachable()
    resp = jsonify(status="ok" if ok else "error", database="ok" if ok else "unreachable")
    resp.headers["Cache-Control"] = "no-store"
    return resp, 200 if ok else 503


def init_app(app: Flask) -> None:
    """Register /healthz and the request-id logs on the gateway."""
    app.register_blueprint(bp)
    logs.init_app(app, "payment_mock")
