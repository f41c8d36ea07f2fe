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
    session,
    url_for,
)
from flask_login import current_user, login_required, logout_user
from sqlmodel import select

from portal.db import db
from portal.models import Dossier, DossierEvent, Office, utcnow
from portal.services import filing, registry, sessions

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


def _own_dossier(code: str) -> Dossier:
    """The signed-in citizen's dossier; anyone else's is a 404, as if it did not exist."""
    dossier = db.session.exec(select(Dossier).where(Dossier.code == code)).first()
    if dossier is None or dossier.applicant_id != current_user.personal_id:
        abort(404)
    return dossier


@bp.route("/ho-so/<code>")
@login_required
def dossier(code: str):
    found = _own_dossier(code)
    events = db.session.exec(
        select(DossierEvent).where(DossierEvent.dossier_id == found.id).order_by(DossierEvent.id)
    ).all()
    proc = current_app.extensions["catalogue"].get(found.procedure_code)
    office = db.session.get(Office, found.office_code)
    return render_template(
        "portal/dossier.html", dossier=found, events=events, proc=proc, office=office
    )


@bp.route("/ho-so/<code>/rut", methods=["POST"])
@login_required
def withdraw(code: str):
    found = _own_dossier(code)
    try:
        filing.withdraw(db.session, found, current_user.personal_id, utcnow())
    except filing.FilingError as exc:
        flash(exc.messages[0])
    return redirect(url_for("citizen.dossier", code=code))
