"""The citizen's own pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from common.web import normalize_text, pdf_response, text_problem
from portal import access
from portal.auth.views import sign_in_again
from portal.db import db
from portal.models import STATUS_LABELS, Dossier, Office, utcnow
from portal.services import (
    data_store,
    dossiers,
    filing,
    groups,
    notifications,
    parties,
    ratings,
    receipt,
    registry,
    results,
    reuse,
    uploads,
    workflow,
)
from portal.services.deadlines import today

bp = Blueprint("citizen", __name__)
SUPPLEMENT_MAX = 2000  # characters of a supplement answer


@bp.route("/ca-nhan")
@login_required
def dashboard():
    record, registry_error = None, None
    try:
        record = registry.my_record(current_app.config["OIDC_ISSUER"], current_user.access_token)
    except registry.RegistryAuthExpired:
        return sign_in_again(url_for("citizen.dashboard"))
    except registry.RegistryError as exc:
        current_app.logger.warning("registry unavailable: %s", exc)
        registry_error = "Chưa lấy được dữ liệu từ CSDLQG về dân cư. Vui lòng tải lại trang sau."
    # Filed by the citizen or naming them as a party (the other spouse, the other parent);
    # a linked group is one dossier: its parts show on their lead's line.
    mine = groups.of_person(db.session, current_user.personal_id)
    catalogue = current_app.extensions["catalogue"]
    parts = parties.parts_of(db.session, current_user.personal_id, mine, catalogue.get, today())
    return render_template(
        "portal/dashboard.html",
        record=record,
        registry_error=registry_error,
        dossiers=mine,
        parts=parts,
        awaiting=[d for d in mine if d.id in parts and parts[d.id].pending],
        groups=groups.summaries(db.session, mine),
        catalogue=catalogue,
        notices=notifications.list_for(db.session, current_user.personal_id),
        unread=notifications.unread_count(db.session, current_user.personal_id),
    )


@bp.post("/thong-bao/da-doc")
@login_required
def mark_notifications_read():
    notifications.mark_read(db.session, current_user.personal_id, utcnow())
    flash("Đã đánh dấu tất cả thông báo là đã đọc.", "info")
    return redirect(url_for("citizen.dashboard") + "#thong-bao")


@bp.get("/ca-nhan/kho-du-lieu")
@login_required
def data_store_page():
    """The results of the citizen's dossiers and of those they are a party to; a revoked
    one is marked with its date and reason (and reuse no longer offers it)."""
    return render_template(
        "portal/data_store.html",
        documents=data_store.documents_of(db.session, current_user.personal_id),
        verify_url=_verify_url,
        issued_date=results.issued_date,
        revoked_on=results.status_label,
    )


def _verify_url(doc) -> str:
    return results.verification_url(current_app.config["PORTAL_URL"], doc.verification_code)


@bp.route("/ho-so/<code>")
@login_required
def dossier(code: str):
    """The page of every party to the dossier; staff of the handling office who are not a
    party are sent to their working page. A part of a linked group is shown on its lead's
    page (the citizen has one dossier), unless its office waits for the citizen there (a
    supplement, a draft, an appointment)."""
    found = access.readable_dossier_or_404(code)
    if not dossiers.is_party(db.session, found, current_user.personal_id):
        return redirect(url_for("backoffice.dossier", code=code))
    lead = groups.lead_of(db.session, found)
    own_page = lead.id == found.id or groups.needs_citizen(found)
    if not own_page and dossiers.is_party(db.session, lead, current_user.personal_id):
        return redirect(url_for("citizen.dossier", code=lead.code) + "#lien-thong")
    return _dossier_page(found)


RESULT_STATUSES = ("approved", "returned")


def _visible_results(found: Dossier) -> list:
    """The dossier's result documents once its office has approved it, else none (the parts
    of a linked group have their own, signed by their own bodies)."""
    if found.status not in RESULT_STATUSES:
        return []
    return results.of_dossier(db.session, filing.stored_id(found))


def _dossier_page(
    found: Dossier,
    status: int = 200,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    message: str | None = None,
):
    """The dossier page; its forms (supplement, rating, the parties' answers, the
    appointment) post back here with their errors, keeping what the citizen typed."""
    events = dossiers.timeline(db.session, found)
    proc = current_app.extensions["catalogue"].get(found.procedure_code)
    office = db.session.get(Office, found.office_code)
    supplement_request = None
    if found.status == "supplement_requested":
        supplement_request = next(
            (e.note for e in reversed(events) if e.to_status == "supplement_requested"), None
        )
    group = groups.group_of(db.session, found, current_app.extensions["catalogue"].get)
    if group.parts:  # the group's results, each downloaded through its own dossier
        documents = [(doc, m.dossier.code) for m in group.members for doc in m.documents]
    else:
        documents = [(doc, found.code) for doc in _visible_results(found)]
    returned = found.status == "returned"
    page = render_template(
        "portal/dossier.html",
        dossier=found,
        events=events,
        proc=proc,
        office=office,
        has_receipt=receipt.has_receipt(found),
        receipt_of=receipt.has_receipt,
        is_applicant=found.applicant_id == current_user.personal_id,
        status_labels=STATUS_LABELS,
        supplement_request=supplement_request,
        max_files=uploads.MAX_SUPPLEMENT_FILES,
        documents=[(doc, _verify_url(doc), owner) for doc, owner in documents],
        group=group if group.parts else None,
        steps=groups.timeline(db.session, group) if group.parts else None,
        reused=reuse.recorded(db.session, filing.stored_id(found)),
        issued_date=results.issued_date,
        revoked_on=results.status_label,
        rating=ratings.rating_of(db.session, filing.stored_id(found)) if returned else None,
        score_labels=ratings.SCORE_LABELS,
        questions=current_app.extensions["service_index"].questions,
        errors=errors or {},
        values=values or {},
        message=message,
        **party.panel(found, proc),
    )
    return page, status


@bp.post("/ho-so/<code>/bo-sung")
@access.party_dossier
def supplement(found: Dossier):
    """The applicant answers a supplement request with text, files or both (the same upload
    rules as filing): the dossier goes back to reception or processing, and during
    processing the full time counts again from today."""
    code = found.code or ""
    raw = request.form.get("supplement", "")
    values = {"supplement": raw}
    text = normalize_text(raw, multiline=True)
    problem = text_problem(
        text, label="Nội dung bổ sung", max_length=SUPPLEMENT_MAX, multiline=True
    )
    if problem:
        return _dossier_page(found, 400, errors={"supplement": problem}, values=values)
    sent = [(f.filename or "", f.stream) for f in request.files.getlist("files") if f.filename]
    if not text and not sent:
        errors = {"supplement": "Vui lòng nhập nội dung bổ sung hoặc đính kèm ít nhất một tệp."}
        return _dossier_page(found, 400, errors=errors, values=values)
    try:
        files = uploads.check_answer_files(sent)
    except uploads.UploadError as exc:
        return _dossier_page(found, 400, errors={"files": str(exc)}, values=values)
    raw_version = request.form.get("version", "")
    if not (raw_version.isascii() and raw_version.isdigit() and len(raw_version) <= 9):
        return _dossier_page(
            found, 400, values=values, message="Biểu mẫu không hợp lệ; vui lòng tải lại trang."
        )
    proc = current_app.extensions["catalogue"].get(found.procedure_code)
    if proc is None:
        abort(404)
    try:
        uploads.answer_supplement(
            db.session,
            uploads.folder_of(current_app.instance_path),
            found,
            workflow.citizen(current_user.personal_id),
            text=text or None,
            files=files,
            expected_version=int(raw_version),
            now=utcnow(),
            working_days=proc.processing.days,
            calendar_days=proc.processing.counting == "calendar",
        )
    except workflow.TransitionError as exc:
        db.session.rollback()
        found = access.party_dossier_or_404(code)
        status = 409 if str(exc) in (workflow.CONFLICT, uploads.REQUEST_CANCELLED) else 400
        return _dossier_page(found, status, values=values, message=str(exc))
    flash("Đã nộp bổ sung. Hồ sơ được chuyển lại cho cơ quan xử lý.", "info")
    return redirect(url_for("citizen.dossier", code=code))


@bp.get("/ho-so/<code>/ket-qua.pdf")
@bp.get("/ho-so/<code>/ket-qua/<document>.pdf")
@login_required
def result_download(code: str, document: str | None = None):
    """A result document of the dossier as a signed PDF, by its verification code; without
    one, the dossier's own result."""
    documents = _visible_results(access.party_dossier_or_404(code))
    if document is not None:
        documents = [d for d in documents if d.verification_code == document]
    if not documents:
        abort(404)
    result = documents[0]
    body = results.result_pdf(result, _verify_url(result))
    suffix = "" if document is None else f"-{result.kind}"
    return pdf_response(body, f"ket-qua-{code}{suffix}.pdf")


