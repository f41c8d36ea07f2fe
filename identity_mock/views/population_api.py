"""The population data API: a citizen's own record, and back-office lookups.

Bearer tokens only. Every read is audited, found or not.
"""

from __future__ import annotations

from authlib.integrations.flask_oauth2 import current_token
from flask import Blueprint, jsonify, request

from common import personal_id as pid
from identity_mock import population
from identity_mock.db import db
from identity_mock.models import Person
from identity_mock.oauth2 import require_oauth, switches

bp = Blueprint("population_api", __name__, url_prefix="/api/population")


@bp.before_request
def _maybe_down():
    """Test switch: the registry is down, so clients must keep the citizen's work safe."""
    if "population_5xx" in switches():
        return _error(503, "temporarily_unavailable", "The population registry is down.")
    return None


def _error(status: int, error: str, description: str):
    return jsonify(error=error, error_description=description), status


@bp.route("/me")
@require_oauth("population")
def me():
    """The signed-in citizen's own record (a user token with the `population` scope)."""
    subject = current_token.personal_id
    if subject is None:
        return _error(403, "insufficient_scope", "A citizen's token is required.")
    person = db.session.get(Person, subject)
    population.audit(
        db.session,
        client_id=current_token.client_id,
        actor_id=subject,
        subject_id=subject,
        purpose=request.args.get("purpose") or "Công dân xem dữ liệu của mình",
        endpoint="me",
        outcome="found" if person else "not_found",
    )
    if person is None:
        return _error(404, "not_found", "No registry record for this citizen.")
    return jsonify(data=population.person_record(db.session, person))


@bp.route("/people/<personal_id>")
@require_oauth("population.lookup")
def lookup(personal_id: str):
    """Back-office lookup (client-credentials token); `purpose` is required and audited."""
    if current_token.personal_id is not None:
        return _error(403, "insufficient_scope", "Lookups need a client-credentials token.")
    purpose = (request.args.get("purpose") or "").strip()
    if not purpose:
        return _error(400, "invalid_request", "The 'purpose' parameter is required.")
    if not pid.is_valid(personal_id):
        return _error(400, "invalid_request", "Malformed personal identification number.")
    person = db.session.get(Person, personal_id)
    population.audit(
        db.session,
        client_id=current_token.client_id,
        actor_id=request.args.get("actor") or None,
        subject_id=personal_id,
        purpose=purpose,
        endpoint="people",
        outcome="found" if person else "not_found",
    )
    if person is None:
        return _error(404, "not_found", "No person with this number.")
    return jsonify(data=population.person_record(db.session, person))
