"""Live portal and provider (issue 9): an access token that expires while the citizen is
filing sends them through VNeID again and back to the same step with the draft intact;
`next` survives the whole sign-in only when it is a path of this site.

The token is expired where it lives, at the provider (its idp_token row is made two hours
old), so the registry answers 401 exactly as it does after ACCESS_TOKEN_LIFETIME. On the
code before the issue every filing page then answered 503 "try again later", and the
off-site `next` below led the browser to evil.example after signing in.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from sqlalchemy import update
from sqlmodel import col, select

from identity_mock.db import db as idp_db
from identity_mock.models.oauth import Token
from portal.db import db as portal_db
from portal.models import LoginSession
from portal.services import filing
from tests.support import flows
from tests.support.filing import Filer, csrf_token

AN = "079095001234"
COPY = "2.000635"  # copy of a civil-status extract: steps nguoi-yeu-cau, yeu-cau, noi-nop
STEP = f"/nop-ho-so/{COPY}/yeu-cau"
SUMMARY = f"/nop-ho-so/{COPY}/xem-lai"


def _expire_access_token(live, personal_id: str) -> None:
    """Make the citizen's current access token two hours old at the provider."""
    with live.portal_app.app_context(), portal_db.new_session() as session:
        logins = session.exec(
            select(LoginSession).where(LoginSession.personal_id == personal_id)
        ).all()
        tokens = [login.access_token for login in logins]
    with live.idp_app.app_context(), idp_db.new_session() as session:
        session.exec(
            update(Token)
            .where(col(Token.access_token).in_(tokens))
            .values(issued_at=col(Token.issued_at) - 7200)
        )
        session.commit()


def _through_vneid(live, browser: requests.Session, resp: requests.Response, personal_id: str):
    """Follow a redirect to the portal's sign-in through the provider (signing in and
    consenting when it asks) and return the portal's answer to the callback."""
    callback = live.portal_url + "/auth/callback"
    resp = flows._follow(browser, resp, callback)
    if not resp.is_redirect and 'name="personal_id"' in resp.text:
        resp = flows._sign_in(browser, live.idp_url, resp.text, personal_id, None)
        resp = flows._follow(browser, resp, callback)
    if not resp.is_redirect and 'name="decision"' in resp.text:
        action = re.search(r'<form method="post" action="([^"]+)"', resp.text)[1]
        resp = browser.post(
            urljoin(resp.url, action.replace("&amp;", "&")),
            data={"csrf_token": flows.csrf_tokens(resp.text)["csrf_token"], "decision": "allow"},
            allow_redirects=False,
        )
    assert resp.is_redirect and resp.headers["Location"].startswith(callback), resp.text[:300]
    return browser.get(resp.headers["Location"], allow_redirects=False)


def _draft_data(live, personal_id: str) -> dict:
    with live.portal_app.app_context(), portal_db.new_session() as session:
        draft = filing.find_draft(session, personal_id, COPY)
        return dict(draft.data) if draft else {}


def _sent_to_sign_in(resp: requests.Response, back_to: str) -> None:
    assert resp.status_code == 302, resp.text[:300]
    target = urlsplit(resp.headers["Location"])
    assert target.path == "/dang-nhap"
    query = parse_qs(target.query)
    assert query["next"] == [back_to] and query["muc"] == ["2"]


@pytest.fixture
def filer(live, idp_control):
    an = Filer.login(live, AN)
    an.start(COPY)
    resp = an.post_step(COPY, "yeu-cau", {"record_type": "Trích lục khai sinh", "copies": "2"})
    assert resp.status_code == 302, resp.text[:500]
    return an


def test_an_expired_token_on_a_step_signs_in_again_and_comes_back(live, filer):
    _expire_access_token(live, AN)
    resp = filer.get(STEP)
    _sent_to_sign_in(resp, STEP)
    back = _through_vneid(live, filer.browser, resp, AN)
    assert back.status_code == 302 and back.headers["Location"] == STEP
    page = filer.get(STEP)
    assert page.status_code == 200
    assert re.search(r'<input[^>]*name="copies"[^>]*value="2"', page.text)


def test_what_was_posted_with_an_expired_token_is_kept(live, filer):
    form = {"csrf_token": csrf_token(filer.get(STEP).text)}  # the page, before it expires
    _expire_access_token(live, AN)
    resp = filer.browser.post(
        filer.url(STEP),
        data={**form, "record_type": "Trích lục khai sinh", "copies": "3"},
        allow_redirects=False,
    )
    _sent_to_sign_in(resp, STEP)
    assert _draft_data(live, AN)["copies"] == "3"
    back = _through_vneid(live, filer.browser, resp, AN)
    assert back.headers["Location"] == STEP
    assert re.search(r'name="copies"[^>]*value="3"', filer.get(STEP).text)


def test_an_expired_token_at_the_summary_and_submit_comes_back_to_the_summary(live, filer):
    _expire_access_token(live, AN)
    resp = filer.get(SUMMARY)
    _sent_to_sign_in(resp, SUMMARY)
    back = _through_vneid(live, filer.browser, resp, AN)
    assert back.headers["Location"] == SUMMARY
    form = filer.submit_form(COPY)  # the summary again, signed in anew
    _expire_access_token(live, AN)
    _sent_to_sign_in(filer.post_submit(COPY, form), SUMMARY)
    assert _draft_data(live, AN)["copies"] == "2"  # nothing filed, nothing lost


def test_an_expired_token_on_the_dashboard_comes_back_to_it(live, idp_control):
    an = Filer.login(live, AN)
    _expire_access_token(live, AN)
    resp = an.get("/ca-nhan")
    _sent_to_sign_in(resp, "/ca-nhan")
    back = _through_vneid(live, an.browser, resp, AN)
    assert back.headers["Location"] == "/ca-nhan"
    assert an.get("/ca-nhan").status_code == 200


@pytest.mark.parametrize("value", ["/%09/evil.example", "//evil.example", "/\\evil.example"])
def test_an_off_site_next_ends_on_the_dashboard_after_signing_in(live, idp_control, value):
    browser = requests.Session()
    resp = browser.get(
        live.portal_url + "/dang-nhap", params={"next": value}, allow_redirects=False
    )
    back = _through_vneid(live, browser, resp, AN)
    assert back.status_code == 302 and back.headers["Location"] == "/ca-nhan"


def test_a_next_of_this_site_survives_signing_in(live, idp_control):
    browser = requests.Session()
    resp = browser.get(live.portal_url + "/dang-nhap", params={"next": STEP}, allow_redirects=False)
    back = _through_vneid(live, browser, resp, AN)
    assert back.status_code == 302 and back.headers["Location"] == STEP
