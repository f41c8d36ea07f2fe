"""Filing a dossier: one server-side draft per citizen and procedure, step by step, then
an idempotent submit that routes, prices, numbers and records it in one transaction."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from common import personal_id as pid
from common.web import has_control, normalize_text, text_problem
from portal.models import Dossier, DossierEvent, DossierFile, DossierParty, utcnow
from portal.models.dossiers import Status
from portal.models.reuse import ReusedDocument
from portal.services import eligibility, parties, registry, reuse, workflow
from portal.services.deadlines import to_local
from portal.services.delivery import Choice as DeliveryChoice
from portal.services.dossier_codes import new_code
from portal.services.fees import FeeDecision
from portal.services.prefill import (
    TYPED_KEY,
    Sources,
    as_typed,
    is_typed,
    notice_values,
    tampered_fields,
)
from portal.services.routing import RoutingDecision
from procedures.schema import FormField, Procedure


class FilingError(Exception):
    """The dossier cannot go further; `messages` are for the citizen."""

    def __init__(self, *messages: str) -> None:
        super().__init__("; ".join(messages))
        self.messages = list(messages)


def find_draft(session: Session, applicant_id: str, code: str) -> Dossier | None:
    return session.exec(
        select(Dossier).where(
            Dossier.applicant_id == applicant_id,
            Dossier.procedure_code == code,
            Dossier.draft_key == "draft",  # the unique (applicant, procedure, draft) index
        )
    ).first()


def get_or_create_draft(session: Session, procedure: Procedure, applicant_id: str) -> Dossier:
    """The citizen's draft for this procedure; a unique key keeps it to one, even on races."""
    draft = find_draft(session, applicant_id, procedure.code)
    if draft:
        return draft
    draft = Dossier(
        procedure_code=procedure.code,
        procedure_version=procedure.version,
        applicant_id=applicant_id,
        data={f.name: f.default for f in procedure.fields if f.default is not None},
    )
    session.add(draft)
    try:
        session.commit()
    except IntegrityError:  # another request created it first
        session.rollback()
        found = find_draft(session, applicant_id, procedure.code)
        if found is None:  # the other request's draft was submitted meanwhile: start again
            return get_or_create_draft(session, procedure, applicant_id)
        return found
    return draft


# A draft's own bookkeeping in its `data`, never part of the filed dossier: the furthest page
# reached (the draft reopens there) and whether the eligibility check refused it last time.
STEP_KEY, INELIGIBLE_KEY = "_step", "_ineligible"
DRAFT_KEYS = (STEP_KEY, INELIGIBLE_KEY)
NOT_A_DRAFT = (
    "Hồ sơ này đã nộp nên không xóa được. Nếu cơ quan chưa tiếp nhận, bạn có thể rút hồ sơ "
    "tại trang của hồ sơ."
)


class DraftNotFound(LookupError):
    """No such dossier, or not the citizen's own: the page answers 404."""


def resume_step(draft: Dossier, order: Sequence[str]) -> str:
    """The page the draft reopens at: the furthest one reached that `order` (the steps, then
    the summary) still has, else the first."""
    reached = str(draft.data.get(STEP_KEY) or "")
    return reached if reached in order else order[0]


def mark_reached(session: Session, draft: Dossier, step: str, order: Sequence[str]) -> None:
    """Remember `step` as reached, unless a later page of `order` already was."""
    reached = draft.data.get(STEP_KEY)
    if step not in order or (reached in order and order.index(reached) >= order.index(step)):
        return
    draft.data = {**draft.data, STEP_KEY: step}
    session.add(draft)
    session.commit()


def previous_step(step: str, order: Sequence[str]) -> str | None:
    """The page before `step` in `order`, or None on the first."""
    index = order.index(step) if step in order else 0
    return order[index - 1] if index > 0 else None


def mark_eligibility(session: Session, draft: Dossier, refused: bool) -> None:
    """Record whether the eligibility check refused the draft (its summary's last look)."""
    if bool(draft.data.get(INELIGIBLE_KEY)) == refused:
        return
    data = {k: v for k, v in draft.data.items() if k != INELIGIBLE_KEY}
    draft.data = {**data, INELIGIBLE_KEY: True} if refused else data
    session.add(draft)
    session.commit()


def listed(dossier: Dossier) -> bool:
    """Whether "Hồ sơ của tôi" lists the dossier: every one but a draft the eligibility
    check refused (it stays reachable from its procedure's page, and can be deleted)."""
    return not (dossier.status == Status.DRAFT and dossier.data.get(INELIGIBLE_KEY))


