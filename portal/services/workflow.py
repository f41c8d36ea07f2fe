"""The dossier life cycle: the one module that moves a dossier between statuses
(DESIGN.md "Dossier life cycle"), submission and withdrawal included.

Each action is declared once in ACTIONS (label, button, roles, allowed statuses, target,
note prompt, letter). A transition checks the actor (role and office for staff, the
applicant for a citizen; staff never act on a dossier they filed, and the leader who signs
is not the specialist who processed it unless the office is a one-person office), the
current status and the version the actor saw, then moves the dossier with a guarded
UPDATE (WHERE id AND status AND version): of two people acting at once exactly one wins.
The event (who, when, action, from, to, note) and the citizen's notification are written
in the same transaction; once it commits, the task queue gets the notification's delivery
and, for an approval that writes back, the registry write-back (portal/tasks.py: the rows
are the outbox). Refusals raise TransitionError with a message for people. No Flask here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from portal import tasks
from portal.models import Dossier, DossierEvent, Notification, Office, Staff
from portal.models.dossiers import Status
from portal.services import deadlines

ActorKind = Literal["citizen", "staff"]

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


class TransitionError(Exception):
    """A refused transition; `str(exc)` is a plain Vietnamese message for the actor."""


@dataclass(frozen=True)
class LetterForm:
    """The one-stop form an action's event produces (Mẫu 02–04)."""

    number: str  # "02"
    title: str
    signer_caption: str  # above the signer's name, as the form prints it

    @property
    def link_text(self) -> str:
        return f"Tải Mẫu {self.number} (PDF)"


def _back_from_supplement(dossier: Dossier) -> Status:
    """A supplement answered (or cancelled) goes back where it was asked: reception, or
    processing once the dossier had been received."""
    return Status.SUBMITTED if dossier.received_at is None else Status.PROCESSING


@dataclass(frozen=True)
class Action:
    name: str
    label: str  # the action as a verb, for messages: "tiếp nhận"
    button: str
    done: str  # the flash after success; {code} is the dossier's code
    sources: frozenset[Status]
    # The status after the action; a function of the dossier where it depends on where the
    # dossier came from; None: the status stays (an extension).
    target: Status | Callable[[Dossier], Status] | None
    actor: ActorKind
    role: str | None = None  # the staff role; for a citizen action None
    # The role asked while the dossier has not been received yet, where it differs.
    reception_role: str | None = None
    note_label: str | None = None  # set: the action needs a note under this label
    note_prompt: str | None = None
    letter: LetterForm | None = None
    secondary: bool = False  # a refusal: shown as the secondary button

    def role_for(self, dossier: Dossier) -> str | None:
        if self.reception_role and dossier.received_at is None:
            return self.reception_role
        return self.role

    def target_for(self, dossier: Dossier) -> Status:
        if self.target is None:
            return Status(dossier.status)
        return self.target if isinstance(self.target, Status) else self.target(dossier)


