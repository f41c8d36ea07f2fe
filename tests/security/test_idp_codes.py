"""Authorization codes at VNeID: redeemed once even under concurrent token requests, their
nonce never accepted again, and a citizen's token carrying only what the consent page
showed."""

from __future__ import annotations

import threading

import pytest
import requests

from tests.support import oauth
from tests.support.apps import LiveServer, free_port

WIDE_SCOPE = "openid profile address population population.lookup population.write"


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    app = oauth.build_provider(tmp_path_factory.mktemp("idp-codes"))
    yield app
    oauth.discard_provider(app)


@pytest.fixture(scope="module")
def rp(provider) -> oauth.RelyingParty:
    return oauth.register_client(provider, client_id="rp-codes", scope=WIDE_SCOPE)


@pytest.fixture(scope="module")
def live_url(provider):
    port = free_port()
    server = LiveServer(provider, port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def test_concurrent_redemptions_of_one_code_give_one_token(provider, rp, live_url):
    browser = provider.test_client()
    request = oauth.for_client(rp)
    code = oauth.obtain_code(browser, request=request)
    forms = [
        {**oauth.code_form(request=request, code=code), **rp.auth()["form_auth"]} for _ in range(12)
    ]
    start = threading.Barrier(len(forms))
    answers: list[requests.Response] = []

    def redeem(form: dict) -> None:
        start.wait()
        answers.append(requests.post(live_url + "/token", data=form, timeout=60))

    threads = [threading.Thread(target=redeem, args=(f,)) for f in forms]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [400] * 11, statuses
    assert {a.json()["error"] for a in answers if a.status_code == 400} == {"invalid_grant"}


def test_a_redeemed_code_is_invalid_grant(provider, rp):
    client = provider.test_client()
    request = oauth.for_client(rp)
    code = oauth.obtain_code(client, request=request)
    assert oauth.redeem(client, rp=rp, request=request, code=code).status_code == 200
    again = oauth.redeem(client, rp=rp, request=request, code=code)
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_grant"


def test_a_failed_redemption_does_not_burn_the_code(provider, rp):
    """A thief without the PKCE verifier cannot spoil the client's own redemption."""
    client = provider.test_client()
    request = oauth.for_client(rp)
    code = oauth.obtain_code(client, request=request)
    stolen = oauth.redeem(client, rp=rp, request=request, code=code, code_verifier="x" * 50)
    assert stolen.status_code == 400
    assert oauth.redeem(client, rp=rp, request=request, code=code).status_code == 200


def test_a_nonce_is_refused_after_its_code_was_redeemed(provider, rp):
    client = provider.test_client()
    first = oauth.for_client(rp)
    code = oauth.obtain_code(client, request=first)
    assert oauth.redeem(client, rp=rp, request=first, code=code).status_code == 200
    again = oauth.for_client(rp, nonce=first.nonce)
    resp = client.get(again.path())
    assert resp.status_code == 302
    params = oauth.query_of(resp.headers["Location"])
    assert params["error"] == "invalid_request" and params["state"] == again.state


def test_a_token_carries_only_the_scopes_shown_on_the_consent_page(provider, rp):
    client = provider.test_client()
    oauth.sign_in(client, personal_id=oauth.AN)
    request = oauth.for_client(rp, scope=WIDE_SCOPE)
    page = client.get(request.path()).get_data(as_text=True)
    shown = page[page.index('<ul class="checklist">') :].split("</ul>")[0]
    assert shown.count("<li>") == 4  # identity, profile, address, population data
    assert "Họ và tên, ngày sinh, giới tính" in shown
    resp = oauth.decide(client, path=request.path())
    code = oauth.query_of(resp.headers["Location"])["code"]
    token = oauth.redeem(client, rp=rp, request=request, code=code).get_json()
    assert token["scope"].split() == ["openid", "profile", "address", "population"]
    lookup = client.get(
        f"/api/population/people/{oauth.THU}?purpose=x", headers=oauth.bearer(token["access_token"])
    )
    assert lookup.status_code == 403
