"""The OpenID Connect provider on Authlib's server side.

Authorization code flow only, PKCE S256 required, `state` and `nonce` required, exact
redirect URIs, single-use 60-second codes; client authentication with private_key_jwt
(the portal's default) or client_secret_basic; client credentials for back-office
population lookups; RP-initiated logout.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import NoReturn, cast

import requests
from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import (
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    grants,
)
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import grants as oidc_grants
from authlib.oidc.core.grants.util import create_half_hash
from authlib.oidc.rpinitiated import EndSessionEndpoint
from flask import Response, abort, current_app, g
from joserfc.jwk import KeySet, KeySetSerialization
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, select

from identity_mock import misbehaviour, sessions
from identity_mock.claims import ACR_BY_LEVEL, SCOPE_DESCRIPTIONS, user_info
from identity_mock.db import db
from identity_mock.models import (
    Account,
    AuthorizationCode,
    OAuthClient,
    Person,
    Residence,
    Token,
    UsedJti,
)

AUTH_METHODS = ["private_key_jwt", "client_secret_basic"]
MAX_ASSERTION_LIFETIME = 300  # seconds a client assertion may still be valid for
SCOPES = [
    "openid",
    "profile",
    "address",
    "population",
    "population.lookup",
    "population.write",
]


NONCE_MEMORY = 86_400  # seconds a used code (and so its nonce) is remembered


def consented_scope(client: OAuthClient, requested: str | None) -> str:
    """The scopes a citizen's token may carry: requested, registered for the client, and
    shown on the consent page (those with a description); any other is dropped."""
    allowed = client.get_allowed_scope(requested or "").split()
    return " ".join(s for s in allowed if s in SCOPE_DESCRIPTIONS)


@dataclass
class EndUser:
    """The person who authenticated, as the grant sees them."""

    personal_id: str
    level: int
    auth_time: int

    def get_user_id(self) -> str:
        return self.personal_id


def _issuer() -> str:
    return current_app.config["ISSUER"]


def _signing_key():
    return current_app.extensions["idp_signing_key"]


def switches() -> set[str]:
    """The active misbehaviours, read once per request."""
    if not current_app.config["TEST_SWITCHES"]:
        return set()
    if "idp_switches" not in g:
        g.idp_switches = misbehaviour.active(db.session)
    return g.idp_switches


def query_client(client_id: str) -> OAuthClient | None:
    return db.session.get(OAuthClient, client_id)


def save_token(token: dict, request) -> None:
    user = request.user
    db.session.add(
        Token(
            access_token=token["access_token"],
            client_id=request.client.client_id,
            personal_id=user.personal_id if user else None,
            scope=token.get("scope", ""),
            issued_at=int(time.time()),
            expires_in=token["expires_in"],
        )
    )
    db.session.commit()


def current_residence(personal_id: str) -> Residence | None:
    return db.session.exec(
        select(Residence).where(
            Residence.personal_id == personal_id,
            Residence.kind == "thuong_tru",
            Residence.ended_on.is_(None),  # type: ignore[union-attr]
        )
    ).first()


def _key_set(jwks: dict) -> KeySet:
    """A client's keys from its stored or fetched JWKS document."""
    return KeySet.import_key_set(cast(KeySetSerialization, jwks))


# How long a client's fetched JWKS is trusted before it is fetched again (key rotation delay).
JWKS_CACHE_SECONDS = 300


