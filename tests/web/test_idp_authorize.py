"""The authorize endpoint: request checks, sign-in detour, consent, allow and deny."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from tests.support import oauth
from tests.support.oauth import AN, PORTAL_CALLBACK, PORTAL_CLIENT_ID, AuthRequest


@pytest.fixture
def portal_request() -> AuthRequest:
    return AuthRequest(client_id=PORTAL_CLIENT_ID, redirect_uri=PORTAL_CALLBACK)


@pytest.fixture
def signed_in(idp_client):
    """A browser signed in at the provider as Nguyễn Văn An."""
    resp = oauth.sign_in(idp_client, personal_id=AN)
    assert resp.status_code == 302
    return idp_client


class Buttons(HTMLParser):
    """Collect (name, value) of every <button>."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str | None, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "button":
            attrs = dict(attrs)
            self.found.append((attrs.get("name"), attrs.get("value")))


def buttons(html: str) -> list[tuple[str | None, str | None]]:
    parser = Buttons()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://evil.test/auth/callback",
        "http://portal.test/auth/callback/extra",
        "http://portal.test/auth/callback?next=http://evil.test",
        "https://portal.test/auth/callback",
        "http://portal.test.evil.test/auth/callback",
    ],
)
def test_unregistered_redirect_uri_shows_error_page(signed_in, portal_request, redirect_uri):
    resp = signed_in.get(portal_request.path(redirect_uri=redirect_uri))
    assert resp.status_code == 400
    assert "Location" not in resp.headers
    assert "Yêu cầu đăng nhập không hợp lệ" in resp.get_data(as_text=True)


@pytest.mark.parametrize("client_id", ["ung-dung-khong-ton-tai", None])
def test_unknown_client_shows_error_page(signed_in, portal_request, client_id):
    resp = signed_in.get(portal_request.path(client_id=client_id))
    assert resp.status_code == 400
    assert "Location" not in resp.headers
    assert "không hợp lệ" in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"code_challenge": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"nonce": None}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"response_type": "code id_token"}, "unsupported_response_type"),
        ({"scope": "openid quan-tri"}, "invalid_scope"),
    ],
    ids=[
        "no-pkce",
        "pkce-plain",
        "pkce-no-method",
        "no-nonce",
        "implicit",
        "hybrid",
        "unknown-scope",
    ],
)
def test_bad_request_redirects_error_to_client(signed_in, portal_request, overrides, error):
    resp = signed_in.get(portal_request.path(**overrides))
    assert resp.status_code == 302
    location = resp.headers["Location"]
    assert oauth.without_query(location) == PORTAL_CALLBACK
    params = oauth.query_of(location)
    assert params["error"] == error
    assert params["state"] == portal_request.state
    assert "code" not in params


def test_missing_state_is_an_error_without_code(signed_in, portal_request):
    resp = signed_in.get(portal_request.path(state=None))
    assert resp.status_code in (302, 400)
    if resp.status_code == 302:
        location = resp.headers["Location"]
        assert oauth.without_query(location) == PORTAL_CALLBACK
        params = oauth.query_of(location)
        assert params["error"] == "invalid_request"
        assert "code" not in params
    else:
        assert "Location" not in resp.headers


def test_not_signed_in_goes_to_login_and_back(idp_client, portal_request):
    resp = idp_client.get(portal_request.path())
    assert resp.status_code == 302
    assert urlsplit(resp.headers["Location"]).path == "/dang-nhap"

    resp = oauth.sign_in(idp_client, personal_id=AN, passcode=oauth.PASSCODE)
    assert resp.status_code == 302
    back = resp.headers["Location"]
    assert urlsplit(back).path == "/authorize"
    assert oauth.query_of(back) == oauth.query_of(portal_request.path())

    consent = idp_client.get(back)
    assert consent.status_code == 200
    assert 'name="decision"' in consent.get_data(as_text=True)


def test_consent_page_lists_scopes_and_buttons(signed_in):
    request = AuthRequest(
        client_id=PORTAL_CLIENT_ID,
        redirect_uri=PORTAL_CALLBACK,
        scope="openid profile address population",
    )
    resp = signed_in.get(request.path())
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    for description in (
        "Số định danh cá nhân",
        "Họ và tên, ngày sinh, giới tính",
        "Địa chỉ thường trú",
        "Dữ liệu dân cư của bạn",
    ):
        assert description in html
    assert "Cổng Dịch vụ công" in html
    assert "Nguyễn Văn An" in html
    assert {("decision", "allow"), ("decision", "deny")} <= set(buttons(html))


def test_consent_page_shows_only_scopes_the_client_may_get(signed_in):
    basic = oauth.basic_client()
    request = oauth.for_client(basic, scope="openid population")
    html = signed_in.get(request.path()).get_data(as_text=True)
    assert "Số định danh cá nhân" in html
    assert "Dữ liệu dân cư của bạn" not in html


def test_deny_redirects_access_denied_with_state(signed_in, portal_request):
    resp = oauth.decide(signed_in, path=portal_request.path(), decision="deny")
    assert resp.status_code == 302
    location = resp.headers["Location"]
    assert oauth.without_query(location) == PORTAL_CALLBACK
    params = oauth.query_of(location)
    assert params["error"] == "access_denied"
    assert params["state"] == portal_request.state
    assert "code" not in params


def test_allow_redirects_code_with_state(signed_in, portal_request):
    resp = oauth.decide(signed_in, path=portal_request.path(), decision="allow")
    assert resp.status_code == 302
    location = resp.headers["Location"]
    assert oauth.without_query(location) == PORTAL_CALLBACK
    params = oauth.query_of(location)
    assert params["code"]
    assert params["state"] == portal_request.state
    assert "error" not in params


def test_consent_post_without_csrf_issues_no_code(signed_in, portal_request):
    resp = signed_in.post(portal_request.path(), data={"decision": "allow"})
    assert resp.status_code in (200, 400)
    assert "Location" not in resp.headers


def test_reused_nonce_is_refused(idp_app, signed_in):
    rp = oauth.register_client(idp_app)
    first = oauth.for_client(rp)
    oauth.obtain_code(signed_in, request=first)
    again = oauth.for_client(rp, nonce=first.nonce)
    resp = signed_in.get(again.path())
    assert resp.status_code == 302
    assert oauth.query_of(resp.headers["Location"])["error"] == "invalid_request"


def test_authorize_without_scope_never_fails(signed_in, portal_request):
    path = portal_request.path(scope=None)
    resp = signed_in.get(path)
    if resp.status_code == 200:
        resp = oauth.decide(signed_in, path=path)
    assert resp.status_code == 302
    assert oauth.without_query(resp.headers["Location"]) == PORTAL_CALLBACK


def test_prompt_none_never_shows_a_page(signed_in, portal_request):
    resp = signed_in.get(portal_request.path(prompt="none"))
    assert resp.status_code == 302
    params = oauth.query_of(resp.headers["Location"])
    assert params["error"] in ("consent_required", "interaction_required")
    assert params["state"] == portal_request.state


def test_prompt_none_when_signed_out_is_login_required(idp_client, portal_request):
    resp = idp_client.get(portal_request.path(prompt="none"))
    assert resp.status_code == 302
    location = resp.headers["Location"]
    assert oauth.without_query(location) == PORTAL_CALLBACK
    assert oauth.query_of(location)["error"] == "login_required"


def test_prompt_login_asks_to_sign_in_again(signed_in, portal_request):
    resp = signed_in.get(portal_request.path(prompt="login"))
    assert resp.status_code == 302
    assert urlsplit(resp.headers["Location"]).path == "/dang-nhap"