def own_draft(session: Session, dossier_id: int, applicant_id: str) -> Dossier:
    """The citizen's own dossier `dossier_id`; DraftNotFound for anyone else's (or none),
    FilingError when it is no longer a draft."""
    dossier = session.get(Dossier, dossier_id)
    if dossier is None or dossier.applicant_id != applicant_id:
        raise DraftNotFound(dossier_id)
    if dossier.status != Status.DRAFT:
        raise FilingError(NOT_A_DRAFT)
    return dossier


def delete_draft(session: Session, dossier_id: int, applicant_id: str, folder: Path) -> None:
    """Delete the citizen's own draft with its rows and its attached files (no orphan file
    is left). Only a draft: a dossier submitted meanwhile raises FilingError, untouched."""
    own_draft(session, dossier_id, applicant_id)
    tokens = list(
        session.exec(select(DossierFile.token).where(DossierFile.dossier_id == dossier_id)).all()
    )
    for model in (DossierFile, DossierParty, DossierEvent, ReusedDocument):
        session.exec(delete(model).where(col(model.dossier_id) == dossier_id))
    try:
        gone = session.exec(
            delete(Dossier).where(
                col(Dossier.id) == dossier_id,
                col(Dossier.applicant_id) == applicant_id,
                col(Dossier.status) == Status.DRAFT,  # a submit that won keeps its dossier
            )
        ).rowcount
        if gone != 1:
            raise FilingError(NOT_A_DRAFT)
        session.commit()
    except (FilingError, IntegrityError) as exc:
        session.rollback()
        if isinstance(exc, FilingError):
            raise
        raise FilingError("Chưa xóa được hồ sơ nháp. Vui lòng thử lại.") from exc
    for token in tokens:
        (folder / token).unlink(missing_ok=True)


def _date(field: FormField, value: str) -> tuple[str, str | None]:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date().isoformat(), None
        except ValueError:
            continue
    return value, f"{field.label} phải là ngày hợp lệ, ví dụ 25/12/2026."


def _personal_id(field: FormField, value: str) -> tuple[str, str | None]:
    try:
        pid.parse(value)
    except pid.PersonalIdError as exc:
        return value, str(exc)
    return value, None


def _number(field: FormField, value: str) -> tuple[str, str | None]:
    digits = unicodedata.normalize("NFKC", value)  # full-width digits from some keyboards
    if not (digits.isascii() and digits.isdigit() and 1 <= int(digits) <= field.max_value):
        return value, f"{field.label} phải là số nguyên từ 1 đến {field.max_value}."
    return str(int(digits)), None


def _select(field: FormField, value: str) -> tuple[str, str | None]:
    if value not in field.options:
        return value, f"Vui lòng chọn {field.label.lower()} trong danh sách."
    return value, None


CHECKS = {"date": _date, "personal_id": _personal_id, "number": _number, "select": _select}


def is_name_field(field: FormField) -> bool:
    """A typed person's name (e.g. child_full_name): letters, spaces, ' and - only."""
    return field.type == "text" and field.name.endswith("full_name")


def clean_value(field: FormField, raw: str) -> tuple[str, str | None]:
    """(value to keep, Vietnamese error or None) for one typed field: NFC, trimmed, within
    the field's max_length, no control character, a name spelled as names are, then the
    check of its type."""
    multiline = field.type == "textarea"
    value = normalize_text(raw or "", multiline=multiline)
    if field.type == "checkbox":
        return ("có" if value else ""), None
    if not value:
        return "", (f"Vui lòng nhập {field.label.lower()}." if field.required else None)
    problem = text_problem(
        value,
        label=field.label,
        max_length=field.max_length,
        multiline=multiline,
        name=is_name_field(field),
    )
    if problem:
        return value, problem
    check = CHECKS.get(field.type)
    return check(field, value) if check else (value, None)


def storable(field: FormField, value: str) -> bool:
    """Whether a value may go into the draft even with an error (a wrong date is kept for
    the citizen to correct; text too long or with control characters never is)."""
    multiline = field.type == "textarea"
    return len(value) <= field.max_length and not has_control(value, "\n" if multiline else "")


