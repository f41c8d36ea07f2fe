"""Sign-in through VNeID, the OIDC callback, logout, and the portal's public keys."""

from __future__ import annotations

from dataclasses import asdict
from urllib.parse import quote

from flask import (
    Blueprint,
    Flask,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from common.web import safe_path
from portal.auth.oidc import LoginRefused, PendingLogin, StateMismatch, VneidClient
from portal.auth.user import CurrentCitizen
from portal.db import db
from portal.services import sessions
from portal.services.registry import RegistryAuthExpired

bp = Blueprint("auth", __name__)


def vneid() -> VneidClient:
    return current_app.extensions["vneid"]


def return_path(value: object) -> str:
    """Where to go after signing in: `value` when it is a path on this site
    (common.web.safe_path), else the dashboard. Never an open redirect."""
    return safe_path(value) or url_for("citizen.dashboard")


def sign_in_again(next_path: str):
    """The registry no longer takes the citizen's access token (it lives an hour, a portal
    session eight): end this session and go through VNeID again, at the same level, coming
    back to `next_path`. Drafts live in the database, so nothing typed is lost."""
    level = current_user.level if current_user.is_authenticated else 1
    if current_user.is_authenticated:
        sessions.close_session(db.session, current_user.session_id)
    logout_user()
    session.clear()
    target = url_for("auth.login", next=return_path(next_path), muc="2" if level >= 2 else None)
    return redirect(target)


def init_app(app: Flask) -> None:
    """A page that lets RegistryAuthExpired through sends the citizen to sign in again and
    back to the page (a GET; after a POST, the page the form was on)."""

    @app.errorhandler(RegistryAuthExpired)
    def registry_auth_expired(_exc: RegistryAuthExpired):
        current_app.logger.info("registry refused the access token: signing in again")
        return sign_in_again(current_path(with_query=request.method == "GET"))


def current_path(*, with_query: bool = True) -> str:
    """This request's path (and query), percent-encoded as a browser would send it."""
    path = quote(request.path, safe="/:@!$&'()*+,;=-._~")
    query = request.query_string.decode("latin-1")
    return path + ("?" + query if with_query and query else "")


def _refuse(exc: LoginRefused):
    current_app.logger.warning("VNeID login refused: %s", exc.reason)
    logout_user()
    session.clear()
    return render_template("portal/login_refused.html", message=exc.message), 401


@bp.route("/dang-nhap")
def login():
    level = 2 if request.args.get("muc") == "2" else 1
    try:
        url, pending = vneid().start(level=level, next_path=return_path(request.args.get("next")))
    except LoginRefused as exc:
        return _refuse(exc)
    session["oidc_pending"] = asdict(pending)
    return redirect(url)


@bp.route("/auth/callback")
def callback():
    raw = session.get("oidc_pending")
    try:
        pending = PendingLogin(**raw) if isinstance(raw, dict) else None
    except TypeError:  # a pending login written by another version of the portal
        pending = None
    try:
        vneid().check_state(request.args.get("state"), pending)
    except StateMismatch as exc:
        # Not the answer to a login this browser started (forged, replayed or stale): it
        # changes nothing, so a link cannot sign a citizen out or spoil a login under way.
        current_app.logger.warning("VNeID callback ignored: %s", exc.reason)
        if current_user.is_authenticated:
            return redirect(url_for("citizen.dashboard"))
        return render_template("portal/login_refused.html", message=exc.message), 401
    session.pop("oidc_pending", None)
    assert pending is not None  # check_state refuses a callback without a pending login
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
    return redirect(return_path(pending.next_path))


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