S = Status
SUPPLEMENT_LETTER = LetterForm("02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "Người hướng dẫn")
ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action(
            "submit",
            "nộp",
            "Nộp hồ sơ",
            "Đã nộp hồ sơ {code}.",
            frozenset({S.DRAFT}),
            S.SUBMITTED,
            "citizen",
        ),
        Action(
            "withdraw",
            "rút",
            "Rút hồ sơ",
            "Đã rút hồ sơ {code}.",
            frozenset({S.AWAITING_PARTIES, S.SUBMITTED}),
            S.WITHDRAWN,
            "citizen",
        ),
        Action(
            "receive",
            "tiếp nhận",
            "Tiếp nhận",
            "Đã tiếp nhận hồ sơ {code}; giấy tiếp nhận và hẹn trả kết quả (Mẫu 01) đã được gửi.",
            frozenset({S.SUBMITTED}),
            S.RECEIVED,
            "staff",
            "tiep_nhan",
        ),
        Action(
            "refuse_reception",
            "từ chối tiếp nhận",
            "Từ chối tiếp nhận",
            "Đã từ chối tiếp nhận hồ sơ {code} (Mẫu 03).",
            frozenset({S.SUBMITTED}),
            S.REFUSED_RECEPTION,
            "staff",
            "tiep_nhan",
            note_label="Lý do từ chối tiếp nhận",
            note_prompt="Vui lòng ghi rõ lý do từ chối tiếp nhận (Mẫu 03).",
            letter=LetterForm("03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ", "Người tiếp nhận"),
            secondary=True,
        ),
        Action(
            "start",
            "bắt đầu xử lý",
            "Bắt đầu xử lý",
            "Đã chuyển hồ sơ {code} sang xử lý.",
            frozenset({S.RECEIVED}),
            S.PROCESSING,
            "staff",
            "xu_ly",
        ),
        Action(
            "request_supplement",
            "yêu cầu bổ sung",
            "Yêu cầu bổ sung",
            "Đã gửi yêu cầu bổ sung hồ sơ {code} (Mẫu 02); thời hạn giải quyết tạm dừng.",
            frozenset({S.SUBMITTED, S.PROCESSING}),
            S.SUPPLEMENT_REQUESTED,
            "staff",
            "xu_ly",
            reception_role="tiep_nhan",
            note_label="Các giấy tờ, thông tin cần bổ sung (mỗi mục một dòng)",
            note_prompt="Vui lòng liệt kê đầy đủ, một lần, các giấy tờ, thông tin cần bổ sung.",
            letter=SUPPLEMENT_LETTER,
        ),
        Action(
            "cancel_supplement",
            "hủy yêu cầu bổ sung",
            "Hủy yêu cầu bổ sung",
            "Đã hủy yêu cầu bổ sung hồ sơ {code}; hồ sơ tiếp tục được giải quyết.",
            frozenset({S.SUPPLEMENT_REQUESTED}),
            _back_from_supplement,
            "staff",
            "xu_ly",
            reception_role="tiep_nhan",
            note_label="Lý do hủy yêu cầu bổ sung",
            note_prompt="Vui lòng ghi lý do hủy yêu cầu bổ sung.",
            secondary=True,
        ),
        Action(
            "resubmit",
            "nộp bổ sung",
            "Gửi bổ sung",
            "Đã gửi bổ sung hồ sơ {code}.",
            frozenset({S.SUPPLEMENT_REQUESTED}),
            _back_from_supplement,
            "citizen",
        ),
        Action(
            "approve",
            "phê duyệt",
            "Phê duyệt và ký kết quả",
            "Đã phê duyệt hồ sơ {code} và ký số kết quả.",
            frozenset({S.PROCESSING}),
            S.APPROVED,
            "staff",
            "lanh_dao",
        ),
        Action(
            "reject",
            "từ chối giải quyết",
            "Từ chối giải quyết",
            "Đã từ chối giải quyết hồ sơ {code}.",
            frozenset({S.PROCESSING}),
            S.REJECTED,
            "staff",
            "lanh_dao",
            note_label="Lý do từ chối giải quyết",
            note_prompt="Vui lòng ghi rõ lý do từ chối giải quyết.",
            secondary=True,
        ),
        Action(
            "return",
            "trả kết quả",
            "Trả kết quả",
            "Đã trả kết quả hồ sơ {code}.",
            frozenset({S.APPROVED}),
            S.RETURNED,
            "staff",
            "tiep_nhan",
        ),
        Action(
            "extend",
            "gia hạn",
            "Duyệt gia hạn và gửi phiếu xin lỗi",
            "Đã gia hạn hồ sơ {code} và gửi phiếu xin lỗi, hẹn lại ngày trả (Mẫu 04).",
            frozenset({S.RECEIVED, S.PROCESSING}),
            None,
            "staff",
            "lanh_dao",  # the head of the office approves the apology and the new date
            note_label="Nội dung phiếu xin lỗi",
            note_prompt="Vui lòng nhập nội dung phiếu xin lỗi và hẹn lại ngày trả (Mẫu 04).",
            letter=LetterForm(
                "04", "Phiếu xin lỗi và hẹn lại ngày trả kết quả", "Thủ trưởng cơ quan"
            ),
        ),
    )
}
# Actions a person takes on the dossier page or the portal's own pages; submit and withdraw
# have their own pages.
STAFF_ACTIONS = tuple(n for n, a in ACTIONS.items() if a.actor == "staff")
# The specialist's actions: whoever took one of them has processed the dossier.
PROCESSING_ACTIONS = frozenset({"start", "request_supplement", "cancel_supplement"})


