"""The citizen's own pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, logout_user
from sqlmodel import select

from portal.db import db
from portal.models import Dossier, DossierEvent, Office, utcnow
from portal.services import filing, receipt, registry, sessions

bp = Blueprint("citizen", __name__)


@bp.route("/ca-nhan")
@login_required
def dashboard():
    record, registry_error = None, None
    try:
        record = registry.my_record(current_app.config["OIDC_ISSUER"], current_user.access_token)
    except registry.RegistryAuthExpired:
        sessions.close_session(db.session, current_user.session_id)
        logout_user()
        session.clear()
        return redirect(url_for("auth.login", next=request.path))
    except registry.RegistryError as exc:
        current_app.logger.warning("registry unavailable: %s", exc)
        registry_error = "Chưa lấy được dữ liệu từ CSDLQG về dân cư. Vui lòng tải lại trang sau."
    dossiers = db.session.exec(
        select(Dossier)
        .where(Dossier.applicant_id == current_user.personal_id)
        .order_by(Dossier.updated_at.desc())  # type: ignore[attr-defined]
        .limit(50)
    ).all()
    return render_template(
        "portal/dashboard.html",
        record=record,
        registry_error=registry_error,
        dossiers=dossiers,
        catalogue=current_app.extensions["catalogue"],
    )


def own_dossier(code: str) -> Dossier:
    """The signed-in citizen's dossier; anyone else's is a 404, as if it did not exist."""
    dossier = db.session.exec(select(Dossier).where(Dossier.code == code)).first()
    if dossier is None or dossier.applicant_id != current_user.personal_id:
        abort(404)
    return dossier


@bp.route("/ho-so/<code>")
@login_required
def dossier(code: str):
    found = own_dossier(code)
    events = db.session.exec(
        select(DossierEvent).where(DossierEvent.dossier_id == found.id).order_by(DossierEvent.id)
    ).all()
    proc = current_app.extensions["catalogue"].get(found.procedure_code)
    office = db.session.get(Office, found.office_code)
    return render_template(
        "portal/dossier.html",
        dossier=found,
        events=events,
        proc=proc,
        office=office,
        has_receipt=receipt.has_receipt(found),
    )


def _own_receipt(code: str) -> receipt.Receipt:
    """The receipt of the citizen's own dossier; none before submission or once withdrawn."""
    found = own_dossier(code)
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
    body = receipt.receipt_pdf(_own_receipt(code))
    return Response(
        body,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="phieu-tiep-nhan-{code}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.route("/ho-so/<code>/rut", methods=["GET", "POST"])
@login_required
def withdraw(code: str):
    """GET asks for confirmation (withdrawing cannot be undone); POST withdraws."""
    found = own_dossier(code)
    if request.method == "GET":
        if found.status != "submitted":
            return redirect(url_for("citizen.dossier", code=code))
        proc = current_app.extensions["catalogue"].get(found.procedure_code)
        return render_template("portal/withdraw.html", dossier=found, proc=proc)
    try:
        filing.withdraw(db.session, found, current_user.personal_id, utcnow())
    except filing.FilingError as exc:
        flash(exc.messages[0])
    return redirect(url_for("citizen.dossier", code=code))
