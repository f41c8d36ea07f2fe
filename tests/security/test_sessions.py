"""Session hygiene: cookie flags, a new session at login, logout ends both sessions."""

from __future__ import annotations

import re

import requests

from tests.support import flows

AN = "079095001234"


def _set_cookie(resp: requests.Response, name: str) -> str:
    headers = resp.raw.headers.getlist("Set-Cookie")
    return next(h for h in headers if h.startswith(name + "="))


def test_cookie_names_and_flags(live, idp_control):
    result = flows.login(live.portal_url, live.idp_url, AN)
    cookie = _set_cookie(result.response, "portal_session")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    names = {c.name for c in result.browser.cookies}
    assert {"portal_session", "vneid_session"} <= names


def test_session_cookie_rotated_at_login(live, idp_control):
    browser = requests.Session()
    browser.get(live.portal_url + "/dang-nhap", allow_redirects=False)
    before = browser.cookies.get("portal_session", domain="127.0.0.1")
    result = flows.login(live.portal_url, live.idp_url, AN, browser=browser)
    after = result.browser.cookies.get("portal_session")
    assert before and after and before != after


def test_planted_session_cookie_is_not_adopted(live, idp_control):
    """Session fixation: a cookie set before login never becomes the signed-in session."""
    attacker = requests.Session()
    attacker.get(live.portal_url + "/dang-nhap", allow_redirects=False)
    planted = attacker.cookies.get("portal_session")
    victim = requests.Session()
    victim.cookies.set("portal_session", planted, domain="127.0.0.1")
    flows.login(live.portal_url, live.idp_url, AN, browser=victim)
    replay = requests.Session()
    replay.cookies.set("portal_session", planted, domain="127.0.0.1")
    resp = replay.get(live.portal_url + "/ca-nhan", allow_redirects=False)
    assert resp.status_code == 302


def test_logout_ends_portal_and_provider_sessions(live, idp_control):
    result = flows.login(live.portal_url, live.idp_url, AN)
    browser = result.browser
    home = browser.get(live.portal_url + "/ca-nhan")
    token = re.search(r'name="csrf_token" value="([^"]+)"', home.text)[1]

    resp = browser.post(live.portal_url + "/dang-xuat", data={"csrf_token": token})

    assert resp.url == live.portal_url + "/da-dang-xuat"
    assert "Bạn đã đăng xuất" in resp.text
    again = browser.get(live.portal_url + "/ca-nhan")
    # Back at the provider's login form, not its consent page: its session ended too.
    assert again.url.startswith(live.idp_url + "/dang-nhap")
    assert 'name="passcode"' in again.text


def test_logout_requires_post_with_csrf(live, idp_control):
    result = flows.login(live.portal_url, live.idp_url, AN)
    browser = result.browser
    assert browser.get(live.portal_url + "/dang-xuat").status_code == 405
    forged = browser.post(live.portal_url + "/dang-xuat", allow_redirects=False)
    assert forged.status_code == 400
    assert browser.get(live.portal_url + "/ca-nhan", allow_redirects=False).status_code == 200
