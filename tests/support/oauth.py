"""Drive the mock VNeID provider through Flask's test client, as a relying party would.

PKCE pairs, private_key_jwt client assertions, extra registered clients, sign-in and
consent, token requests and ID token checks. Every helper takes keyword arguments only.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import Flask
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.security import generate_password_hash

from identity_mock.db import db as idp_db
from identity_mock.models import OAuthClient
from tests.support.apps import BASIC_SECRET, dispose, make_idp
from tests.support.flows import csrf_tokens

ISSUER = "http://idp.test"
TOKEN_URL = ISSUER + "/token"
PORTAL_URL = "http://portal.test"
PORTAL_CLIENT_ID = "cong-dich-vu-cong"
PORTAL_CALLBACK = PORTAL_URL + "/auth/callback"
PORTAL_LOGGED_OUT = PORTAL_URL + "/da-dang-xuat"
BASIC_CLIENT_ID = "ung-dung-thu-nghiem"
BASIC_CALLBACK = PORTAL_URL + "/thu-nghiem/callback"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

RP_ID = "rp-test"
RP_CALLBACK = "http://rp.test/callback"
RP_LOGGED_OUT = "http://rp.test/da-dang-xuat"
RP_SCOPE = "openid profile address population population.lookup"

AN = "079095001234"  # Nguyễn Văn An, level 2, Phường Bến Thành, TP.HCM
THU = "079199089012"  # Ngô Thị Thu, level 1
PASSCODE = "123456"


def build_provider(tmp: Path, **overrides) -> Flask:
    """A provider at issuer ISSUER for portal PORTAL_URL."""
    return make_idp(tmp, issuer=ISSUER, portal_url=PORTAL_URL, **overrides)


def discard_provider(app: Flask) -> None:
    dispose(app)


# --- PKCE, client assertions, registered clients ----------------------------------------


@dataclass(frozen=True)
class Pkce:
    verifier: str
    challenge: str


def pkce_pair() -> Pkce:
    """A fresh S256 code verifier and its challenge."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return Pkce(verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode())


@cache
def rsa_key(*, label: str = "rp") -> RSAKey:
    """A private RSA key, one per label for the whole run (generation is slow-ish)."""
    key = RSAKey.generate_key(2048, private=True)
    return RSAKey.import_key(key.as_dict(private=True), {"kid": f"{label}-{key.thumbprint()[:8]}"})


def public_jwks(*, key: RSAKey) -> dict:
    return KeySet([key]).as_dict(private=False)


def client_assertion(
    *,
    client_id: str,
    key: RSAKey,
    audience: str = TOKEN_URL,
    jti: str | None = None,
    lifetime: int = 60,
    issued_at: int | None = None,
    kid: str | None = None,
) -> str:
    """A private_key_jwt assertion (RFC 7523) signed with `key` (header kid: `kid` or key's)."""
    now = int(time.time()) if issued_at is None else issued_at
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "jti": jti or uuid.uuid4().hex,
        "iat": now,
        "exp": now + lifetime,
    }
    return jwt.encode({"alg": "RS256", "kid": kid or key.kid}, claims, key, ["RS256"])


def unsigned_jwt(*, claims: dict) -> str:
    """A JWT with `alg: none` and no signature, as a forger would send it."""
    parts = ({"alg": "none", "typ": "JWT"}, claims)
    encoded = (base64.urlsafe_b64encode(json.dumps(p).encode()).rstrip(b"=") for p in parts)
    return b".".join(encoded).decode() + "."


def assertion_form(*, client_id: str, key: RSAKey, **claims) -> dict:
    """The two form fields that authenticate a private_key_jwt client."""
    return {
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": client_assertion(client_id=client_id, key=key, **claims),
    }


@dataclass(frozen=True)
class RelyingParty:
    client_id: str
    redirect_uri: str
    key: RSAKey | None = None
    secret: str | None = None
    post_logout_redirect_uri: str | None = None

    def auth(self, **claims) -> dict:
        """Keyword arguments for `token_request` that authenticate this client."""
        if self.secret is not None:
            return {"basic": (self.client_id, self.secret)}
        return {"form_auth": assertion_form(client_id=self.client_id, key=self.key, **claims)}


def register_client(
    app,
    *,
    client_id: str = RP_ID,
    key: RSAKey | None = None,
    secret: str | None = None,
    auth_method: str = "private_key_jwt",
    redirect_uri: str = RP_CALLBACK,
    post_logout_redirect_uri: str = RP_LOGGED_OUT,
    grant_types: tuple[str, ...] = ("authorization_code", "client_credentials"),
    scope: str = RP_SCOPE,
) -> RelyingParty:
    """Register (or replace) a client whose public keys are stored inline in `jwks`."""
    key = key or rsa_key()
    with app.app_context(), idp_db.new_session() as session:
        session.merge(
            OAuthClient(
                client_id=client_id,
                client_name=f"Ứng dụng kiểm thử {client_id}",
                client_secret_hash=generate_password_hash(secret, "pbkdf2:sha256:1000")
                if secret
                else None,
                token_endpoint_auth_method=auth_method,
                redirect_uris=[redirect_uri],
                post_logout_redirect_uris=[post_logout_redirect_uri],
                grant_types=list(grant_types),
                scope=scope,
                jwks=public_jwks(key=key),
            )
        )
        session.commit()
    secret_used = secret if auth_method == "client_secret_basic" else None
    return RelyingParty(client_id, redirect_uri, key, secret_used, post_logout_redirect_uri)


