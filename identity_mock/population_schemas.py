"""The population API's bodies and answers as pydantic models: what Spectree validates and
publishes at /api/population/openapi.json (identity_mock/views/population_api.py).

Request models check the shape of a call (types, lengths, no control characters, dates as
YYYY-MM-DD, well-formed personal IDs, known administrative codes); the registry's own rules
(who exists, who is alive, what conflicts) stay in identity_mock/registry_writes.py. A text
field that is blank counts as absent. `explain` turns the first validation error into the
English description clients act on and the Vietnamese message people read, the same words
the API gave when it checked each field by hand.

Response models describe the answers (extra keys allowed, so a new field is no break).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from common import divisions
from common import personal_id as pid
from common.web import has_control

TEXT_LIMIT = 200  # characters of a purpose or an actor
NAME_LIMIT = 100  # characters of a full name
PERSONAL_ID_PATTERN = r"^[0-9]{12}$"
NOT_AN_OBJECT = (
    "The body must be a JSON object.",
    "Nội dung yêu cầu phải là một đối tượng JSON hợp lệ.",
)
# Sexes a birth may be declared with, and what the registry keeps.
SEXES = {"nam": "nam", "nu": "nu", "Nam": "nam", "Nữ": "nu"}
# What stands in for the electronic birth notice (NĐ 123/2015/NĐ-CP, điều 9 khoản 1).
PROOFS = {
    "giay_chung_sinh": "Giấy chứng sinh (bản giấy)",
    "nguoi_lam_chung": "Văn bản của người làm chứng xác nhận việc sinh",
}
# Fields a birth no longer takes: the Công an and BHXH write those themselves.
RETIRED_BIRTH_FIELDS = ("residence_of", "health_insurance")


def refused(description: str, message: str) -> PydanticCustomError:
    """A validation error that carries its own English and Vietnamese words."""
    return PydanticCustomError(
        "write_refused", "{description}", {"description": description, "message": message}
    )


# --- field types ---------------------------------------------------------------------------


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text_check(max_length: int, *, required: bool):
    def check(value: object) -> str | None:
        if _blank(value):
            if required:
                raise PydanticCustomError("missing", "Field required")
            return None
        if not isinstance(value, str):
            raise PydanticCustomError("string_type", "Input should be a valid string")
        value = value.strip()
        if len(value) > max_length:
            raise PydanticCustomError(
                "string_too_long",
                "String should have at most {max_length} characters",
                {"max_length": max_length},
            )
        if has_control(value):
            raise PydanticCustomError("control_characters", "Text contains control characters")
        return value

    return check


# Text, trimmed; blank is absent (an error for the required kinds); no control characters.
Text40 = Annotated[
    str,
    BeforeValidator(_text_check(40, required=True)),
    Field(min_length=1, max_length=40, json_schema_extra={"pattern": r"\S"}),
]
Text64 = Annotated[
    str,
    BeforeValidator(_text_check(64, required=True)),
    Field(min_length=1, max_length=64, json_schema_extra={"pattern": r"\S"}),
]
Text100 = Annotated[
    str,
    BeforeValidator(_text_check(NAME_LIMIT, required=True)),
    Field(min_length=1, max_length=NAME_LIMIT, json_schema_extra={"pattern": r"\S"}),
]
Text200 = Annotated[
    str,
    BeforeValidator(_text_check(TEXT_LIMIT, required=True)),
    Field(min_length=1, max_length=TEXT_LIMIT, json_schema_extra={"pattern": r"\S"}),
]
OptionalText40 = Annotated[
    Annotated[str, Field(max_length=40)] | None,
    BeforeValidator(_text_check(40, required=False)),
]
OptionalText64 = Annotated[
    Annotated[str, Field(max_length=64)] | None,
    BeforeValidator(_text_check(64, required=False)),
]
OptionalText100 = Annotated[
    Annotated[str, Field(max_length=NAME_LIMIT)] | None,
    BeforeValidator(_text_check(NAME_LIMIT, required=False)),
]
OptionalText150 = Annotated[
    Annotated[str, Field(max_length=150)] | None,
    BeforeValidator(_text_check(150, required=False)),
]
OptionalText200 = Annotated[
    Annotated[str, Field(max_length=TEXT_LIMIT)] | None,
    BeforeValidator(_text_check(TEXT_LIMIT, required=False)),
]


def _personal_id(value: object) -> str | None:
    number = _text_check(12, required=False)(value)
    if number is not None and not pid.is_valid(number):
        raise PydanticCustomError("personal_id", "Not a well-formed personal ID")
    return number


def _required_personal_id(value: object) -> str:
    if _blank(value):
        raise PydanticCustomError("missing", "Field required")
    found = _personal_id(value)
    assert found is not None
    return found


PersonalId = Annotated[
    str,
    BeforeValidator(_required_personal_id),
    Field(json_schema_extra={"pattern": PERSONAL_ID_PATTERN}),
]
OptionalPersonalId = Annotated[
    Annotated[str, Field(pattern=PERSONAL_ID_PATTERN)] | None, BeforeValidator(_personal_id)
]


def _date_check(*, past: bool, required: bool = False):
    def check(value: object) -> date | None:
        raw = _text_check(10, required=required)(value)
        if raw is None:
            return None
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            raise PydanticCustomError("date_format", "Not a date as YYYY-MM-DD") from None
        if past and day > date.today():
            raise PydanticCustomError("date_in_future", "The date is in the future")
        return day

    return check


PastDate = Annotated[date | None, BeforeValidator(_date_check(past=True))]
RequiredPastDate = Annotated[date, BeforeValidator(_date_check(past=True, required=True))]
AnyDate = Annotated[date | None, BeforeValidator(_date_check(past=False))]


def _code_check(known, what: str):
    def check(value: object) -> int | None:
        if value is None or value == "":
            return None
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or value not in known():
            raise PydanticCustomError("unknown_code", "Unknown {what} code", {"what": what})
        return value

    return check


_CODE_SCHEMA = {
    "anyOf": [{"type": "integer"}, {"type": "string", "pattern": "^[0-9]+$"}, {"type": "null"}]
}
WardCode = Annotated[
    int | None,
    BeforeValidator(_code_check(divisions.wards, "ward")),
    WithJsonSchema({**_CODE_SCHEMA, "description": "Mã xã, phường (danh mục sau 01/7/2025)"}),
]
ProvinceCode = Annotated[
    int | None,
    BeforeValidator(_code_check(divisions.provinces, "province")),
    WithJsonSchema({**_CODE_SCHEMA, "description": "Mã tỉnh, thành phố"}),
]


def _one_of(values, description: str, message: str):
    def check(value: object) -> str | None:
        if _blank(value):
            return None
        if isinstance(value, str) and value.strip() in values:
            return value.strip()
        raise refused(description, message)

    return check


Sex = Annotated[
    Literal["nam", "nu", "Nam", "Nữ"] | None,
    BeforeValidator(
        _one_of(
            SEXES,
            "The 'sex' field must be 'nam' or 'nu'.",
            "Giới tính của trẻ phải là Nam hoặc Nữ.",
        )
    ),
]
Proof = Annotated[
    Literal["giay_chung_sinh", "nguoi_lam_chung"] | None,
    BeforeValidator(
        _one_of(
            PROOFS,
            f"The 'proof' field must be one of {sorted(PROOFS)}.",
            "Chưa rõ giấy tờ thay giấy chứng sinh điện tử (giấy chứng sinh bản giấy hoặc văn "
            "bản của người làm chứng).",
        )
    ),
]


# --- the words of a refusal ----------------------------------------------------------------


class RequestModel(BaseModel):
    """A request: unknown keys are ignored. `LABELS` names audit text fields (purpose,
    actor) in Vietnamese; `FIXED` gives a field's own words for any error on it."""

    model_config = ConfigDict(extra="ignore")
    LABELS: ClassVar[dict[str, str]] = {}
    FIXED: ClassVar[dict[str, tuple[str, str]]] = {}


