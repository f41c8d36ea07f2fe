"""The portal as an OpenID Connect relying party of VNeID (Authlib's client).

Discovery, PKCE S256, state and nonce, private_key_jwt at the token endpoint, strict ID
token validation (`id_token.py`), userinfo bound to the ID token's subject. No Flask
here: the views keep the pending request in the session and call these functions.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc.jwk import RSAKey

from common import logs
from portal.auth.id_token import LEVEL_BY_ACR, IdTokenError, validate_id_token

ACR_BY_LEVEL = {v: k for k, v in LEVEL_BY_ACR.items()}


class TracedOAuth2Session(OAuth2Session, logs.TracedSession):
    """Authlib's client, passing the portal request's id on to the provider."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # Authlib's (untyped) signature
        super().__init__(*args, **kwargs)


_http = logs.TracedSession()  # discovery, JWKS, userinfo
ASSERTION_LIFETIME = 60

UNAVAILABLE = "Hệ thống VNeID đang tạm thời gián đoạn. Vui lòng thử lại sau ít phút."
UNVERIFIED = (
    "Không xác thực được thông tin đăng nhập nhận từ VNeID. Để bảo vệ tài khoản của bạn, "
    "Cổng đã dừng việc đăng nhập. Vui lòng thử lại; nếu vẫn lỗi, hãy liên hệ tổng đài hỗ trợ."
)
DENIED = "Bạn đã từ chối chia sẻ thông tin với Cổng Dịch vụ công nên chưa thể đăng nhập."
EXPIRED = "Phiên đăng nhập không hợp lệ hoặc đã hết hạn. Vui lòng đăng nhập lại."
LEVEL_TOO_LOW = (
    "Tài khoản định danh điện tử của bạn đang ở mức 1, chưa đủ cho chức năng cần tài khoản "
    "mức 2. Hãy nâng cấp lên mức 2 tại Công an cấp xã nơi gần nhất (mang theo thẻ căn cước), "
    "rồi đăng nhập lại."
)


