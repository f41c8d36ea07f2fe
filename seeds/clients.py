"""Relying parties registered with the mock VNeID, derived from explicit configuration.

The portal's registration (callback, logout landing page, JWKS URI) comes from
`PORTAL_URL`; without it nothing is registered (a guessed default would point a real
provider's redirects at whatever listens on that address). The client_secret_basic test
client needs `BASIC_CLIENT_SECRET` as well, and is never registered in production.

Run by `flask --app identity_mock seed` and `flask --app identity_mock register-clients`,
not at start-up.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlmodel import Session
from werkzeug.security import generate_password_hash

from identity_mock.models import OAuthClient

PORTAL_CLIENT_ID = "cong-dich-vu-cong"
BASIC_CLIENT_ID = "ung-dung-thu-nghiem"


class ClientConfigError(ValueError):
    """The configuration names no usable portal URL."""


def portal_url(config: dict) -> str | None:
    """The configured portal base URL without a trailing slash, or None when unset;
    anything but an absolute http(s) URL is refused."""
    raw = (config.get("PORTAL_URL") or "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise ClientConfigError(f"PORTAL_URL must be an http(s) base URL, not {raw!r}")
    return raw.rstrip("/")


def register_clients(session: Session, config: dict) -> list[str]:
    """Create or update the clients the configuration names; return their ids (none when
    PORTAL_URL is unset)."""
    portal = portal_url(config)
    if portal is None:
        return []
    registered = [PORTAL_CLIENT_ID]
    session.merge(
        OAuthClient(
            client_id=PORTAL_CLIENT_ID,
            client_name="Cổng Dịch vụ công",
            token_endpoint_auth_method="private_key_jwt",
            redirect_uris=[portal + "/auth/callback"],
            post_logout_redirect_uris=[portal + "/da-dang-xuat"],
            grant_types=["authorization_code", "client_credentials"],
            scope="openid profile address population population.lookup population.write",
            jwks_uri=portal + "/.well-known/jwks.json",
        )
    )
    secret = config.get("BASIC_CLIENT_SECRET")
    if secret and config.get("ENV_NAME") != "production":
        existing = session.get(OAuthClient, BASIC_CLIENT_ID)
        if existing is not None and existing.check_client_secret(secret):
            secret_hash = existing.client_secret_hash
        else:
            secret_hash = generate_password_hash(secret)
        session.merge(
            OAuthClient(
                client_id=BASIC_CLIENT_ID,
                client_name="Ứng dụng thử nghiệm",
                client_secret_hash=secret_hash,
                token_endpoint_auth_method="client_secret_basic",
                redirect_uris=[portal + "/thu-nghiem/callback"],
                grant_types=["authorization_code", "client_credentials"],
                scope="openid profile address",
            )
        )
        registered.append(BASIC_CLIENT_ID)
    session.commit()
    return registered