_WHAT = {"ward": "xã, phường", "province": "tỉnh, thành phố"}
FIELD_ERRORS: dict[str, tuple[str, str]] = {
    "missing": ("The '{name}' field is required.", "Thiếu trường '{name}'."),
    "string_type": ("The '{name}' field must be a string.", "Trường '{name}' phải là văn bản."),
    "string_too_long": (
        "The '{name}' field is longer than {max_length} characters.",
        "Trường '{name}' dài quá {max_length} ký tự.",
    ),
    "control_characters": (
        "The '{name}' field contains control characters.",
        "Trường '{name}' chứa ký tự điều khiển.",
    ),
    "date_format": (
        "The '{name}' field must be a date (YYYY-MM-DD).",
        "Trường '{name}' phải là ngày dạng năm-tháng-ngày (YYYY-MM-DD).",
    ),
    "date_in_future": (
        "The '{name}' field is in the future.",
        "Trường '{name}' là ngày tương lai.",
    ),
    "personal_id": (
        "The '{name}' field is not a well-formed personal identification number.",
        "Trường '{name}' không phải là số định danh cá nhân hợp lệ.",
    ),
    "unknown_code": (
        "The '{name}' field is not a known {what} code.",
        "Trường '{name}' không phải là mã {what_vi} hợp lệ.",
    ),
}
OTHER_ERROR = ("The '{name}' field is not valid.", "Trường '{name}' không hợp lệ.")


