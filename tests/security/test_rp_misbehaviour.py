"""The portal refuses every way the provider can misbehave: clear page, no session, logged.

Each case turns on one switch at the live provider, walks the real login flow over HTTP
and checks the portal's answer, its session and the provider's call record.
"""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from portal.db import db as portal_db
from portal.models import LoginSession
from tests.support import flows

AN = "079095001234"
UNVERIFIED = "Không xác thực được thông tin đăng nhập"
UNAVAILABLE = "tạm thời gián đoạn"

# switch → (words on the refusal page, log fragment, calls that must NOT have happened)
CASES = {
    "wrong_iss": (UNVERIFIED, "wrong issuer", {"oidc.userinfo"}),
    "wrong_aud": (UNVERIFIED, "wrong audience", {"oidc.userinfo"}),
    "missing_aud": (UNVERIFIED, "wrong audience", {"oidc.userinfo"}),
    "bad_signature": (UNVERIFIED, "signature invalid", {"oidc.userinfo"}),
    "alg_none": (UNVERIFIED, "algorithm not allowed", {"oidc.userinfo"}),
    "alg_hs256_unknown_kid": (UNVERIFIED, "algorithm not allowed", {"oidc.userinfo"}),
    "unknown_kid": (UNVERIFIED, "unknown key id", {"oidc.userinfo"}),
    "expired": (UNVERIFIED, "expired", {"oidc.userinfo"}),
    "iat_future": (UNVERIFIED, "issued in the future", {"oidc.userinfo"}),
    "missing_sub": (UNVERIFIED, "missing subject", {"oidc.userinfo"}),
    "wrong_nonce": (UNVERIFIED, "nonce mismatch", {"oidc.userinfo"}),
    "wrong_at_hash": (UNVERIFIED, "at_hash", {"oidc.userinfo"}),
    "no_id_token": (UNVERIFIED, "without id_token", {"oidc.userinfo"}),
    "userinfo_sub_mismatch": (UNVERIFIED, "userinfo sub differs", set()),
    "authorize_access_denied": ("từ chối", "access_denied", {"oidc.issue_token"}),
    "authorize_temporarily_unavailable": (
        UNAVAILABLE,
        "temporarily_unavailable",
        {"oidc.issue_token"},
    ),
    "token_5xx": (UNAVAILABLE, "token endpoint failed", {"oidc.userinfo"}),
    "lower_acr": ("mức 1", "below level 2", {"oidc.userinfo"}),
}


def _sessions_of(live, personal_id: str) -> int:
    with live.portal_app.app_context(), portal_db.new_session() as session:
        rows = session.exec(select(LoginSession).where(LoginSession.personal_id == personal_id))
        return len(rows.all())


def test_every_switch_has_a_case(live):
    from identity_mock.misbehaviour import SWITCHES

    # population_5xx breaks the registry, not the login: tests/web/test_filing.py covers it.
    assert set(CASES) == set(SWITCHES) - {"population_5xx"}


@pytest.mark.parametrize("switch", sorted(CASES))
def test_portal_refuses(switch, live, idp_control, caplog):
    words, log_fragment, forbidden_calls = CASES[switch]
    before = _sessions_of(live, AN)
    idp_control.switch(switch)
    caplog.set_level(logging.WARNING)

    result = flows.login(live.portal_url, live.idp_url, AN, level=2)

    page = result.response
    assert page.status_code == 401
    assert "Đăng nhập không thành công" in page.text
    assert words in page.text
    assert "Traceback" not in page.text
    assert "VNeID login refused: " in caplog.text and log_fragment in caplog.text
    # No session: neither a login row nor access to private pages.
    assert _sessions_of(live, AN) == before
    private = result.browser.get(live.portal_url + "/ca-nhan", allow_redirects=False)
    assert private.status_code == 302 and "/dang-nhap" in private.headers["Location"]
    called = {c["endpoint"] for c in idp_control.calls()}
    assert not (called & forbidden_calls), f"portal called {called & forbidden_calls}"


def test_honest_provider_is_accepted(live, idp_control):
    """The control case: with no switch the same flow signs in and calls userinfo once."""
    result = flows.login(live.portal_url, live.idp_url, AN, level=2)
    assert result.response.status_code == 302
    assert result.response.headers["Location"] == "/ca-nhan"
    endpoints = [c["endpoint"] for c in idp_control.calls()]
    assert endpoints.count("oidc.userinfo") == 1
    assert endpoints.count("oidc.issue_token") == 1


def test_callback_without_pending_login_is_refused(live, idp_control):
    """A forged or replayed callback (no state in our session) creates no session."""
    import requests

    resp = requests.get(
        live.portal_url + "/auth/callback?code=abc&state=xyz", allow_redirects=False, timeout=5
    )
    assert resp.status_code == 401
    assert "Phiên đăng nhập không hợp lệ" in resp.text
    assert not any(c["endpoint"] == "oidc.issue_token" for c in idp_control.calls())


def test_state_mismatch_is_refused(live, idp_control):
    import requests

    browser = requests.Session()
    start = browser.get(live.portal_url + "/dang-nhap", allow_redirects=False)
    assert start.status_code == 302
    resp = browser.get(
        live.portal_url + "/auth/callback?code=abc&state=not-the-one", allow_redirects=False
    )
    assert resp.status_code == 401
    assert not any(c["endpoint"] == "oidc.issue_token" for c in idp_control.calls())
