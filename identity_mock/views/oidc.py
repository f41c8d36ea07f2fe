"""OpenID Connect endpoints: discovery, JWKS, authorize (+ consent), token, userinfo, logout."""

from __future__ import annotations

from authlib.common.urls import add_params_to_uri
from authlib.integrations.flask_oauth2 import current_token
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.base import invalid_error_characters
from authlib.oauth2.rfc6749 import InvalidRequestError
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

from identity_mock.claims import ACR_BY_LEVEL, SCOPE_DESCRIPTIONS, user_info
from identity_mock.db import db
from identity_mock.forms import ConsentForm
from identity_mock.models import Person
from identity_mock.oauth2 import (
    AUTH_METHODS,
    SCOPES,
    EndUser,
    authorization,
    consented_scope,
    current_residence,
    require_oauth,
    switches,
)
from identity_mock.views.login import signed_in_user

bp = Blueprint("oidc", __name__)

AUTHORIZE_ERROR_SWITCHES = {
    "authorize_access_denied": "access_denied",
    "authorize_temporarily_unavailable": "temporarily_unavailable",
}


@bp.route("/.well-known/openid-configuration")
def discovery():
    issuer = current_app.config["ISSUER"]
    return jsonify(
        issuer=issuer,
        authorization_endpoint=issuer + "/authorize",
        token_endpoint=issuer + "/token",
        userinfo_endpoint=issuer + "/userinfo",
        jwks_uri=issuer + "/jwks.json",
        end_session_endpoint=issuer + "/logout",
        scopes_supported=SCOPES,
        response_types_supported=["code"],
        response_modes_supported=["query"],
        grant_types_supported=["authorization_code", "client_credentials"],
        subject_types_supported=["public"],
        id_token_signing_alg_values_supported=["RS256"],
        token_endpoint_auth_methods_supported=AUTH_METHODS,
        token_endpoint_auth_signing_alg_values_supported=["RS256"],
        code_challenge_methods_supported=["S256"],
        acr_values_supported=list(ACR_BY_LEVEL.values()),
        claims_supported=[
            "sub",
            "name",
            "birthdate",
            "gender",
            "address",
            "so_dinh_danh",
            "ho_va_ten",
            "acr",
            "auth_time",
            "nonce",
            "at_hash",
        ],
        ui_locales_supported=["vi"],
    )


@bp.route("/jwks.json")
def jwks():
    return jsonify(current_app.extensions["idp_jwks"])


def _unsafe_parameters() -> bool:
    """True when a parameter holds a character an OAuth error cannot carry (outside
    %x20-21 / %x23-5B / %x5D-7E, RFC 6749 §4.1.2.1): refused before Authlib sees it, as
    Authlib would fail building the error that names it."""
    return any(
        invalid_error_characters(value)
        for values in request.values.listvalues()
        for value in values
    )


UNSAFE = "A parameter holds characters outside printable ASCII"


def _error_page(error: OAuth2Error | None = None):
    """An authorize error we must not redirect: bad client or redirect URI, or parameters
    no OAuth client sends."""
    detail = f"{error.error}: {error.description or ''}" if error else f"invalid_request: {UNSAFE}"
    return (
        render_template(
            "identity/error.html",
            title="Yêu cầu đăng nhập không hợp lệ",
            message="Ứng dụng gửi yêu cầu đăng nhập không hợp lệ nên VNeID không thể tiếp tục.",
            detail=detail,
        ),
        400,
    )


def _redirect_error(grant, error: str):
    params = {"error": error, "state": grant.request.payload.state}
    return redirect(add_params_to_uri(grant.request.payload.redirect_uri, params))


@bp.route("/authorize", methods=["GET", "POST"])
def authorize():
    if _unsafe_parameters():
        return _error_page()
    user = signed_in_user()
    end_user = EndUser(**user) if user else None
    try:
        grant = authorization.get_consent_grant(end_user=end_user)
    except OAuth2Error as error:
        if getattr(error, "redirect_uri", None):
            return authorization.handle_error_response(request, error)
        return _error_page(error)
    for switch, answer in AUTHORIZE_ERROR_SWITCHES.items():
        if switch in switches():
            return _redirect_error(grant, answer)
    prompts = set((grant.request.payload.data.get("prompt") or "").split())
    fresh_login = session.get("fresh_login_for") == request.full_path
    if end_user is None or ("login" in prompts and not fresh_login):
        session["pending_authorize"] = request.full_path
        return redirect(url_for("login.sign_in"))
    if "none" in prompts:  # we always ask for consent, which prompt=none forbids
        return _redirect_error(grant, "consent_required")
    form = ConsentForm()
    if request.method == "POST" and form.validate_on_submit():
        granted = end_user if request.form.get("decision") == "allow" else None
        return authorization.create_authorization_response(grant_user=granted, grant=grant)
    scope = consented_scope(grant.client, grant.request.payload.scope)
    return render_template(
        "identity/consent.html",
        form=form,
        client=grant.client,
        person=db.session.get(Person, end_user.personal_id),
        level=end_user.level,
        items=[SCOPE_DESCRIPTIONS[s] for s in scope.split()],
        action=request.full_path,
    )


@bp.route("/token", methods=["POST"])
def issue_token():
    if "token_5xx" in switches():
        return jsonify(error="server_error", error_description="Lỗi máy chủ (thử nghiệm)"), 503
    if _unsafe_parameters():
        return jsonify(error="invalid_request", error_description=UNSAFE), 400
    try:
        return authorization.create_token_response()
    except ValueError:  # e.g. a Basic header that is not UTF-8, raised inside Authlib
        return jsonify(error="invalid_client", error_description="Malformed credentials"), 401


@bp.route("/userinfo", methods=["GET", "POST"])
@require_oauth("openid")
def userinfo():
    person = db.session.get(Person, current_token.personal_id or "")
    if person is None:
        return jsonify(error="invalid_token", error_description="No person for this token"), 401
    claims = user_info(person, current_residence(person.personal_id), current_token.scope)
    if "userinfo_sub_mismatch" in switches():
        claims["sub"] = "079099999999"
    return jsonify(claims)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    try:
        if _unsafe_parameters():
            raise InvalidRequestError(UNSAFE)
        end_request = authorization.validate_endpoint_request("end_session")
    except OAuth2Error as error:
        return (
            render_template(
                "identity/error.html",
                title="Yêu cầu đăng xuất không hợp lệ",
                message="VNeID không thể xác minh yêu cầu đăng xuất này.",
                detail=f"{error.error}: {error.description or ''}",
            ),
            400,
        )
    user = signed_in_user()
    hint_sub = (end_request.id_token_claims or {}).get("sub")
    # A hint for someone else must not silently end this person's session (logout CSRF).
    foreign_hint = user is not None and hint_sub != user["personal_id"]
    if (end_request.needs_confirmation or foreign_hint) and request.method == "GET":
        return render_template("identity/logout_confirm.html", form=ConsentForm())
    if request.method == "POST" and not ConsentForm().validate_on_submit():
        return render_template("identity/logout_confirm.html", form=ConsentForm()), 400
    response = authorization.create_endpoint_response("end_session", end_request)
    return response or render_template("identity/logged_out.html")