def explain(exc: ValidationError, model: type[RequestModel]) -> tuple[str, str]:
    """(English description, Vietnamese message) of the first error of `exc`."""
    error = exc.errors(include_url=False)[0]
    ctx = error.get("ctx") or {}
    if "message" in ctx:
        return str(ctx["description"]), str(ctx["message"])
    if not error["loc"]:
        return NOT_AN_OBJECT
    name = str(error["loc"][0])
    if name in model.FIXED:
        return model.FIXED[name]
    label = model.LABELS.get(name)
    if label is not None:
        if error["type"] == "missing":
            return f"The '{name}' field is required.", f"Thiếu {label}."
        return (
            f"The '{name}' field must be text of at most {TEXT_LIMIT} printable characters.",
            f"{label.capitalize()} phải là văn bản tối đa {TEXT_LIMIT} ký tự, "
            "không chứa ký tự điều khiển.",
        )
    english, vietnamese = FIELD_ERRORS.get(error["type"], OTHER_ERROR)
    words = {**ctx, "name": name, "what_vi": _WHAT.get(str(ctx.get("what")), "")}
    return english.format(**words), vietnamese.format(**words)


# --- registry write bodies (identity_mock/registry_writes.py) ------------------------------


class WriteBody(RequestModel):
    """Every write is keyed by the caller's reference (the dossier code)."""

    reference: Text64 = Field(description="Mã tham chiếu của bên ghi (mã hồ sơ)")


class BirthBody(WriteBody):
    """A birth: from the electronic birth notice (`birth_notice_number`), or declared with
    `birth_date`, `sex`, `birth_place`, `proof` and the parents' numbers and names."""

    full_name: Text100
    ethnicity: OptionalText40 = None
    registration_province_code: ProvinceCode = None
    birth_notice_number: OptionalText64 = None
    mother_id: OptionalPersonalId = None
    father_id: OptionalPersonalId = None
    mother_full_name: OptionalText100 = None
    father_full_name: OptionalText100 = None
    mother_birth_date: PastDate = None
    father_birth_date: PastDate = None
    birth_date: PastDate = None
    sex: Sex = None
    birth_place: OptionalText200 = None
    proof: Proof = None
    proof_number: OptionalText64 = None

    @model_validator(mode="before")
    @classmethod
    def _no_retired_fields(cls, data: Any) -> Any:
        for name in RETIRED_BIRTH_FIELDS:
            if isinstance(data, dict) and name in data:
                raise refused(
                    f"The '{name}' field is not part of a birth: the permanent residence and "
                    "the health-insurance card are written by the bodies that decide them "
                    "(POST /api/population/residences, /health-insurance-cards).",
                    "Ghi khai sinh không kèm đăng ký thường trú hay cấp thẻ BHYT: các cơ quan "
                    "giải quyết ghi riêng.",
                )
        return data


class MarriageBody(WriteBody):
    person_id: PersonalId
    partner_id: PersonalId


class DeathBody(WriteBody):
    personal_id: PersonalId
    died_on: RequiredPastDate
    death_notice_number: OptionalText64 = None


class ResidenceBody(WriteBody):
    """Into the household of `household_head_id`, or a new household at `ward_code` and
    `street` that the person heads."""

    personal_id: PersonalId
    ward_code: WardCode = None
    street: OptionalText150 = None
    household_head_id: OptionalPersonalId = None
    relation_to_head: OptionalText40 = None


