"""The population data API: a citizen's own record, and back-office lookups.

Bearer tokens only. Every read is audited, found or not. Every error carries the OAuth-style
`error` code and English `error_description` clients act on, and a Vietnamese `message`
for people (the bearer errors get theirs from `oauth2.Protector`).
"""

from __future__ import annotations

from authlib.integrations.flask_oauth2 import current_token
from flask import Blueprint, jsonify, request
from sqlalchemy.exc import IntegrityError

from common import personal_id as pid
from identity_mock import population, registry_writes
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


REGISTRY = "Cơ sở dữ liệu quốc gia về dân cư"
MESSAGES = {
    400: "Yêu cầu gửi đến " + REGISTRY + " không hợp lệ.",
    403: "Mã truy cập này không được dùng cho yêu cầu này.",
    404: "Không tìm thấy dữ liệu trong " + REGISTRY + ".",
    409: "Yêu cầu mâu thuẫn với dữ liệu hiện có trong " + REGISTRY + ".",
    503: REGISTRY + " tạm thời không phản hồi. Vui lòng thử lại sau.",
}


def _error(status: int, error: str, description: str, message: str | None = None):
    """An error answer: `message` in Vietnamese (by default the status's)."""
    message = message or MESSAGES.get(status, MESSAGES[400])
    return jsonify(error=error, error_description=description, message=message), status


@bp.route("/me")
@require_oauth("population")
def me():
    """The signed-in citizen's own record (a user token with the `population` scope)."""
    subject = current_token.personal_id
    if subject is None:
        return _error(
            403,
            "insufficient_scope",
            "A citizen's token is required.",
            "Cần mã truy cập của chính công dân.",
        )
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
        return _error(
            404,
            "not_found",
            "No registry record for this citizen.",
            f"Không có dữ liệu của bạn trong {REGISTRY}.",
        )
    return jsonify(data=population.person_record(db.session, person))


@bp.route("/people/<personal_id>")
@require_oauth("population.lookup")
def lookup(personal_id: str):
    """Back-office lookup (client-credentials token); `purpose` is required and audited."""
    if current_token.personal_id is not None:
        return _error(
            403,
            "insufficient_scope",
            "Lookups need a client-credentials token.",
            "Tra cứu cần mã truy cập của hệ thống nghiệp vụ, không phải của công dân.",
        )
    purpose = (request.args.get("purpose") or "").strip()
    if not purpose:
        return _error(
            400,
            "invalid_request",
            "The 'purpose' parameter is required.",
            "Thiếu mục đích tra cứu (tham số purpose).",
        )
    if not pid.is_valid(personal_id):
        return _error(
            400,
            "invalid_request",
            "Malformed personal identification number.",
            "Số định danh cá nhân không hợp lệ.",
        )
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
        return _error(
            404,
            "not_found",
            "No person with this number.",
            f"Không có người mang số định danh này trong {REGISTRY}.",
        )
    return jsonify(data=population.person_record(db.session, person))


# --- writes (liên thông): client-credentials tokens with `population.write` ---------------


@bp.post("/<any(births, marriages, deaths):kind>")
@require_oauth("population.write")
def write(kind: str):
    """Apply a registration result; `purpose`, `actor` and `reference` are required."""
    if current_token.personal_id is not None:
        return _error(
            403,
            "insufficient_scope",
            "Writes need a client-credentials token.",
            "Ghi dữ liệu cần mã truy cập của hệ thống nghiệp vụ, không phải của công dân.",
        )
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error(
            400,
            "invalid_request",
            "The body must be a JSON object.",
            "Nội dung yêu cầu phải là một đối tượng JSON hợp lệ.",
        )
    purpose, actor = body.get("purpose"), body.get("actor")
    if not isinstance(purpose, str) or not purpose.strip():
        return _error(
            400,
            "invalid_request",
            "The 'purpose' field is required.",
            "Thiếu mục đích (trường purpose).",
        )
    if not isinstance(actor, str) or not actor.strip():
        return _error(
            400,
            "invalid_request",
            "The 'actor' field is required.",
            "Thiếu người thực hiện (trường actor).",
        )
    client_id = current_token.client_id
    try:
        result, created = registry_writes.apply(db.session, client_id, kind, body)
        db.session.flush()
    except registry_writes.WriteRefused as exc:
        db.session.rollback()
        _audit_write(kind, body, exc.subject_id or _subject_hint(body), "refused")
        return _error(exc.status, _ERROR_NAMES.get(exc.status, "invalid_request"), exc.description)
    except IntegrityError:  # the same reference written concurrently: answer with the first
        db.session.rollback()
        result, created = registry_writes.apply(db.session, client_id, kind, body)
    subjects = result.get("personal_ids") or [result["personal_id"]]
    for subject in subjects:
        _audit_write(kind, body, subject, "created" if created else "replayed", commit=False)
    db.session.commit()
    return jsonify(data=result, created=created), 201 if created else 200


_ERROR_NAMES = {400: "invalid_request", 404: "not_found", 409: "conflict"}


def _subject_hint(body: dict) -> str:
    for name in ("personal_id", "person_id", "mother_id", "birth_notice_number"):
        value = body.get(name)
        if isinstance(value, str) and value:
            return value[:64]
    return "-"


def _audit_write(kind: str, body: dict, subject: str, outcome: str, commit: bool = True) -> None:
    population.audit(
        db.session,
        client_id=current_token.client_id,
        actor_id=str(body.get("actor"))[:64],
        subject_id=subject,
        purpose=f"{body.get('purpose')} (tham chiếu {body.get('reference')})",
        endpoint=kind,
        outcome=outcome,
        commit=commit,
    )
