"""Public pages: home, life events, the favicon and health check."""

import logging
from datetime import timedelta

from flask import Blueprint, abort, current_app, jsonify, render_template, send_from_directory
from flask.blueprints import BlueprintSetupState
from sqlalchemy.exc import SQLAlchemyError

from portal.db import db
from portal.services import popular
from procedures.life_events import load_life_events

bp = Blueprint("public", __name__)
log = logging.getLogger(__name__)
FAVICON_MAX_AGE = int(timedelta(days=30).total_seconds())


@bp.record_once
def _load_life_events(state: BlueprintSetupState) -> None:
    """At start-up: a life event naming a procedure not in the catalogue stops it."""
    catalogue = state.app.extensions["catalogue"]
    state.app.extensions["life_events"] = load_life_events(catalogue.procedures)
    state.app.extensions["popular_cache"] = popular.PopularCache()


def _popular_codes() -> list[str]:
    catalogue = current_app.extensions["catalogue"]
    curated = current_app.extensions["life_events"].popular
    try:
        return popular.popular_codes(db.session, catalogue.procedures, curated)
    except SQLAlchemyError:  # the front door stays open: the curated list instead
        db.session.rollback()
        log.warning("popular procedures: database unavailable, curated list shown")
        return [c for c in curated if c in catalogue.procedures][: popular.SHOWN]


@bp.route("/")
def home():
    catalogue = current_app.extensions["catalogue"]
    codes = current_app.extensions["popular_cache"].get(_popular_codes)
    return render_template(
        "portal/home.html",
        popular=[catalogue.get(c) for c in codes],
        life_events=current_app.extensions["life_events"].events,
    )


@bp.route("/su-kien/<key>")
def life_event(key: str):
    event = current_app.extensions["life_events"].get(key)
    if event is None:
        abort(404)
    catalogue = current_app.extensions["catalogue"]
    items = [(catalogue.get(p.code), p.why) for p in event.procedures]
    return render_template("portal/life_event.html", event=event, items=items)


@bp.route("/favicon.svg")
def favicon():
    return send_from_directory(
        current_app.static_folder or "", "favicon.svg", max_age=FAVICON_MAX_AGE
    )


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
