"""Back-office pages for staff (/can-bo): the office's queue, a dossier with one form per
allowed action, bulk reception, and the clerk's download of attached files.

Every status change goes through services.workflow.apply, with the procedure (its draft
confirmation and in-person steps); a refusal is shown on the page with the workflow's
Vietnamese message (409 when the dossier changed meanwhile), a bad input next to its field.
Approving a procedure that writes to the population registry signs nothing: the result is
signed once the registry has the write (services/writeback.py); a procedure that writes
nothing is signed with the approval. A revocation marks the dossier's results revoked in
the transaction of its event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from sqlmodel import select

from common import divisions
from portal import access, tasks
from portal.db import db
from portal.models import (
    ROLE_LABELS,
    STATUS_LABELS,
    Dossier,
    DossierFile,
    Office,
    utcnow,
)
from portal.models.dossiers import Status
from portal.models.results import ResultDocument
from portal.services import (
    actors,
    appointments,
    deadlines,
    delivery,
    dossiers,
    issuing,
    offices,
    parties,
    queues,
    registry,
    result_preview,
    results,
    reuse,
    uploads,
    workflow,
    writeback,
)
from portal.services.workflow import ACTIONS, Actor, TransitionError

bp = Blueprint("backoffice", __name__, url_prefix="/can-bo")

SOURCE_MARK = "✓ CSDLQG về dân cư"


@dataclass(frozen=True)
class BulkAction:
    """A workflow action applied at once to the dossiers ticked on one queue tab."""

    action: str  # the workflow action, tried on each dossier on its own
    endpoint: str  # the view the form posts to
    tab: str  # the queue tab that offers it
    button: str
    done: str  # after "Hồ sơ <code>: "
    empty: str  # nothing was ticked


BULK_ACTIONS = {
    "receive": BulkAction(
        "receive",
        "bulk_receive",
        "cho-tiep-nhan",
        "Tiếp nhận các hồ sơ đã chọn",
        "đã tiếp nhận.",
        "Chưa chọn hồ sơ nào để tiếp nhận.",
    ),
    "return": BulkAction(
        "return",
        "bulk_return",
        "cho-tra",
        "Trả kết quả các hồ sơ đã chọn",
        "đã trả kết quả.",
        "Chưa chọn hồ sơ nào để trả kết quả.",
    ),
}
BULK_BY_TAB = {b.tab: b for b in BULK_ACTIONS.values()}


def _staff() -> Actor:
    """The signed-in staff member; a citizen who is not staff gets the 403 page."""
    actor = workflow.staff_actor(db.session, current_user.personal_id)
    if actor is None:
        abort(_forbidden())
    return actor


def _forbidden():
    return current_app.make_response((render_template("portal/backoffice/forbidden.html"), 403))


def _catalogue():
    return current_app.extensions["catalogue"]


@bp.get("")
@login_required
def queue():
    actor = _staff()
    assert actor.office_code is not None  # staff_actor: every staff member has an office
    today = deadlines.today()
    tab_key = request.args.get("tab", queues.DEFAULT_TAB)
    try:
        number = int(request.args.get("trang", "1"))
    except ValueError:
        number = 1
    sort = queues.parse_sort(request.args.get("sap-xep"), request.args.get("chieu"))
    office = db.session.get(Office, actor.office_code)
    receiving = _receives_only(office)
    tabs = queues.tabs_for(receiving)
    if tab_key not in {t.key for t in tabs}:
        tab_key = queues.DEFAULT_TAB
    counts = queues.counts(db.session, actor.office_code, today, receiving)
    page = queues.page(
        db.session, actor.office_code, tab_key, number, today, counts[tab_key], sort, receiving
    )
    bulk = BULK_BY_TAB.get(tab_key)
    return render_template(
        "portal/backoffice/queue.html",
        tabs=tabs,
        counts=counts,
        page=page,
        office=office,
        office_code=actor.office_code,
        catalogue=_catalogue(),
        status_labels=STATUS_LABELS,
        today=today,
        sort_columns=queues.SORT_BY_KEY,
        bulk=bulk if bulk and ACTIONS[bulk.action].role in actor.roles else None,
    )


def _receives_only(office: Office | None) -> bool:
    """A receiving point (a TTPVHCC): its queue holds what it receives and forwards."""
    body = _catalogue().authorities.get(office.kind) if office else None
    return bool(body and body.receives_only)


@bp.post("/tiep-nhan-hang-loat", endpoint="bulk_receive", defaults={"action": "receive"})
@bp.post("/tra-ket-qua-hang-loat", endpoint="bulk_return", defaults={"action": "return"})
@login_required
def bulk(action: str):
    """Apply a bulk action to every selected dossier, each through workflow.apply on its
    own: a refusal is reported and does not stop the others."""
    actor = _staff()
    todo = BULK_ACTIONS[action]
    codes = list(dict.fromkeys(c for c in request.form.getlist("ho_so") if c))
    if not codes:
        flash(todo.empty, "warn")
    elif len(codes) > queues.PAGE_SIZE:  # more than one page shows: not from our form
        flash(f"Chỉ chọn được tối đa {queues.PAGE_SIZE} hồ sơ mỗi lần.", "warn")
        codes = []
    for code in codes:
        message, ok = _apply_one(code, todo, actor)
        flash(message, "ok" if ok else "warn")
    return redirect(url_for(".queue", tab=todo.tab))


def _apply_one(code: str, todo: BulkAction, actor: Actor) -> tuple[str, bool]:
    found = dossiers.by_code(db.session, code)
    if found is None or not offices.concerns(found, actor.office_code):
        return f"Hồ sơ {code}: không tìm thấy hồ sơ của cơ quan.", False
    proc = _catalogue().get(found.procedure_code)
    try:
        workflow.apply(
            db.session,
            found,
            todo.action,
            actor,
            expected_version=found.version,
            now=utcnow(),
            working_days=proc.processing.days if proc else 0,
            calendar_days=proc is not None and proc.processing.counting == "calendar",
            procedure=proc,
        )
    except TransitionError as exc:
        db.session.rollback()
        return f"Hồ sơ {code}: {exc}", False
    return f"Hồ sơ {code}: {todo.done}", True


@bp.get("/ho-so/<code>")
@access.office_dossier
def dossier(found: Dossier, actor: Actor):
    return _render_dossier(found, actor)


@bp.app_template_global("staff_labels")
def staff_labels(events) -> dict[str, str]:
    """For a timeline (the clerk's and the citizen's): staff named, never by their ID."""
    return actors.staff_labels(db.session, events)


@bp.get("/ho-so/<code>/duyet-ky")
@access.office_dossier
def approve_preview(found: Dossier, actor: Actor):
    """The result document as it will be issued, unsigned, before the leader approves and
    signs it; the page's button posts the approval (act)."""
    proc = _catalogue().get(found.procedure_code)
    allowed = workflow.allowed_actions(db.session, found, actor, procedure=proc)
    if "approve" not in allowed or proc is None:
        flash("Hồ sơ chưa thể phê duyệt và ký ở bước này.", "warn")
        return redirect(url_for(".dossier", code=found.code))
    try:
        shown = result_preview.preview(
            db.session,
            found,
            proc,
            signer_name=current_user.full_name,
            now=utcnow(),
            sources=_sources(found, actor),
            catalogue=_catalogue(),
        )
    except issuing.ResultUnavailable as exc:
        flash(str(exc), "warn")
        return redirect(url_for(".dossier", code=found.code))
    return render_template(
        "portal/backoffice/approve_preview.html",
        dossier=found,
        proc=proc,
        doc=shown,
        watermark=result_preview.WATERMARK,
        writes_back=writeback.writes_back(proc),
    )


