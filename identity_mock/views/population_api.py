"""The population data API: a citizen's own record, and back-office lookups and writes;
the judicial-record statement for a Phiếu LLTP (`judicial_record`, its JSON shape in
identity_mock/judicial.py).

Bearer tokens only. Every read is audited, found or not. Every error carries the OAuth-style
`error` code and English `error_description` clients act on, and a Vietnamese `message`
for people (the bearer errors get theirs from `oauth2.Protector`).
"""

from __future__ import annotations

from datetime import date

from authlib.integrations.flask_oauth2 import current_token
from flask import Blueprint, jsonify, request
from sqlalchemy.exc import IntegrityError

from common import personal_id as pid
from common import tz
from identity_mock import csrf, judicial, population, registry_writes
from identity_mock.db import db
from identity_mock.models import Person, utcnow
from identity_mock.oauth2 import require_oauth, switches
from identity_mock.text import clean

bp = Blueprint("population_api", __name__, url_prefix="/api/population")

REGISTRY = "Cơ sở dữ liệu quốc gia về dân cư"
MESSAGES = {
    400: "Yêu cầu gửi đến " + REGISTRY + " không hợp lệ.",
    403: "Mã truy cập này không được dùng cho yêu cầu này.",
    404: "Không tìm thấy dữ liệu trong " + REGISTRY + ".",
    409: "Yêu cầu mâu thuẫn với dữ liệu hiện có trong " + REGISTRY + ".",
    429: "Đã đối chiếu sai quá nhiều lần. Vui lòng thử lại sau.",
    503: REGISTRY + " tạm thời không phản hồi. Vui lòng thử lại sau.",
}
ERROR_NAMES = {400: "invalid_request", 404: "not_found", 409: "conflict"}
TEXT_LIMIT = 200  # characters of a purpose or an actor
NAME_LIMIT = 100  # characters of a full name in a match check


class ApiError(Exception):
    """A refused call: HTTP status, OAuth-style code, English description, Vietnamese
    message (by default the status's)."""

    def __init__(self, status: int, error: str, description: str, message: str = "") -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description
        self.message = message or MESSAGES.get(status, MESSAGES[400])


@bp.errorhandler(ApiError)
def _refused(exc: ApiError):
    body = {"error": exc.error, "error_description": exc.description, "message": exc.message}
    return jsonify(body), exc.status


@bp.before_request
def _maybe_down():
    """Test switch: the registry is down, so clients must keep the citizen's work safe."""
    if "population_5xx" in switches():
        raise ApiError(503, "temporarily_unavailable", "The population registry is down.")


def _citizen() -> str:
    subject = current_token.personal_id
    if subject is None:
        raise ApiError(
            403,
            "insufficient_scope",
            "A citizen's token is required.",
            "Cần mã truy cập của chính công dân.",
        )
    return subject


def _system(what: str) -> None:
    if current_token.personal_id is not None:
        raise ApiError(
            403,
            "insufficient_scope",
            f"{what} need a client-credentials token.",
            "Yêu cầu này cần mã truy cập của hệ thống nghiệp vụ, không phải của công dân.",
        )


def _text(value: object, name: str, label: str, *, required: bool) -> str | None:
    """A purpose or actor: at most TEXT_LIMIT characters, no control characters."""
    if value is None or value == "":
        if required:
            raise ApiError(
                400, "invalid_request", f"The '{name}' field is required.", f"Thiếu {label}."
            )
        return None
    text = clean(value, max_length=TEXT_LIMIT)
    if text is None:
        raise ApiError(
            400,
            "invalid_request",
            f"The '{name}' field must be text of at most {TEXT_LIMIT} printable characters.",
            f"{label.capitalize()} phải là văn bản tối đa {TEXT_LIMIT} ký tự, "
            "không chứa ký tự điều khiển.",
        )
    return text


