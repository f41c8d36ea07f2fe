"""Public pages: home and health check."""

from flask import Blueprint, jsonify, render_template

from portal.db import db

bp = Blueprint("public", __name__)


@bp.route("/")
def home():
    return render_template("portal/home.html")


@bp.route("/healthz")
def healthz():
    ok = db.is_reachable()
    return jsonify(status="ok" if ok else "error", database="ok" if ok else "unreachable"), (
        200 if ok else 503
    )