class PrivateKeyJwt(JWTBearerClientAssertion):
    """private_key_jwt: the client signs an assertion with a key published in its JWKS."""

    CLIENT_AUTH_METHOD = "private_key_jwt"
    _jwks_cache: dict[str, tuple[float, dict]] = {}

    def __call__(self, query_client, request):
        try:
            return super().__call__(query_client, request)
        except InvalidClientError as exc:
            exc.status_code = 401  # like every other failed client authentication
            raise

    def get_audiences(self) -> list[str]:
        return [_issuer() + "/token", _issuer()]

    def verify_claims(self, claims) -> None:
        super().verify_claims(claims)
        if claims["exp"] - time.time() > MAX_ASSERTION_LIFETIME:
            raise InvalidClientError(description="The client assertion lives too long.")

    def validate_jti(self, claims, jti) -> bool:
        db.session.add(UsedJti(jti=f"{claims['sub']}:{jti}", expires_at=claims["exp"]))
        try:
            db.session.commit()  # recorded even if the rest of the request fails
        except IntegrityError:
            db.session.rollback()
            return False
        return True

    def resolve_client_public_key(self, client: OAuthClient) -> KeySet:
        if client.jwks:
            return _key_set(client.jwks)
        if not client.jwks_uri:
            raise InvalidClientError(description="The client has no registered keys.")
        cached = self._jwks_cache.get(client.jwks_uri)
        if cached and cached[0] > time.monotonic():
            return _key_set(cached[1])
        try:
            resp = requests.get(client.jwks_uri, timeout=5)
            resp.raise_for_status()
            jwks = resp.json()
        except (requests.RequestException, ValueError) as exc:
            if cached:  # a busy client (its workers all waiting on us) keeps its last keys
                return _key_set(cached[1])
            raise InvalidClientError(description="The client's JWKS is unreachable.") from exc
        self._jwks_cache[client.jwks_uri] = (time.monotonic() + JWKS_CACHE_SECONDS, jwks)
        return _key_set(jwks)