@dataclass(frozen=True)
class Problem:
    """A refused post: the message, the action's form and field it belongs to (None: the
    page), the HTTP status."""

    message: str
    action: str | None = None
    field: str | None = None
    status: int = 400


DRAFT_ANSWERS = {
    "confirmed": "Đã xác nhận dự thảo đúng",
    "correction": "Đề nghị sửa dự thảo",
    None: "Chưa trả lời",
}
APPROVED_PENDING = (
    "Đã phê duyệt hồ sơ {code}; kết quả được ký số sau khi CSDLQG về dân cư ghi nhận."
)


def _render_dossier(found: Dossier, actor: Actor, problem: Problem | None = None):
    proc = _catalogue().get(found.procedure_code)
    assert found.id is not None  # loaded from the database
    documents = results.of_dossier(db.session, found.id)
    portal_url = current_app.config["PORTAL_URL"]
    office = db.session.get(Office, found.office_code)
    receiving = (
        db.session.get(Office, found.receiving_office_code) if offices.forwarded(found) else None
    )
    allowed = workflow.allowed_actions(db.session, found, actor, procedure=proc)
    return (
        render_template(
            "portal/backoffice/dossier.html",
            dossier=found,
            proc=proc,
            office=office,
            receiving=receiving,
            handover=_handover(found, actor, office, receiving),
            forms=offices.forms_of(db.session, found),
            fields=issuing.field_rows(proc, found),
            registry=_registry_state(found),
            files=uploads.files_of(db.session, found.id),
            supplement_files=uploads.supplement_files(db.session, found.id),
            reused=reuse.recorded(
                db.session, found.id, results.key_folder(current_app.instance_path)
            ),
            events=dossiers.timeline(db.session, found),
            documents=[
                (d, results.verification_url(portal_url, d.verification_code)) for d in documents
            ],
            actions=[ACTIONS[a] for a in allowed],
            own=actor.personal_id in workflow.involved_ids(db.session, found),
            own_message=workflow.OWN_DOSSIER,
            writes_back=writeback.writes_back(proc),
            draft=_draft(proc, found, allowed),
            readers=_readers(proc, found),
            draft_answers=DRAFT_ANSWERS,
            place=_office_place(office),
            hours=appointments.HOURS_TEXT,
            attendance_later=_attendance_later(found, allowed),
            status_labels=STATUS_LABELS,
            role_labels=ROLE_LABELS,
            source_mark=SOURCE_MARK,
            problem=problem,
            form=request.form if problem else {},
        ),
        problem.status if problem else 200,
    )


