"""The dossier life cycle: the one module that moves a dossier between statuses
(DESIGN.md "Dossier life cycle"), submission and withdrawal included.

Each action is declared once in services/actions.py (label, button, roles, allowed
statuses, target, note prompt, letter). A transition checks the actor (role and office
for staff, the applicant or a party for a citizen; staff never act on a dossier they filed
or are a party to, and the leader who signs is not the specialist who processed it unless
the office is a one-person office), the current status and the version the actor saw,
then moves the dossier with a guarded UPDATE (WHERE id AND status AND version): of two
people acting at once exactly one wins.
The event (who, when, action, from, to, note) and the citizen's notification are written
in the same transaction; once it commits, the task queue gets the notification's delivery
and, for an approval that writes back, the registry write-back (portal/tasks.py: the rows
are the outbox). Refusals raise TransitionError with a message for people. No Flask here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from portal import tasks
from portal.models import (
    Dossier,
    DossierEvent,
    DossierParty,
    Notification,
    Office,
    ResultDocument,
    Staff,
)
from portal.models.dossiers import Status
from portal.services import appointments, deadlines, offices, payments
from portal.services.actions import (  # noqa: F401 - the declarations, as callers name them
    ACTIONS,
    PARTY_ACTIONS,
    PROCESSING_ACTIONS,
    STAFF_ACTIONS,
    Action,
    ActorKind,
    LetterForm,
)
from portal.services.dossiers import parties_of

CONFLICT = "Hồ sơ đã được cán bộ khác cập nhật; vui lòng tải lại."
REGISTRY_PENDING = (
    "Kết quả chưa được ghi vào CSDLQG về dân cư; hồ sơ được trả kết quả sau khi ghi xong."
)
REGISTRY_REFUSED = (
    "CSDLQG về dân cư đã từ chối ghi kết quả của hồ sơ này; không thể trả kết quả trước khi "
    "ghi được."
)
OWN_DOSSIER = (
    "Bạn không được xử lý hồ sơ do chính mình nộp hoặc mình là một bên liên quan; "
    "hồ sơ phải do cán bộ khác của cơ quan giải quyết."
)
SIGNER_IS_PROCESSOR = (
    "Bạn đã xử lý hồ sơ này nên không thể đồng thời phê duyệt, ký kết quả; "
    "lãnh đạo khác của cơ quan phải ký."
)
ONE_PERSON_NOTE = "Cơ quan một cán bộ: người xử lý đồng thời phê duyệt, ký kết quả."
DRAFT_UNCONFIRMED = (
    "Dự thảo kết quả chưa được người yêu cầu và các bên liên quan xác nhận; hãy gửi dự thảo "
    "và chờ xác nhận (hoặc hết 01 ngày làm việc) trước khi ký."
)
NOT_ATTENDED = (
    "Các bên chưa có mặt tại cơ quan theo lịch hẹn; chỉ trả kết quả sau khi ghi nhận có mặt."
)
DRAFT_LAPSED_NOTE = (
    "Quá 01 ngày làm việc các bên không có ý kiến về dự thảo: coi như đồng ý với dự thảo."
)
PARTIES_LAPSED_NOTE = "Quá hạn mà bên liên quan chưa xác nhận; hồ sơ không được chuyển đến cơ quan."
# A dossier in one of these has ended: it no longer holds its life event (Dossier.open_key).
ENDED = frozenset(
    {
        Status.WITHDRAWN,
        Status.DECLINED,
        Status.REFUSED_RECEPTION,
        Status.REJECTED,
        Status.RETURNED,
    }
)


class TransitionError(Exception):
    """A refused transition; `str(exc)` is a plain Vietnamese message for the actor."""


SYSTEM = "system"  # the task queue's personal id and role on the timeline


@dataclass(frozen=True)
class Actor:
    personal_id: str
    kind: ActorKind
    office_code: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)


def citizen(personal_id: str) -> Actor:
    return Actor(personal_id, "citizen")


def party(personal_id: str) -> Actor:
    """A citizen acting as a party (confirming, answering the draft, moving the
    appointment); the same person as `citizen`, checked against the dossier's parties."""
    return Actor(personal_id, "party")


def system() -> Actor:
    return Actor(SYSTEM, "system")