class RemovalBody(WriteBody):
    personal_id: PersonalId
    reason: OptionalText200 = None
    event_date: PastDate = None


class CardBody(WriteBody):
    personal_id: PersonalId
    province_code: ProvinceCode = None
    primary_care_facility: OptionalText150 = None


# --- the API's requests --------------------------------------------------------------------


class Purposed(RequestModel):
    """Why the registry is read or written: kept in the audit trail."""

    purpose: Text200 = Field(description="Mục đích (ghi vào nhật ký truy cập)")


class Audited(Purposed):
    """Why the registry is written, and by whom: kept in the audit trail."""

    actor: Text200 = Field(description="Người thực hiện (cán bộ, ghi vào nhật ký)")
    LABELS: ClassVar[dict[str, str]] = {
        "purpose": "mục đích (trường purpose)",
        "actor": "người thực hiện (trường actor)",
    }


class BirthRequest(BirthBody, Audited):
    """POST /api/population/births"""


class MarriageRequest(MarriageBody, Audited):
    """POST /api/population/marriages"""


class DeathRequest(DeathBody, Audited):
    """POST /api/population/deaths"""


class ResidenceRequest(ResidenceBody, Audited):
    """POST /api/population/residences"""


class RemovalRequest(RemovalBody, Audited):
    """POST /api/population/residence-removals"""


class CardRequest(CardBody, Audited):
    """POST /api/population/health-insurance-cards"""


MALFORMED_ID = ("Malformed personal identification number.", "Số định danh cá nhân không hợp lệ.")


class MatchRequest(Purposed):
    """Does this personal ID belong to the person of this full name (and birth date)?"""

    actor: OptionalText200 = Field(default=None, description="Người tra cứu")
    personal_id: PersonalId
    full_name: Text100
    birth_date: AnyDate = None
    LABELS: ClassVar[dict[str, str]] = {
        "purpose": "mục đích (trường purpose)",
        "actor": "người tra cứu",
    }
    FIXED: ClassVar[dict[str, tuple[str, str]]] = {
        "personal_id": MALFORMED_ID,
        "full_name": (
            f"The 'full_name' field must be text of at most {NAME_LIMIT} printable characters.",
            "Thiếu họ, chữ đệm và tên, hoặc họ tên không hợp lệ.",
        ),
        "birth_date": (
            "The 'birth_date' field must be a date as YYYY-MM-DD.",
            "Ngày sinh phải có dạng năm-tháng-ngày (YYYY-MM-DD).",
        ),
    }


class MeQuery(RequestModel):
    purpose: OptionalText200 = Field(default=None, description="Mục đích (tùy chọn)")
    LABELS: ClassVar[dict[str, str]] = {"purpose": "mục đích"}


class LookupQuery(RequestModel):
    purpose: Text200 = Field(description="Mục đích tra cứu (bắt buộc, ghi vào nhật ký)")
    actor: OptionalText200 = Field(default=None, description="Người tra cứu")
    LABELS: ClassVar[dict[str, str]] = {
        "purpose": "mục đích tra cứu (tham số purpose)",
        "actor": "người tra cứu",
    }


class JudicialQuery(LookupQuery):
    form: Literal["1", "2"] = Field(description="Phiếu lý lịch tư pháp số 1 hoặc số 2")
    bans: Literal["0", "1", "true", "false"] = Field(
        default="0", description="Phiếu số 1: nêu cả việc cấm đảm nhiệm chức vụ (1)"
    )
    FIXED: ClassVar[dict[str, tuple[str, str]]] = {
        "form": (
            "The 'form' parameter must be 1 or 2.",
            "Loại phiếu lý lịch tư pháp (tham số form) phải là 1 hoặc 2.",
        ),
        "bans": ("The 'bans' parameter must be 0 or 1.", "Tham số bans phải là 0 hoặc 1."),
    }


# --- the API's answers ---------------------------------------------------------------------


class Answer(BaseModel):
    """An answer: keys beyond those listed may be added later."""

    model_config = ConfigDict(extra="allow")


class ErrorAnswer(Answer):
    """A refusal: the OAuth-style code, its English description, a Vietnamese message."""

    error: str
    error_description: str | None = None
    message: str | None = None


class Item(Answer):
    """One value of the registry with where it came from and when it was last updated."""

    value: Any
    source: str
    updated_at: str