@dataclass(frozen=True)
class Actor:
    personal_id: str
    kind: ActorKind
    office_code: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)


def citizen(personal_id: str) -> Actor:
    return Actor(personal_id, "citizen")


def staff_actor(session: Session, personal_id: str) -> Actor | None:
    """The staff member with this personal ID, or None if they are not staff."""
    row = session.get(Staff, personal_id)
    if row is None:
        return None
    return Actor(personal_id, "staff", row.office_code, row.role_set)


def involved_ids(dossier: Dossier) -> set[str]:
    """The people a dossier is about or filed by: no staff member among them may act on it."""
    return {dossier.applicant_id}


def allowed_actions(
    session: Session, dossier: Dossier, actor: Actor, today: date | None = None
) -> list[str]:
    """The staff actions `actor` may try on `dossier` now (for buttons; apply() re-checks)."""
    day = today or deadlines.today()
    return [
        name
        for name in STAFF_ACTIONS
        if dossier.status in ACTIONS[name].sources
        and _refusal(session, dossier, actor, ACTIONS[name], day) is None
    ]


def _refusal(
    session: Session, dossier: Dossier, actor: Actor, a: Action, today: date
) -> str | None:
    """Why `actor` may not take `a` on `dossier` as it stands, or None."""
    if a.actor == "citizen":
        if actor.kind != "citizen" or actor.personal_id != dossier.applicant_id:
            return f"Bạn không có quyền {a.label} hồ sơ này: chỉ người nộp hồ sơ mới làm được."
        return None
    if actor.kind != "staff":
        return f"Bạn không có quyền {a.label} hồ sơ: việc này do cán bộ cơ quan giải quyết làm."
    if actor.office_code != dossier.office_code:
        return f"Bạn không có quyền {a.label} hồ sơ này: hồ sơ thuộc cơ quan khác."
    if a.role_for(dossier) not in actor.roles:
        return f"Bạn không có quyền {a.label} hồ sơ: bạn chưa được giao vai trò này."
    if actor.personal_id in involved_ids(dossier):
        return OWN_DOSSIER
    return _state_refusal(session, dossier, actor, a, today)


