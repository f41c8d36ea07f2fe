"""Cổng Dịch vụ công: the citizen portal, clerk back office, public pages and JSON API."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from flask import Flask, Response, abort, current_app, request
from flask_limiter import Limiter
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect

from common import divisions, logs, tz
from common.keys import load_or_create_rsa_key, public_jwks
from common.limits import client_ip, init_limiter, limit, make_limiter
from common.web import (
    add_security_headers,
    has_control,
    make_app,
    origin_of,
    register_error_pages,
)
from portal import config as config_module
from portal.db import db
from portal.services.fees import format_dong
from portal.services.uploads import size_label
from procedures import load_catalogue
from procedures.service_index import load_service_index

csrf = CSRFProtect()
login_manager = LoginManager()


def create_app(config: dict | None = None) -> Flask:
    """Build the portal. `config` overrides the class chosen by PORTAL_ENV."""
    app = make_app(__name__, config_module.load(config))
    app.before_request(_bound_form_body)  # before CSRFProtect's hook reads the form
    # A malformed procedure file stops start-up here, naming the file and the field.
    app.extensions["catalogue"] = load_catalogue()
    app.extensions["service_index"] = load_service_index()  # its groups, points, questions
    _init_vneid(app)
    db.init_app(app)
    csrf.init_app(app)
    _init_login(app)

    from portal.api import views as api_views
    from portal.auth import views as auth_views
    from portal.backoffice import feedback as backoffice_feedback_views
    from portal.backoffice import views as backoffice_views
    from portal.catalogue import views as catalogue_views
    from portal.citizen import contact as contact_views
    from portal.citizen import feedback as feedback_views
    from portal.citizen import filing as filing_views
    from portal.citizen import payment as payment_views
    from portal.citizen import views as citizen_views
    from portal.cli import register_cli
    from portal.notices import views as notices_views
    from portal.public import stats as stats_views
    from portal.public import tracking as tracking_views
    from portal.public import verify as verify_views
    from portal.public import views as public_views

    app.register_blueprint(public_views.bp)
    app.register_blueprint(catalogue_views.bp)
    app.register_blueprint(auth_views.bp)
    app.register_blueprint(citizen_views.bp)
    app.register_blueprint(contact_views.bp)
    app.register_blueprint(filing_views.bp)
    app.register_blueprint(payment_views.bp)
    app.register_blueprint(api_views.bp)
    app.register_blueprint(backoffice_views.bp)
    app.register_blueprint(feedback_views.bp)
    app.register_blueprint(backoffice_feedback_views.bp)
    app.register_blueprint(stats_views.bp)
    app.register_blueprint(notices_views.bp)
    app.register_blueprint(verify_views.bp)  # also brings the result tables before create_all
    api_views.init_app(app)  # /api/v1 views of other blueprints join the API's document
    app.register_blueprint(tracking_views.bp)
    app.before_request(_refuse_unreadable_path)
    app.after_request(_headers)
    register_error_pages(app, "portal/error.html", _wants_json)
    _init_limits(app)
    auth_views.init_app(app)  # an expired registry token: through VNeID again
    app.add_template_filter(vn_date)
    app.add_template_filter(vn_datetime)
    app.add_template_filter(format_dong, "dong")
    app.add_template_filter(size_label, "filesize")
    app.add_template_global(divisions.province_name)
    register_cli(app)
    logs.init_app(app, "portal")  # request ids, JSON logs; tables come from migrations
    return app


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/healthz"))


def _bound_form_body() -> None:
    """A body that is not multipart (a plain form, JSON) may take MAX_FORM_MEMORY_SIZE
    bytes: Werkzeug applies that limit only to multipart text fields, and reads an
    urlencoded body whole (MAX_CONTENT_LENGTH, sized for files, would let 16 MB of text
    through). Larger is the Vietnamese 413 page."""
    if request.mimetype != "multipart/form-data":
        request.max_content_length = current_app.config["MAX_FORM_MEMORY_SIZE"]


def _refuse_unreadable_path() -> None:
    """No page has a control character or a lone surrogate in its address (a NUL would
    reach the database as a lookup key): such a path is a 404 before any view runs."""
    if has_control(request.path):
        abort(404)


# Blueprints whose pages are about one person: never kept by a browser or proxy cache.
PERSONAL_BLUEPRINTS = {"citizen", "contact", "filing", "backoffice", "notices", "api", "auth"}
ASSETS = {"static", "public.favicon"}  # the same for everyone: cached, signed in or not


def _headers(response: Response) -> Response:
    """Security headers on every answer; `no-store` on everything personal (pages of a
    signed-in citizen, their files and PDFs, every API answer). Sign-out is a form whose
    answer leads on to the provider, and the pay button's to the payment gateway, so their
    origins join form-action only on the pages that show them (a signed-in citizen's)."""
    signed_in = request.endpoint not in ASSETS and current_user.is_authenticated
    personal = request.blueprint in PERSONAL_BLUEPRINTS or request.path.startswith("/api/")
    if signed_in or personal:
        if "no-store" not in response.headers.get("Cache-Control", ""):
            response.headers["Cache-Control"] = "no-store"
    provider = origin_of(current_app.config["OIDC_ISSUER"])
    gateway = origin_of(current_app.config["PAYMENT_URL"])  # the pay button's redirect
    return add_security_headers(response, form_action=(provider, gateway) if signed_in else ())


def _citizen_key() -> str:
    """Per signed-in citizen (a household behind one address files on its own count)."""
    return "citizen:" + (current_user.personal_id if current_user.is_authenticated else client_ip())


def _init_limits(app: Flask) -> Limiter:
    """Rate limits (Flask-Limiter through common/limits.py, RATE_LIMITS in the config): the
    public verification page per address, submitting a dossier per citizen, the public
    tracking page per address, and /api/v1 per address, one count over every endpoint of
    the API."""
    limiter = make_limiter()
    init_limiter(app, limiter, "portal/error.html", _wants_json)

    def wrap(endpoint: str, decorator) -> None:
        app.view_functions[endpoint] = decorator(app.view_functions[endpoint])

    verify = limiter.shared_limit(limit("verify"), "verify", key_func=client_ip)
    for endpoint in ("verify.search", "verify.document"):
        wrap(endpoint, verify)
    wrap("filing.submit", limiter.limit(limit("filing_submit"), key_func=_citizen_key))
    wrap("tracking.search", limiter.limit(limit("tracking"), key_func=client_ip))
    ipn_limit = limiter.limit(lambda: current_app.config["PAYMENT_IPN_LIMIT"], key_func=client_ip)
    wrap("payment.ipn", ipn_limit)  # the payment gateway's notifications
    api = limiter.shared_limit(limit("api"), "api", key_func=client_ip)
    for endpoint in sorted({r.endpoint for r in app.url_map.iter_rules()}):
        if any(r.rule.startswith("/api/v1/") for r in app.url_map.iter_rules(endpoint)):
            wrap(endpoint, api)
    return limiter


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