class PersonRecord(Answer):
    """Everything the registry holds about a person (identity_mock/population.py)."""

    personal_id: Item
    full_name: Item
    birth_date: Item
    sex: Item
    ethnicity: Item
    nationality: Item
    permanent_residence: Item | None
    temporary_residence: Item | None
    marital_status: Item
    father: Item
    mother: Item
    spouse: Item
    children: Item
    household: Item | None
    id_card: Item
    meritorious_family: Item
    disability: Item
    health_insurance: Item
    died_on: Item
    birth_notices: list[Item]
    death_notices: list[Item]
    death_notice: Item | None
    last_residence: Item | None
    social_insurance: Item


class PersonAnswer(Answer):
    data: PersonRecord


class MatchAnswer(Answer):
    match: bool


class JudicialPerson(Answer):
    full_name: str
    sex: str
    birth_date: date
    nationality: str
    residence: str | None
    father: str | None = Field(default=None, description="Phiếu số 2")
    mother: str | None = Field(default=None, description="Phiếu số 2")
    spouse: str | None = Field(default=None, description="Phiếu số 2")


class Conviction(Answer):
    """A conviction; the fields after `additional_penalty` on a phiếu số 2 only."""

    offence: str
    main_penalty: str
    additional_penalty: str | None
    court: str | None = None
    judgment_number: str | None = None
    judgment_date: date | None = None
    articles: str | None = None
    civil_obligations: str | None = None
    court_fee: str | None = None
    enforcement_status: str | None = None
    expunged: bool | None = None
    expunged_on: date | None = None
    status: str | None = None


class CriminalRecord(Answer):
    has_record: bool
    convicted: bool | None = Field(default=None, description="Phiếu số 2")
    statement: str
    convictions: list[Conviction]


class Ban(Answer):
    court: str
    decision_number: str
    decision_date: date
    enterprise: str
    positions: str
    banned_from: date
    banned_until: date
    statement: str


class Bans(Answer):
    banned: bool
    statement: str
    entries: list[Ban]


class JudicialCertificate(Answer):
    """What a Phiếu lý lịch tư pháp states (identity_mock/judicial.py)."""

    personal_id: str
    form: Literal[1, 2]
    as_of: date
    source: str
    updated_at: str
    person: JudicialPerson
    criminal_record: CriminalRecord
    bans: Bans | None


class JudicialAnswer(Answer):
    data: JudicialCertificate


class PersonFacts(Answer):
    personal_id: str
    full_name: str
    birth_date: date
    sex: str


class BirthResult(Answer):
    personal_id: str
    full_name: str
    birth_date: date
    sex: str
    ethnicity: str
    birth_place: str
    mother_id: str | None
    father_id: str | None
    birth_notice_number: str | None
    declared: bool
    proof: str | None
    proof_label: str | None
    proof_number: str | None


class MarriageResult(Answer):
    personal_ids: list[str]
    marital_status: str


class DeathResult(Answer):
    personal_id: str
    full_name: str
    died_on: date
    residences_ended: int
    permanent_residence: str | None
    death_notices_registered: list[str]


class ResidenceResult(PersonFacts):
    permanent_residence: bool
    residence_address: str
    ward_code: int
    province_code: int
    street: str
    registered_on: date
    household_id: str
    household_head_id: str | None
    relation_to_head: str
    previous_residence: str | None


class RemovalResult(PersonFacts):
    alive: bool
    removed_residence: str
    ward_code: int
    province_code: int
    ended_on: date
    reason: str | None
    household_id: str | None
    permanent_residence: bool


class CardResult(PersonFacts):
    health_insurance: bool
    health_insurance_number: str
    health_insurance_group: str
    health_insurance_valid_from: date
    health_insurance_valid_until: date
    primary_care_facility: str | None


class WriteAnswer(Answer):
    """`created` is false for a replayed reference (the first result, nothing written)."""

    created: bool


class BirthAnswer(WriteAnswer):
    data: BirthResult


class MarriageAnswer(WriteAnswer):
    data: MarriageResult


class DeathAnswer(WriteAnswer):
    data: DeathResult


class ResidenceAnswer(WriteAnswer):
    data: ResidenceResult


class RemovalAnswer(WriteAnswer):
    data: RemovalResult


class CardAnswer(WriteAnswer):
    data: CardResult


class OpenApiDocument(Answer):
    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]