def staff_actor(session: Session, personal_id: str) -> Actor | None:
    """The staff member with this personal ID, or None if they are not staff."""
    row = session.get(Staff, personal_id)
    if row is None:
        return None
    return Actor(personal_id, "staff", row.office_code, row.role_set)


def involved_ids(session: Session, dossier: Dossier) -> set[str]:
    """The people a dossier is about or filed by: no staff member among them may act on it."""
    return {dossier.applicant_id} | {p.personal_id for p in parties_of(session, dossier)}


def allowed_actions(
    session: Session,
    dossier: Dossier,
    actor: Actor,
    today: date | None = None,
    procedure=None,
    names: Sequence[str] = STAFF_ACTIONS,
) -> list[str]:
    """The actions among `names` (the staff's by default) `actor` may try on `dossier` now,
    for buttons; apply() re-checks. `procedure` lets the procedure's own steps (draft
    confirmation, presence) show where they apply."""
    day = today or deadlines.today()
    return [
        name
        for name in names
        if dossier.status in ACTIONS[name].sources
        and _refusal(session, dossier, actor, ACTIONS[name], day, procedure) is None
    ]


def _refusal(
    session: Session, dossier: Dossier, actor: Actor, a: Action, today: date, procedure=None
) -> str | None:
    """Why `actor` may not take `a` on `dossier` as it stands, or None."""
    if a.actor == "system":
        return None if actor.kind == "system" else f"Bạn không có quyền {a.label} hồ sơ."
    if a.actor == "citizen":
        if actor.kind != "citizen" or actor.personal_id != dossier.applicant_id:
            return f"Bạn không có quyền {a.label} hồ sơ này: chỉ người nộp hồ sơ mới làm được."
        return None
    if a.actor in ("party", "co_party"):
        return _party_refusal(session, dossier, actor, a, today)
    if actor.kind != "staff":
        return f"Bạn không có quyền {a.label} hồ sơ: việc này do cán bộ cơ quan giải quyết làm."
    elsewhere = offices.office_refusal(session, dossier, actor.office_code, a.name)
    if elsewhere:  # another office's turn: the receiving point receives, the body processes
        return f"Bạn không có quyền {a.label} hồ sơ này: {elsewhere}"
    if a.role_for(dossier) not in actor.roles:
        return f"Bạn không có quyền {a.label} hồ sơ: bạn chưa được giao vai trò này."
    if actor.personal_id in involved_ids(session, dossier):
        return OWN_DOSSIER
    return _state_refusal(session, dossier, actor, a, today, procedure)


def _party_refusal(
    session: Session, dossier: Dossier, actor: Actor, a: Action, today: date
) -> str | None:
    """A party's own actions: only a party named on the dossier, each answer once."""
    if actor.kind not in ("citizen", "party"):
        return f"Bạn không có quyền {a.label} hồ sơ này."
    row = next(
        (p for p in parties_of(session, dossier) if p.personal_id == actor.personal_id), None
    )
    if row is None:
        return f"Bạn không có quyền {a.label} hồ sơ này: bạn không phải là một bên của hồ sơ."
    return _answer_refusal(dossier, row, a, today)


def _answer_refusal(dossier: Dossier, row: DossierParty, a: Action, today: date) -> str | None:
    if a.actor == "co_party":
        if row.consent != "required":
            return "Hồ sơ này không cần bạn xác nhận."
        if row.answer is not None:
            return "Bạn đã trả lời yêu cầu xác nhận hồ sơ này; không thể trả lời lại."
        if row.answer_by and today > row.answer_by:
            return f"Đã quá hạn xác nhận ({row.answer_by:%d/%m/%Y})."
    if a.name in ("confirm_draft", "request_correction"):
        if row.consent not in ("applicant", "required"):
            return "Dự thảo kết quả do người yêu cầu và các bên phải xác nhận trả lời."
        if row.draft_answer is not None:
            return "Bạn đã trả lời về dự thảo kết quả này; không thể trả lời lại."
    if a.name == "move_appointment" and dossier.appointment_moved:
        return "Lịch hẹn chỉ được đổi một lần."
    return None