class StrictS256Challenge(CodeChallenge):
    """PKCE for every client, S256 only (RFC 9700 recommends it for confidential ones too)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge' (PKCE is required)")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be S256")
        super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant, result):
        if not grant.request.form.get("code_verifier"):
            raise InvalidRequestError("Missing 'code_verifier'")
        super().validate_code_verifier(grant, result)


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    def validate_authorization_request(self):
        redirect_uri = super().validate_authorization_request()
        payload = self.request.payload
        if not payload.state:
            raise InvalidRequestError("Missing 'state'", redirect_uri=redirect_uri)
        if "openid" not in (payload.scope or "").split():
            raise InvalidScopeError("The 'openid' scope is required", redirect_uri=redirect_uri)
        return redirect_uri

    def save_authorization_code(self, code: str, request) -> AuthorizationCode:
        data = request.payload.data
        user: EndUser = request.user
        now = int(time.time())
        item = AuthorizationCode(
            code=code,
            client_id=request.client.client_id,
            personal_id=user.personal_id,
            redirect_uri=request.payload.redirect_uri,
            scope=consented_scope(request.client, request.payload.scope),
            nonce=data.get("nonce"),
            code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"),
            acr=ACR_BY_LEVEL[user.level],
            auth_time=user.auth_time,
            expires_at=now + current_app.config["CODE_LIFETIME"],
        )
        db.session.exec(
            delete(AuthorizationCode).where(col(AuthorizationCode.expires_at) < now - NONCE_MEMORY)
        )
        db.session.add(item)
        try:
            db.session.commit()
        except IntegrityError:  # the same nonce in two requests at once: one code only
            db.session.rollback()
            raise InvalidRequestError(
                "Replay attack", redirect_uri=request.payload.redirect_uri
            ) from None
        return item

    def query_authorization_code(self, code: str, client) -> AuthorizationCode | None:
        item = db.session.get(AuthorizationCode, code)
        if item and item.client_id == client.client_id and not item.used and not item.is_expired():
            return item
        return None

    def create_token_response(self):
        """Claim the code, then issue the token: of concurrent redemptions of one code,
        only the request whose UPDATE flips `used` gets a token (invalid_grant for the
        others). Claimed after every check, so a failed attempt does not burn the code."""
        code = self.request.authorization_code.code
        db.session.commit()  # end the read transaction: the UPDATE starts a fresh one
        claimed = db.session.execute(
            update(AuthorizationCode)
            .where(
                col(AuthorizationCode.code) == code,
                col(AuthorizationCode.used).is_(False),
                col(AuthorizationCode.expires_at) >= int(time.time()),
            )
            .values(used=True)
            .returning(col(AuthorizationCode.code))
        ).first()
        db.session.commit()
        if claimed is None:
            raise InvalidGrantError("Invalid 'code' in request.")
        return super().create_token_response()

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        """Kept (already marked used) until NONCE_MEMORY has passed, so its nonce stays
        known to `exists_nonce`."""

    def authenticate_user(self, authorization_code: AuthorizationCode) -> EndUser | None:
        account = db.session.get(Account, authorization_code.personal_id)
        if account is None:
            return None
        return EndUser(account.personal_id, account.level, authorization_code.auth_time)


class ClientCredentials(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS


class OpenIDCode(oidc_grants.OpenIDCode):
    def exists_nonce(self, nonce: str, request) -> bool:
        found = db.session.exec(
            select(AuthorizationCode.code).where(
                AuthorizationCode.client_id == request.payload.client_id,
                AuthorizationCode.nonce == nonce,
            )
        ).first()
        return found is not None

    def generate_user_info(self, user: EndUser, scope: str) -> dict:
        person = db.session.get(Person, user.personal_id)
        if person is None:  # an account whose registry record is gone: the subject only
            return {"sub": user.personal_id, "so_dinh_danh": user.personal_id}
        return user_info(person, current_residence(user.personal_id), scope)

    def encode_id_token(self, token: dict, request) -> str:
        now = int(time.time())
        code: AuthorizationCode = request.authorization_code
        claims = {
            "iss": _issuer(),
            "aud": request.client.client_id,
            "iat": now,
            "exp": now + current_app.config["ID_TOKEN_LIFETIME"],
            "auth_time": code.auth_time,
            "nonce": code.nonce,
            "acr": code.acr,
            "at_hash": create_half_hash(token["access_token"], "RS256").decode(),
        }
        claims.update(self.generate_user_info(request.user, token["scope"]))
        return misbehaviour.sign_id_token(claims, _signing_key(), switches(), ACR_BY_LEVEL[1])

    def process_token(self, grant, response):
        token = super().process_token(grant, response)
        if "no_id_token" in switches():
            token.pop("id_token", None)
        return token


class EndSession(EndSessionEndpoint):
    def get_server_jwks(self) -> dict:
        return current_app.extensions["idp_jwks"]

    def get_algorithms(self) -> list[str]:
        return ["RS256"]

    def resolve_client_from_id_token_claims(self, id_token_claims: dict):
        aud = id_token_claims.get("aud")
        if isinstance(aud, list) and len(aud) == 1:
            aud = aud[0]
        return self.server.query_client(aud) if isinstance(aud, str) else None

    def end_session(self, end_session_request) -> None:
        sessions.end()


# What a refused bearer token means, in Vietnamese, beside the RFC 6750 error code.
BEARER_MESSAGES = {
    "insufficient_scope": "Mã truy cập không có quyền thực hiện yêu cầu này.",
    "invalid_token": "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi.",
}
MISSING_TOKEN_MESSAGE = "Thiếu mã truy cập (access token) hợp lệ."


class Protector(ResourceProtector):
    """Bearer protection whose errors keep their OAuth shape (`error`, `error_description`,
    WWW-Authenticate) and add a Vietnamese `message`, past the app's generic error pages."""

    def raise_error_response(self, error: OAuth2Error) -> NoReturn:
        body = dict(error.get_body())
        body["message"] = BEARER_MESSAGES.get(error.error or "", MISSING_TOKEN_MESSAGE)
        response = Response(
            current_app.json.dumps(body), error.status_code or 401, mimetype="application/json"
        )
        for name, value in error.get_headers():
            response.headers[name] = value
        abort(response)


class BearerValidator(BearerTokenValidator):
    def authenticate_token(self, token_string: str) -> Token | None:
        return db.session.exec(select(Token).where(Token.access_token == token_string)).first()


authorization = AuthorizationServer()
require_oauth = Protector()


def config_oauth(app) -> None:
    """Wire the grants, client authentication, logout and bearer validation into `app`."""
    app.config.setdefault(
        "OAUTH2_TOKEN_EXPIRES_IN",
        {
            "authorization_code": app.config["ACCESS_TOKEN_LIFETIME"],
            "client_credentials": 600,
        },
    )
    app.config.setdefault("OAUTH2_SCOPES_SUPPORTED", SCOPES)
    authorization.init_app(app, query_client=query_client, save_token=save_token)
    authorization.register_client_auth_method("private_key_jwt", PrivateKeyJwt())
    authorization.register_grant(
        CodeGrant, [OpenIDCode(require_nonce=True), StrictS256Challenge(required=True)]
    )
    authorization.register_grant(ClientCredentials)
    authorization.register_endpoint(EndSession())
    require_oauth.register_token_validator(BearerValidator())
