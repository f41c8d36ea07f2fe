"""Mock VNeID: an OpenID Connect provider in front of a mock national population database."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, g, request
from flask_wtf.csrf import CSRFProtect

from common import health
from common.keys import load_or_create_rsa_key, public_jwks, unverified_part
from common.proxy import trust_proxies
from common.web import add_security_headers, make_app, register_error_pages
from identity_mock import config as config_module
from identity_mock import limits, text
from identity_mock.db import db
from identity_mock.models import CallRecord

csrf = CSRFProtect()
RECORDED = ("oidc.", "population_api.")


def create_app(config: dict | None = None) -> Flask:
    """Build the provider. `config` overrides the class chosen by IDP_ENV."""
    app = make_app(__name__, config_module.load(config))
    # The sign-in and consent forms end in a redirect to the portal, which a browser checks
    # against form-action: its origin, and no other, besides the provider's own.
    portal = urlsplit(app.config.get("PORTAL_URL") or "")
    origins = [f"{portal.scheme}://{portal.netloc}"] if portal.netloc else []
    app.config.setdefault("CSP_FORM_ACTION", origins)
    key = load_or_create_rsa_key(Path(app.instance_path) / "vneid_signing_key.pem")
    app.extensions["idp_signing_key"] = key
    app.extensions["idp_jwks"] = public_jwks(key)

    db.init_app(app)
    csrf.init_app(app)
    from identity_mock.oauth2 import config_oauth
    from identity_mock.views import login, oidc, population_api, testing

    config_oauth(app)
    app.register_blueprint(login.bp)
    app.register_blueprint(oidc.bp)
    app.register_blueprint(population_api.bp)
    for view in ("oidc.issue_token", "oidc.userinfo"):
        csrf.exempt(app.view_functions[view])  # authenticated by client or bearer, not a cookie
    if app.config["TEST_SWITCHES"]:
        app.register_blueprint(testing.bp)
        csrf.exempt(testing.bp)
    _register_hooks(app)
    limits.init_app(app, _wants_json)
    trust_proxies(app)  # per-address limits and locks see the citizen behind a proxy

    from identity_mock.cli import register_cli

    register_cli(app)
    health.init_app(app, db, "identity_mock")  # /healthz, JSON logs; tables: migrations
    return app


def _register_hooks(app: Flask) -> None:
    @app.after_request
    def record_call(response):
        if app.config["RECORD_CALLS"] and (request.endpoint or "").startswith(RECORDED):
            with db.new_session() as session:
                session.add(
                    CallRecord(
                        method=request.method,
                        endpoint=request.endpoint or "",
                        status=response.status_code,
                        client_id=_client_id(),
                    )
                )
                session.commit()
        return add_security_headers(response)

    register_error_pages(app, "identity/error.html", _wants_json)


def _wants_json() -> bool:
    """Machine endpoints answer errors in JSON; people get a Vietnamese page."""
    return request.path.startswith(("/api/", "/token", "/userinfo", "/test/", "/jwks"))


def _client_id() -> str | None:
    """Who called, for the call record: bearer token, Basic user or assertion subject
    (what the caller claims, so only when it is short clean text)."""
    token = g.get("authlib_server_oauth2_token")
    if token is not None:
        return token.client_id
    auth = request.authorization
    if auth and auth.type == "basic":
        return text.clean(auth.username, max_length=100)
    assertion = request.form.get("client_assertion") if request.method == "POST" else None
    if assertion:
        try:
            return text.clean(unverified_part(assertion, 1).get("sub"), max_length=100)
        except ValueError:
            return None
    return text.clean(request.values.get("client_id"), max_length=100)
