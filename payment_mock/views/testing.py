"""Test-only endpoints (dev and test mode only): misbehaviour switches and the call record."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from sqlmodel import col, delete, select

from payment_mock import misbehaviour
from payment_mock.db import db
from payment_mock.models import CallRecord

bp = Blueprint("testing", __name__, url_prefix="/test")


@bp.get("/switches")
def get_switches():
    return jsonify(active=sorted(misbehaviour.active(db.session)), known=misbehaviour.SWITCHES)


@bp.put("/switches")
def put_switches():
    names = (request.get_json(silent=True) or {}).get("active")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return jsonify(error="invalid_request", error_description="Body: {'active': [...]}"), 400
    try:
        misbehaviour.set_switches(db.session, names)
    except ValueError as exc:
        return jsonify(error="invalid_request", error_description=str(exc)), 400
    return jsonify(active=sorted(set(names)))


@bp.get("/calls")
def calls():
    rows = db.session.exec(select(CallRecord).order_by(col(CallRecord.id))).all()
    return jsonify(calls=[r.model_dump(mode="json") for r in rows])


@bp.delete("/calls")
def clear_calls():
    db.session.exec(delete(CallRecord))
    db.session.commit()
    return "", 204
