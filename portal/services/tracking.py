"""Public tracking of a dossier (tra cứu hồ sơ): anyone holding the dossier's code and the
last four digits of the applicant's personal ID sees where the dossier stands.

The second factor is printed as an instruction on the submission acknowledgement and on
the receipt (services/receipt.py), never its value: the citizen knows their own number, and
a paper someone else finds or photographs gives the code alone. What the answer shows is
what a counter clerk would say on the phone: the procedure, the status, the competent body
and the receiving point, the appointment date and each status the dossier went through
with its date; never a name, a personal ID, a note, a staff member or a file.

A wrong code and a wrong second factor are one answer (None), reached by the same work:
one lookup by code, then one constant-time comparison (against a placeholder when no
dossier has that code), so neither the answer nor its timing says which was wrong. A draft
has no code, so it is never found; nor is anything not yet submitted.

A part of a linked group (services/groups.py) is tracked as the citizen's one dossier: its
lead, with the parts' bodies and statuses and one timeline labelled by body.

Plain functions over a session; no Flask here.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, select

from common import tz
from common.web import has_control
from portal.models import Dossier, DossierEvent, Office
from portal.models.dossiers import STATUS_LABELS, Status
from portal.services import dossiers, groups, offices

CODE_MAX = 48  # Dossier.code's column
FACTOR_LENGTH = 4
CODE_PATTERN = re.compile(r"[0-9a-z.\-]+")  # "79.26743-261204-0001", "79.cong-an-…"
FACTOR_PATTERN = re.compile(r"[0-9]{4}")  # ASCII digits only: not "١٢٣٤", not "²"
NOT_FOUND = (
    "Không tìm thấy hồ sơ phù hợp với mã hồ sơ và 4 số cuối số định danh cá nhân đã nhập. "
    "Kiểm tra lại mã hồ sơ in trên giấy tiếp nhận và 4 số cuối số định danh cá nhân "
    "của người nộp hồ sơ."
)
CODE_EXAMPLE = "79.26743-261204-0001"
# Compared with the factor when no dossier has the code: same work, never equal to digits.
_PLACEHOLDER = "----"


def check_code(raw: str) -> tuple[str, str | None]:
    """The dossier code as typed, normalised (trimmed, lower case), and the Vietnamese
    problem with it, if any."""
    value = raw.strip()
    if not value:
        return "", "Nhập mã hồ sơ in trên giấy tiếp nhận hồ sơ."
    if has_control(value):
        return "", "Mã hồ sơ có ký tự không hợp lệ (ký tự điều khiển)."
    if len(value) > CODE_MAX:
        return "", f"Mã hồ sơ dài tối đa {CODE_MAX} ký tự."
    value = value.lower()
    if not value.isascii() or not CODE_PATTERN.fullmatch(value):
        return "", (
            "Mã hồ sơ chỉ gồm chữ số, chữ cái không dấu, dấu chấm và dấu gạch ngang, "
            f"ví dụ: {CODE_EXAMPLE}."
        )
    return value, None


def check_factor(raw: str) -> tuple[str, str | None]:
    """The last four digits as typed (trimmed), and the Vietnamese problem with them."""
    value = raw.strip()
    if not value:
        return "", "Nhập 4 số cuối số định danh cá nhân của người nộp hồ sơ."
    if has_control(value):
        return "", "Chỉ nhập 4 chữ số, không có ký tự điều khiển."
    if not value.isascii() or not FACTOR_PATTERN.fullmatch(value):
        return "", "Nhập đúng 4 chữ số từ 0 đến 9, ví dụ: 0123."
    return value, None


@dataclass(frozen=True)
class Step:
    """One status the dossier went through: which, on which day (Vietnam time), and for a
    linked group, on which body's part."""

    status: str  # the status label
    on: date
    body: str = ""


@dataclass(frozen=True)
class Part:
    """One dossier of a linked group: its procedure, body, status and appointment."""

    procedure_name: str
    body: str
    status: str
    due_date: date | None
    is_lead: bool


@dataclass(frozen=True)
class Tracking:
    """What the public page shows of a dossier; nothing in it names or identifies a person."""

    code: str
    procedure_name: str
    status: str  # the group's status for a linked group, else the dossier's
    competent_body: str
    receiving_point: str  # the office that receives it (the body's own desk, or a TTPVHCC)
    due_date: date | None
    submitted_on: date
    steps: list[Step]
    parts: list[Part]  # empty unless the dossier leads a linked group


def _comparable(dossier: Dossier | None) -> str:
    """The applicant's last four digits when the dossier may be tracked, else the
    placeholder (a draft, an unsubmitted dossier, no dossier at all)."""
    if dossier is None or dossier.status == Status.DRAFT or not dossier.submitted_at:
        return _PLACEHOLDER
    last = (dossier.applicant_id or "")[-FACTOR_LENGTH:]
    return last if len(last) == FACTOR_LENGTH and last.isascii() else _PLACEHOLDER


def find(session: Session, code: str, factor: str) -> Dossier | None:
    """The dossier with `code` whose applicant's personal ID ends in `factor`, or None;
    the same work whichever of the two is wrong."""
    dossier = session.exec(select(Dossier).where(Dossier.code == code)).first()
    expected = _comparable(dossier)
    matches = hmac.compare_digest(expected.encode(), factor.encode())
    return dossier if matches and expected != _PLACEHOLDER else None


def track(
    session: Session, code: str, factor: str, procedure: Callable[[str], Any]
) -> Tracking | None:
    """The public view of the dossier `code` (a part: its group's lead), or None when the
    code and the factor do not match a submitted dossier. `procedure`: code → procedure
    (for the names)."""
    found = find(session, code, factor)
    if found is None:
        return None
    group = groups.group_of(session, found, procedure)
    lead = group.lead
    if group.parts:
        events = [(s.event, s.body) for s in groups.timeline(session, group)]
    else:
        events = [(e, "") for e in dossiers.timeline(session, lead)]
    assert lead.code is not None and lead.submitted_at is not None  # a part's lead is filed
    return Tracking(
        code=lead.code,
        procedure_name=group.members[0].procedure_name,
        status=group.status,
        competent_body=group.members[0].office_name,
        receiving_point=_receiving_point(session, lead, group.members[0].office_name),
        due_date=lead.due_date,
        submitted_on=tz.local(lead.submitted_at).date(),
        steps=_steps(events),
        parts=[
            Part(m.procedure_name, m.office_name, m.status_label, m.dossier.due_date, m.is_lead)
            for m in group.members
        ]
        if group.parts
        else [],
    )


def _receiving_point(session: Session, dossier: Dossier, competent: str) -> str:
    if not offices.forwarded(dossier):
        return competent
    office = session.get(Office, dossier.receiving_office_code)
    return office.name if office else competent


def _steps(events: list[tuple[DossierEvent, str]]) -> list[Step]:
    """The events that changed a status, as (status, day, body): an event that only added
    a note (a registry write-back, a reminder) is no step of the dossier's."""
    steps = []
    for event, body in events:
        if event.from_status == event.to_status:
            continue
        label = STATUS_LABELS.get(event.to_status, event.to_status)
        steps.append(Step(label, tz.local(event.at).date(), body))
    return steps
