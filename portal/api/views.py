"""JSON under /api/v1: the catalogue (public), my dossiers and one dossier (its parties only).

Read-only; errors are JSON (common/web.py). A visitor without a session gets 401, not the
login redirect a browser page would give.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify
from flask_login import current_user

from portal import access
from portal.db import db
from portal.models import Dossier
from portal.services import dossiers

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _signed_in() -> None:
    if not current_user.is_authenticated:
        abort(401)


def _procedure_brief(proc) -> dict:
    return {
        "code": proc.code,
        "name": proc.name,
        "field": proc.field,
        "level": proc.level,
        "service_level": proc.service_level,
        "authority": proc.authority,
        "processing_days": proc.processing.days,
        "processing_counting": proc.processing.counting,
        "base_fee": proc.fees.base,
        "min_vneid_level": proc.min_vneid_level,
    }


def _dossier_brief(d: Dossier) -> dict:
    return {
        "code": d.code,
        "procedure_code": d.procedure_code,
        "status": d.status,
        "status_label": d.status_label,
        "office_code": d.office_code,
        "submitted_at": d.submitted_at.isoformat() if d.submitted_at else None,
        "due_date": d.due_date.isoformat() if d.due_date else None,
        "fee_amount": d.fee_amount,
        "fee_reason": d.fee_reason,
    }


@bp.route("/procedures")
def procedures():
    catalogue = current_app.extensions["catalogue"]
    return jsonify(procedures=[_procedure_brief(p) for p in catalogue.procedures.values()])


@bp.route("/procedures/<code>")
def procedure(code: str):
    proc = current_app.extensions["catalogue"].get(code)
    if proc is None:
        abort(404)
    return jsonify(procedure=proc.model_dump(mode="json"))


@bp.route("/ho-so")
def my_dossiers():
    _signed_in()
    rows = dossiers.of_person(db.session, current_user.personal_id, filed_only=True, limit=200)
    return jsonify(dossiers=[_dossier_brief(d) for d in rows])


@bp.route("/ho-so/<code>")
def dossier(code: str):
    _signed_in()
    found = access.party_dossier_or_404(code)
    events = dossiers.timeline(db.session, found)
    return jsonify(
        dossier={
            **_dossier_brief(found),
            "routing_reason": found.routing_reason,
            "timeline": [
                {"at": e.at.isoformat(), "from": e.from_status, "to": e.to_status, "note": e.note}
                for e in events
            ],
        }
    )
