"""Relying parties registered with the mock VNeID, derived from configuration."""

from __future__ import annotations

from sqlmodel import Session
from werkzeug.security import generate_password_hash

from identity_mock.models import OAuthClient

PORTAL_CLIENT_ID = "cong-dich-vu-cong"
BASIC_CLIENT_ID = "ung-dung-thu-nghiem"


def register_clients(session: Session, config: dict) -> None:
    """Create or update the portal's registration (and, outside production, a test client)."""
    portal = config["PORTAL_URL"].rstrip("/")
    _upsert(
        session,
        OAuthClient(
            client_id=PORTAL_CLIENT_ID,
            client_name="Cổng Dịch vụ công",
            token_endpoint_auth_method="private_key_jwt",
            redirect_uris=[portal + "/auth/callback"],
            post_logout_redirect_uris=[portal + "/da-dang-xuat"],
            grant_types=["authorization_code", "client_credentials"],
            scope="openid profile address population population.lookup population.write",
            jwks_uri=portal + "/.well-known/jwks.json",
        ),
    )
    secret = config.get("BASIC_CLIENT_SECRET")
    if secret:
        existing = session.get(OAuthClient, BASIC_CLIENT_ID)
        if existing is not None and existing.check_client_secret(secret):
            secret_hash = existing.client_secret_hash
        else:
            secret_hash = generate_password_hash(secret)
        _upsert(
            session,
            OAuthClient(
                client_id=BASIC_CLIENT_ID,
                client_name="Ứng dụng thử nghiệm",
                client_secret_hash=secret_hash,
                token_endpoint_auth_method="client_secret_basic",
                redirect_uris=[portal + "/thu-nghiem/callback"],
                grant_types=["authorization_code", "client_credentials"],
                scope="openid profile address",
            ),
        )
    session.commit()


def _upsert(session: Session, client: OAuthClient) -> None:
    session.merge(client)
