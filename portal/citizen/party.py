"""What the parties of a dossier do on its page (DESIGN.md "Parties"): a required co-party
confirms or declines the dossier, the applicant and the required parties answer the draft
result, any party moves the appointment once.
Routes on the citizen blueprint; the page itself is views._dossier_page, which takes its
parties' part from `panel`."""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from common import tz
from common.web import normalize_text, text_problem
from portal import access
from portal.auth.views import sign_in_again
from portal.citizen import filing as filing_views
from portal.citizen.views import _dossier_page, bp
from portal.db import db
from portal.models import Dossier, DossierEvent, utcnow
from portal.models.dossiers import Status
from portal.services import appointments, dossiers, issuing, parties, registry, uploads, workflow

REGISTRY_DOWN = (
    "Chưa lấy được dữ liệu từ CSDLQG về dân cư để hoàn tất xác nhận. Vui lòng thử lại sau; "
    "câu trả lời của bạn chưa được ghi nhận."
)
NOTE_MAX = 1000
# What a party's own action says on the timeline, after their name.
EVENT_TEXTS = {
    "confirm_party": "đã xác nhận hồ sơ",
    "decline_party": "không đồng ý với hồ sơ",
    "confirm_draft": "đã xác nhận dự thảo kết quả đúng",
    "request_correction": "đề nghị sửa dự thảo kết quả",
    "move_appointment": "đã đổi lịch hẹn có mặt",
}


def panel(found: Dossier, proc) -> dict:
    """The page's parties part: who they are and how they answered, what the signed-in
    person may do now, the draft, the appointment, the files filed and sent with supplement
    answers."""
    rows = dossiers.parties_of(db.session, found)
    me = next((p for p in rows if p.personal_id == current_user.personal_id), None)
    allowed = workflow.allowed_actions(
        db.session,
        found,
        workflow.party(current_user.personal_id),
        procedure=proc,
        names=workflow.PARTY_ACTIONS,
    )
    names = {p.personal_id: p.full_name for p in rows if p.full_name}
    draft = None
    if found.status == Status.AWAITING_CONFIRMATION and proc is not None:
        draft = issuing.main_content(proc, found)
    return {
        "parties": [(p, parties.role_label(proc, p)) for p in rows],
        "me": me,
        "party_actions": allowed,
        "applicant_name": parties.filer_name(db.session, found),
        "field_rows": issuing.field_rows(proc, found),
        "draft": draft,
        "draft_readers": dossiers.draft_readers(db.session, found),
        "draft_stamp": _draft_stamp(found),
        "in_person": proc.in_person if proc else None,
        "appointment_local": tz.local(found.appointment_at) if found.appointment_at else None,
        "office_hours": appointments.HOURS_TEXT,
        "filed_files": uploads.files_of(db.session, _id(found)),
        "supplement_files": uploads.supplement_files(db.session, _id(found)),
        "event_text": lambda e: _event_text(e, names),
    }


def _event_text(event: DossierEvent, names: dict[str, str]) -> str | None:
    """A party's own action as a sentence with their name, or None for the office's."""
    text = EVENT_TEXTS.get(event.action or "")
    if text is None:
        return None
    return f"{names.get(event.actor_id, 'Một bên liên quan')} {text}"


def _draft_stamp(found: Dossier) -> str:
    """Which draft the page showed: a draft sent again is a different one."""
    return f"{found.draft_sent_at.timestamp():.6f}" if found.draft_sent_at else ""


def _id(found: Dossier) -> int:
    assert found.id is not None  # loaded from the database
    return found.id


def _proc(found: Dossier):
    return current_app.extensions["catalogue"].get(found.procedure_code)


def _apply(found: Dossier, action: str, **kwargs) -> Dossier:
    """Take `action` as a party on the dossier as it stands now. A party's answer does not
    depend on the version they saw (the dossier's content does not change while they are
    asked; a new draft is checked by the caller), so a race with another party's answer is
    tried once more against the new version."""
    for attempt in (1, 2):
        db.session.refresh(found)
        try:
            return workflow.apply(
                db.session,
                found,
                action,
                workflow.party(current_user.personal_id),
                expected_version=found.version,
                now=utcnow(),
                procedure=_proc(found),
                **kwargs,
            )
        except workflow.TransitionError as exc:
            db.session.rollback()
            if str(exc) != workflow.CONFLICT or attempt == 2:
                raise
    raise AssertionError("unreachable")


def _refused(code: str, exc: workflow.TransitionError, values: dict, field: str | None = None):
    """The page again with the refusal: next to `field` (400) or on the page (409)."""
    found = access.party_dossier_or_404(code)
    if field and str(exc) != workflow.CONFLICT:
        return _dossier_page(found, 400, errors={field: str(exc)}, values=values)
    return _dossier_page(found, 409, values=values, message=str(exc))