def _handover(found: Dossier, actor: Actor, office, receiving) -> str | None:
    """Whose turn it is, for a dossier sent through a receiving point (a TTPVHCC): the
    centre receives it, then the competent body processes it."""
    if receiving is None or office is None:
        return None
    if offices.at_receiving_point(found):
        if actor.office_code == found.office_code:
            return (
                f"Hồ sơ do {receiving.name} tiếp nhận theo lựa chọn của công dân; cơ quan xử lý "
                "sau khi hồ sơ được tiếp nhận và chuyển đến."
            )
        return (
            f"Cơ quan giải quyết: {office.name}. Sau khi tiếp nhận, hồ sơ được chuyển đến cơ "
            "quan này để xử lý."
        )
    if actor.office_code == found.receiving_office_code:
        return (
            f"Đã tiếp nhận và chuyển hồ sơ đến {office.name}; việc xử lý do cơ quan này thực hiện."
        )
    return f"Hồ sơ do {receiving.name} tiếp nhận và chuyển đến."


def _draft(proc, found: Dossier, allowed: list[str]) -> dict | None:
    """The draft result the parties confirm: shown before sending it and while they answer."""
    shown = "send_draft" in allowed or found.status == Status.AWAITING_CONFIRMATION
    return issuing.main_content(proc, found) if proc and shown else None


def _readers(proc, found: Dossier) -> list[dict]:
    """Each party asked to confirm the draft, with their answer, once a draft was sent."""
    if found.draft_sent_at is None:
        return []
    return [
        {
            "name": p.full_name or p.personal_id,
            "role": parties.role_label(proc, p),
            "answer": p.draft_answer,
            "at": p.draft_answered_at,
        }
        for p in dossiers.draft_readers(db.session, found)
    ]


def _office_place(office: Office | None) -> str:
    """Where the parties come by default: the office's one-stop desk."""
    if office is None:
        return ""
    province = divisions.provinces().get(office.province_code)
    where = f", {province.name}" if province else ""
    return f"Bộ phận Một cửa, {office.name}{where}"


def _attendance_later(found: Dossier, allowed: list[str]) -> bool:
    """Attendance is awaited, but cannot be recorded before the appointment's day."""
    return found.status == Status.AWAITING_APPEARANCE and "record_attendance" not in allowed


def _registry_state(found: Dossier) -> dict | None:
    """The write-back's state for the dossier page: waiting for the registry (approved), or
    refused by it and sent back to the officer (processing)."""
    pending = found.registry_sync == "pending" and found.status == Status.APPROVED
    refused = found.registry_sync == "refused" and found.status in (
        Status.APPROVED,
        Status.PROCESSING,
    )
    if not (pending or refused):
        return None
    return {
        "refused": refused,
        "sent_back": refused and found.status == Status.PROCESSING,
        "message": writeback.refusal_of(found) if refused else None,
        "attempts": found.registry_attempts or 0,
        "next_at": found.registry_next_at if not refused else None,
    }