def save_step(
    session: Session,
    draft: Dossier,
    procedure: Procedure,
    step: str,
    posted: dict,
    locked: dict[str, str],
) -> dict[str, str]:
    """Keep what was typed on `step`; return field → error. Values are saved even when
    some are wrong, so nothing the citizen typed is lost, except text too long or with
    control characters (the page shows it back with its message; the draft keeps the value
    it had). A locked (registry) value sent back changed is refused; a `typed_when_absent`
    field is typed here only while the registry has no value for it (not in `locked`)."""
    errors = dict.fromkeys(
        tampered_fields(posted, locked), "Thông tin này lấy từ CSDLQG về dân cư, không sửa được."
    )
    data = dict(draft.data)
    for field in procedure.fields:
        if field.step != step or not is_typed(field, locked):
            continue
        value, error = clean_value(field, posted.get(field.name, ""))
        if error is None or storable(field, value):
            data[field.name] = value
        if error:
            errors[field.name] = error
    draft.data = data
    draft.updated_at = utcnow()
    session.add(draft)
    session.commit()
    return errors


def missing_fields(
    draft: Dossier, procedure: Procedure, locked: dict[str, str] | None = None
) -> list[FormField]:
    """Typed fields still empty or invalid, for the summary page (with `locked`, the
    registry's values: a `typed_when_absent` field it had no value for is typed)."""
    return [
        f
        for f in procedure.fields
        if (is_typed(f, locked) if locked is not None else not f.prefill)
        and clean_value(f, draft.data.get(f.name, ""))[1] is not None
    ]


# (personal ID, full name, birth date) → yes/no; FilingError when the registry will not say
Match = Callable[[str, str, str | None], bool]


def gather_sources(
    procedure: Procedure,
    applicant: dict,
    form: dict,
    lookup: Callable[[str], dict],
    *,
    match: Match | None = None,
    strict: bool = True,
    roots: set[str] | None = None,
    consented: bool = False,
) -> Sources:
    """The registry records this dossier reads, fetched once (every lookup is audited).

    `roots` limits the lookups to the records a page shows (None: all, for the summary and
    submit). The other person's record is read only once `match` confirms the typed number,
    name (and birth date) belong together; it is shown (`Sources.partner_shown`) only as the
    procedure allows: after that person consented (`consented`), or when the registry proves
    the applicant is a relative. With `strict`, a named person who cannot be read raises
    FilingError; without, the partner is left empty so the page that asks can still be shown.
    """
    notices = applicant.get("birth_notices") or []
    notice = notices[0]["value"] if notices else None
    deaths = applicant.get("death_notices") or []
    death = deaths[0]["value"] if deaths else None
    # A person a notice names (the deceased of a death notice) is named by the notice.
    notes = Sources(applicant, birth_notice=notice, death_notice=death)
    form = {**form, **notice_values(procedure, notes)}
    partner = None
    wanted = roots if roots is not None else {"partner", "mother", "father"}
    if roots is not None and procedure.partner_details == "after_consent" and not consented:
        wanted = wanted - {"partner"}  # a page would not show the record: do not read it
    if "partner" in wanted and procedure.partner_field and form.get(procedure.partner_field):
        try:
            partner = find_partner(procedure, lookup, applicant, form, match=match)
        except FilingError:
            if strict:
                raise
    mother = father = None
    if notice and wanted & {"mother", "father"}:
        me = applicant["personal_id"]["value"]
        mother = applicant if notice["mother_id"] == me else _optional(lookup, notice["mother_id"])
        father = (
            applicant
            if notice.get("father_id") == me
            else _optional(lookup, notice.get("father_id"))
        )
    elif wanted & {"mother", "father"}:
        # No electronic birth notice: the applicant is the parent of their own sex; the other
        # parent is typed and matched (typed_parent_errors), never read.
        mother, father = own_parent_role(applicant)
    shown = partner is not None and partner_may_be_shown(procedure, applicant, partner, consented)
    return Sources(
        applicant,
        partner,
        birth_notice=notice,
        death_notice=death,
        mother=mother,
        father=father,
        partner_shown=shown,
    )


PARENT_ROOTS = ("mother", "father")


def own_parent_role(applicant: dict) -> tuple[dict | None, dict | None]:
    """(mother, father) of a birth declared without an electronic notice: the applicant's
    record in the role of their sex as the registry records it."""
    sex = (applicant.get("sex") or {}).get("value")
    if sex == "Nữ":
        return applicant, None
    if sex == "Nam":
        return None, applicant
    return None, None


