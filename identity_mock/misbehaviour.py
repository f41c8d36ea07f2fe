"""Ways the provider can be told to misbehave, so relying parties can prove they refuse.

Only in dev and test mode. While a switch is on, every token (or authorize response)
is wrong in that one way. Switches live in the database so every worker sees them.
"""

from __future__ import annotations

import base64
import json
import time

from authlib.oidc.core.grants.util import create_half_hash
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey
from sqlmodel import Session, select

from identity_mock.models import Switch

SWITCHES = {
    "wrong_iss": "ID token với iss sai",
    "wrong_aud": "ID token với aud của ứng dụng khác",
    "missing_aud": "ID token thiếu aud",
    "bad_signature": "ID token có chữ ký sai",
    "alg_none": "ID token không ký (alg: none)",
    "alg_hs256_unknown_kid": "ID token ký HS256 với kid lạ",
    "unknown_kid": "ID token với kid không có trong JWKS",
    "expired": "ID token đã hết hạn",
    "iat_future": "ID token phát hành trong tương lai",
    "missing_sub": "ID token thiếu sub",
    "wrong_nonce": "ID token với nonce sai",
    "wrong_at_hash": "ID token với at_hash sai",
    "userinfo_sub_mismatch": "userinfo trả sub khác ID token",
    "no_id_token": "phản hồi token không có id_token",
    "authorize_access_denied": "authorize trả lỗi access_denied",
    "authorize_temporarily_unavailable": "authorize trả lỗi temporarily_unavailable",
    "lower_acr": "acr thấp hơn mức đã yêu cầu",
    "token_5xx": "token endpoint lỗi 5xx",
    "population_5xx": "API dữ liệu dân cư tạm ngừng (503)",
}


def active(session: Session) -> set[str]:
    return set(session.exec(select(Switch.name)).all())


def set_switches(session: Session, names: list[str]) -> None:
    """Replace the active switches with `names` (all must be known)."""
    unknown = set(names) - SWITCHES.keys()
    if unknown:
        raise ValueError(f"unknown switches: {sorted(unknown)}")
    for row in session.exec(select(Switch)).all():
        session.delete(row)
    session.add_all(Switch(name=n) for n in names)
    session.commit()


def _b64(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _tamper_claims(claims: dict, switches: set[str], lower_acr: str) -> None:
    now = int(time.time())
    edits: dict[str, dict[str, object]] = {
        "wrong_iss": {"iss": "https://vneid-gia-mao.invalid"},
        "wrong_aud": {"aud": "ung-dung-khac"},
        "expired": {"iat": now - 7200, "exp": now - 3600, "auth_time": now - 7200},
        "iat_future": {"iat": now + 3600, "exp": now + 7200},
        "wrong_nonce": {"nonce": "nonce-khong-dung"},
        "wrong_at_hash": {"at_hash": create_half_hash("token-khac", "RS256").decode()},
        "lower_acr": {"acr": lower_acr},
    }
    for name in switches & edits.keys():
        claims.update(edits[name])
    if "missing_aud" in switches:
        claims.pop("aud", None)
    if "missing_sub" in switches:
        claims.pop("sub", None)


def sign_id_token(claims: dict, key: RSAKey, switches: set[str], lower_acr: str) -> str:
    """Sign `claims` with `key`, breaking the result the way the active switches say."""
    claims = dict(claims)
    _tamper_claims(claims, switches, lower_acr)
    header = {"alg": "RS256", "kid": key.kid, "typ": "JWT"}
    if "alg_none" in switches:
        return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    if "alg_hs256_unknown_kid" in switches:
        secret = OctKey.import_key(b"khoa-bi-mat-khong-ai-biet-0123456789")
        return jwt.encode({"alg": "HS256", "kid": "khoa-la"}, claims, secret, ["HS256"])
    if "unknown_kid" in switches:
        header["kid"] = "kid-khong-ton-tai"
    token = jwt.encode(header, claims, key, ["RS256"])
    if "bad_signature" in switches:
        head, payload, sig = token.split(".")
        flipped = ("A" if sig[0] != "A" else "B") + sig[1:]
        token = f"{head}.{payload}.{flipped}"
    return token