APPOINTMENT_DATE, APPOINTMENT_TIME, APPOINTMENT_PLACE = (
    "appointment_date",
    "appointment_time",
    "appointment_place",
)


def _appointment(now: datetime) -> tuple[tuple[datetime, str] | None, Problem | None]:
    """The appointment typed on the schedule form, or the problem next to its field."""
    day = request.form.get(APPOINTMENT_DATE, "").strip()
    hour = request.form.get(APPOINTMENT_TIME, "").strip()
    place = request.form.get(APPOINTMENT_PLACE, "").strip()
    at = appointments.parse_local(day, hour)
    if at is None:
        if appointments.parse_local(day, "08:00") is None:
            return None, Problem("Vui lòng chọn ngày hẹn hợp lệ.", "schedule", APPOINTMENT_DATE)
        return None, Problem(
            "Vui lòng nhập giờ hẹn hợp lệ (giờ:phút).", "schedule", APPOINTMENT_TIME
        )
    problem = appointments.problem(at, now, place)
    if problem is None:
        return (at, place), None
    if not place or len(place) > 255:  # appointments.problem tells the place first
        where = APPOINTMENT_PLACE
    elif appointments.HOURS_TEXT in problem:
        where = APPOINTMENT_TIME
    else:
        where = APPOINTMENT_DATE
    return None, Problem(problem, "schedule", where)


def _note_problem(action: str) -> Problem | None:
    """An action that needs a note (a reason) posted without one, or one too long to keep."""
    a = ACTIONS[action]
    note = (request.form.get("note") or "").strip()
    if a.note_label and not note:
        return Problem(a.note_prompt or a.note_label, action, "note")
    if action == "revoke" and len(note) > results.REASON_MAX:
        return Problem(
            f"Lý do thu hồi dài quá {results.REASON_MAX} ký tự; vui lòng viết ngắn gọn hơn.",
            action,
            "note",
        )
    return None


def _inputs(action: str, now: datetime) -> tuple[dict, Problem | None]:
    """The action's own inputs as workflow.apply takes them (the new due date of an
    extension, the appointment of a schedule), or the problem with what was typed."""
    problem = _note_problem(action)
    if problem is not None:
        return {}, problem
    if action == "extend":
        raw = request.form.get("new_due_date", "").strip()
        try:
            return {"new_due_date": date.fromisoformat(raw) if raw else None}, None
        except ValueError:
            return {}, Problem("Ngày hẹn trả mới không hợp lệ.", action, "new_due_date")
    if action == "schedule":
        appointment, problem = _appointment(now)
        return {"appointment": appointment}, problem
    if action == "return":  # a paper result sent by post: its postal item number
        return _delivery_ref()
    return {}, None


def _delivery_ref() -> tuple[dict, Problem | None]:
    """The return form's postal item number (only a result sent by post asks for it; the
    workflow refuses a return by post without one), or the problem next to its field."""
    ref = request.form.get(delivery.REF)
    problem = delivery.ref_problem(ref) if ref is not None else None
    if problem:
        return {}, Problem(problem, "return", delivery.REF)
    return {"delivery_ref": ref}, None


@bp.post("/ho-so/<code>/<action>")
@access.office_dossier
def act(found: Dossier, actor: Actor, action: str):
    if action not in workflow.STAFF_ACTIONS:
        abort(404)
    proc = _catalogue().get(found.procedure_code)
    try:
        expected = int(request.form.get("version", ""))
    except ValueError:
        return _render_dossier(
            found, actor, Problem("Biểu mẫu thiếu phiên bản hồ sơ; vui lòng tải lại.")
        )
    now = utcnow()
    inputs, problem = _inputs(action, now)
    if problem is not None:
        return _render_dossier(found, actor, problem)
    writes_back = writeback.writes_back(proc)
    try:
        if action == "approve" and not writes_back:  # signed with the approval
            _issue_result(proc, found, actor, now)
        workflow.apply(
            db.session,
            found,
            action,
            actor,
            expected_version=expected,
            note=request.form.get("note"),
            now=now,
            working_days=proc.processing.days if proc else 0,
            calendar_days=proc is not None and proc.processing.counting == "calendar",
            writes_back=writes_back,
            procedure=proc,
            commit=action != "revoke",
            **inputs,
        )
        if action == "revoke":  # the results and the event in one transaction
            assert found.id is not None  # loaded from the database
            results.revoke(db.session, found.id, actor.personal_id, request.form["note"], now)
            db.session.commit()
    except TransitionError as exc:
        db.session.rollback()
        db.session.refresh(found)
        conflict = str(exc) == workflow.CONFLICT
        return _render_dossier(found, actor, Problem(str(exc), status=409 if conflict else 400))
    if action == "approve" and writes_back:  # liên thông runs on the task queue
        flash(APPROVED_PENDING.format(code=found.code), "ok")
        _flash_registry(found)
    else:
        done = ACTIONS[action].done.format(code=found.code)
        flash(offices.with_forms(done, offices.forms_of(db.session, found)), "ok")
    return redirect(url_for(".dossier", code=found.code))