def _parent_fields(procedure: Procedure, root: str) -> dict[str, FormField]:
    """The typed_when_absent fields a parent's record fills: prefill key → field."""
    return {
        f.prefill.split(".", 1)[1]: f
        for f in procedure.fields
        if f.prefill and f.typed_when_absent and f.prefill.split(".")[0] == root
    }


def typed_parent_errors(
    procedure: Procedure,
    applicant: dict,
    form: dict,
    locked: dict,
    step: str,
    match: Match,
    refused: frozenset[str] = frozenset(),
) -> dict[str, str]:
    """field → message for a parent typed on `step` (a birth declared without an electronic
    notice): their number must not be the applicant's own, and the registry must confirm
    number + name (+ birth date) before the citizen goes on, so that nobody is named a
    parent (and told of the birth) by a typing error. Nothing of their record is read. A
    parent whose fields are among `refused` (already wrong as typed) is not asked about."""
    errors: dict[str, str] = {}
    for root in PARENT_ROOTS:
        fields = _parent_fields(procedure, root)
        number_f, name_f = fields.get("personal_id"), fields.get("full_name")
        if number_f is None or name_f is None or number_f.step != step:
            continue
        if {f.name for f in fields.values()} & refused:
            continue
        if not is_typed(number_f, locked) or not form.get(number_f.name):
            continue
        number, name = str(form[number_f.name]), str(form.get(name_f.name) or "")
        birth_f = fields.get("birth_date")
        birth = str(form.get(birth_f.name) or "") or None if birth_f else None
        if number == applicant["personal_id"]["value"]:
            errors[number_f.name] = OWN_NUMBER
            continue
        if not name:
            continue  # the form's own check asks for the name
        try:
            matched = match(number, name, birth)
        except FilingError as exc:
            errors[name_f.name] = exc.messages[0]
            continue
        if not matched:
            errors[name_f.name] = PARENT_MISMATCH.format(who=name_f.label.lower())
    return errors


PARENT_MISMATCH = (
    "Số định danh cá nhân, {who} và ngày sinh đã khai không khớp với CSDLQG về dân cư. Vui "
    "lòng khai đúng như trên giấy tờ tùy thân của người đó."
)


def partner_may_be_shown(
    procedure: Procedure, applicant: dict, partner: dict, consented: bool = False
) -> bool:
    """Whether the applicant may see the other person's registry data."""
    if procedure.partner_details == "after_consent":
        return consented
    return related_as_allowed(procedure, applicant, partner)


def related_as_allowed(procedure: Procedure, applicant: dict, partner: dict) -> bool:
    found = eligibility.relation(applicant, partner)
    allowed: list[str] = list(procedure.partner_relations) or list(eligibility.RELATION_LABELS)
    return found is not None and found in allowed


def wrong_name_message(procedure: Procedure) -> str:
    birth = " hoặc ngày sinh" if procedure.partner_birth_date_field else ""
    and_birth = " và ngày sinh" if procedure.partner_birth_date_field else ""
    return (
        f"Họ tên{birth} không khớp với số định danh cá nhân đã nhập theo CSDLQG về dân cư. "
        f"Vui lòng nhập đúng họ, chữ đệm và tên (có dấu){and_birth} như trên giấy tờ tùy thân "
        "của người đó."
    )


def not_related_message(procedure: Procedure) -> str:
    if not procedure.partner_relations:
        return eligibility.NOT_A_RELATIVE
    what = " hoặc ".join(eligibility.RELATION_LABELS[r] for r in procedure.partner_relations)
    return (
        f"Theo CSDLQG về dân cư, người mang số định danh này không phải là {what} của bạn, nên "
        "cổng không hiển thị thông tin của người đó và không nhận hồ sơ này trực tuyến. Vui "
        "lòng liên hệ UBND cấp xã để được hướng dẫn."
    )


def _named(procedure: Procedure, form: dict) -> tuple[str, str, str | None]:
    number = form.get(procedure.partner_field or "") or ""
    name = form.get(procedure.partner_name_field or "") or ""
    birth = form.get(procedure.partner_birth_date_field or "") or None
    return number, name, birth


