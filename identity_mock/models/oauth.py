"""OAuth 2.0 / OpenID Connect records, shaped for Authlib's server mixins."""

import time

from authlib.oauth2.rfc6749 import ClientMixin
from authlib.oauth2.rfc6749.models import AuthorizationCodeMixin, TokenMixin
from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field
from werkzeug.security import check_password_hash

from identity_mock.models.base import IdpModel


class OAuthClient(IdpModel, ClientMixin, table=True):
    __tablename__ = "idp_client"

    client_id: str = Field(primary_key=True)
    client_name: str
    client_secret_hash: str | None = None
    token_endpoint_auth_method: str = "private_key_jwt"
    redirect_uris: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    post_logout_redirect_uris: list = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    grant_types: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    scope: str = "openid"
    jwks: dict | None = Field(default=None, sa_column=Column(JSON))
    jwks_uri: str | None = None

    @property
    def client_metadata(self) -> dict:
        return {"post_logout_redirect_uris": self.post_logout_redirect_uris}

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope: str) -> str:
        if not scope:
            return ""
        allowed = set(self.scope.split())
        return " ".join(s for s in scope.split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris  # exact match, no prefixes

    def check_client_secret(self, client_secret: str) -> bool:
        if not self.client_secret_hash:
            return False
        return check_password_hash(self.client_secret_hash, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if endpoint == "token":
            return method == self.token_endpoint_auth_method
        return True

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


NONCE_CONSTRAINT = "uq_idp_authorization_code_client_nonce"


class AuthorizationCode(IdpModel, AuthorizationCodeMixin, table=True):
    """A code, redeemable once (`used` is set by the one request that wins it). Used codes
    stay a day so their nonce cannot come back (one nonce per client)."""

    __tablename__ = "idp_authorization_code"
    __table_args__ = (UniqueConstraint("client_id", "nonce", name=NONCE_CONSTRAINT),)

    code: str = Field(primary_key=True)
    client_id: str
    personal_id: str
    redirect_uri: str
    scope: str
    nonce: str | None = None
    used: bool = False
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    acr: str | None = None
    auth_time: int
    expires_at: int

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str | None:
        return self.acr

    def get_amr(self) -> list | None:
        return None

    def is_expired(self) -> bool:
        return self.expires_at < time.time()


class Token(IdpModel, TokenMixin, table=True):
    __tablename__ = "idp_token"

    id: int | None = Field(default=None, primary_key=True)
    access_token: str = Field(unique=True, index=True)
    client_id: str
    personal_id: str | None = None  # None for client-credentials tokens
    scope: str
    issued_at: int
    expires_in: int
    revoked: bool = False

    def check_client(self, client) -> bool:
        return self.client_id == client.get_client_id()

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return self.issued_at + self.expires_in < time.time()

    def is_revoked(self) -> bool:
        return self.revoked


class UsedJti(IdpModel, table=True):
    """Client-assertion ids already seen, so an assertion cannot be replayed."""

    __tablename__ = "idp_used_jti"

    jti: str = Field(primary_key=True)
    expires_at: int = Field(sa_column=Column(BigInteger, nullable=False))