def _state_refusal(
    session: Session, dossier: Dossier, actor: Actor, a: Action, today: date
) -> str | None:
    """Refusals that depend on the dossier's history, not on who the actor is."""
    if a.name == "request_supplement" and dossier.status == S.PROCESSING:
        if _count(session, dossier, "request_supplement", from_status=S.PROCESSING):
            return "Trong quá trình xử lý chỉ được yêu cầu bổ sung hồ sơ một lần."
    if a.name == "extend":
        if dossier.extended:
            return "Hồ sơ đã được gia hạn một lần; không thể gia hạn thêm."
        if dossier.due_date and today >= dossier.due_date:
            return (
                "Phiếu xin lỗi và hẹn lại ngày trả (Mẫu 04) phải được gửi trước ngày hẹn trả "
                f"({dossier.due_date:%d/%m/%Y}); hồ sơ đã đến hoặc quá hạn."
            )
    if a.name == "approve" and _processed_by(session, dossier, actor.personal_id):
        if not _one_person_office(session, dossier):
            return SIGNER_IS_PROCESSOR
    return None


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
    new_due_date: date | None = None,
    writes_back: bool = False,
    values: dict | None = None,
    commit: bool = True,
) -> Dossier:
    """Apply `action` to the dossier (object, code or id) as `actor`, who saw
    `expected_version`. `working_days` is needed by receive and resubmit (due date),
    `new_due_date` by extend; `writes_back` tells approve that the result must still
    reach the population registry (return waits for it); `values` are further columns the
    caller sets with the move (submit: code, office, fee…). Commits on success unless
    `commit` is False; raises TransitionError otherwise."""
    a = ACTIONS.get(action)
    if a is None:
        raise TransitionError("Thao tác không hợp lệ.")
    current = _load(session, dossier)
    assert current.id is not None  # loaded from the database
    _check(session, current, actor, a, expected_version, deadlines.to_local(now).date())
    text = _note_text(note)
    if a.note_label and not text:
        raise TransitionError(a.note_prompt or a.note_label)
    changes = {
        **_changes(action, current, now, working_days, new_due_date, writes_back),
        **(values or {}),
    }
    if action == "approve" and _processed_by(session, current, actor.personal_id):
        text = "\n".join(t for t in (text, ONE_PERSON_NOTE) if t)
    source = Status(current.status)  # the ORM update below refreshes `current`
    due_before = current.due_date
    target = a.target_for(current)

    guard = update(Dossier).where(
        col(Dossier.id) == current.id,
        col(Dossier.status) == source,
        col(Dossier.version) == expected_version,
    )
    if action == "extend":
        guard = guard.where(col(Dossier.extended) == False)  # noqa: E712 - SQL expression
    moved = session.exec(
        guard.values(status=target, version=Dossier.version + 1, updated_at=now, **changes)
    ).rowcount
    if moved != 1:
        session.rollback()
        raise TransitionError(CONFLICT)

    role = a.role_for(current) if a.actor == "staff" else "citizen"
    assert role is not None  # every staff action names its role
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
    if action not in ("submit", "withdraw"):  # the citizen's own pages confirm those
        _notify(session, current, _notice(action, current, target, text, changes), now)
    if changes.get("registry_sync") == "pending":
        tasks.after_commit(session, tasks.write_back_dossier, current.id)
    if commit:
        session.commit()
        session.refresh(current)
    return current


def _check(
    session: Session, current: Dossier, actor: Actor, a: Action, expected_version: int, today: date
) -> None:
    if current.version != expected_version:
        raise TransitionError(CONFLICT)
    if current.status not in a.sources:
        raise TransitionError(
            f"Không thể {a.label} hồ sơ đang ở trạng thái “{Status(current.status).label}”."
        )
    refusal = _refusal(session, current, actor, a, today)
    if refusal:
        raise TransitionError(refusal)


def _notify(session: Session, dossier: Dossier, text: str, now: datetime) -> None:
    assert dossier.id is not None  # loaded from the database
    notification = Notification(
        personal_id=dossier.applicant_id, dossier_id=dossier.id, created_at=now, text=text
    )
    session.add(notification)
    session.flush()  # the notification's id, for its delivery task
    tasks.after_commit(session, tasks.deliver_notification, notification.id)


def _changes(
    action: str,
    dossier: Dossier,
    now: datetime,
    working_days: int | None,
    new_due_date: date | None,
    writes_back: bool = False,
) -> dict:
    """The columns an action sets besides status, version and updated_at."""
    if action == "receive":
        due = deadlines.due_date(now, _needed(action, working_days))
        return {"received_at": now, "due_date": due, "original_due_date": due}
    if action in ("resubmit", "cancel_supplement"):
        return _after_supplement(action, dossier, now, working_days)
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


def _needed(action: str, working_days: int | None) -> int:
    if working_days is None:
        raise ValueError(f"{action} needs working_days to compute the due date")
    return working_days


def _after_supplement(
    action: str, dossier: Dossier, now: datetime, working_days: int | None
) -> dict:
    """Back from a supplement request. At reception the clock had not started. During
    processing a complete supplement restarts the full time from zero; a cancelled request
    gives back the working days the clock stood still."""
    if dossier.received_at is None:
        return {"paused_at": None}
    if action == "resubmit":
        due = deadlines.restart_due_date(now, _needed(action, working_days))
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
