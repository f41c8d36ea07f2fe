"""One life event, one open dossier; the people a dossier names and their consent
(DESIGN.md "Parties, subjects and representation").

- `subject_key`: what a dossier is about ("birth_notice:GCS-…", "couple:<id>+<id>"), from
  the procedure's `subject`; filing stores it as Dossier.subject_key and, while the dossier
  is open, as Dossier.open_key, which the database keeps unique per procedure
  (`uq_dossier_open_subject`): whoever files second is told who filed first.
- `party_rows`: the applicant and every person a procedure's `parties` name, written at
  submission (the workflow sends a dossier with required parties to `awaiting_parties`).
- `answer`: a co-party confirms or declines; on a confirmation the other person has now
  consented, so the portal reads their registry data (audited by the registry) and fills
  the `partner.*` fields the applicant could not see before (`after_consent`).
- `lapse_overdue`: the task queue's sweep of answers that did not come in time.

Plain functions taking a session; no Flask here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from common.web import normalize_text, text_problem
from portal.models import Citizen, Dossier, DossierParty
from portal.models.dossiers import Status
from portal.services import deadlines, dossiers, eligibility, prefill, workflow
from procedures.schema import Procedure

APPLICANT = "applicant"
DECISIONS = ("confirm", "decline")
REASON_MAX = 500  # DossierParty.reason
NEEDS_REASON = "Vui lòng ghi lý do bạn không đồng ý với hồ sơ."
NEEDS_DECISION = "Vui lòng chọn xác nhận hoặc không đồng ý."
NOT_FOUND = "Không tìm thấy hồ sơ."
# (the dossier's applicant's registry record, the confirming party's own record): read by
# the caller before anything is written (HTTP never runs inside the transaction).
ConsentRecords = Callable[[], tuple[dict, dict]]


class PartyError(Exception):
    """An answer refused; `messages` are for the person answering (Vietnamese)."""

    def __init__(self, *messages: str, field: str | None = None) -> None:
        super().__init__("; ".join(messages))
        self.messages = list(messages)
        self.field = field  # the form field the message belongs next to ("reason")


# --- the subject ------------------------------------------------------------------------


def subject_key(procedure: Procedure, data: dict, applicant_id: str) -> str | None:
    """ "<kind>:<value>[+<value>]" (values sorted: the couple is one subject whichever spouse
    files); kind "applicant": the applicant's number; "request", or a subject whose fields
    are still empty: None (no lock)."""
    kind = procedure.subject.kind
    if kind == "request":
        return None
    if kind == "applicant":
        return f"{APPLICANT}:{applicant_id}"
    values = sorted(str(data.get(name) or "").strip() for name in procedure.subject.fields)
    if not all(values):
        return None
    return f"{kind}:{'+'.join(values)}"[:64]


def subject_step(procedure: Procedure) -> str | None:
    """The filing step at which the subject is known (the step of its last field; the
    first step when the subject is the applicant); None when there is no subject."""
    steps = procedure.steps_in_order()
    if procedure.subject.kind == "request" or not steps:
        return None
    if not procedure.subject.fields:
        return steps[0]
    step_of = {f.name: f.step for f in procedure.fields}
    return max((step_of[name] for name in procedure.subject.fields), key=steps.index)


def holder(session: Session, procedure_code: str, key: str | None) -> Dossier | None:
    """The open dossier holding the subject `key`, if any."""
    if key is None:
        return None
    return session.exec(
        select(Dossier).where(Dossier.procedure_code == procedure_code, Dossier.open_key == key)
    ).first()


def filer_name(session: Session, dossier: Dossier) -> str:
    """Who filed the dossier, by name (the applicant's party row, else their account)."""
    row = session.exec(
        select(DossierParty).where(
            DossierParty.dossier_id == dossier.id, DossierParty.consent == APPLICANT
        )
    ).first()
    if row is not None and row.full_name:
        return row.full_name
    citizen = session.get(Citizen, dossier.applicant_id)
    return citizen.full_name if citizen else dossier.applicant_id


def already_filed_message(
    session: Session, dossier: Dossier, procedure: Procedure, *, viewer: str | None = None
) -> str:
    """For a citizen (`viewer`) whose dossier is about a life event another open dossier
    holds: who filed it, its code and its status."""
    who = "chính bạn" if viewer == dossier.applicant_id else filer_name(session, dossier)
    return (
        f"Việc này đã có hồ sơ “{procedure.name}” đang được giải quyết: hồ sơ "
        f"{dossier.code}, do {who} nộp, trạng thái "
        f"“{Status(dossier.status).label}”. Mỗi sự kiện chỉ có một hồ sơ; bạn không cần nộp "
        "thêm. Nếu bạn có tên trong hồ sơ đó, bạn theo dõi hồ sơ tại trang cá nhân."
    )


def follow_as_informed(
    session: Session, dossier: Dossier, procedure: Procedure, personal_id: str, full_name: str
) -> bool:
    """Add `personal_id` to the dossier as an informed party when the dossier names them
    (a personal-ID field holds their number) and they are not a party yet; True if added.
    The caller commits."""
    named = any(
        f.type == "personal_id" and dossier.data.get(f.name) == personal_id
        for f in procedure.fields
    )
    if not named or dossier.applicant_id == personal_id:
        return False
    if dossiers.party_row(session, dossier, personal_id) is not None:
        return False
    assert dossier.id is not None  # a stored dossier
    session.add(
        DossierParty(
            dossier_id=dossier.id,
            personal_id=personal_id,
            full_name=full_name[:255],
            role="informed",
            consent="informed",
        )
    )
    return True


# --- the parties --------------------------------------------------------------------------


def _name_of(procedure: Procedure, data: dict, id_field: str, index: int, names: list[str]):
    """A party's name: their name field (same order as the ID fields), else the registry's
    locked name next to the number ("father_personal_id" → "father_full_name")."""
    if index < len(names):
        return str(data.get(names[index]) or "")
    return str(data.get(id_field.replace("personal_id", "full_name")) or "")


def party_rows(
    procedure: Procedure, data: dict, applicant_id: str, applicant_name: str, today: date
) -> list[DossierParty]:
    """The rows of a submission (dossier_id left for the caller): the applicant first, then
    each value of a party's fields that is not the applicant (each person once)."""
    rows = [
        DossierParty(
            dossier_id=0,
            personal_id=applicant_id,
            full_name=applicant_name[:255],
            role=APPLICANT,
            consent=APPLICANT,
        )
    ]
    seen = {applicant_id}
    for party in procedure.parties:
        for index, field in enumerate(party.fields):
            number = str(data.get(field) or "").strip()
            if not number or number in seen:
                continue
            seen.add(number)
            required = party.consent == "required"
            rows.append(
                DossierParty(
                    dossier_id=0,
                    personal_id=number,
                    full_name=_name_of(procedure, data, field, index, party.name_fields)[:255],
                    role=party.role,
                    consent=party.consent,
                    answer_by=(
                        deadlines.add_working_days(today, party.answer_within_working_days)
                        if required
                        else None
                    ),
                )
            )
    return rows


def add_parties(
    session: Session, dossier: Dossier, procedure: Procedure, data: dict, today: date
) -> list[DossierParty]:
    """Write the submission's party rows (flushed: the submit's target depends on them)."""
    assert dossier.id is not None  # a stored draft
    name = str(data.get("applicant_full_name") or "")
    if not name:
        citizen = session.get(Citizen, dossier.applicant_id)
        name = citizen.full_name if citizen else ""
    rows = party_rows(procedure, data, dossier.applicant_id, name, today)
    for row in rows:
        row.dossier_id = dossier.id
        session.add(row)
    session.flush()
    return rows


def role_label(procedure: Procedure | None, row: DossierParty) -> str:
    """What the person is to the dossier, for their dashboard."""
    if row.consent == APPLICANT:
        return "Người nộp hồ sơ"
    party = next((p for p in procedure.parties if p.role == row.role), None) if procedure else None
    return party.label if party else "Người có tên trong hồ sơ"


@dataclass(frozen=True)
class Part:
    """A person's part in a dossier they did not file, for their dashboard."""

    row: DossierParty
    label: str  # "Bên kết hôn còn lại"
    pending: bool  # their confirmation is awaited, and still in time
    filed_by: str = ""  # the applicant's name

    @property
    def text(self) -> str:
        """ "Bên kết hôn còn lại — cần xác nhận trước dd/mm/yyyy" and the like."""
        row = self.row
        if self.pending:
            by = f" trước {row.answer_by:%d/%m/%Y}" if row.answer_by else ""
            return f"{self.label} — cần xác nhận{by}"
        if row.answer == "confirmed":
            return f"{self.label} — đã xác nhận"
        if row.answer == "declined":
            return f"{self.label} — đã không đồng ý"
        if row.consent == "required":
            return f"{self.label} — chưa xác nhận"
        return f"{self.label} — được thông báo"


def parts_of(
    session: Session,
    personal_id: str,
    found: list[Dossier],
    procedures: Callable[[str], Procedure | None],
    today: date,
) -> dict[int, Part]:
    """Dossier id → the person's part, for the dossiers in `found` they are a party to but
    did not file (`procedures`: code → procedure, for the parties' labels)."""
    ids = [d.id for d in found if d.applicant_id != personal_id and d.id is not None]
    if not ids:
        return {}
    rows = session.exec(
        select(DossierParty).where(
            DossierParty.personal_id == personal_id, col(DossierParty.dossier_id).in_(ids)
        )
    ).all()
    filers = session.exec(
        select(DossierParty).where(
            DossierParty.consent == APPLICANT, col(DossierParty.dossier_id).in_(ids)
        )
    ).all()
    filed_by = {r.dossier_id: r.full_name for r in filers}
    status = {d.id: d.status for d in found}
    code_of = {d.id: d.procedure_code for d in found}
    parts = {}
    for row in rows:
        pending = (
            row.consent == "required"
            and row.answer is None
            and status[row.dossier_id] == Status.AWAITING_PARTIES
            and (row.answer_by is None or today <= row.answer_by)
        )
        label = role_label(procedures(code_of[row.dossier_id]), row)
        parts[row.dossier_id] = Part(row, label, pending, filed_by.get(row.dossier_id, ""))
    return parts


# --- answering ------------------------------------------------------------------------------


def _load(session: Session, dossier: Dossier | str) -> Dossier:
    if isinstance(dossier, Dossier):
        found = session.get(Dossier, dossier.id) if dossier.id is not None else None
    else:
        found = session.exec(select(Dossier).where(Dossier.code == dossier)).first()
    if found is None:
        raise PartyError(NOT_FOUND)
    session.refresh(found)
    return found


def _clean_reason(decision: str, reason: str | None) -> str | None:
    text = normalize_text(reason or "", multiline=True)
    if decision == "confirm":
        return text or None
    if not text:
        raise PartyError(NEEDS_REASON, field="reason")
    problem = text_problem(text, label="Lý do", max_length=REASON_MAX, multiline=True)
    if problem:
        raise PartyError(problem, field="reason")
    return text


def answer(
    session: Session,
    dossier: Dossier | str,
    personal_id: str,
    decision: str,
    reason: str | None,
    now: datetime,
    *,
    procedure: Procedure | None = None,
    records: ConsentRecords | None = None,
) -> Dossier:
    """A co-party's answer to a dossier that awaits them (the confirm page's one call).

    `dossier`: the object or its code; `decision`: "confirm" or "decline"; `reason`: needed
    to decline (PartyError with field "reason" otherwise; at most 500 characters), an
    optional note to confirm. Who may answer, once, before their deadline, is the workflow's
    rule (confirm_party / decline_party as workflow.party(personal_id)): a refusal raises
    PartyError with its message, and nothing changes.

    On "confirm", with `records` (a function returning the applicant's registry record and
    the confirming party's own, read before anything is written) and a procedure whose
    other person's details wait for consent (marriage), the eligibility rules are checked
    again with both real records and the party's `partner.*` values are filled into
    dossier.data (`after_consent`), so the office and the parties see them from now on. A
    failed rule refuses the confirmation (PartyError with the rule's sentences, which spell
    out only the confirming party's own data) and nothing changes: they may decline instead.
    Commits on success and returns the dossier."""
    if decision not in DECISIONS:
        raise PartyError(NEEDS_DECISION, field="decision")
    current = _load(session, dossier)
    note = _clean_reason(decision, reason)
    action = "confirm_party" if decision == "confirm" else "decline_party"
    actor = workflow.party(personal_id)
    today = deadlines.to_local(now).date()
    if not workflow.allowed_actions(session, current, actor, today, procedure, names=(action,)):
        _apply(session, current, action, actor, note, now, procedure)  # raises the reason
        session.rollback()  # allowed after all (a race): let them try again
        raise PartyError(workflow.CONFLICT)
    consent_data = records() if decision == "confirm" and records and _needs(procedure) else None
    moved = _apply(session, current, action, actor, note, now, procedure)
    if consent_data is not None and procedure is not None:
        problems = after_consent(session, moved, procedure, *consent_data, today=today)
        if problems:
            session.rollback()
            raise PartyError(*problems)
    session.commit()
    session.refresh(moved)
    return moved


def _needs(procedure: Procedure | None) -> bool:
    """Whether a confirmation unlocks the other person's details (marriage)."""
    return bool(
        procedure and procedure.partner_field and procedure.partner_details == "after_consent"
    )


def _apply(session, dossier, action, actor, note, now, procedure) -> Dossier:
    try:
        return workflow.apply(
            session,
            dossier,
            action,
            actor,
            expected_version=dossier.version,
            note=note,
            now=now,
            procedure=procedure,
            commit=False,
        )
    except workflow.TransitionError as exc:
        session.rollback()
        raise PartyError(str(exc)) from exc


def after_consent(
    session: Session,
    dossier: Dossier,
    procedure: Procedure,
    applicant_record: dict,
    party_record: dict,
    *,
    today: date,
) -> list[str]:
    """The other person consented: check the procedure's eligibility with both real records
    and fill the `partner.*` fields into dossier.data (added to the caller's transaction).

    The rules run from the consenting party's side (their record as "applicant"), so what a
    failure spells out is their own data; the applicant's part stays general. Returns the
    failures ([]: filled). A record that is not the party the dossier names fills nothing."""
    named = dossier.data.get(procedure.partner_field or "")
    own = ((party_record.get("personal_id") or {}).get("value")) if party_record else None
    if not named or own != named:
        return []
    context = eligibility.FilingContext(
        applicant=party_record, partner=applicant_record, form=dossier.data, today=today
    )
    problems = eligibility.check(procedure.eligibility, context)
    if problems:
        return problems
    sources = prefill.Sources(applicant_record, party_record, partner_shown=True)
    filled = {
        f.name: prefill.resolve(f.prefill, sources)
        for f in procedure.fields
        if f.prefill and prefill.is_partner_field(f)
    }
    dossier.data = {**dossier.data, **filled}
    session.add(dossier)
    return []


# --- deadlines ------------------------------------------------------------------------------


def _overdue_parties(session: Session, today: date, limit: int) -> list[Dossier]:
    late = (
        select(DossierParty.dossier_id)
        .where(
            DossierParty.consent == "required",
            col(DossierParty.answer).is_(None),
            col(DossierParty.answer_by) < today,
        )
        .distinct()
    )
    return list(
        session.exec(
            select(Dossier)
            .where(Dossier.status == Status.AWAITING_PARTIES, col(Dossier.id).in_(late))
            .order_by(col(Dossier.id))
            .limit(limit)
        ).all()
    )


def _overdue_drafts(session: Session, today: date, limit: int) -> list[Dossier]:
    return list(
        session.exec(
            select(Dossier)
            .where(
                Dossier.status == Status.AWAITING_CONFIRMATION,
                col(Dossier.draft_answer_by) < today,
            )
            .order_by(col(Dossier.id))
            .limit(limit)
        ).all()
    )


def lapse_overdue(session: Session, now: datetime, limit: int = 200) -> int:
    """Close what waited past its day: an awaiting_parties dossier whose required party did
    not answer by their last day goes to declined (parties_lapsed); a draft result nobody
    answered by its last day counts as confirmed (draft_lapsed → processing). Each through
    the workflow as the system; one that moved meanwhile is left alone. Returns how many
    moved."""
    today = deadlines.to_local(now).date()
    moved = 0
    for action, found in (
        ("parties_lapsed", _overdue_parties(session, today, limit)),
        ("draft_lapsed", _overdue_drafts(session, today, limit)),
    ):
        for dossier in found:
            try:
                workflow.apply(
                    session,
                    dossier,
                    action,
                    workflow.system(),
                    expected_version=dossier.version,
                    now=now,
                )
            except workflow.TransitionError:
                session.rollback()  # someone answered or acted a moment ago
                continue
            moved += 1
    return moved
