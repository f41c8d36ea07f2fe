"""The token endpoint (code and client-credentials grants, client authentication) and userinfo."""

from __future__ import annotations

import base64
import time

import pytest
from authlib.oidc.core.grants.util import create_half_hash

from tests.support import oauth
from tests.support.oauth import AN, THU, RelyingParty


@pytest.fixture(scope="module")
def basic() -> RelyingParty:
    return oauth.basic_client()


def code_for(client, rp: RelyingParty, **kwargs) -> tuple[oauth.AuthRequest, str]:
    request = oauth.for_client(rp, **kwargs)
    return request, oauth.obtain_code(client, request=request)


def assert_error(resp, error: str, status: int = 400) -> None:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.get_json()["error"] == error
    assert "access_token" not in resp.get_json()


# --- the authorization code grant -----------------------------------------------------------


@pytest.mark.parametrize(
    ("personal_id", "acr", "name"),
    [(AN, "urn:vneid:muc2", "Nguyễn Văn An"), (THU, "urn:vneid:muc1", "Ngô Thị Thu")],
)
def test_code_flow_with_private_key_jwt(idp_client, rp, personal_id, acr, name):
    request, tokens = oauth.login_tokens(idp_client, rp=rp, personal_id=personal_id)
    assert tokens["token_type"].lower() == "bearer"
    assert tokens["expires_in"] > 0
    assert set(tokens["scope"].split()) == {"openid", "profile"}

    id_token = oauth.decode_id_token(idp_client, id_token=tokens["id_token"])
    assert id_token.header["alg"] == "RS256"
    assert id_token.header["kid"] == idp_client.get("/jwks.json").get_json()["keys"][0]["kid"]
    claims = id_token.claims
    assert claims["iss"] == "http://idp.test"
    assert claims["aud"] == rp.client_id
    assert claims["nonce"] == request.nonce
    assert claims["at_hash"] == create_half_hash(tokens["access_token"], "RS256").decode()
    assert claims["acr"] == acr
    assert claims["sub"] == personal_id
    assert claims["so_dinh_danh"] == personal_id
    assert claims["name"] == claims["ho_va_ten"] == name
    assert claims["iat"] <= time.time() < claims["exp"]
    assert claims["auth_time"] <= time.time()


def test_code_flow_with_client_secret_basic(idp_client, basic):
    _, tokens = oauth.login_tokens(idp_client, rp=basic, scope="openid profile address")
    claims = oauth.decode_id_token(idp_client, id_token=tokens["id_token"]).claims
    assert claims["aud"] == basic.client_id
    assert claims["sub"] == AN
    assert claims["address"]["locality"] == "Phường Bến Thành"
    assert claims["address"]["region"] == "Thành phố Hồ Chí Minh"


def test_code_cannot_be_reused(idp_client, rp):
    request, code = code_for(idp_client, rp)
    assert oauth.redeem(idp_client, rp=rp, request=request, code=code).status_code == 200
    assert_error(oauth.redeem(idp_client, rp=rp, request=request, code=code), "invalid_grant")


def test_unknown_code_is_invalid_grant(idp_client, rp):
    request = oauth.for_client(rp)
    assert_error(oauth.redeem(idp_client, rp=rp, request=request, code="ma-bia"), "invalid_grant")


@pytest.mark.parametrize(
    ("code_verifier", "error"),
    [("sai-" + "x" * 50, "invalid_grant"), (None, "invalid_request")],
    ids=["wrong", "missing"],
)
def test_pkce_verifier_checked(idp_client, rp, code_verifier, error):
    request, code = code_for(idp_client, rp)
    resp = oauth.redeem(idp_client, rp=rp, request=request, code=code, code_verifier=code_verifier)
    assert_error(resp, error)


def test_expired_code_is_invalid_grant(idp_app, idp_client, rp, monkeypatch):
    monkeypatch.setitem(idp_app.config, "CODE_LIFETIME", -1)
    request, code = code_for(idp_client, rp)
    assert_error(oauth.redeem(idp_client, rp=rp, request=request, code=code), "invalid_grant")


def test_code_of_another_client_is_invalid_grant(idp_client, rp, basic):
    request, code = code_for(idp_client, rp)
    assert_error(oauth.redeem(idp_client, rp=basic, request=request, code=code), "invalid_grant")