def _typed(name: str, label: str, max_length: int) -> tuple[str, str | None]:
    """The normalized text of a textarea and its problem, if any."""
    text = normalize_text(request.form.get(name, ""), multiline=True)
    return text, text_problem(text, label=label, max_length=max_length, multiline=True)


@bp.post("/ho-so/<code>/xac-nhan")
@access.party_dossier
def answer_parties(found: Dossier):
    """A required co-party confirms the dossier or declines it with a reason; a marriage
    partner's confirmation lets the portal read and fill in their registry data."""
    code = found.code or ""
    values = {"reason": request.form.get("reason", "")}
    decision = request.form.get("decision", "")[:8]
    proc = _proc(found)
    records = filing_views.consent_records(proc, found) if proc is not None else None
    try:
        parties.answer(
            db.session,
            found,
            current_user.personal_id,
            decision,
            values["reason"],
            utcnow(),
            procedure=proc,
            records=records,
        )
    except parties.PartyError as exc:
        db.session.rollback()
        found = access.party_dossier_or_404(code)
        if exc.field == "reason":
            return _dossier_page(found, 400, errors={"reason": str(exc)}, values=values)
        status = 400 if exc.field else 409
        return _dossier_page(found, status, values=values, message=str(exc))
    except registry.RegistryAuthExpired:
        return sign_in_again(url_for("citizen.dossier", code=code) + "#xac-nhan")
    except registry.RegistryError as exc:
        current_app.logger.warning("registry unavailable: %s", exc)
        db.session.rollback()
        found = access.party_dossier_or_404(code)
        return _dossier_page(found, 503, values=values, message=REGISTRY_DOWN)
    action = "confirm_party" if decision == "confirm" else "decline_party"
    flash(workflow.ACTIONS[action].done.format(code=code), "info")
    return redirect(url_for("citizen.dossier", code=code) + "#xac-nhan")


@bp.post("/ho-so/<code>/du-thao")
@access.party_dossier
def answer_draft(found: Dossier):
    """The applicant or a required party confirms the draft result or asks for a correction."""
    code = found.code or ""
    values = {"note": request.form.get("note", "")}
    decision = request.form.get("decision", "")
    if decision not in ("confirm", "correction"):
        message = "Vui lòng chọn “Xác nhận dự thảo đúng” hoặc “Đề nghị sửa dự thảo”."
        return _dossier_page(found, 400, values=values, message=message)
    note, problem = _typed("note", "Nội dung cần sửa", NOTE_MAX)
    if decision == "correction" and not note:
        problem = workflow.ACTIONS["request_correction"].note_prompt
    if problem:
        return _dossier_page(found, 400, errors={"note": problem}, values=values)
    if request.form.get("draft", "") != _draft_stamp(found):
        message = "Cơ quan đã gửi dự thảo khác; vui lòng xem dự thảo mới trước khi trả lời."
        return _dossier_page(found, 409, values=values, message=message)
    action = "confirm_draft" if decision == "confirm" else "request_correction"
    try:
        _apply(found, action, note=note or None)
    except workflow.TransitionError as exc:
        return _refused(code, exc, values)
    flash(workflow.ACTIONS[action].done.format(code=code), "info")
    return redirect(url_for("citizen.dossier", code=code) + "#du-thao")


@bp.post("/ho-so/<code>/lich-hen")
@access.party_dossier
def move_appointment(found: Dossier):
    """A party moves the appointment once, to another time at the same place."""
    code = found.code or ""
    day = request.form.get("appointment_date", "")[:10]
    hour = request.form.get("appointment_time", "")[:5]
    values = {"appointment_date": day, "appointment_time": hour}
    errors = _when_problems(day, hour)
    if errors:
        return _dossier_page(found, 400, errors=errors, values=values)
    at = appointments.parse_local(day, hour)
    assert at is not None  # both parts checked above
    place = found.appointment_place or ""
    problem = appointments.problem(at, utcnow(), place)
    if problem:
        field = "appointment_time" if problem.startswith("Giờ") else "appointment_date"
        return _dossier_page(found, 400, errors={field: problem}, values=values)
    try:
        _apply(found, "move_appointment", appointment=(at, place))
    except workflow.TransitionError as exc:
        return _refused(code, exc, values, "appointment_date")
    flash(workflow.ACTIONS["move_appointment"].done.format(code=code), "info")
    return redirect(url_for("citizen.dossier", code=code) + "#lich-hen")


def _when_problems(day: str, hour: str) -> dict[str, str]:
    errors = {}
    if appointments.parse_local(day, "08:00") is None:
        errors["appointment_date"] = "Vui lòng chọn ngày hẹn mới hợp lệ."
    if appointments.parse_local("2000-01-03", hour) is None:
        errors["appointment_time"] = "Vui lòng chọn giờ hẹn mới hợp lệ (giờ:phút)."
    return errors