RETRY_ROLES = ("xu_ly", "lanh_dao")  # who may retry a write-back, as the event records


@bp.post("/ho-so/<code>/ghi-lai-csdl")
@access.office_dossier
def retry_writeback(found: Dossier, actor: Actor):
    """Ask the task queue to write an approved dossier's result to the population registry
    now (a dossier the registry refused goes back to the officer, who approves it again)."""
    role = next((r for r in RETRY_ROLES if r in actor.roles), None)
    if role is None:
        flash("Chỉ chuyên viên xử lý hoặc lãnh đạo được ghi lại vào CSDLQG về dân cư.", "warn")
    elif actor.personal_id in workflow.involved_ids(db.session, found):
        flash(workflow.OWN_DOSSIER, "warn")
    elif not writeback.request_retry(db.session, found, actor.personal_id, role, utcnow()):
        flash("Kết quả của hồ sơ này không còn chờ ghi vào CSDLQG về dân cư.", "warn")
    else:
        tasks.enqueue(tasks.write_back_dossier, found.id)
        _flash_registry(found)
    return redirect(url_for(".dossier", code=found.code))


def _flash_registry(found: Dossier) -> None:
    """Where the write-back stands (done already when the queue runs tasks at once)."""
    outcome = writeback.status_message(db.session, found)
    if outcome:
        flash(*outcome)


def _issue_result(proc, found: Dossier, actor: Actor, now) -> ResultDocument:
    if proc is None:
        raise TransitionError("Không tìm thấy thủ tục của hồ sơ; không thể ký kết quả.")
    try:
        return issuing.issue_main(
            db.session,
            found,
            proc,
            signer_id=actor.personal_id,
            signer_name=current_user.full_name,
            now=now,
            key_folder=results.key_folder(current_app.instance_path),
            sources=_sources(found, actor),
            catalogue=_catalogue(),
        )
    except issuing.ResultUnavailable as exc:  # e.g. the judicial-record database is down
        raise TransitionError(str(exc)) from exc


def _sources(found: Dossier, actor: Actor) -> issuing.Sources:
    """What a result may read beyond the dossier: the judicial-record statement of a Phiếu
    LLTP, with the portal's service token, audited by the registry with the officer as
    actor (read only when the procedure's result asks for it)."""

    def judicial_record(personal_id: str, form: int, bans: bool) -> dict:
        vneid = current_app.extensions["vneid"]
        return registry.with_service_token(
            lambda fresh: vneid.service_token(fresh=fresh),
            lambda token: registry.judicial_record(
                current_app.config["OIDC_ISSUER"],
                token,
                personal_id,
                form=form,
                bans=bans,
                purpose=f"Cấp Phiếu lý lịch tư pháp, hồ sơ {found.code}",
                actor=actor.personal_id,
            ),
        )

    return issuing.Sources(judicial_record=judicial_record)


@bp.get("/tep/<token>")
@login_required
def attached_file(token: str):
    """A file attached to a dossier of the clerk's office; anything else is a 404."""
    actor = workflow.staff_actor(db.session, current_user.personal_id)
    stored = db.session.exec(select(DossierFile).where(DossierFile.token == token)).first()
    found = db.session.get(Dossier, stored.dossier_id) if stored else None
    if actor is None or stored is None or found is None:
        abort(404)
    if not offices.concerns(found, actor.office_code):
        abort(404)
    path = uploads.path_of(uploads.folder_of(current_app.instance_path), stored)
    if not path.is_file():
        abort(404)
    return send_file(
        path,
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=uploads.download_name(stored),
    )
