"""Sign-in through VNeID, the OIDC callback, logout, and the portal's public keys."""

from __future__ import annotations

from dataclasses import asdict

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from portal.auth.oidc import LoginRefused, PendingLogin, VneidClient
from portal.auth.user import CurrentCitizen
from portal.db import db
from portal.services import sessions

bp = Blueprint("auth", __name__)


def vneid() -> VneidClient:
    return current_app.extensions["vneid"]


def _safe_next(value: str | None) -> str:
    """Only local paths: never an open redirect."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return url_for("citizen.dashboard")


def _refuse(exc: LoginRefused):
    current_app.logger.warning("VNeID login refused: %s", exc.reason)
    logout_user()
    session.clear()
    return render_template("portal/login_refused.html", message=exc.message), 401


@bp.route("/dang-nhap")
def login():
    level = 2 if request.args.get("muc") == "2" else 1
    try:
        url, pending = vneid().start(level=level, next_path=_safe_next(request.args.get("next")))
    except LoginRefused as exc:
        return _refuse(exc)
    session["oidc_pending"] = asdict(pending)
    return redirect(url)


@bp.route("/auth/callback")
def callback():
    raw = session.pop("oidc_pending", None)
    pending = PendingLogin(**raw) if isinstance(raw, dict) else None
    try:
        result = vneid().finish(request.args.to_dict(), pending)
    except LoginRefused as exc:
        return _refuse(exc)
    login = sessions.open_session(
        db.session,
        personal_id=result.claims["sub"],
        full_name=result.userinfo.get("name") or result.claims.get("name") or result.claims["sub"],
        level=result.level,
        access_token=result.token["access_token"],
        id_token=result.token["id_token"],
        hours=current_app.config["LOGIN_SESSION_HOURS"],
    )
    session.clear()  # a new session cookie at every login: no fixation
    login_user(CurrentCitizen(login))
    current_app.logger.info("login ok: %s (level %s)", login.personal_id, login.level)
    return redirect(pending.next_path)


@bp.route("/dang-xuat", methods=["POST"])
def logout():
    id_token = current_user.id_token if current_user.is_authenticated else None
    if current_user.is_authenticated:
        sessions.close_session(db.session, current_user.session_id)
    logout_user()
    session.clear()
    landing = current_app.config["PORTAL_URL"].rstrip("/") + url_for("auth.logged_out")
    if id_token:
        try:
            return redirect(vneid().logout_url(id_token, landing))
        except LoginRefused as exc:
            current_app.logger.warning("provider logout skipped: %s", exc.reason)
    return redirect(url_for("auth.logged_out"))


@bp.route("/da-dang-xuat")
def logged_out():
    return render_template("portal/logged_out.html")


@bp.route("/.well-known/jwks.json")
def jwks():
    return jsonify(current_app.extensions["portal_jwks"])
