"""The dossier life cycle after submission: the one module that moves a dossier between
statuses (DESIGN.md "Dossier life cycle").

Each transition checks the actor (role and office for staff, the applicant for a citizen),
the current status and the version the actor saw, then moves the dossier with a guarded
UPDATE (WHERE id AND status AND version): of two clerks acting at once exactly one wins.
The event (who, when, from, to, note) and the citizen's notification are written in the same
transaction; once it commits, the task queue gets the notification's delivery and, for an
approval that writes back, the registry write-back (portal/tasks.py: the rows are the
outbox). Refusals raise TransitionError with a message for people. No Flask here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from sqlalchemy import update
from sqlmodel import Session, col, select

from portal import tasks
from portal.models import STATUS_LABELS, Dossier, DossierEvent, Notification, Staff
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


class TransitionError(Exception):
    """A refused transition; `str(exc)` is a plain Vietnamese message for the actor."""


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the status stays (extension)
    role: str | None  # staff role required; None for a citizen action
    actor: ActorKind
    note_required: bool
    label: str  # the action, in Vietnamese, for messages


def _t(sources: str, target, role, actor, note, label) -> Transition:
    return Transition(frozenset(sources.split()), target, role, actor, note, label)


TRANSITIONS: dict[str, Transition] = {
    # name: (from statuses, to status, staff role, actor kind, note required, label)
    "receive": _t("submitted", "received", "tiep_nhan", "staff", False, "tiếp nhận"),
    "refuse_reception": _t(
        "submitted", "refused_reception", "tiep_nhan", "staff", True, "từ chối tiếp nhận"
    ),
    "start": _t("received", "processing", "xu_ly", "staff", False, "bắt đầu xử lý"),
    "request_supplement": _t(
        "processing", "supplement_requested", "xu_ly", "staff", True, "yêu cầu bổ sung"
    ),
    "resubmit": _t("supplement_requested", "processing", None, "citizen", False, "nộp bổ sung"),
    "approve": _t("processing", "approved", "lanh_dao", "staff", False, "phê duyệt"),
    "reject": _t("processing", "rejected", "lanh_dao", "staff", True, "từ chối giải quyết"),
    "return": _t("approved", "returned", "tiep_nhan", "staff", False, "trả kết quả"),
    "extend": _t("received processing", None, "xu_ly", "staff", True, "gia hạn"),
}

NOTE_PROMPTS = {
    "refuse_reception": "Vui lòng ghi rõ lý do từ chối tiếp nhận (Mẫu 03).",
    "request_supplement": "Vui lòng liệt kê đầy đủ các giấy tờ, thông tin cần bổ sung.",
    "reject": "Vui lòng ghi rõ lý do từ chối giải quyết.",
    "extend": "Vui lòng nhập nội dung phiếu xin lỗi và hẹn lại ngày trả (Mẫu 04).",
}


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


def allowed_actions(dossier: Dossier, actor: Actor) -> list[str]:
    """The actions `actor` may try on `dossier` now (for buttons; apply() re-checks)."""
    return [
        name
        for name, t in TRANSITIONS.items()
        if dossier.status in t.sources
        and _permission_error(dossier, actor, t) is None
        and not (name == "extend" and dossier.extended)
    ]


def _permission_error(dossier: Dossier, actor: Actor, t: Transition) -> str | None:
    if t.actor == "citizen":
        if actor.kind != "citizen" or actor.personal_id != dossier.applicant_id:
            return f"Bạn không có quyền {t.label} hồ sơ này: chỉ người nộp hồ sơ mới làm được."
        return None
    if actor.kind != "staff":
        return f"Bạn không có quyền {t.label} hồ sơ: việc này do cán bộ cơ quan giải quyết làm."
    if actor.office_code != dossier.office_code:
        return f"Bạn không có quyền {t.label} hồ sơ này: hồ sơ thuộc cơ quan khác."
    if t.role not in actor.roles:
        return f"Bạn không có quyền {t.label} hồ sơ: bạn chưa được giao vai trò này."
    return None


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
) -> Dossier:
    """Apply `action` to the dossier (object, code or id) as `actor`, who saw
    `expected_version`. `working_days` is needed by receive and resubmit (due date),
    `new_due_date` by extend; `writes_back` tells approve that the result must still
    reach the population registry (return waits for it). Commits on success; raises
    TransitionError otherwise."""
    t = TRANSITIONS.get(action)
    if t is None:
        raise TransitionError("Thao tác không hợp lệ.")
    current = _load(session, dossier)
    assert current.id is not None  # loaded from the database
    refusal = _permission_error(current, actor, t)
    if refusal:
        raise TransitionError(refusal)
    if current.version != expected_version:
        raise TransitionError(CONFLICT)
    if current.status not in t.sources:
        raise TransitionError(
            f"Không thể {t.label} hồ sơ đang ở trạng thái “{STATUS_LABELS[current.status]}”."
        )
    text = _note_text(note)
    if t.note_required and not text:
        raise TransitionError(NOTE_PROMPTS[action])
    values = _changes(action, current, now, working_days, new_due_date, writes_back)
    source = current.status  # the ORM update below refreshes `current` in the session
    due_before = current.due_date
    target = t.target or source

    guard = update(Dossier).where(
        col(Dossier.id) == current.id,
        col(Dossier.status) == source,
        col(Dossier.version) == expected_version,
    )
    if action == "extend":
        guard = guard.where(col(Dossier.extended) == False)  # noqa: E712 - SQL expression
    moved = session.exec(
        guard.values(status=target, version=Dossier.version + 1, updated_at=now, **values)
    ).rowcount
    if moved != 1:
        session.rollback()
        raise TransitionError(CONFLICT)

    if t.actor == "citizen":
        role = "citizen"
    else:
        assert t.role is not None  # every staff transition names its role
        role = t.role
    session.add(
        DossierEvent(
            dossier_id=current.id,
            at=now,
            actor_id=actor.personal_id,
            actor_role=role,
            from_status=source,
            to_status=target,
            note=text,
            due_before=due_before if "due_date" in values else None,
            due_after=values.get("due_date"),
        )
    )
    notification = Notification(
        personal_id=current.applicant_id,
        dossier_id=current.id,
        created_at=now,
        text=_notice(action, current, target, text, values),
    )
    session.add(notification)
    session.flush()  # the notification's id, for its delivery task
    tasks.after_commit(session, tasks.deliver_notification, notification.id)
    if values.get("registry_sync") == "pending":
        tasks.after_commit(session, tasks.write_back_dossier, current.id)
    session.commit()
    session.refresh(current)
    return current


def _changes(
    action: str,
    dossier: Dossier,
    now: datetime,
    working_days: int | None,
    new_due_date: date | None,
    writes_back: bool = False,
) -> dict:
    """The columns an action sets besides status, version and updated_at."""
    if action in ("receive", "resubmit"):
        if working_days is None:
            raise ValueError(f"{action} needs working_days to compute the due date")
        if action == "receive":
            return {"received_at": now, "due_date": deadlines.due_date(now, working_days)}
        # resubmit, complete again: the full time counts from zero
        return {"paused_at": None, "due_date": deadlines.restart_due_date(now, working_days)}
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
    return {}


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
    """Extend once, to a later date."""
    if dossier.extended:
        raise TransitionError("Hồ sơ đã được gia hạn một lần; không thể gia hạn thêm.")
    if new_due_date is None or (dossier.due_date and new_due_date <= dossier.due_date):
        shown = dossier.due_date.strftime("%d/%m/%Y") if dossier.due_date else "hiện tại"
        raise TransitionError(f"Ngày hẹn trả mới phải sau ngày hẹn cũ ({shown}).")
    return {"extended": True, "due_date": new_due_date}


def _notice(action: str, dossier: Dossier, target: str, note: str | None, values: dict) -> str:
    """The citizen's notification text."""
    text = f"Hồ sơ {dossier.code}: {STATUS_LABELS[target]}."
    if action == "extend":
        text = f"Hồ sơ {dossier.code} được hẹn lại ngày trả kết quả."
    if "due_date" in values:
        text += f" Ngày hẹn trả kết quả: {values['due_date'].strftime('%d/%m/%Y')}."
    if note:
        text += f"\n{note}"
    return text