def _state_refusal(
    session: Session, dossier: Dossier, actor: Actor, a: Action, today: date, procedure=None
) -> str | None:
    """Refusals that depend on the dossier's history and procedure, not on who acts."""
    refusal = _procedure_refusal(dossier, a, procedure)
    if refusal:
        return refusal
    if a.name in ("request_supplement", "extend"):
        return _clock_refusal(session, dossier, a, today)
    if a.name == "approve" and _processed_by(session, dossier, actor.personal_id):
        if not _one_person_office(session, dossier):
            return SIGNER_IS_PROCESSOR
    if a.name == "record_attendance" and dossier.appointment_at:
        if deadlines.to_local(dossier.appointment_at).date() > today:
            return "Chỉ ghi nhận có mặt từ ngày hẹn trở đi."
    if a.name == "revoke" and not _has_live_result(session, dossier):
        return "Hồ sơ không có kết quả còn hiệu lực để thu hồi."
    return None


def _clock_refusal(session: Session, dossier: Dossier, a: Action, today: date) -> str | None:
    """The limits on stopping and moving the clock: one supplement during processing, one
    extension, before the due date."""
    if a.name == "request_supplement" and dossier.status == Status.PROCESSING:
        if _count(session, dossier, "request_supplement", from_status=Status.PROCESSING):
            return "Trong quá trình xử lý chỉ được yêu cầu bổ sung hồ sơ một lần."
    if a.name == "extend":
        if dossier.extended:
            return "Hồ sơ đã được gia hạn một lần; không thể gia hạn thêm."
        if dossier.due_date and today >= dossier.due_date:
            return (
                "Phiếu xin lỗi và hẹn lại ngày trả (Mẫu 04) phải được gửi trước ngày hẹn trả "
                f"({dossier.due_date:%d/%m/%Y}); hồ sơ đã đến hoặc quá hạn."
            )
    return None


def _procedure_refusal(dossier: Dossier, a: Action, procedure) -> str | None:
    """The procedure's own steps: a draft to confirm (hộ tịch), a presence to record. No
    procedure given: it has neither (callers that approve always pass it)."""
    draft = bool(procedure and procedure.draft_confirmation)
    in_person = bool(procedure and procedure.in_person is not None)
    if a.name == "send_draft" and not draft:
        return "Thủ tục này không cần gửi dự thảo kết quả."
    if a.name == "schedule" and (not in_person or dossier.attended_at):
        return "Thủ tục này không cần hẹn có mặt hoặc các bên đã có mặt."
    if a.name == "approve":
        if draft and dossier.draft_confirmed_at is None:
            return DRAFT_UNCONFIRMED
        if in_person and dossier.attended_at is None:
            return NOT_ATTENDED
    return None


def _has_live_result(session: Session, dossier: Dossier) -> bool:
    return (
        session.exec(
            select(ResultDocument.id).where(
                ResultDocument.dossier_id == dossier.id,
                col(ResultDocument.revoked_at).is_(None),
            )
        ).first()
        is not None
    )


def _count(session: Session, dossier: Dossier, action: str, from_status: Status) -> int:
    return session.exec(
        select(func.count())
        .select_from(DossierEvent)
        .where(
            col(DossierEvent.dossier_id) == dossier.id,
            col(DossierEvent.action) == action,
            col(DossierEvent.from_status) == from_status,
        )
    ).one()


def _processed_by(session: Session, dossier: Dossier, personal_id: str) -> bool:
    return (
        session.exec(
            select(DossierEvent.id).where(
                col(DossierEvent.dossier_id) == dossier.id,
                col(DossierEvent.actor_id) == personal_id,
                col(DossierEvent.action).in_(PROCESSING_ACTIONS),
            )
        ).first()
        is not None
    )


def _one_person_office(session: Session, dossier: Dossier) -> bool:
    office = session.get(Office, dossier.office_code) if dossier.office_code else None
    return bool(office and office.one_person)


def _note_text(note: str | Sequence[str] | None) -> str | None:
    """A note as text; a list (e.g. the missing items of a supplement) becomes numbered lines."""
    if note is None:
        return None
    if not isinstance(note, str):
        items = [i.strip() for i in note if i and i.strip()]
        note = "\n".join(f"{n}. {item}" for n, item in enumerate(items, 1))
    return note.strip() or None


def _load(session: Session, dossier: Dossier | str | int) -> Dossier:
    if isinstance(dossier, Dossier):
        dossier_id = dossier.id
    elif isinstance(dossier, int):
        dossier_id = dossier
    else:
        dossier_id = session.exec(select(Dossier.id).where(Dossier.code == dossier)).first()
    found = session.get(Dossier, dossier_id) if dossier_id is not None else None
    if found is None:
        raise TransitionError("Không tìm thấy hồ sơ.")
    session.refresh(found)  # the actor's decision is checked against the stored row
    return found