@bp.post("/ho-so/<code>/danh-gia")
@login_required
def rate(code: str):
    """The applicant answers every satisfaction question of the service index, once, after
    the result; a missing or unknown answer is named next to its question."""
    found = access.party_dossier_or_404(code)  # ratings.rate takes the applicant's only
    index = current_app.extensions["service_index"]
    values = {q.key: request.form.get(q.key, "")[:40] for q in index.questions}
    values["comment"] = request.form.get("comment", "")
    try:
        ratings.check_may_rate(db.session, found, current_user.personal_id)
        comment = normalize_text(values["comment"], multiline=True)
        problem = text_problem(
            comment, label="Ý kiến góp ý", max_length=ratings.COMMENT_MAX, multiline=True
        )
        if problem:
            return _dossier_page(found, 400, errors={"comment": problem}, values=values)
        answers = ratings.parse_answers(index, values)
        ratings.rate(db.session, found, current_user.personal_id, answers, comment, utcnow(), index)
    except ratings.AnswersError as exc:
        return _dossier_page(found, 400, errors=exc.errors, values=values)
    except ratings.RatingError as exc:
        if exc.field:
            return _dossier_page(found, 400, errors={exc.field: str(exc)}, values=values)
        return _dossier_page(found, 409, values=values, message=str(exc))
    flash("Cảm ơn bạn đã đánh giá mức độ hài lòng.", "info")
    return redirect(url_for("citizen.dossier", code=code) + "#danh-gia")