@pytest.mark.parametrize("redirect_uri", ["http://rp.test/khac", "http://rp.test/callback/", None])
def test_redirect_uri_must_match_the_authorize_request(idp_client, rp, redirect_uri):
    request, code = code_for(idp_client, rp)
    resp = oauth.redeem(idp_client, rp=rp, request=request, code=code, redirect_uri=redirect_uri)
    assert_error(resp, "invalid_grant")


def test_scope_beyond_registration_is_not_granted(idp_client, basic):
    request = oauth.for_client(basic, scope="openid profile population")
    code = oauth.obtain_code(idp_client, request=request)
    resp = oauth.redeem(idp_client, rp=basic, request=request, code=code)
    assert resp.status_code == 200
    assert "population" not in resp.get_json()["scope"].split()
    me = idp_client.get("/api/population/me", headers=oauth.bearer(resp.get_json()["access_token"]))
    assert me.status_code == 403


# --- client authentication -----------------------------------------------------------------


def cc_form(**auth) -> dict:
    return {"form": {"grant_type": "client_credentials", "scope": "population.lookup"}, **auth}


@pytest.mark.parametrize(
    "claims",
    [
        {"key": oauth.rsa_key(label="ke-gian")},
        {"key": oauth.rsa_key(label="ke-gian"), "kid": oauth.rsa_key().kid},
        {"audience": "http://idp.test/authorize"},
        {"audience": "http://idp-khac.test/token"},
        {"issued_at": int(time.time()) - 3600, "lifetime": 60},
    ],
    ids=["other-key", "other-key-same-kid", "aud-authorize", "aud-other-idp", "expired"],
)
def test_bad_client_assertion_is_invalid_client(idp_client, rp, claims):
    form = oauth.assertion_form(client_id=rp.client_id, **{"key": rp.key, **claims})
    resp = oauth.token_request(idp_client, **cc_form(form_auth=form))
    assert resp.status_code in (400, 401)
    assert_error(resp, "invalid_client", resp.status_code)


@pytest.mark.parametrize(
    "assertion",
    [
        "khong-phai-jwt",
        oauth.unsigned_jwt(
            claims={
                "iss": oauth.RP_ID,
                "sub": oauth.RP_ID,
                "aud": oauth.TOKEN_URL,
                "jti": "khong-ky",
                "exp": int(time.time()) + 3600,
            }
        ),
    ],
    ids=["garbage", "alg-none"],
)
def test_malformed_client_assertion_is_invalid_client(idp_client, rp, assertion):
    form = {"client_assertion_type": oauth.ASSERTION_TYPE, "client_assertion": assertion}
    resp = oauth.token_request(idp_client, **cc_form(form_auth=form))
    assert resp.status_code in (400, 401)
    assert_error(resp, "invalid_client", resp.status_code)


def test_bad_client_assertion_answers_401(idp_client, rp):
    form = oauth.assertion_form(client_id=rp.client_id, key=oauth.rsa_key(label="ke-gian"))
    resp = oauth.token_request(idp_client, **cc_form(form_auth=form))
    assert_error(resp, "invalid_client", 401)


def test_assertion_living_too_long_is_invalid_client(idp_client, rp):
    form = oauth.assertion_form(client_id=rp.client_id, key=rp.key, lifetime=20 * 365 * 86400)
    resp = oauth.token_request(idp_client, **cc_form(form_auth=form))
    assert resp.status_code in (400, 401)
    assert_error(resp, "invalid_client", resp.status_code)


def test_replayed_client_assertion_is_invalid_client(idp_client, rp):
    form = oauth.assertion_form(client_id=rp.client_id, key=rp.key, jti="jti-dung-mot-lan")
    assert oauth.token_request(idp_client, **cc_form(form_auth=form)).status_code == 200
    resp = oauth.token_request(idp_client, **cc_form(form_auth=form))
    assert resp.status_code in (400, 401)
    assert_error(resp, "invalid_client", resp.status_code)


def test_assertion_for_unknown_client_is_invalid_client(idp_client):
    form = oauth.assertion_form(client_id="khong-ton-tai", key=oauth.rsa_key())
    resp = oauth.token_request(idp_client, **cc_form(form_auth=form))
    assert resp.status_code in (400, 401)
    assert_error(resp, "invalid_client", resp.status_code)


