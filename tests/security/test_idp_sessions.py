"""VNeID sessions live on the server: signing out ends them for every copy of the cookie;
the cookie is HttpOnly, SameSite=Lax, and Secure in production."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from sqlmodel import select

from identity_mock import sessions
from identity_mock.db import db as idp_db
from identity_mock.models import SignInSession
from tests.support import oauth

COOKIE = "vneid_session"


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    app = oauth.build_provider(tmp_path_factory.mktemp("idp-sessions"))
    yield app
    oauth.discard_provider(app)


def _copy_cookie(source, target) -> None:
    cookie = source.get_cookie(COOKIE)
    assert cookie is not None
    target.set_cookie(COOKIE, cookie.value)


def _sign_out(client) -> None:
    """RP-less logout: the confirmation page, then its form."""
    page = client.get("/logout")
    token = oauth.csrf_tokens(page.get_data(as_text=True))["csrf_token"]
    resp = client.post("/logout", data={"csrf_token": token})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]


def test_a_copied_cookie_stops_working_after_sign_out(provider):
    owner, thief = provider.test_client(), provider.test_client()
    oauth.sign_in(owner, personal_id=oauth.AN, passcode=oauth.PASSCODE)
    _copy_cookie(owner, thief)
    assert thief.get("/da-dang-nhap").status_code == 200  # a copy works while signed in

    _sign_out(owner)

    assert owner.get("/da-dang-nhap").status_code == 302
    resp = thief.get("/da-dang-nhap")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/dang-nhap")
    # Nor can the copy still get a code at the authorize endpoint.
    rp = oauth.register_client(provider)
    resp = thief.get(oauth.for_client(rp).path())
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/dang-nhap")


def test_signing_out_deletes_the_server_side_session(provider):
    client = provider.test_client()
    oauth.sign_in(client, personal_id=oauth.THU)
    with provider.app_context(), idp_db.new_session() as session:
        before = session.exec(select(SignInSession).where(SignInSession.personal_id == oauth.THU))
        assert len(before.all()) == 1
    _sign_out(client)
    with provider.app_context(), idp_db.new_session() as session:
        after = session.exec(select(SignInSession).where(SignInSession.personal_id == oauth.THU))
        assert after.all() == []


def test_the_cookie_holds_no_identity(provider):
    """What the browser keeps names the session; it does not say who is signed in."""
    client = provider.test_client()
    oauth.sign_in(client, personal_id=oauth.AN)
    serializer = provider.session_interface.get_signing_serializer(provider)
    data = serializer.loads(client.get_cookie(COOKIE).value)
    assert oauth.AN not in str(data)
    assert set(data) <= {"sid", "csrf_token"}


def test_a_new_sign_in_replaces_the_previous_session(provider):
    client, copy = provider.test_client(), provider.test_client()
    oauth.sign_in(client, personal_id=oauth.AN)
    _copy_cookie(client, copy)
    oauth.sign_in(client, personal_id=oauth.THU)
    assert copy.get("/da-dang-nhap").status_code == 302


def test_sessions_expire_on_the_server(tmp_path, monkeypatch):
    app = oauth.build_provider(tmp_path, SIGN_IN_LIFETIME=60)
    try:
        client = app.test_client()
        oauth.sign_in(client, personal_id=oauth.AN)
        assert client.get("/da-dang-nhap").status_code == 200
        later = time.time() + 61  # the provider's clock moves on; no sleeping in tests
        monkeypatch.setattr(sessions, "time", SimpleNamespace(time=lambda: later))
        assert client.get("/da-dang-nhap").status_code == 302
    finally:
        oauth.discard_provider(app)


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    app = oauth.build_provider(
        tmp_path_factory.mktemp("idp-prod-cookie"), ENV_NAME="production", SECRET_KEY="x"
    )
    yield app
    oauth.discard_provider(app)


def _set_cookie(resp) -> str:
    return next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "="))


def test_production_cookie_is_secure_httponly_and_lax(production):
    resp = production.test_client().get("/dang-nhap", base_url="https://vneid.example")
    cookie = _set_cookie(resp)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_dev_and_test_cookies_are_httponly_and_lax_over_plain_http(provider):
    cookie = _set_cookie(provider.test_client().get("/dang-nhap"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
