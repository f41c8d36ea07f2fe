"""Cổng Dịch vụ công: the citizen portal, clerk back office, public pages and JSON API."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from flask import Flask, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from common import divisions, logs, tz
from common.keys import load_or_create_rsa_key, public_jwks
from common.web import add_security_headers, make_app, register_error_pages
from portal import config as config_module
from portal.db import db
from portal.services.fees import format_dong
from portal.services.uploads import size_label
from procedures import load_catalogue

csrf = CSRFProtect()
login_manager = LoginManager()


def create_app(config: dict | None = None) -> Flask:
    """Build the portal. `config` overrides the class chosen by PORTAL_ENV."""
    app = make_app(__name__, config_module.load(config))
    # A malformed procedure file stops start-up here, naming the file and the field.
    app.extensions["catalogue"] = load_catalogue()
    _init_vneid(app)
    db.init_app(app)
    csrf.init_app(app)
    _init_login(app)

    from portal.api import views as api_views
    from portal.auth import views as auth_views
    from portal.backoffice import views as backoffice_views
    from portal.catalogue import views as catalogue_views
    from portal.citizen import filing as filing_views
    from portal.citizen import views as citizen_views
    from portal.cli import register_cli
    from portal.notices import views as notices_views
    from portal.public import stats as stats_views
    from portal.public import verify as verify_views
    from portal.public import views as public_views

    app.register_blueprint(public_views.bp)
    app.register_blueprint(catalogue_views.bp)
    app.register_blueprint(auth_views.bp)
    app.register_blueprint(citizen_views.bp)
    app.register_blueprint(filing_views.bp)
    app.register_blueprint(api_views.bp)
    app.register_blueprint(backoffice_views.bp)
    app.register_blueprint(stats_views.bp)
    app.register_blueprint(notices_views.bp)
    app.register_blueprint(verify_views.bp)  # also brings the result tables before create_all
    app.after_request(add_security_headers)
    register_error_pages(
        app, "portal/error.html", lambda: request.path.startswith(("/api/", "/healthz"))
    )
    app.add_template_filter(vn_date)
    app.add_template_filter(vn_datetime)
    app.add_template_filter(format_dong, "dong")
    app.add_template_filter(size_label, "filesize")
    app.add_template_global(divisions.province_name)
    register_cli(app)
    logs.init_app(app, "portal")  # request ids, JSON logs; tables come from migrations
    return app


def _init_vneid(app: Flask) -> None:
    from portal.auth.oidc import VneidClient

    key = load_or_create_rsa_key(Path(app.instance_path) / "portal_client_key.pem")
    app.extensions["portal_jwks"] = public_jwks(key)
    app.extensions["vneid"] = VneidClient(
        issuer=app.config["OIDC_ISSUER"],
        client_id=app.config["OIDC_CLIENT_ID"],
        redirect_uri=app.config["PORTAL_URL"].rstrip("/") + "/auth/callback",
        key=key,
        scope=app.config["OIDC_SCOPE"],
        leeway=app.config["OIDC_LEEWAY"],
        timeout=app.config["OIDC_HTTP_TIMEOUT"],
    )


def _init_login(app: Flask) -> None:
    from portal.auth.user import CurrentCitizen
    from portal.services.sessions import load_session

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the VNeID page itself says what to do
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_id: str):
        login = load_session(db.session, session_id)
        return CurrentCitizen(login) if login else None


def vn_date(value) -> str:
    """dd/mm/yyyy, as Vietnamese papers write dates; accepts ISO strings too."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def vn_datetime(value) -> str:
    """HH:MM dd/mm/yyyy in Vietnam time."""
    if not value:
        return ""
    return tz.local(value).strftime("%H:%M %d/%m/%Y")
