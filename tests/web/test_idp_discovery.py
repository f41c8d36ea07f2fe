"""Discovery document, JWKS, the test-only endpoints, and two providers in one process."""

from __future__ import annotations

import pytest

from tests.support import oauth
from tests.support.apps import dispose, make_idp

PRIVATE_RSA_PARTS = {"d", "p", "q", "dp", "dq", "qi"}


@pytest.fixture(scope="module")
def discovery(idp_app) -> dict:
    resp = idp_app.test_client().get("/.well-known/openid-configuration")
    assert resp.status_code == 200
    return resp.get_json()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("issuer", "http://idp.test"),
        ("authorization_endpoint", "http://idp.test/authorize"),
        ("token_endpoint", "http://idp.test/token"),
        ("userinfo_endpoint", "http://idp.test/userinfo"),
        ("jwks_uri", "http://idp.test/jwks.json"),
        ("end_session_endpoint", "http://idp.test/logout"),
        ("id_token_signing_alg_values_supported", ["RS256"]),
        ("code_challenge_methods_supported", ["S256"]),
        ("response_types_supported", ["code"]),
    ],
)
def test_discovery_field(discovery, name, expected):
    assert discovery[name] == expected


def test_discovery_auth_methods_are_private_key_jwt_and_basic(discovery):
    assert sorted(discovery["token_endpoint_auth_methods_supported"]) == [
        "client_secret_basic",
        "private_key_jwt",
    ]


def test_discovery_advertises_the_vneid_levels(discovery):
    assert set(discovery["acr_values_supported"]) == {"urn:vneid:muc1", "urn:vneid:muc2"}


def test_jwks_has_one_public_rsa_key_with_kid(idp_client):
    resp = idp_client.get("/jwks.json")
    assert resp.status_code == 200
    keys = resp.get_json()["keys"]
    assert len(keys) == 1
    key = keys[0]
    assert key["kty"] == "RSA"
    assert key["kid"]
    assert {"n", "e"} <= key.keys()
    assert not PRIVATE_RSA_PARTS & key.keys()


def test_calls_are_recorded(idp_client):
    assert idp_client.delete("/test/calls").status_code == 204
    idp_client.get("/userinfo")
    idp_client.get("/.well-known/openid-configuration")
    calls = idp_client.get("/test/calls").get_json()["calls"]
    by_endpoint = {c["endpoint"]: c for c in calls}
    assert by_endpoint["oidc.userinfo"]["status"] == 401
    assert by_endpoint["oidc.userinfo"]["method"] == "GET"
    assert "oidc.discovery" in by_endpoint


@pytest.mark.parametrize(
    "body",
    [
        {"active": ["khong_co_cong_tac_nay"]},
        {"active": ["wrong_iss", "khong_co_cong_tac_nay"]},
        {"active": "wrong_iss"},
        {"active": [1]},
        {},
    ],
    ids=["unknown", "one-unknown", "not-a-list", "not-strings", "empty-body"],
)
def test_switches_refuse_bad_bodies(idp_client, body):
    resp = idp_client.put("/test/switches", json=body)
    assert resp.status_code == 400
    assert resp.get_json()["error"] == "invalid_request"
    assert idp_client.get("/test/switches").get_json()["active"] == []


def test_switch_takes_effect_and_resets(idp_client):
    assert idp_client.put("/test/switches", json={"active": ["token_5xx"]}).status_code == 200
    try:
        resp = idp_client.post("/token", data={"grant_type": "client_credentials"})
        assert resp.status_code == 503
    finally:
        assert idp_client.put("/test/switches", json={"active": []}).status_code == 200
    assert idp_client.get("/test/switches").get_json()["active"] == []


def test_two_providers_keep_their_own_databases(tmp_path):
    first = make_idp(tmp_path / "a", issuer="http://a.test", portal_url="http://portal-a.test")
    second = make_idp(tmp_path / "b", issuer="http://b.test", portal_url="http://portal-b.test")
    try:
        request = oauth.AuthRequest(
            client_id=oauth.PORTAL_CLIENT_ID, redirect_uri="http://portal-a.test/auth/callback"
        )
        resp = first.test_client().get(request.path())
        assert resp.status_code == 302  # to sign-in: the redirect URI is registered in a's DB
    finally:
        dispose(second)
        dispose(first)