def named_person_errors(
    procedure: Procedure,
    applicant: dict,
    form: dict,
    match: Match,
    lookup: Callable[[str], dict],
) -> dict[str, str]:
    """field → message for the step that names another person: their number must not be
    the applicant's own, the registry must confirm number + name (+ birth date), and where
    the procedure shows details only to relatives, the registry must prove the relation.
    Nothing of the other person's record is said either way."""
    number, name, birth = _named(procedure, form)
    assert procedure.partner_field and procedure.partner_name_field  # the schema's rule
    if number == applicant["personal_id"]["value"]:
        return {procedure.partner_field: OWN_NUMBER}
    try:
        matched = match(number, name, birth)
    except FilingError as exc:  # e.g. too many wrong answers: said next to the name
        return {procedure.partner_name_field: exc.messages[0]}
    if not matched:
        return {procedure.partner_name_field: wrong_name_message(procedure)}
    if procedure.partner_details == "relatives":
        record = _optional(lookup, number)
        if record is None or not related_as_allowed(procedure, applicant, record):
            return {procedure.partner_field: not_related_message(procedure)}
    return {}


OWN_NUMBER = "Đây là số định danh của chính bạn. Vui lòng nhập số của người kia."
TOO_MANY_TRIES = (
    "Bạn đã nhập sai thông tin của người này quá nhiều lần, nên tạm thời chưa đối chiếu "
    "được. Vui lòng kiểm tra lại giấy tờ tùy thân của người đó và thử lại sau 24 giờ."
)


def find_partner(
    procedure: Procedure,
    lookup: Callable[[str], dict],
    applicant: dict,
    form: dict,
    *,
    match: Match | None = None,
) -> dict:
    """The other person's record, read only after `match` confirmed the typed number and
    name; FilingError (for the citizen, without the other person's data) otherwise.
    `match` None: the caller has the registry's records itself (tests, measurements)."""
    personal_id, name, birth = _named(procedure, form)
    if not pid.is_valid(personal_id):  # a malformed number kept in the draft
        raise FilingError("Số định danh cá nhân của người kia không hợp lệ. Vui lòng nhập lại.")
    if personal_id == applicant["personal_id"]["value"]:
        raise FilingError(OWN_NUMBER)
    if match is not None and not (name and match(personal_id, name, birth)):
        raise FilingError(wrong_name_message(procedure))
    try:
        return lookup(personal_id)
    except registry.PersonNotFound as exc:  # matched a moment ago: the record went away
        raise FilingError(wrong_name_message(procedure)) from exc


def _optional(lookup: Callable[[str], dict], personal_id: str | None) -> dict | None:
    if not personal_id:
        return None
    try:
        return lookup(personal_id)
    except registry.PersonNotFound:
        return None


@dataclass(frozen=True)
class Submission:
    routing: RoutingDecision
    fee: FeeDecision
    locked: dict[str, str]
    locked_hash: str
    working_days: int
    due: date
    reuses: tuple[reuse.Reuse, ...] = ()  # resolved again for this submit, never from the form
    delivery: DeliveryChoice | None = None  # how the result is received (None: online only)


def submit(
    session: Session,
    draft: Dossier,
    submission: Submission,
    *,
    procedure: Procedure,
    expected_hash: str,
    now: datetime,
) -> Dossier:
    """Move the draft to `submitted` (or `awaiting_parties`, through the workflow) exactly
    once; a replayed submit returns the same dossier. The dossier takes its life event
    (subject_key, and open_key while open) and its party rows in the same transaction; a
    life event another open dossier holds (the database's constraint decides, also when
    both parents submit at the same instant) raises FilingError naming that dossier, and
    the draft stays as it was. The appointment date is given at reception, not here."""
    if expected_hash != submission.locked_hash:
        raise FilingError(
            "Dữ liệu từ CSDLQG về dân cư hoặc giấy tờ dùng lại từ kho dữ liệu cá nhân đã thay "
            "đổi so với trang bạn vừa xem. Vui lòng xem lại trước khi nộp."
        )
    dossier_id = stored_id(draft)
    session.refresh(draft)
    if draft.status != Status.DRAFT:
        return draft  # already submitted by an earlier click
    kept = {k: v for k, v in draft.data.items() if k not in DRAFT_KEYS}
    data = {**kept, **submission.locked, **as_typed(procedure, submission.locked)}
    typed = [f.name for f in procedure.fields if f.prefill and is_typed(f, submission.locked)]
    if typed:  # the registry had no value: the clerk must not read them as the registry's
        data[TYPED_KEY] = typed
    key = parties.subject_key(procedure, data, draft.applicant_id)
    values = {
        "code": new_code(session, submission.routing.office_code, to_local(now).date()),
        "office_code": submission.routing.office_code,
        "routing_reason": submission.routing.reason,
        # The receiving point (services/routing.py): the competent office's own desk unless
        # the citizen chose a TTPVHCC.
        "receiving_office_code": submission.routing.receiving_office_code
        or submission.routing.office_code,
        "receiving_reason": submission.routing.receiving_reason,
        "data": data,
        "locked_hash": submission.locked_hash,
        "fee_amount": submission.fee.amount,
        "fee_rule": submission.fee.rule,
        "fee_reason": submission.fee.reason,
        "fee_steps": submission.fee.steps_json(),
        **(submission.delivery or DeliveryChoice()).columns(),  # the method, address, postal fee
        "subject_key": key,
        "open_key": key,
    }
    try:
        # The rows first: the submit's target (awaiting the parties or not) reads them.
        parties.add_parties(session, draft, procedure, data, to_local(now).date())
        dossier = workflow.apply(
            session,
            draft,
            "submit",
            workflow.citizen(draft.applicant_id),
            expected_version=draft.version,
            note="Nộp hồ sơ trực tuyến",
            now=now,
            values=values,
            commit=False,
        )
    except workflow.TransitionError as exc:
        session.rollback()
        stored = _stored(session, dossier_id)
        if stored.status != Status.DRAFT:
            return stored  # the earlier click won
        raise FilingError(str(exc)) from exc
    except IntegrityError as exc:  # the life event is taken, or an earlier click won
        session.rollback()
        stored = _stored(session, dossier_id)
        if stored.status != Status.DRAFT:
            return stored
        raise _subject_taken(session, procedure, key, stored, data) from exc
    reuse.record(session, dossier_id, submission.reuses, now)
    session.commit()
    session.refresh(dossier)
    return dossier


