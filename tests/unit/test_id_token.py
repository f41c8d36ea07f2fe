"""The relying party's ID token validator against tokens broken in every known way."""

import time

import pytest
from authlib.oidc.core.grants.util import create_half_hash
from joserfc.jwk import RSAKey

from common.keys import public_jwks
from identity_mock import misbehaviour
from portal.auth.id_token import IdTokenError, validate_id_token

KEY = RSAKey.import_key(
    RSAKey.generate_key(2048, private=True).as_dict(private=True), {"kid": "k1"}
)
JWKS = public_jwks(KEY)
ISSUER, CLIENT, NONCE, ACCESS = "http://idp.test", "cong-dich-vu-cong", "n-123", "at-456"


def _claims(**overrides) -> dict:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": CLIENT,
        "sub": "079095001234",
        "iat": now,
        "exp": now + 600,
        "nonce": NONCE,
        "acr": "urn:vneid:muc2",
        "at_hash": create_half_hash(ACCESS, "RS256").decode(),
    }
    claims.update(overrides)
    return claims


def _validate(token: str) -> dict:
    return validate_id_token(
        token, jwks=JWKS, issuer=ISSUER, client_id=CLIENT, nonce=NONCE, access_token=ACCESS
    )


def test_a_correct_token_is_accepted():
    token = misbehaviour.sign_id_token(_claims(), KEY, set(), "urn:vneid:muc1")
    assert _validate(token)["sub"] == "079095001234"


def test_audience_list_with_azp_is_accepted():
    token = misbehaviour.sign_id_token(
        _claims(aud=[CLIENT, "other"], azp=CLIENT), KEY, set(), "urn:vneid:muc1"
    )
    assert _validate(token)["azp"] == CLIENT


TOKEN_SWITCHES = sorted(
    set(misbehaviour.SWITCHES)
    - {
        "userinfo_sub_mismatch",
        "no_id_token",
        "authorize_access_denied",
        "authorize_temporarily_unavailable",
        "token_5xx",
        "lower_acr",
        "population_5xx",
    }
)


@pytest.mark.parametrize("switch", TOKEN_SWITCHES)
def test_each_broken_token_is_refused(switch):
    token = misbehaviour.sign_id_token(_claims(), KEY, {switch}, "urn:vneid:muc1")
    with pytest.raises(IdTokenError):
        _validate(token)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"aud": [CLIENT, "other"]}, "azp"),
        ({"aud": 42}, "audience"),
        ({"sub": ""}, "subject"),
        ({"exp": "tomorrow"}, "expired"),
        ({"iat": None}, "future"),
        ({"nonce": None}, "nonce"),
        ({"acr": "urn:vneid:muc9"}, "acr"),
    ],
)
def test_odd_claims_are_refused(overrides, reason):
    token = misbehaviour.sign_id_token(_claims(**overrides), KEY, set(), "urn:vneid:muc1")
    with pytest.raises(IdTokenError, match=reason):
        _validate(token)


def test_leeway_tolerates_small_clock_skew():
    now = int(time.time())
    token = misbehaviour.sign_id_token(_claims(iat=now + 30), KEY, set(), "urn:vneid:muc1")
    assert _validate(token)


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "!!!.@@@.###"])
def test_garbage_is_refused(garbage):
    with pytest.raises(IdTokenError):
        _validate(garbage)
