"""RP-initiated logout: redirect only to registered URIs, only with a genuine ID token."""

from __future__ import annotations

import time
from urllib.parse import urlencode, urlsplit

import pytest
from joserfc import jwt

from tests.support import oauth
from tests.support.oauth import AN, PORTAL_CALLBACK, PORTAL_CLIENT_ID


@pytest.fixture
def id_token(idp_client, rp) -> str:
    """A browser signed in as Nguyễn Văn An, and the ID token `rp` received."""
    _, tokens = oauth.login_tokens(idp_client, rp=rp)
    return tokens["id_token"]


def logout_path(**params) -> str:
    return "/logout?" + urlencode(params) if params else "/logout"


def signed_in(client) -> bool:
    """Whether the provider still has a session: authorize would not ask to sign in."""
    request = oauth.AuthRequest(client_id=PORTAL_CLIENT_ID, redirect_uri=PORTAL_CALLBACK)
    resp = client.get(request.path())
    if resp.status_code == 302 and urlsplit(resp.headers["Location"]).path == "/dang-nhap":
        return False
    assert resp.status_code == 200, resp.status_code
    return True


def forged_id_token(*, aud: str, unsigned: bool = False) -> str:
    now = int(time.time())
    claims = {"iss": oauth.ISSUER, "aud": aud, "sub": AN, "iat": now, "exp": now + 600}
    if unsigned:
        return oauth.unsigned_jwt(claims=claims)
    key = oauth.rsa_key(label="ke-gian")
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key, ["RS256"])


def test_logout_with_hint_redirects_to_registered_uri(idp_client, rp, id_token):
    assert signed_in(idp_client)
    resp = idp_client.get(
        logout_path(
            id_token_hint=id_token,
            post_logout_redirect_uri=rp.post_logout_redirect_uri,
            state="xyz",
        )
    )
    assert resp.status_code == 302
    location = resp.headers["Location"]
    assert oauth.without_query(location) == rp.post_logout_redirect_uri
    assert oauth.query_of(location) == {"state": "xyz"}
    assert not signed_in(idp_client)


@pytest.mark.parametrize(
    "target",
    [
        "http://evil.test/da-dang-xuat",
        "http://rp.test/da-dang-xuat/khac",
        oauth.PORTAL_LOGGED_OUT,  # registered, but for another client than the token's
    ],
    ids=["foreign", "extended", "other-client"],
)
def test_logout_never_redirects_to_unregistered_uri(idp_client, id_token, target):
    resp = idp_client.get(logout_path(id_token_hint=id_token, post_logout_redirect_uri=target))
    assert resp.status_code in (200, 400)
    assert "Location" not in resp.headers
    assert "VNeID" in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    "hint",
    [
        "rac-khong-phai-jwt",
        "a.b.c",
        forged_id_token(aud=oauth.RP_ID),
        forged_id_token(aud=oauth.RP_ID, unsigned=True),
    ],
    ids=["garbage", "three-parts", "other-key", "alg-none"],
)
def test_logout_with_bad_hint_is_a_400_page(idp_client, rp, id_token, hint):
    resp = idp_client.get(
        logout_path(id_token_hint=hint, post_logout_redirect_uri=rp.post_logout_redirect_uri)
    )
    assert resp.status_code == 400
    assert "Location" not in resp.headers
    assert "Yêu cầu đăng xuất không hợp lệ" in resp.get_data(as_text=True)
    assert signed_in(idp_client)


def test_logout_hint_for_another_client_id_is_refused(idp_client, rp, id_token):
    resp = idp_client.get(
        logout_path(
            id_token_hint=id_token,
            client_id=PORTAL_CLIENT_ID,
            post_logout_redirect_uri=oauth.PORTAL_LOGGED_OUT,
        )
    )
    assert resp.status_code == 400
    assert "Location" not in resp.headers


def test_logout_without_hint_asks_for_confirmation(idp_client, id_token):
    resp = idp_client.get(logout_path())
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert '<form method="post"' in html
    assert "csrf_token" in oauth.csrf_tokens(html)
    assert signed_in(idp_client)

    token = oauth.csrf_tokens(html)["csrf_token"]
    done = idp_client.post(logout_path(), data={"csrf_token": token})
    assert done.status_code == 200
    assert "Bạn đã đăng xuất khỏi VNeID" in done.get_data(as_text=True)
    assert not signed_in(idp_client)


def test_confirmed_logout_without_hint_does_not_redirect(idp_client, rp, id_token):
    path = logout_path(client_id=rp.client_id, post_logout_redirect_uri=rp.post_logout_redirect_uri)
    html = idp_client.get(path).get_data(as_text=True)
    resp = idp_client.post(path, data={"csrf_token": oauth.csrf_tokens(html)["csrf_token"]})
    assert resp.status_code == 200
    assert "Location" not in resp.headers
    assert not signed_in(idp_client)


def test_logout_post_without_csrf_keeps_the_session(idp_client, id_token):
    resp = idp_client.post(logout_path())
    assert resp.status_code == 400
    assert "Location" not in resp.headers
    assert signed_in(idp_client)


def test_hint_for_another_person_does_not_end_this_session(idp_app, id_token):
    victim = idp_app.test_client()
    assert oauth.sign_in(victim, personal_id="038088012345").status_code == 302
    resp = victim.get(logout_path(id_token_hint=id_token))
    assert "Location" not in resp.headers
    assert signed_in(victim)