def subject_problem(
    session: Session, procedure: Procedure, draft: Dossier, locked: dict
) -> str | None:
    """The message for a draft whose life event an open dossier already holds (shown at the
    step that names it, before the citizen types more), or None. The citizen, if that
    dossier names them, becomes an informed party of it."""
    data = {**draft.data, **locked}
    key = parties.subject_key(procedure, data, draft.applicant_id)
    found = parties.holder(session, procedure.code, key)
    return None if found is None else _follow(session, procedure, found, draft, data)


def _subject_taken(
    session: Session, procedure: Procedure, key: str | None, draft: Dossier, data: dict
) -> FilingError:
    found = parties.holder(session, procedure.code, key)
    if found is None:  # the other dossier ended meanwhile, or another constraint
        return FilingError(
            "Chưa nộp được hồ sơ vì có một thay đổi cùng lúc. Vui lòng bấm nộp lại; thông tin "
            "bạn đã khai vẫn được giữ."
        )
    return FilingError(_follow(session, procedure, found, draft, data))


def _follow(
    session: Session, procedure: Procedure, found: Dossier, draft: Dossier, data: dict
) -> str:
    """The "already filed" message; the citizen follows the dossier if it names them."""
    name = str(data.get("applicant_full_name") or "")
    if parties.follow_as_informed(session, found, procedure, draft.applicant_id, name):
        session.commit()
    return parties.already_filed_message(session, found, procedure, viewer=draft.applicant_id)


def stored_id(dossier: Dossier) -> int:
    """The id of a dossier read from the database (drafts included), for typed calls."""
    if dossier.id is None:
        raise ValueError("dossier not stored yet")
    return dossier.id


def _stored(session: Session, dossier_id: int | None) -> Dossier:
    """A dossier known to exist (its draft was loaded in this request)."""
    found = session.get(Dossier, dossier_id) if dossier_id is not None else None
    if found is None:
        raise FilingError("Không tìm thấy hồ sơ. Vui lòng tải lại trang.")
    return found


def withdraw(session: Session, dossier: Dossier, applicant_id: str, now: datetime) -> None:
    """A citizen may withdraw a dossier that has not been received yet."""
    try:
        workflow.apply(
            session,
            dossier,
            "withdraw",
            workflow.citizen(applicant_id),
            expected_version=dossier.version,
            note="Công dân rút hồ sơ",
            now=now,
        )
    except workflow.TransitionError as exc:
        session.rollback()
        if str(exc) == workflow.CONFLICT:  # e.g. the other spouse confirmed a moment ago
            raise FilingError(
                "Hồ sơ vừa có thay đổi (ví dụ bên liên quan vừa xác nhận). Vui lòng xem lại "
                "hồ sơ trước khi rút."
            ) from exc
        raise FilingError(
            "Hồ sơ đã được tiếp nhận hoặc đã kết thúc nên không rút được nữa."
        ) from exc