@bp.route("/me")
@require_oauth("population")
def me():
    """The signed-in citizen's own record (a user token with the `population` scope)."""
    subject = _citizen()
    purpose = _text(request.args.get("purpose"), "purpose", "mục đích", required=False)
    person = db.session.get(Person, subject)
    population.audit(
        db.session,
        client_id=current_token.client_id,
        actor_id=subject,
        subject_id=subject,
        purpose=purpose or "Công dân xem dữ liệu của mình",
        endpoint="me",
        outcome="found" if person else "not_found",
    )
    if person is None:
        raise ApiError(
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
    _system("Lookups")
    purpose = _text(
        request.args.get("purpose"), "purpose", "mục đích tra cứu (tham số purpose)", required=True
    )
    actor = _text(request.args.get("actor"), "actor", "người tra cứu", required=False)
    _personal_id(personal_id)
    person = _audited_person(personal_id, purpose, actor, "people")
    return jsonify(data=population.person_record(db.session, person))


def _audited_person(personal_id: str, purpose: str | None, actor: str | None, endpoint: str):
    """The person a client asks about, the read audited whether found or not; 404 when the
    registry holds no such number."""
    person = db.session.get(Person, personal_id)
    population.audit(
        db.session,
        client_id=current_token.client_id,
        actor_id=actor,
        subject_id=personal_id,
        purpose=purpose or "",
        endpoint=endpoint,
        outcome="found" if person else "not_found",
    )
    if person is None:
        raise ApiError(
            404,
            "not_found",
            "No person with this number.",
            f"Không có người mang số định danh này trong {REGISTRY}.",
        )
    return person


@bp.route("/people/<personal_id>/judicial-record")
@require_oauth("population.lookup")
def judicial_record(personal_id: str):
    """What a Phiếu lý lịch tư pháp states about a person (client-credentials token).

    Query: `form` = 1 or 2 (required); `bans` = 1 to state the bankruptcy bans on a phiếu 1
    (a phiếu 2 always states them); `purpose` (required) and `actor`, audited as a
    judicial-record read ("judicial_record_1" / "judicial_record_2"). Answer: {"data": …} in
    the shape of identity_mock/judicial.py, the statement as of today (Viet Nam time); 404 for
    a number the population registry does not hold."""
    _system("Judicial-record reads")
    purpose = _text(
        request.args.get("purpose"), "purpose", "mục đích tra cứu (tham số purpose)", required=True
    )
    actor = _text(request.args.get("actor"), "actor", "người tra cứu", required=False)
    _personal_id(personal_id)
    form = request.args.get("form", "")
    if form not in ("1", "2"):
        raise ApiError(
            400,
            "invalid_request",
            "The 'form' parameter must be 1 or 2.",
            "Loại phiếu lý lịch tư pháp (tham số form) phải là 1 hoặc 2.",
        )
    bans = request.args.get("bans", "0")
    if bans not in ("0", "1", "true", "false"):
        raise ApiError(
            400,
            "invalid_request",
            "The 'bans' parameter must be 0 or 1.",
            "Tham số bans phải là 0 hoặc 1.",
        )
    person = _audited_person(personal_id, purpose, actor, f"judicial_record_{form}")
    data = judicial.certificate(
        db.session, person, int(form), include_bans=bans in ("1", "true"), on=tz.today()
    )
    return jsonify(data=data)


@bp.post("/match")
@csrf.exempt  # authenticated by the bearer token, not a cookie
@require_oauth("population.lookup")
def match():
    """Does this personal ID belong to the person of this full name (and birth date)?

    A client-credentials check for a citizen who names another person (the future spouse, the
    deceased): the answer is {"match": true|false} and nothing else, the same for an unknown
    number as for a wrong name. JSON body: `personal_id`, `full_name`, optional `birth_date`
    (YYYY-MM-DD), `purpose` (required), `actor`. Audited as a match check with its purpose.
    Names compare case- and whitespace-insensitively after Unicode NFC; diacritics count.
    After MATCH_MISSES_ALLOWED wrong answers about one person for one actor within a day,
    further checks are refused (429), so a name cannot be found by trying."""
    _system("Match checks")
    body = _json_body()
    purpose = _text(body.get("purpose"), "purpose", "mục đích (trường purpose)", required=True)
    actor = _text(body.get("actor"), "actor", "người tra cứu", required=False)
    personal_id = _personal_id(body.get("personal_id"))
    full_name = clean(body.get("full_name"), max_length=NAME_LIMIT)
    if full_name is None:
        raise ApiError(
            400,
            "invalid_request",
            f"The 'full_name' field must be text of at most {NAME_LIMIT} printable characters.",
            "Thiếu họ, chữ đệm và tên, hoặc họ tên không hợp lệ.",
        )
    birth_date = _birth_date(body.get("birth_date"))
    client_id = current_token.client_id

    def audit(outcome: str) -> None:
        population.audit(
            db.session,
            client_id=client_id,
            actor_id=actor,
            subject_id=personal_id,
            purpose=purpose or "",
            endpoint="match",
            outcome=outcome,
        )

    misses = population.match_misses(db.session, client_id, actor, personal_id, utcnow())
    if misses >= population.MATCH_MISSES_ALLOWED:
        audit("refused")
        raise ApiError(
            429,
            "too_many_attempts",
            f"{misses} wrong match checks about this person by this actor within "
            f"{population.MATCH_MISS_WINDOW}; try again later.",
        )
    found = population.matches(db.session.get(Person, personal_id), full_name, birth_date)
    audit("match" if found else "no_match")
    return jsonify(match=found)


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(
            400,
            "invalid_request",
            "The body must be a JSON object.",
            "Nội dung yêu cầu phải là một đối tượng JSON hợp lệ.",
        )
    return body


def _personal_id(value: object) -> str:
    """A well-formed personal ID, or a 400 in both languages."""
    if not isinstance(value, str) or not pid.is_valid(value):
        raise ApiError(
            400,
            "invalid_request",
            "Malformed personal identification number.",
            "Số định danh cá nhân không hợp lệ.",
        )
    return value


def _birth_date(value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ApiError(
        400,
        "invalid_request",
        "The 'birth_date' field must be a date as YYYY-MM-DD.",
        "Ngày sinh phải có dạng năm-tháng-ngày (YYYY-MM-DD).",
    )


# --- writes (liên thông): client-credentials tokens with `population.write` ---------------


@bp.post(
    '/<any(births, marriages, deaths, residences, "residence-removals", '
    '"health-insurance-cards"):kind>'
)
@require_oauth("population.write")
def write(kind: str):
    """Apply a registration result, each by the body that decided it (the JSON bodies in
    identity_mock/registry_writes.py): births, marriages and deaths (UBND xã), permanent
    residences and their removal (Công an xã), a child's health-insurance card (BHXH);
    `purpose`, `actor` and `reference` are required. A refusal is a 4xx with the English
    reason in `error_description` and a Vietnamese `message`."""
    _system("Writes")
    body = _json_body()
    purpose = _text(body.get("purpose"), "purpose", "mục đích (trường purpose)", required=True)
    actor = _text(body.get("actor"), "actor", "người thực hiện (trường actor)", required=True)
    audit = _WriteAudit(kind, actor or "", purpose or "", body.get("reference"))
    client_id = current_token.client_id
    try:
        result, created = registry_writes.apply(db.session, client_id, kind, body)
        db.session.flush()
    except registry_writes.WriteRefused as exc:
        db.session.rollback()
        audit.record(exc.subject_id or _subject_hint(body), "refused")
        error = ERROR_NAMES.get(exc.status, "invalid_request")
        raise ApiError(exc.status, error, exc.description, exc.message) from None
    except IntegrityError:  # the same reference written concurrently: answer with the first
        db.session.rollback()
        result, created = registry_writes.apply(db.session, client_id, kind, body)
    for subject in result.get("personal_ids") or [result["personal_id"]]:
        audit.record(subject, "created" if created else "replayed", commit=False)
    db.session.commit()
    return jsonify(data=result, created=created), 201 if created else 200


def _subject_hint(body: dict) -> str:
    for name in ("personal_id", "person_id", "mother_id", "birth_notice_number"):
        value = clean(body.get(name), max_length=64)
        if value:
            return value
    return "-"


class _WriteAudit:
    """The audit rows of one write call (its purpose, actor and reference)."""

    def __init__(self, kind: str, actor: str, purpose: str, reference: object) -> None:
        self.kind, self.actor = kind, actor[:64]
        self.purpose = f"{purpose} (tham chiếu {clean(reference, max_length=64) or '-'})"

    def record(self, subject: str, outcome: str, commit: bool = True) -> None:
        population.audit(
            db.session,
            client_id=current_token.client_id,
            actor_id=self.actor,
            subject_id=subject,
            purpose=self.purpose,
            endpoint=self.kind,
            outcome=outcome,
            commit=commit,
        )
