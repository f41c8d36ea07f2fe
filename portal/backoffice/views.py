"""Back-office pages for staff (/can-bo): the office's queue, a dossier with one form per
allowed action, bulk reception, and the clerk's download of attached files.

Every status change goes through services.workflow.apply; a refusal is shown on the page
with the workflow's Vietnamese message (409 when the dossier changed meanwhile)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

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
from sqlmodel import col, select

from portal import tasks
from portal.db import db
from portal.models import (
    ROLE_LABELS,
    STATUS_LABELS,
    Dossier,
    DossierEvent,
    DossierFile,
    Office,
    utcnow,
)
from portal.models.results import ResultDocument
from portal.services import (
    deadlines,
    issuing,
    queues,
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


def _office_dossier(code: str) -> tuple[Dossier, Actor]:
    """A dossier of the signed-in clerk's office; anything else (another office, not staff,
    unknown code) is a 404, as if it did not exist."""
    actor = workflow.staff_actor(db.session, current_user.personal_id)
    found = db.session.exec(select(Dossier).where(Dossier.code == code)).first()
    if actor is None or found is None or found.office_code != actor.office_code:
        abort(404)
    return found, actor


def _catalogue():
    return current_app.extensions["catalogue"]


@bp.get("")
@login_required
def queue():
    actor = _staff()
    assert actor.office_code is not None  # staff_actor: every staff member has an office
    today = deadlines.today()
    tab_key = request.args.get("tab", queues.DEFAULT_TAB)
    if tab_key not in queues.TAB_BY_KEY:
        tab_key = queues.DEFAULT_TAB
    try:
        number = int(request.args.get("trang", "1"))
    except ValueError:
        number = 1
    sort = queues.parse_sort(request.args.get("sap-xep"), request.args.get("chieu"))
    counts = queues.counts(db.session, actor.office_code, today)
    page = queues.page(db.session, actor.office_code, tab_key, number, today, counts[tab_key], sort)
    bulk = BULK_BY_TAB.get(tab_key)
    return render_template(
        "portal/backoffice/queue.html",
        tabs=queues.TABS,
        counts=counts,
        page=page,
        office=db.session.get(Office, actor.office_code),
        office_code=actor.office_code,
        catalogue=_catalogue(),
        status_labels=STATUS_LABELS,
        today=today,
        sort_columns=queues.SORT_BY_KEY,
        bulk=bulk if bulk and ACTIONS[bulk.action].role in actor.roles else None,
    )


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
    found = db.session.exec(select(Dossier).where(Dossier.code == code)).first()
    if found is None or found.office_code != actor.office_code:
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
            working_days=proc.processing.working_days if proc else 0,
        )
    except TransitionError as exc:
        db.session.rollback()
        return f"Hồ sơ {code}: {exc}", False
    return f"Hồ sơ {code}: {todo.done}", True


@bp.get("/ho-so/<code>")
@login_required
def dossier(code: str):
    found, actor = _office_dossier(code)
    return _render_dossier(found, actor)


def _render_dossier(found: Dossier, actor: Actor, error: str | None = None, status: int = 200):
    proc = _catalogue().get(found.procedure_code)
    events = db.session.exec(
        select(DossierEvent)
        .where(DossierEvent.dossier_id == found.id)
        .order_by(col(DossierEvent.id))
    ).all()
    files = db.session.exec(
        select(DossierFile)
        .where(DossierFile.dossier_id == found.id)
        .order_by(col(DossierFile.component))
    ).all()
    documents = db.session.exec(
        select(ResultDocument)
        .where(ResultDocument.dossier_id == found.id)
        .order_by(col(ResultDocument.id))
    ).all()
    assert found.id is not None  # loaded from the database
    portal_url = current_app.config["PORTAL_URL"]
    return (
        render_template(
            "portal/backoffice/dossier.html",
            dossier=found,
            proc=proc,
            office=db.session.get(Office, found.office_code),
            fields=issuing.field_rows(proc, found),
            registry=_registry_state(found),
            files=files,
            reused=reuse.recorded(
                db.session, found.id, results.key_folder(current_app.instance_path)
            ),
            events=events,
            documents=[
                (d, results.verification_url(portal_url, d.verification_code)) for d in documents
            ],
            actions=[ACTIONS[a] for a in workflow.allowed_actions(db.session, found, actor)],
            status_labels=STATUS_LABELS,
            role_labels=ROLE_LABELS,
            source_mark=SOURCE_MARK,
            error=error,
            form=request.form if error else {},
        ),
        status,
    )


def _registry_state(found: Dossier) -> dict | None:
    """The write-back's state for the dossier page, while it is not done."""
    if found.registry_sync not in ("pending", "refused"):
        return None
    refused = found.registry_sync == "refused"
    return {
        "refused": refused,
        "message": writeback.refusal_message(found.registry_error_status) if refused else None,
        "attempts": found.registry_attempts or 0,
        "next_at": found.registry_next_at if not refused else None,
    }