def basic_client() -> RelyingParty:
    """The seeded client_secret_basic client."""
    return RelyingParty(BASIC_CLIENT_ID, BASIC_CALLBACK, secret=BASIC_SECRET)


# --- authorize: sign-in, consent, codes ---------------------------------------------------


@dataclass
class AuthRequest:
    """One authorization request, with the values the client must remember."""

    client_id: str
    redirect_uri: str
    scope: str = "openid profile"
    state: str = field(default_factory=lambda: "st-" + secrets.token_urlsafe(8))
    nonce: str = field(default_factory=lambda: "n-" + secrets.token_urlsafe(8))
    pkce: Pkce = field(default_factory=pkce_pair)

    def path(self, **overrides) -> str:
        """`/authorize?...`; an override of None leaves that parameter out."""
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": self.pkce.challenge,
            "code_challenge_method": "S256",
            **overrides,
        }
        return "/authorize?" + urlencode({k: v for k, v in params.items() if v is not None})


def for_client(rp: RelyingParty, **kwargs) -> AuthRequest:
    return AuthRequest(client_id=rp.client_id, redirect_uri=rp.redirect_uri, **kwargs)


def query_of(location: str) -> dict[str, str]:
    """The query parameters of a redirect target, first value of each."""
    return dict(parse_qsl(urlsplit(location).query))


def without_query(location: str) -> str:
    parts = urlsplit(location)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.scheme else parts.path


def sign_in(client, *, personal_id: str, passcode: str | None = None):
    """Sign in at /dang-nhap with the persona picker, or with a passcode when given."""
    page = client.get("/dang-nhap")
    tokens = csrf_tokens(page.get_data(as_text=True))
    if passcode is None:
        data = {"persona-csrf_token": tokens["persona-csrf_token"], "persona": personal_id}
    else:
        data = {
            "csrf_token": tokens["csrf_token"],
            "personal_id": personal_id,
            "passcode": passcode,
        }
    return client.post("/dang-nhap", data=data)


def decide(client, *, path: str, decision: str = "allow"):
    """Load the consent page at `path` and press the allow or deny button."""
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    token = csrf_tokens(page.get_data(as_text=True))["csrf_token"]
    return client.post(path, data={"csrf_token": token, "decision": decision})


def obtain_code(client, *, request: AuthRequest, personal_id: str = AN) -> str:
    """Sign in as `personal_id`, allow consent for `request` and return the code."""
    sign_in(client, personal_id=personal_id)
    resp = decide(client, path=request.path())
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    params = query_of(resp.headers["Location"])
    assert params.get("state") == request.state, params
    return params["code"]


# --- token endpoint and ID tokens ---------------------------------------------------------


def token_request(client, *, form: dict, form_auth: dict | None = None, basic=None):
    """POST /token with `form` plus the client authentication given."""
    headers = {}
    if basic is not None:
        raw = f"{basic[0]}:{basic[1]}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(raw).decode()
    return client.post("/token", data={**form, **(form_auth or {})}, headers=headers)


def code_form(*, request: AuthRequest, code: str, **overrides) -> dict:
    """The authorization_code grant form; an override of None leaves that field out."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": request.redirect_uri,
        "code_verifier": request.pkce.verifier,
        **overrides,
    }
    return {k: v for k, v in form.items() if v is not None}


def redeem(client, *, rp: RelyingParty, request: AuthRequest, code: str, **overrides):
    form = code_form(request=request, code=code, **overrides)
    return token_request(client, form=form, **rp.auth())


def login_tokens(
    client, *, rp: RelyingParty, personal_id: str = AN, scope: str = "openid profile"
) -> tuple[AuthRequest, dict]:
    """The whole code flow for `rp`; returns the request and the token response."""
    request = for_client(rp, scope=scope)
    code = obtain_code(client, request=request, personal_id=personal_id)
    resp = redeem(client, rp=rp, request=request, code=code)
    assert resp.status_code == 200, resp.get_json()
    return request, resp.get_json()


def client_credentials_token(client, *, rp: RelyingParty, scope: str = "population.lookup"):
    form = {"grant_type": "client_credentials", "scope": scope}
    resp = token_request(client, form=form, **rp.auth())
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["access_token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def decode_id_token(client, *, id_token: str):
    """Verify `id_token` with the provider's published JWKS; returns joserfc's token."""
    keys = KeySet.import_key_set(client.get("/jwks.json").get_json())
    return jwt.decode(id_token, keys, algorithms=["RS256"])