class LoginRefused(Exception):
    """Login must stop: `reason` goes to the log, `message` to the citizen."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message


class StateMismatch(LoginRefused):
    """The callback answers no login this browser started: it must change nothing."""


@dataclass
class PendingLogin:
    """What the portal remembers between the redirect to VNeID and the callback."""

    state: str
    nonce: str
    code_verifier: str
    level: int
    next_path: str = "/ca-nhan"


@dataclass
class LoginResult:
    claims: dict
    userinfo: dict
    token: dict

    @property
    def level(self) -> int:
        return LEVEL_BY_ACR[self.claims["acr"]]


@dataclass
class VneidClient:
    issuer: str
    client_id: str
    redirect_uri: str
    key: RSAKey
    scope: str
    leeway: int = 60
    timeout: int = 10
    _metadata: tuple[float, dict] | None = field(default=None, repr=False)
    _jwks: dict | None = field(default=None, repr=False)
    _service_tokens: dict = field(default_factory=dict, repr=False)

    def metadata(self) -> dict:
        if self._metadata and self._metadata[0] > time.monotonic():
            return self._metadata[1]
        data = self._get_json(self.issuer + "/.well-known/openid-configuration")
        if data.get("issuer") != self.issuer:
            raise LoginRefused("discovery issuer mismatch", UNVERIFIED)
        self._metadata = (time.monotonic() + 300, data)
        return data

    def jwks(self, *, refresh: bool = False) -> dict:
        if self._jwks is None or refresh:
            self._jwks = self._get_json(self.metadata()["jwks_uri"])
        return self._jwks

    def start(self, *, level: int, next_path: str) -> tuple[str, PendingLogin]:
        """The provider URL to send the citizen to, and what to remember until they return."""
        pending = PendingLogin(
            state=secrets.token_urlsafe(24),
            nonce=secrets.token_urlsafe(24),
            code_verifier=generate_token(64),
            level=level,
            next_path=next_path,
        )
        client = TracedOAuth2Session(
            self.client_id,
            redirect_uri=self.redirect_uri,
            scope=self.scope,
            code_challenge_method="S256",
        )
        url, _ = client.create_authorization_url(
            self.metadata()["authorization_endpoint"],
            state=pending.state,
            nonce=pending.nonce,
            code_verifier=pending.code_verifier,
            acr_values=ACR_BY_LEVEL[level],
            ui_locales="vi",
        )
        return url, pending

    @staticmethod
    def check_state(state: object, pending: PendingLogin | None) -> None:
        """StateMismatch unless `state` is the one of the login this browser started. Checked
        before anything else in the callback, `error=` included."""
        if pending is None or not isinstance(state, str) or not state.isascii():
            raise StateMismatch("no pending login, or state missing", EXPIRED)
        if not secrets.compare_digest(state, pending.state):
            raise StateMismatch("state mismatched", EXPIRED)

    def finish(self, args: dict, pending: PendingLogin | None) -> LoginResult:
        """Check the callback, redeem the code, verify the ID token and fetch userinfo."""
        self.check_state(args.get("state"), pending)
        assert pending is not None
        if args.get("error"):
            message = DENIED if args["error"] == "access_denied" else UNAVAILABLE
            raise LoginRefused(f"provider error: {str(args['error'])[:64]!r}", message)
        if not args.get("code"):
            raise LoginRefused("no code in callback", EXPIRED)
        token = self._redeem(args["code"], pending.code_verifier)
        if not token.get("id_token") or not token.get("access_token"):
            raise LoginRefused("token response without id_token", UNVERIFIED)
        claims = self._verify(token, pending.nonce)
        if LEVEL_BY_ACR[claims["acr"]] < pending.level:
            raise LoginRefused(f"acr {claims['acr']} below level {pending.level}", LEVEL_TOO_LOW)
        info = self.userinfo(token["access_token"])
        if info.get("sub") != claims["sub"]:
            raise LoginRefused("userinfo sub differs from ID token sub", UNVERIFIED)
        return LoginResult(claims, info, token)

    def userinfo(self, access_token: str) -> dict:
        return self._get_json(
            self.metadata()["userinfo_endpoint"],
            headers={"Authorization": f"Bearer {access_token}"},
        )

    def logout_url(self, id_token: str, post_logout_redirect_uri: str) -> str:
        """RP-initiated logout at the provider, coming back to `post_logout_redirect_uri`."""
        params = {"id_token_hint": id_token, "post_logout_redirect_uri": post_logout_redirect_uri}
        return self.metadata()["end_session_endpoint"] + "?" + urlencode(params)

    def _redeem(self, code: str, code_verifier: str) -> dict:
        return self._token_request(
            grant_type="authorization_code", code=code, code_verifier=code_verifier
        )

    def service_token(self, scope: str = "population.lookup", *, fresh: bool = False) -> str:
        """A client-credentials access token for back-office lookups, reused until near expiry;
        `fresh`: a new one (the registry refused the cached one, e.g. after a provider restart)."""
        cached = self._service_tokens.get(scope)
        if cached and cached[0] > time.monotonic() and not fresh:
            return cached[1]
        token = self._token_request(grant_type="client_credentials", scope=scope)
        lifetime = int(token.get("expires_in", 60))
        self._service_tokens[scope] = (time.monotonic() + lifetime - 30, token["access_token"])
        return token["access_token"]

    def _token_request(self, **params) -> dict:
        endpoint = self.metadata()["token_endpoint"]
        client = TracedOAuth2Session(
            self.client_id,
            client_secret=self.key,
            token_endpoint_auth_method="private_key_jwt",
            redirect_uri=self.redirect_uri,
        )
        # A short-lived assertion (Authlib's default is an hour; the provider caps at 5 min).
        claims = {"exp": int(time.time()) + ASSERTION_LIFETIME}
        client.register_client_auth_method(
            PrivateKeyJWT(endpoint, claims=claims, headers={"kid": self.key.kid}, alg="RS256")
        )
        try:
            return dict(client.fetch_token(endpoint, timeout=self.timeout, **params))
        except Exception as exc:  # noqa: BLE001 - network, 5xx, or an OAuth error body
            raise LoginRefused(f"token endpoint failed: {exc}", UNAVAILABLE) from exc

    def _verify(self, token: dict, nonce: str) -> dict:
        params = {
            "issuer": self.issuer,
            "client_id": self.client_id,
            "nonce": nonce,
            "access_token": token["access_token"],
            "leeway": self.leeway,
        }
        try:
            try:
                return validate_id_token(token["id_token"], jwks=self.jwks(), **params)
            except IdTokenError as exc:
                if not exc.reason.startswith("unknown key id"):
                    raise
                # The provider may have rotated its key: fetch the JWKS once more.
                return validate_id_token(token["id_token"], jwks=self.jwks(refresh=True), **params)
        except IdTokenError as exc:
            raise LoginRefused(f"ID token refused: {exc.reason}", UNVERIFIED) from exc

    def _get_json(self, url: str, headers: dict | None = None) -> dict:
        try:
            resp = _http.get(url, headers=headers, timeout=self.timeout)
            resp.raise_for_status()
            data = resp.json()
        except (requests.RequestException, ValueError) as exc:
            raise LoginRefused(f"GET {url} failed: {exc}", UNAVAILABLE) from exc
        if not isinstance(data, dict):
            raise LoginRefused(f"GET {url}: not a JSON object", UNAVAILABLE)
        return data
