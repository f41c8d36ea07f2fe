"""Feedback (phản ánh, kiến nghị): a citizen sends it about one of their dossiers (to the
office handling it) or in general (to an office they choose among those of their place of
residence); the office answers it before its due date; the citizen is notified.

The categories and the days come from procedures/feedback.toml (NĐ 20/2008/NĐ-CP as amended;
read by procedures.channels): the due date is `answer_working_days` working days after the day
received, counted by the portal's calendar (services/deadlines.py: 15:00 cut-off, weekends,
holidays and Tết). Codes are `PA-<office code>-<yymmdd>-<4-digit sequence>`, numbered per
office and day like dossier codes (the counter row's key is "PA-<office code>", which no office
code can be). Every read and write names who asks: a citizen sees only their own feedback, an
office only what was sent to it. No Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from common.web import normalize_text, text_problem
from portal import tasks
from portal.models import Dossier, DossierParty, DossierSequence, Notification, Office
from portal.models.feedback import Feedback
from portal.services import deadlines
from portal.services.sequences import take_next
from procedures.channels import FeedbackRules, feedback_rules

CONTENT_MAX = 2000  # characters of the citizen's text
ANSWER_MAX = 2000  # characters of the office's answer
OPEN, ANSWERED = "open", "answered"
PAGE_PATH = "/phan-anh"  # the citizen's page; one feedback at PAGE_PATH/<code>

CATEGORY, CONTENT, DOSSIER, OFFICE, ANSWER = "loai", "noi_dung", "ho_so", "co_quan", "tra_loi"
NO_CATEGORY = "Vui lòng chọn loại phản ánh, kiến nghị."
NO_CONTENT = "Vui lòng nhập nội dung phản ánh, kiến nghị."
NOT_YOURS = "Không tìm thấy hồ sơ này trong các hồ sơ của bạn. Vui lòng chọn lại."
NO_OFFICE = "Vui lòng chọn cơ quan nhận phản ánh, kiến nghị trong danh sách."
NO_ANSWER = "Vui lòng nhập nội dung trả lời."
ALREADY_ANSWERED = "Phản ánh, kiến nghị này đã được trả lời."
OWN_FEEDBACK = "Bạn không được trả lời phản ánh, kiến nghị do chính mình gửi."


class FeedbackError(Exception):
    """Input that cannot be kept; `errors` maps a form field to its Vietnamese message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class QueueRow:
    feedback: Feedback
    dossier_code: str | None
    overdue: bool


def rules() -> FeedbackRules:
    return feedback_rules()


def category_label(key: str) -> str:
    found = rules().category(key)
    return found.label if found else key


def due_date(received_at: datetime) -> date:
    """The last day to answer feedback received at `received_at`."""
    return deadlines.due_date(received_at, rules().answer_working_days)


def classify_by(item: Feedback) -> date:
    """The last day to classify it (answer it, or pass it to the body competent for it)."""
    return deadlines.due_date(item.created_at, rules().classify_working_days)


def is_overdue(item: Feedback, today: date) -> bool:
    return item.status == OPEN and deadlines.is_overdue(item.due_date, today)


def answered_on_time(item: Feedback) -> bool:
    return item.answered_at is not None and (
        deadlines.to_local(item.answered_at).date() <= item.due_date
    )


# --- what the citizen may choose -----------------------------------------------------------


def dossiers_of(session: Session, personal_id: str) -> list[Dossier]:
    """The filed dossiers the citizen filed or is a party to, newest first."""
    parties = select(DossierParty.dossier_id).where(DossierParty.personal_id == personal_id)
    return list(
        session.exec(
            select(Dossier)
            .where(
                col(Dossier.code).is_not(None),
                or_(col(Dossier.applicant_id) == personal_id, col(Dossier.id).in_(parties)),
            )
            .order_by(col(Dossier.submitted_at).desc(), col(Dossier.id).desc())
        ).all()
    )


def offices_near(session: Session, ward_code: int | None) -> list[Office]:
    """The offices a citizen may write to in general: those of the commune of residence
    (its UBND first), then the province-level offices of its province. Decision: general
    feedback goes to a body of where the citizen lives; about another body's dossier the
    citizen writes from that dossier."""
    if ward_code is None:
        return []
    local = session.exec(select(Office).where(Office.ward_code == ward_code)).all()
    if not local:
        return []
    province = local[0].province_code
    upper = session.exec(
        select(Office).where(Office.province_code == province, col(Office.ward_code).is_(None))
    ).all()
    first = sorted(local, key=lambda o: (o.kind != "ubnd_xa", o.name))
    return first + sorted(upper, key=lambda o: o.name)


# --- sending -------------------------------------------------------------------------------


def clean_text(
    raw: str | None, *, label: str, max_length: int, missing: str
) -> tuple[str, str | None]:
    """The text as kept (NFC, trimmed, line breaks unified) and its problem, or None."""
    value = normalize_text(raw or "", multiline=True)
    if not value:
        return value, missing
    return value, text_problem(value, label=label, max_length=max_length, multiline=True)


