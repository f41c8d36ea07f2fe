"""Operations hooks of the two mock services (provider and gateway): `/healthz` and the JSON
request logs. The portal's own /healthz also reports its task queue (portal/public)."""

from __future__ import annotations

from typing import Protocol

from flask import Blueprint, Flask, Response, jsonify

from common import logs


class Reachable(Protocol):
    def is_reachable(self) -> bool: ...


def init_app(app: Flask, db: Reachable, log_name: str) -> None:
    """Register /healthz (200 when the database answers, else 503; never cached) and the
    request-id logs on `app`."""
    bp = Blueprint("health", __name__)

    @bp.get("/healthz")
    def healthz() -> tuple[Response, int]:
        ok = db.is_reachable()
        resp = jsonify(status="ok" if ok else "error", database="ok" if ok else "unreachable")
        resp.headers["Cache-Control"] = "no-store"
        return resp, 200 if ok else 503

    app.register_blueprint(bp)
    logs.init_app(app, log_name)