def test_no_client_authentication_is_invalid_client(idp_client):
    assert_error(oauth.token_request(idp_client, **cc_form()), "invalid_client", 401)


def test_wrong_client_secret_is_invalid_client(idp_client, basic):
    resp = oauth.token_request(idp_client, **cc_form(basic=(basic.client_id, "sai-bi-mat")))
    assert_error(resp, "invalid_client", 401)
    assert resp.headers["WWW-Authenticate"].startswith("Basic")


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic !!!",
        "Basic " + base64.b64encode(b"khong-co-hai-cham").decode(),
        "Basic",
        "Basic " + base64.b64encode(b"\xff\xfe:x").decode(),
    ],
    ids=["not-base64", "no-colon", "empty", "not-utf8"],
)
def test_malformed_basic_header_is_invalid_client(idp_client, authorization):
    resp = idp_client.post(
        "/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": authorization},
    )
    assert_error(resp, "invalid_client", 401)


def test_private_key_jwt_client_cannot_use_basic(idp_app, idp_client):
    secret = "bi-mat-khong-duoc-dung"
    oauth.register_client(idp_app, client_id="rp-chi-dung-khoa", secret=secret)
    resp = oauth.token_request(idp_client, **cc_form(basic=("rp-chi-dung-khoa", secret)))
    assert_error(resp, "invalid_client", 401)


# --- the client credentials grant ----------------------------------------------------------


def test_client_credentials_for_population_lookup(idp_client, rp):
    resp = oauth.token_request(idp_client, **cc_form(**rp.auth()))
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["access_token"]
    assert body["token_type"].lower() == "bearer"
    assert body["scope"] == "population.lookup"
    assert "id_token" not in body
    assert "refresh_token" not in body


def test_client_credentials_needs_the_grant(idp_app, idp_client):
    other = oauth.register_client(
        idp_app, client_id="rp-khong-cc", grant_types=("authorization_code",)
    )
    resp = oauth.token_request(idp_client, **cc_form(**other.auth()))
    assert_error(resp, "unauthorized_client")


def test_client_credentials_never_grant_unregistered_scope(idp_client, basic):
    resp = oauth.token_request(idp_client, **cc_form(**basic.auth()))
    assert resp.status_code in (200, 400), resp.get_data(as_text=True)
    if resp.status_code == 400:
        assert resp.get_json()["error"] == "invalid_scope"
        return
    token = resp.get_json()["access_token"]
    assert "population.lookup" not in resp.get_json().get("scope", "").split()
    lookup = idp_client.get(
        f"/api/population/people/{AN}?purpose=kiem-thu", headers=oauth.bearer(token)
    )
    assert lookup.status_code == 403


# --- userinfo ------------------------------------------------------------------------------


def test_userinfo_with_access_token(idp_client, rp):
    _, tokens = oauth.login_tokens(idp_client, rp=rp, scope="openid profile address")
    resp = idp_client.get("/userinfo", headers=oauth.bearer(tokens["access_token"]))
    assert resp.status_code == 200
    claims = resp.get_json()
    assert claims["sub"] == claims["so_dinh_danh"] == AN
    assert claims["ho_va_ten"] == "Nguyễn Văn An"
    assert claims["address"]["region"] == "Thành phố Hồ Chí Minh"


def test_userinfo_accepts_post(idp_client, rp):
    _, tokens = oauth.login_tokens(idp_client, rp=rp)
    resp = idp_client.post("/userinfo", headers=oauth.bearer(tokens["access_token"]))
    assert resp.status_code == 200
    assert resp.get_json()["sub"] == AN


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer khong-phai-token"},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic eDp5"},
    ],
    ids=["none", "unknown", "empty-bearer", "basic"],
)
def test_userinfo_without_valid_token_is_401(idp_client, headers):
    resp = idp_client.get("/userinfo", headers=headers)
    assert resp.status_code == 401
    assert resp.is_json
    assert resp.get_json()["error"]


def test_userinfo_with_client_credentials_token_is_refused(idp_client, rp):
    token = oauth.client_credentials_token(idp_client, rp=rp, scope="openid population.lookup")
    resp = idp_client.get("/userinfo", headers=oauth.bearer(token))
    assert resp.status_code in (401, 403)
    assert resp.is_json
