"""The population data API: a citizen's own record, and back-office lookups and writes;
the judicial-record statement for a Phiếu LLTP (`judicial_record`, its JSON shape in
identity_mock/judicial.py).

Bearer tokens only. Every read is audited, found or not. Every error carries the OAuth-style
`error` code and English `error_description` clients act on, and a Vietnamese `message`
for people (the bearer errors get theirs from `oauth2.Protector`).

Query strings and JSON bodies are checked by the pydantic models of
identity_mock/population_schemas.py through Spectree, which also publishes the OpenAPI 3.1
document at /api/population/openapi.json; a body that fails is a 400 naming the field.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from authlib.integrations.flask_oauth2 import current_token
from flask import Blueprint, jsonify, request
from pydantic import BaseModel
from spectree import Response, SpecTree
from spectree.models import SecureType, SecurityScheme, SecuritySchemeData
from sqlalchemy.exc import IntegrityError

from common import personal_id as pid
from common import tz
from common.openapi import document_settings
from identity_mock import csrf, judicial, population, registry_writes
from identity_mock import population_schemas as schemas
from identity_mock.db import db
from identity_mock.models import Person, utcnow
from identity_mock.oauth2 import require_oauth, switches

bp = Blueprint("population_api", __name__, url_prefix="/api/population")
csrf.exempt(bp)  # every call is authenticated by its bearer token, never by a cookie
log = logging.getLogger(__name__)

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


api = SpecTree(
    title="API dữ liệu dân cư (VNeID mô phỏng)",
    description="The mock national population registry: a citizen's own record (a user "
    "token with the `population` scope), back-office lookups, match checks and "
    "judicial-record statements (client-credentials tokens with `population.lookup`) and "
    "the registry writes of the bodies that decide them (client-credentials tokens with "
    "`population.write`). Tokens come from the provider's /token endpoint (see "
    "/.well-known/openid-configuration). Errors carry `error`, `error_description` "
    "(English) and `message` (Vietnamese).",
    version="1",
    **document_settings(schemas.ErrorAnswer),
    security_schemes=[
        SecurityScheme(
            name="bearer",
            data=SecuritySchemeData(
                type=SecureType.HTTP,
                scheme="bearer",
                description="An OAuth 2.0 access token from POST /token; each operation "
                "lists the scope it needs.",
            ),
        )
    ],
)

# The statuses every call may end with besides its own: the token refused (401, 403), too
# many calls (429), the registry down (503).
_COMMON = {
    "HTTP_400": schemas.ErrorAnswer,
    "HTTP_401": schemas.ErrorAnswer,
    "HTTP_403": schemas.ErrorAnswer,
    "HTTP_429": schemas.ErrorAnswer,
    "HTTP_503": schemas.ErrorAnswer,
}


def _answers(model: type[BaseModel], success: tuple[int, ...], errors: tuple[int, ...]) -> Response:
    """The answers of an operation: `model` for the `success` statuses, an ErrorAnswer for
    its own `errors` and the common ones."""
    answers = {f"HTTP_{status}": model for status in success}
    own = {f"HTTP_{status}": schemas.ErrorAnswer for status in errors}
    return Response(**answers, **_COMMON, **own)


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


def _refusal(model: type[schemas.RequestModel], *, json_body: bool = False):
    """Spectree's hook before the view: a body that is no JSON object, or a field that
    fails its model, is a 400 naming the field in English and in Vietnamese."""

    def before(_req, _resp, error, _instance, _adapter) -> None:
        if json_body and not isinstance(request.get_json(silent=True), dict):
            raise ApiError(400, "invalid_request", *schemas.NOT_AN_OBJECT)
        if error is not None:
            raise ApiError(400, "invalid_request", *schemas.explain(error, model))

    return before


def _system_only(what: str) -> Callable:
    """Only a client-credentials token (a system, not a citizen) may make this call;
    checked after the token and before the body."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any):
            if current_token.personal_id is not None:
                raise ApiError(
                    403,
                    "insufficient_scope",
                    f"{what} need a client-credentials token.",
                    "Yêu cầu này cần mã truy cập của hệ thống nghiệp vụ, không phải của công dân.",
                )
            return view(*args, **kwargs)

        return checked

    return decorate