def send(
    session: Session,
    *,
    personal_id: str,
    category: str,
    content: str | None,
    dossier_code: str | None,
    office_code: str | None,
    allowed_offices: list[Office],
    now: datetime,
) -> Feedback:
    """Record the citizen's feedback: about `dossier_code` (one of their dossiers; its
    handling office receives it) or, without one, to `office_code` among `allowed_offices`.
    Raises FeedbackError with a message per field; commits on success."""
    errors: dict[str, str] = {}
    if rules().category(category or "") is None:
        errors[CATEGORY] = NO_CATEGORY
    text, problem = clean_text(
        content, label="Nội dung", max_length=CONTENT_MAX, missing=NO_CONTENT
    )
    if problem:
        errors[CONTENT] = problem
    dossier, office = _addressee(session, personal_id, dossier_code, office_code, allowed_offices)
    if dossier_code and dossier is None:
        errors[DOSSIER] = NOT_YOURS
    elif office is None and not dossier_code:
        errors[OFFICE] = NO_OFFICE
    if errors or office is None:
        raise FeedbackError(errors or {DOSSIER: NOT_YOURS})
    day = deadlines.to_local(now).date()
    number = take_next(session, DossierSequence, office_code=f"PA-{office}", day=day)
    item = Feedback(
        code=f"PA-{office}-{day:%y%m%d}-{number:04d}",
        personal_id=personal_id,
        dossier_id=dossier.id if dossier else None,
        office_code=office,
        category=category,
        content=text,
        created_at=now,
        due_date=due_date(now),
    )
    session.add(item)
    session.commit()
    session.refresh(item)
    return item


def _addressee(
    session: Session,
    personal_id: str,
    dossier_code: str | None,
    office_code: str | None,
    allowed: list[Office],
) -> tuple[Dossier | None, str | None]:
    """(the dossier, the office) the feedback goes to; None where the choice is not allowed."""
    if dossier_code:
        found = next((d for d in dossiers_of(session, personal_id) if d.code == dossier_code), None)
        return found, found.office_code if found else None
    chosen = next((o.code for o in allowed if o.code == office_code), None)
    return None, chosen


# --- reading -------------------------------------------------------------------------------


def of_citizen(session: Session, personal_id: str) -> list[tuple[Feedback, str | None]]:
    """The citizen's feedback, newest first, each with its dossier's code."""
    rows = session.exec(
        select(Feedback, Dossier.code)
        .join(Dossier, col(Dossier.id) == Feedback.dossier_id, isouter=True)
        .where(Feedback.personal_id == personal_id)
        .order_by(col(Feedback.created_at).desc(), col(Feedback.id).desc())
    ).all()
    return [(f, code) for f, code in rows]


def for_citizen(session: Session, personal_id: str, code: str) -> Feedback | None:
    """The feedback `code` if `personal_id` sent it, else None (as if it did not exist)."""
    return session.exec(
        select(Feedback).where(Feedback.code == code, Feedback.personal_id == personal_id)
    ).first()


def for_office(session: Session, office_code: str | None, code: str) -> Feedback | None:
    """The feedback `code` if it was sent to `office_code`, else None."""
    if not office_code:
        return None
    return session.exec(
        select(Feedback).where(Feedback.code == code, Feedback.office_code == office_code)
    ).first()


def dossier_code(session: Session, item: Feedback) -> str | None:
    found = session.get(Dossier, item.dossier_id) if item.dossier_id else None
    return found.code if found else None


def queue(session: Session, office_code: str, today: date, *, status: str = OPEN) -> list[QueueRow]:
    """The office's feedback in `status`: open ones by due date (the overdue first), answered
    ones newest first."""
    order = (
        (col(Feedback.due_date), col(Feedback.id))
        if status == OPEN
        else (col(Feedback.answered_at).desc(), col(Feedback.id).desc())
    )
    rows = session.exec(
        select(Feedback, Dossier.code)
        .join(Dossier, col(Dossier.id) == Feedback.dossier_id, isouter=True)
        .where(Feedback.office_code == office_code, Feedback.status == status)
        .order_by(*order)
    ).all()
    return [QueueRow(f, code, is_overdue(f, today)) for f, code in rows]


def open_count(session: Session, office_code: str) -> int:
    return len(
        session.exec(
            select(Feedback.id).where(Feedback.office_code == office_code, Feedback.status == OPEN)
        ).all()
    )


# --- answering -----------------------------------------------------------------------------


def answer(
    session: Session,
    item: Feedback,
    *,
    staff_id: str,
    office_code: str | None,
    text: str | None,
    now: datetime,
) -> Feedback:
    """The office's answer, once, by staff of the office it was sent to (not by its sender);
    the citizen gets a notification linking to the feedback. Raises FeedbackError; commits."""
    answer_text, problem = clean_text(
        text, label="Nội dung trả lời", max_length=ANSWER_MAX, missing=NO_ANSWER
    )
    if office_code is None or item.office_code != office_code:
        raise FeedbackError({ANSWER: "Phản ánh, kiến nghị này không gửi đến cơ quan của bạn."})
    if item.personal_id == staff_id:
        raise FeedbackError({ANSWER: OWN_FEEDBACK})
    if problem:
        raise FeedbackError({ANSWER: problem})
    moved = session.exec(
        update(Feedback)
        .where(
            col(Feedback.id) == item.id,
            col(Feedback.office_code) == office_code,
            col(Feedback.status) == OPEN,
        )
        .values(status=ANSWERED, answer=answer_text, answered_by=staff_id, answered_at=now)
    ).rowcount
    if moved != 1:
        session.rollback()
        raise FeedbackError({ANSWER: ALREADY_ANSWERED})
    notice = Notification(
        personal_id=item.personal_id,
        dossier_id=None,
        link=f"{PAGE_PATH}/{item.code}",
        created_at=now,
        text=f"Phản ánh, kiến nghị {item.code} đã được trả lời.",
    )
    session.add(notice)
    session.flush()  # its id, for the delivery task (e-mail, SMS) after the commit
    tasks.after_commit(session, tasks.deliver_notification, notice.id)
    session.commit()
    session.refresh(item)
    return item
