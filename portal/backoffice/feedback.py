"""The office's feedback (phản ánh, kiến nghị) in the back office, /can-bo/phan-anh: what
was sent to the signed-in clerk's office, open ones by due date with the overdue flagged, and
the answer form. Another office's feedback is a 404, as if it did not exist."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.db import db
from portal.models import Citizen, Office, utcnow
from portal.models.feedback import Feedback
from portal.services import deadlines, workflow
from portal.services import feedback as service
from portal.services.workflow import Actor

bp = Blueprint("backoffice_feedback", __name__, url_prefix="/can-bo/phan-anh")
TABS = {
    "cho-tra-loi": ("Chờ trả lời", service.OPEN),
    "da-tra-loi": ("Đã trả lời", service.ANSWERED),
}


def _staff() -> Actor:
    actor = workflow.staff_actor(db.session, current_user.personal_id)
    if actor is None:  # a citizen who is not staff: the staff-only page
        page = render_template("portal/backoffice/forbidden.html")
        abort(current_app.make_response((page, 403)))
    return actor


@bp.get("")
@login_required
def queue():
    actor = _staff()
    assert actor.office_code is not None  # every staff member has an office
    tab = request.args.get("tab", "cho-tra-loi")
    if tab not in TABS:
        tab = "cho-tra-loi"
    label, status = TABS[tab]
    today = deadlines.today()
    return render_template(
        "portal/backoffice/feedback.html",
        office=db.session.get(Office, actor.office_code),
        tabs=TABS,
        tab=tab,
        label=label,
        rows=service.queue(db.session, actor.office_code, today, status=status),
        open_count=service.open_count(db.session, actor.office_code),
        category_label=service.category_label,
    )


def _found(code: str) -> tuple[Feedback, Actor]:
    """The feedback and the clerk, if it was sent to the clerk's office; else a 404 (for a
    citizen too, as a dossier's back-office page answers)."""
    actor = workflow.staff_actor(db.session, current_user.personal_id)
    item = service.for_office(db.session, actor.office_code, code) if actor else None
    if actor is None or item is None:
        abort(404)
    return item, actor


def _detail(item: Feedback, actor: Actor, errors: dict[str, str] | None = None, typed: str = ""):
    sender = db.session.get(Citizen, item.personal_id)
    return render_template(
        "portal/backoffice/feedback_detail.html",
        item=item,
        sender=sender.full_name if sender else "",
        dossier_code=service.dossier_code(db.session, item),
        category=service.category_label(item.category),
        overdue=service.is_overdue(item, deadlines.today()),
        classify_by=service.classify_by(item),
        own=item.personal_id == actor.personal_id,
        errors=errors or {},
        typed=typed,
        answer_max=service.ANSWER_MAX,
    ), (400 if errors else 200)


@bp.get("/<code>")
@login_required
def detail(code: str):
    return _detail(*_found(code))


@bp.post("/<code>")
@login_required
def answer(code: str):
    item, actor = _found(code)
    typed = request.form.get(service.ANSWER, "")
    try:
        service.answer(
            db.session,
            item,
            staff_id=actor.personal_id,
            office_code=actor.office_code,
            text=typed,
            now=utcnow(),
        )
    except service.FeedbackError as exc:
        db.session.refresh(item)
        return _detail(item, actor, exc.errors, typed)
    flash(f"Đã trả lời phản ánh, kiến nghị {item.code}; người gửi đã được thông báo.", "ok")
    return redirect(url_for(".queue"))