def _own_receipt(code: str) -> receipt.Receipt:
    """The receipt of a dossier the citizen is party to; none before reception, and none
    once withdrawn, declined or refused (services/receipt.has_receipt)."""
    found = access.party_dossier_or_404(code)
    if not receipt.has_receipt(found):
        abort(404)
    proc = current_app.extensions["catalogue"].get(found.procedure_code)
    return receipt.build_receipt(db.session, found, proc, current_app.config["PORTAL_URL"])


@bp.route("/ho-so/<code>/phieu-tiep-nhan")
@login_required
def receipt_page(code: str):
    content = _own_receipt(code)
    return render_template(
        "portal/receipt.html", receipt=content, rows=receipt.receipt_rows(content)
    )


@bp.route("/ho-so/<code>/phieu-tiep-nhan.pdf")
@login_required
def receipt_download(code: str):
    return pdf_response(receipt.receipt_pdf(_own_receipt(code)), f"phieu-tiep-nhan-{code}.pdf")


@bp.route("/ho-so/<code>/rut", methods=["GET", "POST"])
@login_required
def withdraw(code: str):
    """GET asks for confirmation (withdrawing cannot be undone); POST withdraws."""
    found = access.applicant_dossier_or_404(code)
    if request.method == "GET":
        if found.status not in workflow.ACTIONS["withdraw"].sources:
            return redirect(url_for("citizen.dossier", code=code))
        proc = current_app.extensions["catalogue"].get(found.procedure_code)
        return render_template(
            "portal/withdraw.html",
            dossier=found,
            proc=proc,
            parties=[p for p in dossiers.parties_of(db.session, found) if p.consent != "applicant"],
        )
    try:
        filing.withdraw(db.session, found, current_user.personal_id, utcnow())
    except filing.FilingError as exc:
        flash(exc.messages[0])
    return redirect(url_for("citizen.dossier", code=code))


from portal.citizen import party  # noqa: E402 - its routes join `bp`; it uses _dossier_page
