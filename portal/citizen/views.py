"""The citizen's own pages."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user

from portal.db import db
from portal.services import registry, sessions

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
    return render_template("portal/dashboard.html", record=record, registry_error=registry_error)