def apply(
    session: Session,
    dossier: Dossier | str | int,
    action: str,
    actor: Actor,
    *,
    expected_version: int,
    note: str | Sequence[str] | None = None,
    now: datetime,
    working_days: int | None = None,
    calendar_days: bool = False,
    new_due_date: date | None = None,
    writes_back: bool = False,
    values: dict | None = None,
    commit: bool = True,
    procedure=None,
    appointment: tuple[datetime, str] | None = None,
    delivery_ref: str | None = None,
) -> Dossier:
    """Apply `action` to the dossier (object, code or id) as `actor`, who saw
    `expected_version`. `working_days` is needed by receive and resubmit (due date;
    counted in calendar days when `calendar_days`),
    `new_due_date` by extend, `appointment` (when, UTC, and where) by schedule and
    move_appointment; `writes_back` tells approve that the result must still reach the
    population registry first; `procedure` brings the procedure's own steps (draft
    confirmation, presence) into the checks; `delivery_ref` is the postal item number return
    records for a paper result sent by post; `values` are further columns the caller sets
    with the move (submit: code, office, fee…). Commits on success unless `commit` is
    False; raises TransitionError otherwise."""
    a = ACTIONS.get(action)
    if a is None:
        raise TransitionError("Thao tác không hợp lệ.")
    current = _load(session, dossier)
    assert current.id is not None  # loaded from the database
    _check(session, current, actor, a, expected_version, deadlines.to_local(now).date(), procedure)
    text = _note_text(note)
    if a.note_label and not text:
        raise TransitionError(a.note_prompt or a.note_label)
    changes = {
        **_changes(action, current, now, (working_days, calendar_days), new_due_date, writes_back),
        **_step_changes(action, current, now, appointment),
        **(values or {}),
    }
    if action == "approve" and _processed_by(session, current, actor.personal_id):
        text = "\n".join(t for t in (text, ONE_PERSON_NOTE) if t)
    text = _handover(action, current, delivery_ref, now, changes, text)
    text = text or _system_note(action)
    source = Status(current.status)  # the ORM update below refreshes `current`
    due_before = current.due_date
    # The target reads the columns the action sets (submit: the fee, so whether to pay first).
    target = a.target_for(session, current.model_copy(update=changes), actor)
    changes.update(_by_target(action, target, now))

    guard = update(Dossier).where(
        col(Dossier.id) == current.id,
        col(Dossier.status) == source,
        col(Dossier.version) == expected_version,
    )
    if action == "extend":
        guard = guard.where(col(Dossier.extended) == False)  # noqa: E712 - SQL expression
    if action == "move_appointment":
        guard = guard.where(col(Dossier.appointment_moved) == False)  # noqa: E712
    moved = session.exec(
        guard.values(status=target, version=Dossier.version + 1, updated_at=now, **changes)
    ).rowcount
    if moved != 1:
        session.rollback()
        raise TransitionError(CONFLICT)

    role = _event_role(a, current)
    session.add(
        DossierEvent(
            dossier_id=current.id,
            at=now,
            actor_id=actor.personal_id,
            actor_role=role,
            action=action,
            from_status=source,
            to_status=target,
            note=text,
            due_before=due_before if "due_date" in changes else None,
            due_after=changes.get("due_date"),
        )
    )
    _answer_as_party(session, current, action, actor, text, now)
    _notify(session, current, actor, _notice(action, current, target, text, changes), now)
    _owed(session, current, action, target, changes, text or a.label, now)
    if commit:
        session.commit()
        session.refresh(current)
    return current


def _owed(
    session: Session,
    dossier: Dossier,
    action: str,
    target: Status,
    changes: dict,
    text: str,
    now: datetime,
) -> None:
    """What the move owes once it commits (the rows are the outbox): the registry's
    write-back of an approval, the refund of a fee paid for a dossier that ends unreceived."""
    if changes.get("registry_sync") == "pending":
        tasks.after_commit(session, tasks.write_back_dossier, dossier.id)
    if target in (Status.REFUSED_RECEPTION, Status.WITHDRAWN) and action != "refund":
        payments.owe_refund(session, dossier, text, now)