def _operation(
    scope: str,
    tag: str,
    answer: type[BaseModel],
    *,
    query: type[schemas.RequestModel] | None = None,
    json: type[schemas.RequestModel] | None = None,
    system: str | None = None,
    success: tuple[int, ...] = (200,),
    errors: tuple[int, ...] = (404,),
) -> Callable:
    """A documented operation: the bearer token with `scope` (a system's when `system`
    names the call), then the query or body checked by its model."""
    model = query or json

    def decorate(view: Callable) -> Callable:
        validated = api.validate(
            query=query,
            json=json,
            resp=_answers(answer, success, errors),
            before=_refusal(model, json_body=json is not None) if model else None,
            tags=[tag],
            security={"bearer": [scope]},
            path_parameter_descriptions={"personal_id": "Số định danh cá nhân (12 chữ số)"},
        )(view)
        checked = _system_only(system)(validated) if system else validated
        return require_oauth(scope)(checked)

    return decorate


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


@bp.get("/openapi.json")
@api.validate(resp=Response(HTTP_200=schemas.OpenApiDocument), tags=["Tài liệu"], security={})
def openapi():
    """This document: the population API in OpenAPI 3.1.

    Generated by Spectree from the pydantic models the API validates its calls with."""
    return jsonify(api.spec)


def _checked() -> Any:
    """The query or body of this call, as its model checked it."""
    context = request.context  # type: ignore[attr-defined]  # set by Spectree
    return context.json if context.json is not None else context.query


