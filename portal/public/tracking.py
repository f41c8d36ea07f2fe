"""Public tracking of a dossier: `GET /tra-cuu-ho-so?ma=<dossier code>&bon_so_cuoi=<4 digits>`.
No login; the rules and what is shown are in services/tracking.py.

A GET form, not a POST: looking a dossier up changes nothing, so there is nothing for CSRF
to protect; the answer is a plain link the citizen may bookmark or reopen, and the page
works without JavaScript like the other public look-ups (/tra-cuu-ket-qua, /thong-ke). The
second factor in the address reaches neither the access log (it records the path only) nor
another page (no Referer at all from here); answers are never cached. Every request counts
towards the address's `tracking` limit (RATE_LIMITS, portal/__init__.py), which is what
keeps the four digits from being guessed.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from portal.db import db
from portal.services import tracking

bp = Blueprint("tracking", __name__)
TEMPLATE = "portal/public/tracking.html"
SHOWN_MAX = 200  # what is typed is shown back, cut at this length
FIELDS = ("ma", "bon_so_cuoi")


def _shown(raw: str) -> str:
    """What the visitor typed, to put back in the field: without control characters (a
    browser cannot keep them in a one-line field anyway), at most SHOWN_MAX characters."""
    return "".join(ch for ch in raw if ch.isprintable())[:SHOWN_MAX]


@bp.get("/tra-cuu-ho-so")
def search():
    if not any(name in request.args for name in FIELDS):
        return render_template(TEMPLATE, values={}, errors={})
    raw = {name: request.args.get(name, "") for name in FIELDS}
    values = {name: _shown(value) for name, value in raw.items()}
    code, code_problem = tracking.check_code(raw["ma"])
    factor, factor_problem = tracking.check_factor(raw["bon_so_cuoi"])
    errors = {
        name: problem
        for name, problem in (("ma", code_problem), ("bon_so_cuoi", factor_problem))
        if problem
    }
    if errors:
        return _answer(render_template(TEMPLATE, values=values, errors=errors), 400)
    found = tracking.track(db.session, code, factor, current_app.extensions["catalogue"].get)
    page = render_template(
        TEMPLATE,
        values={} if found else values,  # a fresh form under the answer; else what was typed
        errors={},
        found=found,
        not_found=tracking.NOT_FOUND if found is None else None,
    )
    return _answer(page, 200 if found else 404)


def _answer(page: str, status: int):
    resp = current_app.make_response((page, status))
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Referrer-Policy"] = "no-referrer"
    return resp