def _check(
    session: Session,
    current: Dossier,
    actor: Actor,
    a: Action,
    expected_version: int,
    today: date,
    procedure=None,
) -> None:
    if current.version != expected_version:
        raise TransitionError(CONFLICT)
    if current.status not in a.sources:
        raise TransitionError(
            f"Không thể {a.label} hồ sơ đang ở trạng thái “{Status(current.status).label}”."
        )
    refusal = _refusal(session, current, actor, a, today, procedure)
    if refusal:
        raise TransitionError(refusal)


def _event_role(a: Action, dossier: Dossier) -> str:
    if a.actor == "staff":
        role = a.role_for(dossier)
        assert role is not None  # every staff action names its role
        return role
    if a.actor == "system":
        return SYSTEM
    return "citizen"


def _system_note(action: str) -> str | None:
    return {"draft_lapsed": DRAFT_LAPSED_NOTE, "parties_lapsed": PARTIES_LAPSED_NOTE}.get(action)


def _answer_as_party(
    session: Session, dossier: Dossier, action: str, actor: Actor, note: str | None, now: datetime
) -> None:
    """Record a party's answer on their row (the event records it on the timeline)."""
    if action == "send_draft":  # a new draft: every earlier answer is void
        for row in parties_of(session, dossier):
            row.draft_answer, row.draft_answered_at = None, None
            session.add(row)
        return
    answers = {  # action -> (column, its time column, value)
        "confirm_party": ("answer", "answered_at", "confirmed"),
        "decline_party": ("answer", "answered_at", "declined"),
        "confirm_draft": ("draft_answer", "draft_answered_at", "confirmed"),
        "request_correction": ("draft_answer", "draft_answered_at", "correction"),
    }
    if action not in answers:
        return
    column, at_column, value = answers[action]
    row = next(p for p in parties_of(session, dossier) if p.personal_id == actor.personal_id)
    setattr(row, column, value)
    setattr(row, at_column, now)
    if action == "decline_party":
        row.reason = note
    session.add(row)


def _notify(session: Session, dossier: Dossier, actor: Actor, text: str, now: datetime) -> None:
    """Tell everyone the dossier is about, except whoever acted (their page says it)."""
    assert dossier.id is not None  # loaded from the database
    for personal_id in sorted(involved_ids(session, dossier) - {actor.personal_id}):
        notification = Notification(
            personal_id=personal_id, dossier_id=dossier.id, created_at=now, text=text
        )
        session.add(notification)
        session.flush()  # the notification's id, for its delivery task
        tasks.after_commit(session, tasks.deliver_notification, notification.id)


def _changes(
    action: str,
    dossier: Dossier,
    now: datetime,
    time: tuple[int | None, bool],
    new_due_date: date | None,
    writes_back: bool = False,
) -> dict:
    """The columns an action sets besides status, version and updated_at; `time` is the
    processing time (days, counted in calendar days?)."""
    if action == "receive":
        due = deadlines.due_date(now, _needed(action, time[0]), calendar=time[1])
        return {"received_at": now, "due_date": due, "original_due_date": due}
    if action in ("resubmit", "cancel_supplement"):
        return _after_supplement(action, dossier, now, time)
    if action == "request_supplement":
        return {"paused_at": now}
    if action == "approve":
        return _approval(now, writes_back)
    if action == "reject":
        return {"decided_at": now}
    if action == "return":
        return _return(dossier, now)
    if action == "extend":
        return _extension(dossier, new_due_date)
    if action == "submit":
        return {"submitted_at": now, "draft_key": None}
    return {}


def _by_target(action: str, target: Status, now: datetime) -> dict:
    """Columns that follow from where the dossier goes."""
    if target == Status.PROCESSING and action in ("confirm_draft", "draft_lapsed"):
        return {"draft_confirmed_at": now}  # the last answer, or silence, confirmed it
    if target in ENDED:
        return {"open_key": None}  # the life event is free for a new dossier
    return {}


