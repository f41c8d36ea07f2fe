"""Bad input at the provider gets a clear 400, never a 500: OIDC parameters no client sends,
JSON bodies too deep or holding lone surrogates; bearer errors keep their OAuth shape and
say in Vietnamese what went wrong (fuzz findings of issue 9, one test per cause)."""

from __future__ import annotations

import pytest

from tests.support import oauth


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    app = oauth.build_provider(tmp_path_factory.mktemp("idp-input"))
    yield app
    oauth.discard_provider(app)


@pytest.fixture
def client(provider):
    return provider.test_client()


@pytest.mark.parametrize("value", ["²", "ễ", "\\", "\x00", "a\nb", "\u202e"])
@pytest.mark.parametrize("name", ["response_type", "scope", "client_id", "state", "prompt"])
def test_authorize_with_characters_no_client_sends_is_a_vietnamese_400(client, name, value):
    request = oauth.AuthRequest(
        client_id=oauth.PORTAL_CLIENT_ID, redirect_uri=oauth.PORTAL_CALLBACK
    )
    resp = client.get(request.path(**{name: value}))
    assert resp.status_code == 400
    assert "Yêu cầu đăng nhập không hợp lệ" in resp.get_data(as_text=True)
    assert "Location" not in resp.headers


def test_token_with_characters_no_client_sends_is_invalid_request(client):
    resp = client.post("/token", data={"grant_type": "authorizatiön_code", "code": "x"})
    assert resp.status_code == 400
    assert resp.get_json()["error"] == "invalid_request"


def test_logout_with_characters_no_client_sends_is_a_vietnamese_400(client):
    resp = client.get("/logout?post_logout_redirect_uri=%C2%B2")
    assert resp.status_code == 400
    assert "Yêu cầu đăng xuất không hợp lệ" in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    "body",
    [b"[" * 5000 + b"]" * 5000, b'{"active": ["\\ud800"]}', b'{"active": ["\\udfff x"]}'],
    ids=["deep", "lone-high-surrogate", "lone-low-surrogate"],
)
def test_json_too_deep_or_with_lone_surrogates_is_a_400(client, body):
    resp = client.put("/test/switches", data=body, content_type="application/json")
    assert resp.status_code == 400
    assert resp.get_json()["error"] == "invalid_request"


def test_registry_write_with_lone_surrogate_is_a_vietnamese_400(provider, client):
    rp = oauth.register_client(provider, scope="population.write")
    token = oauth.client_credentials_token(client, rp=rp, scope="population.write")
    resp = client.post(
        "/api/population/deaths",
        data=b'{"purpose": "x", "actor": "\\ud800", "reference": "r"}',
        content_type="application/json",
        headers=oauth.bearer(token),
    )
    assert resp.status_code == 400
    assert resp.get_json()["message"] == "Nội dung yêu cầu phải là một đối tượng JSON hợp lệ."


@pytest.mark.parametrize("path", ["/userinfo", "/api/population/me"])
def test_bearer_errors_keep_the_oauth_shape_and_say_it_in_vietnamese(client, path):
    resp = client.get(path, headers={"Authorization": "Bearer khong-phai-token"})
    assert resp.status_code == 401
    body = resp.get_json()
    assert body["error"] == "invalid_token"
    assert body["message"].startswith("Mã truy cập không hợp lệ")
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert "ệ" in resp.get_data(as_text=True)  # readable UTF-8, not \\u escapes


def test_population_api_errors_say_it_in_vietnamese(provider, client):
    rp = oauth.register_client(provider)
    token = oauth.client_credentials_token(client, rp=rp)
    resp = client.get(f"/api/population/people/{oauth.AN}", headers=oauth.bearer(token))
    assert resp.status_code == 400
    assert resp.get_json()["error"] == "invalid_request"
    assert resp.get_json()["message"] == "Thiếu mục đích tra cứu (tham số purpose)."


@pytest.mark.parametrize(
    "purpose", ["tra\x00cuu", "x" * 201, "a\u202eb", "\x1b[2J"], ids=["nul", "long", "rlo", "esc"]
)
def test_lookup_purpose_is_bounded_printable_text(provider, client, purpose):
    rp = oauth.register_client(provider)
    token = oauth.client_credentials_token(client, rp=rp)
    resp = client.get(
        f"/api/population/people/{oauth.AN}",
        query_string={"purpose": purpose},
        headers=oauth.bearer(token),
    )
    assert resp.status_code == 400
    assert "không chứa ký tự điều khiển" in resp.get_json()["message"]


def test_registry_write_fields_refuse_control_characters(provider, client):
    rp = oauth.register_client(provider, scope="population.write")
    token = oauth.client_credentials_token(client, rp=rp, scope="population.write")
    body = {"purpose": "x", "actor": "y", "reference": "r\x00", "personal_id": oauth.AN}
    resp = client.post("/api/population/deaths", json=body, headers=oauth.bearer(token))
    assert resp.status_code == 400
    assert "control characters" in resp.get_json()["error_description"]


@pytest.mark.parametrize("path", ["/.well-known/openid-configuration?client_id=%00", "/jwks.json"])
def test_a_nul_in_a_recorded_call_is_no_500(client, path):
    assert client.get(path).status_code == 200


def test_a_persona_that_is_no_personal_id_is_refused(client):
    page = client.get("/dang-nhap").get_data(as_text=True)
    token = oauth.csrf_tokens(page)["persona-csrf_token"]
    resp = client.post("/dang-nhap", data={"persona-csrf_token": token, "persona": "\x00"})
    assert resp.status_code == 400
    assert "Không đăng nhập được bằng tài khoản mẫu này." in resp.get_data(as_text=True)
