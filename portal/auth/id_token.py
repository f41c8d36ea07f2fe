"""Strict validation of a VNeID ID token, as a relying party must do it.

Plain function, no Flask: RS256 only, a known `kid`, exact `iss`, our `aud`, `sub`
present, `exp` and `iat` within leeway, our `nonce`, `at_hash` bound to the access
token, and an `acr` we know.
"""

from __future__ import annotations

import hmac
import time
from typing import cast

from authlib.oidc.core.grants.util import create_half_hash
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, KeySetSerialization

from common.keys import unverified_part

ALGORITHMS = ["RS256"]
LEVEL_BY_ACR = {"urn:vneid:muc1": 1, "urn:vneid:muc2": 2}


class IdTokenError(Exception):
    """The token must be refused; `reason` is a short code for the log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def unverified_header(raw: str) -> dict:
    try:
        return unverified_part(raw, 0)
    except ValueError as exc:
        raise IdTokenError("malformed token") from exc


def validate_id_token(
    raw: str,
    *,
    jwks: dict,
    issuer: str,
    client_id: str,
    nonce: str,
    access_token: str,
    leeway: int = 60,
    now: int | None = None,
) -> dict:
    """Return the verified claims or raise IdTokenError."""
    header = unverified_header(raw)
    if header.get("alg") not in ALGORITHMS:
        raise IdTokenError(f"algorithm not allowed: {header.get('alg')!r}")
    keys = KeySet.import_key_set(cast(KeySetSerialization, jwks))
    kid = header.get("kid")
    if not kid or not any(k.kid == kid for k in keys.keys):
        raise IdTokenError(f"unknown key id: {kid!r}")
    try:
        claims = jwt.decode(raw, keys.get_by_kid(kid), algorithms=ALGORITHMS).claims
    except (JoseError, ValueError) as exc:
        raise IdTokenError(f"signature invalid: {exc}") from exc
    _check_claims(claims, issuer, client_id, nonce, access_token, leeway, now or int(time.time()))
    return claims


def _check_claims(claims, issuer, client_id, nonce, access_token, leeway, now) -> None:
    if claims.get("iss") != issuer:
        raise IdTokenError(f"wrong issuer: {claims.get('iss')!r}")
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    if client_id not in audiences:
        raise IdTokenError(f"wrong audience: {aud!r}")
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise IdTokenError("several audiences and azp is not us")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise IdTokenError("missing subject")
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int) or now > exp + leeway:
        raise IdTokenError("expired")
    if not isinstance(iat, int) or iat > now + leeway:
        raise IdTokenError("issued in the future")
    if not isinstance(claims.get("nonce"), str) or not hmac.compare_digest(claims["nonce"], nonce):
        raise IdTokenError("nonce mismatch")
    expected_hash = create_half_hash(access_token, "RS256").decode()
    if not hmac.compare_digest(str(claims.get("at_hash", "")), expected_hash):
        raise IdTokenError("at_hash does not match the access token")
    if claims.get("acr") not in LEVEL_BY_ACR:
        raise IdTokenError(f"unknown acr: {claims.get('acr')!r}")