@bp.get("/me")
@_operation("population", "Công dân", schemas.PersonAnswer, query=schemas.MeQuery)
def me():
    """The signed-in citizen's own record.

    A user token with the `population` scope; `purpose` (optional) is audited. Each value
    comes with its source and update time."""
    subject = _citizen()
    query: schemas.MeQuery = _checked()
    person = db.session.get(Person, subject)
    population.audit(
        db.session,
        client_id=current_token.client_id,
        actor_id=subject,
        subject_id=subject,
        purpose=query.purpose or "Công dân xem dữ liệu của mình",
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


@bp.get("/people/<personal_id>")
@_operation(
    "population.lookup",
    "Tra cứu",
    schemas.PersonAnswer,
    query=schemas.LookupQuery,
    system="Lookups",
)
def lookup(personal_id: str):
    """A person's record, for a back office.

    A client-credentials token with `population.lookup`; `purpose` is required and audited
    with the `actor`. 404 for a number the registry does not hold."""
    query: schemas.LookupQuery = _checked()
    _personal_id(personal_id)
    person = _audited_person(personal_id, query.purpose, query.actor, "people")
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


@bp.get("/people/<personal_id>/judicial-record")
@_operation(
    "population.lookup",
    "Tra cứu",
    schemas.JudicialAnswer,
    query=schemas.JudicialQuery,
    system="Judicial-record reads",
)
def judicial_record(personal_id: str):
    """What a Phiếu lý lịch tư pháp states about a person.

    A client-credentials token with `population.lookup`. Query: `form` = 1 or 2; `bans` = 1
    to state the bankruptcy bans on a phiếu 1 (a phiếu 2 always states them); `purpose`
    (required) and `actor`, audited as a judicial-record read ("judicial_record_1" /
    "judicial_record_2"). The statement is as of today (Viet Nam time), in the shape of
    identity_mock/judicial.py; 404 for a number the population registry does not hold."""
    query: schemas.JudicialQuery = _checked()
    _personal_id(personal_id)
    form = int(query.form)
    person = _audited_person(personal_id, query.purpose, query.actor, f"judicial_record_{form}")
    data = judicial.certificate(
        db.session, person, form, include_bans=query.bans in ("1", "true"), on=tz.today()
    )
    return jsonify(data=data)


@bp.post("/match")
@_operation(
    "population.lookup",
    "Tra cứu",
    schemas.MatchAnswer,
    json=schemas.MatchRequest,
    system="Match checks",
    errors=(),
)
def match():
    """Does this personal ID belong to the person of this full name (and birth date)?

    A client-credentials check for a citizen who names another person (the future spouse,
    the deceased): the answer is {"match": true|false} and nothing else, the same for an
    unknown number as for a wrong name. Audited as a match check with its purpose. Names
    compare case- and whitespace-insensitively after Unicode NFC; diacritics count. After
    MATCH_MISSES_ALLOWED wrong answers about one person for one actor within a day, further
    checks are refused (429), so a name cannot be found by trying."""
    body: schemas.MatchRequest = _checked()
    client_id = current_token.client_id

    def audit(outcome: str) -> None:
        population.audit(
            db.session,
            client_id=client_id,
            actor_id=body.actor,
            subject_id=body.personal_id,
            purpose=body.purpose,
            endpoint="match",
            outcome=outcome,
        )

    misses = population.match_misses(db.session, client_id, body.actor, body.personal_id, utcnow())
    if misses >= population.MATCH_MISSES_ALLOWED:
        audit("refused")
        raise ApiError(
            429,
            "too_many_attempts",
            f"{misses} wrong match checks about this person by this actor within "
            f"{population.MATCH_MISS_WINDOW}; try again later.",
        )
    person = db.session.get(Person, body.personal_id)
    found = population.matches(person, body.full_name, body.birth_date)
    audit("match" if found else "no_match")
    return jsonify(match=found)


def _personal_id(value: object) -> str:
    """A well-formed personal ID, or a 400 in both languages."""
    if not isinstance(value, str) or not pid.is_valid(value):
        raise ApiError(400, "invalid_request", *schemas.MALFORMED_ID)
    return value


# --- writes (liên thông): client-credentials tokens with `population.write` ---------------
# Each by the body that decided it (identity_mock/registry_writes.py); `purpose`, `actor`
# and `reference` are required; a retried reference answers 200 with the first result.


def _write_operation(model: type[schemas.RequestModel], answer: type[BaseModel]) -> Callable:
    return _operation(
        "population.write",
        "Ghi (liên thông)",
        answer,
        json=model,
        system="Writes",
        success=(201, 200),
        errors=(404, 409),
    )


@bp.post("/births")
@_write_operation(schemas.BirthRequest, schemas.BirthAnswer)
def write_births():
    """Register a birth (UBND xã): the child gets a personal ID.

    From the electronic birth notice (`birth_notice_number`: birth date, sex and parents
    from it) or, without one, from what the parents declared (`birth_date`, `sex`,
    `birth_place`, `proof`, the parents' numbers with their names). No household,
    residence or card: those are the Công an's and BHXH's writes."""
    return _write("births")


@bp.post("/marriages")
@_write_operation(schemas.MarriageRequest, schemas.MarriageAnswer)
def write_marriages():
    """Register a marriage (UBND xã): both parties married to each other."""
    return _write("marriages")


@bp.post("/deaths")
@_write_operation(schemas.DeathRequest, schemas.DeathAnswer)
def write_deaths():
    """Register a death (UBND xã): the record closed, a spouse widowed, the death notice
    registered; the permanent residence is left to the Công an's removal."""
    return _write("deaths")


@bp.post("/residences")
@_write_operation(schemas.ResidenceRequest, schemas.ResidenceAnswer)
def write_residences():
    """Register a permanent residence (Công an xã).

    Into the household of `household_head_id`, or at `ward_code` and `street` as the head
    of a new household (an adult only); a previous permanent residence ends today."""
    return _write("residences")


@bp.post("/residence-removals")
@_write_operation(schemas.RemovalRequest, schemas.RemovalAnswer)
def write_residence_removals():
    """Remove a permanent residence (xóa đăng ký thường trú, Công an xã), also of the
    deceased."""
    return _write("residence-removals")


@bp.post("/health-insurance-cards")
@_write_operation(schemas.CardRequest, schemas.CardAnswer)
def write_health_insurance_cards():
    """Issue the health-insurance card of a child under 6 (BHXH)."""
    return _write("health-insurance-cards")


def _write(kind: str):
    """Apply a registration result; a refusal is a 4xx with the English reason in
    `error_description` and a Vietnamese `message`, audited."""
    body = _checked()  # the kind's request model (a WriteBody with purpose and actor)
    audit = _WriteAudit(kind, body.actor, body.purpose, body.reference)
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


def _subject_hint(body: schemas.RequestModel) -> str:
    for name in ("personal_id", "person_id", "mother_id", "birth_notice_number"):
        value = getattr(body, name, None)
        if value:
            return value
    return "-"


class _WriteAudit:
    """The audit rows of one write call (its purpose, actor and reference)."""

    def __init__(self, kind: str, actor: str, purpose: str, reference: str) -> None:
        self.kind, self.actor = kind, actor[:64]
        self.purpose = f"{purpose} (tham chiếu {reference})"

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