@bp.post("/ho-so/<code>/<action>")
@login_required
def act(code: str, action: str):
    found, actor = _office_dossier(code)
    if action not in workflow.STAFF_ACTIONS:
        abort(404)
    proc = _catalogue().get(found.procedure_code)
    try:
        expected = int(request.form.get("version", ""))
    except ValueError:
        return _render_dossier(
            found, actor, "Biểu mẫu thiếu phiên bản hồ sơ; vui lòng tải lại.", 400
        )
    new_due = None
    if action == "extend":
        raw = request.form.get("new_due_date", "").strip()
        try:
            new_due = date.fromisoformat(raw) if raw else None
        except ValueError:
            return _render_dossier(found, actor, "Ngày hẹn trả mới không hợp lệ.", 400)
    now = utcnow()
    try:
        if action == "approve":  # the signed result is committed with the approval
            _issue_result(proc, found, actor, now)
        workflow.apply(
            db.session,
            found,
            action,
            actor,
            expected_version=expected,
            note=request.form.get("note"),
            now=now,
            working_days=proc.processing.working_days if proc else 0,
            new_due_date=new_due,
            writes_back=writeback.writes_back(proc),
        )
    except TransitionError as exc:
        db.session.rollback()
        db.session.refresh(found)
        status = 409 if str(exc) == workflow.CONFLICT else 400
        return _render_dossier(found, actor, str(exc), status)
    flash(ACTIONS[action].done.format(code=found.code), "ok")
    if action == "approve":  # liên thông runs on the task queue; the approval stands
        _flash_registry(found)
    return redirect(url_for(".dossier", code=found.code))


RETRY_ROLES = ("xu_ly", "lanh_dao")  # who may retry a write-back, as the event records


@bp.post("/ho-so/<code>/ghi-lai-csdl")
@login_required
def retry_writeback(code: str):
    """Ask the task queue to write an approved dossier's result to the population registry
    again (also after a refusal, once the officer has checked the data)."""
    found, actor = _office_dossier(code)
    role = next((r for r in RETRY_ROLES if r in actor.roles), None)
    if role is None:
        flash("Chỉ chuyên viên xử lý hoặc lãnh đạo được ghi lại vào CSDLQG về dân cư.", "warn")
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
    return issuing.issue_main(
        db.session,
        found,
        proc,
        signer_id=actor.personal_id,
        signer_name=current_user.full_name,
        now=now,
        key_folder=results.key_folder(current_app.instance_path),
    )


@bp.get("/tep/<token>")
@login_required
def attached_file(token: str):
    """A file attached to a dossier of the clerk's office; anything else is a 404."""
    actor = workflow.staff_actor(db.session, current_user.personal_id)
    stored = db.session.exec(select(DossierFile).where(DossierFile.token == token)).first()
    found = db.session.get(Dossier, stored.dossier_id) if stored else None
    if actor is None or stored is None or found is None or found.office_code != actor.office_code:
        abort(404)
    path = uploads.path_of(Path(current_app.instance_path) / "uploads", stored)
    if not path.is_file():
        abort(404)
    return send_file(
        path,
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=uploads.download_name(stored),
    )