def _step_changes(
    action: str, dossier: Dossier, now: datetime, appointment: tuple[datetime, str] | None
) -> dict:
    """The columns of the procedure's own steps: the draft, the appointment, attendance."""
    if action == "send_draft":
        answer_by = deadlines.add_working_days(deadlines.to_local(now).date(), 1)
        return {"draft_sent_at": now, "draft_answer_by": answer_by, "draft_confirmed_at": None}
    if action == "request_correction":
        return {"draft_confirmed_at": None}
    if action in ("schedule", "move_appointment"):
        if appointment is None:
            raise TransitionError("Vui lòng chọn ngày, giờ và nơi có mặt.")
        at, place = appointment
        problem = appointments.problem(at, now, place)
        if problem:
            raise TransitionError(problem)
        values = {"appointment_at": at, "appointment_place": place.strip()}
        return {**values, "appointment_moved": True} if action == "move_appointment" else values
    if action == "record_attendance":
        return {"attended_at": now}
    if action == "registry_refused":
        return {"decided_at": None}
    return {}


def _needed(action: str, working_days: int | None) -> int:
    if working_days is None:
        raise ValueError(f"{action} needs working_days to compute the due date")
    return working_days


def _after_supplement(
    action: str, dossier: Dossier, now: datetime, time: tuple[int | None, bool]
) -> dict:
    """Back from a supplement request. At reception the clock had not started. During
    processing a complete supplement restarts the full time from zero; a cancelled request
    gives back the working days the clock stood still."""
    if dossier.received_at is None:
        return {"paused_at": None}
    if action == "resubmit":
        due = deadlines.restart_due_date(now, _needed(action, time[0]), calendar=time[1])
        return {"paused_at": None, "due_date": due, "original_due_date": due}
    if dossier.due_date is None or dossier.paused_at is None:
        return {"paused_at": None}
    paused = deadlines.working_days_between(
        deadlines.to_local(dossier.paused_at).date(), deadlines.to_local(now).date()
    )
    due = deadlines.add_working_days(dossier.due_date, max(paused, 0))
    return {"paused_at": None, "due_date": due, "original_due_date": due}


def _approval(now: datetime, writes_back: bool) -> dict:
    """An approval that writes back leaves the write pending: the outbox the task queue
    reads after the commit."""
    if not writes_back:
        return {"decided_at": now, "registry_sync": None}
    return {
        "decided_at": now,
        "registry_sync": "pending",
        "registry_attempts": 0,
        "registry_next_at": now,
        "registry_error_status": None,
        "registry_error": None,
    }


def _return(dossier: Dossier, now: datetime) -> dict:
    """The result is returned only once the registry has it."""
    if dossier.registry_sync == "pending":
        raise TransitionError(REGISTRY_PENDING)
    if dossier.registry_sync == "refused":
        raise TransitionError(REGISTRY_REFUSED)
    return {"returned_at": now}


def _handover(
    action: str, dossier: Dossier, ref: str | None, now: datetime, changes: dict, text: str | None
) -> str | None:
    """At return, what was handed over (services/delivery.py): the paper given at the desk
    or the postal item sent, added to `changes` and to the timeline's note."""
    if action != "return":
        return text
    from portal.services import delivery  # only the return step reads it

    try:
        handed, note = delivery.handover(dossier, ref, now)
    except ValueError as exc:  # a paper result by post needs its postal item number
        raise TransitionError(str(exc)) from exc
    changes.update(handed)
    return "\n".join(t for t in (text, note) if t) or None


def _extension(dossier: Dossier, new_due_date: date | None) -> dict:
    """Extend once, to a later date; the original appointment stays for the statistics."""
    if new_due_date is None or (dossier.due_date and new_due_date <= dossier.due_date):
        shown = dossier.due_date.strftime("%d/%m/%Y") if dossier.due_date else "hiện tại"
        raise TransitionError(f"Ngày hẹn trả mới phải sau ngày hẹn cũ ({shown}).")
    return {"extended": True, "due_date": new_due_date}


def _notice(action: str, dossier: Dossier, target: Status, note: str | None, values: dict) -> str:
    """The citizen's notification text."""
    text = f"Hồ sơ {dossier.code}: {target.label}."
    if action == "extend":
        text = f"Hồ sơ {dossier.code} được hẹn lại ngày trả kết quả."
    if "due_date" in values and values["due_date"] is not None:
        text += f" Ngày hẹn trả kết quả: {values['due_date'].strftime('%d/%m/%Y')}."
    if note:
        text += f"\n{note}"
    return text


def letter_of(event: DossierEvent) -> LetterForm | None:
    """The one-stop form the event produced, or None."""
    a = ACTIONS.get(event.action or "")
    return a.letter if a else None
