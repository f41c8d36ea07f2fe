"""Public catalogue: search and filter procedures, read one procedure's page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from portal.services import routing
from portal.services.deadlines import today
from portal.services.fees import fee_table
from procedures.search import LEVEL_LABELS, SearchIndex, build_index, fields_of

bp = Blueprint("catalogue", __name__)


@bp.record_once
def _index_once(state) -> None:
    """The search index, built once at start-up from the static catalogue (a malformed
    synonyms file stops start-up like a malformed procedure file)."""
    state.app.extensions["catalogue_search"] = build_index(
        list(state.app.extensions["catalogue"].procedures.values())
    )


def catalogue():
    return current_app.extensions["catalogue"]


def search_index() -> SearchIndex:
    return current_app.extensions["catalogue_search"]


@bp.route("/thu-tuc")
def index():
    procedures = list(catalogue().procedures.values())
    query = request.args.get("q", "")
    level = request.args.get("cap") if request.args.get("cap") in LEVEL_LABELS else None
    fields = fields_of(procedures)
    field = request.args.get("linh-vuc") if request.args.get("linh-vuc") in fields else None
    found = search_index().find(query, level=level, field=field)
    return render_template(
        "portal/catalogue.html",
        found=found,
        results=found.results,
        query=found.query,
        level=level,
        field=field,
        fields=fields,
        levels=LEVEL_LABELS,
    )


@bp.route("/thu-tuc/<code>")
def procedure(code: str):
    proc = catalogue().get(code)
    if proc is None:
        abort(404)
    return render_template(
        "portal/procedure.html",
        proc=proc,
        levels=LEVEL_LABELS,
        authority=catalogue().authority(proc),
        where=routing.RULE_TEXT[proc.routing.rule],
        fee=fee_table(proc, catalogue().policies, today()),
    )
