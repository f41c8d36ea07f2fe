"""Public pages: home and health check."""

from flask import Blueprint, jsonify, render_template

from portal.db import db

bp = Blueprint("public", __name__)


@bp.route("/")
def home():
    return render_template("portal/home.html")


@bp.route("/healthz")
def healthz():
    """Database and (when the task queue exists) queue: 200 when all answer, else 503."""
    import importlib
    import importlib.util

    checks = {"database": "ok" if db.is_reachable() else "unreachable"}
    if importlib.util.find_spec("portal.tasks") is not None:
        probe = getattr(importlib.import_module("portal.tasks"), "queue_reachable", None)
        if probe is not None:
            checks["queue"] = "ok" if probe() else "unreachable"
    ok = all(v == "ok" for v in checks.values())
    resp = jsonify(status="ok" if ok else "error", **checks)
    resp.headers["Cache-Control"] = "no-store"
    return resp, 200 if ok else 503
