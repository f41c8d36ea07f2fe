"""Portal pages through the Flask test client; the provider is not running here."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from portal.db import db
from portal.services import registry, sessions
from tests.factories import AN, RECORD, sign_in
from tests.support.html import check_page, get_page


def test_home_offers_vneid_login(portal_client):
    resp = get_page(portal_client, "/")
    assert "Đăng nhập bằng VNeID" in resp.get_data(as_text=True)


def test_healthz_reports_database(portal_client):
    resp = portal_client.get("/healthz")
    assert resp.status_code == 200
    assert resp.json == {"status": "ok", "database": "ok", "queue": "ok"}


def test_healthz_reports_unreachable_database(portal_client, monkeypatch):
    monkeypatch.setattr(db, "is_reachable", lambda: False)
    resp = portal_client.get("/healthz")
    assert resp.status_code == 503 and resp.json["database"] == "unreachable"


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/khong-ton-tai", 404, "Không tìm thấy trang"),
        ("/dang-xuat", 405, "Thao tác không được hỗ trợ"),
    ],
)
def test_error_pages_are_vietnamese(portal_client, path, status, words):
    resp = get_page(portal_client, path, status)
    assert words in resp.get_data(as_text=True)


def test_unexpected_error_gives_a_calm_500_page(portal_app, monkeypatch):
    def boom(*_a, **_k):
        raise OperationalError("SELECT 1", {}, Exception("database gone"))

    monkeypatch.setattr("portal.public.views.render_template", boom)
    resp = portal_app.test_client().get("/")
    assert resp.status_code == 500
    html = resp.get_data(as_text=True)
    check_page(html)
    assert "Hệ thống gặp sự cố" in html and "database gone" not in html


def test_logout_without_csrf_token_is_refused_with_a_page(portal_client):
    resp = portal_client.post("/dang-xuat")
    assert resp.status_code == 400
    assert "Phiên làm việc đã hết hạn" in resp.get_data(as_text=True)


def test_private_page_sends_to_login(portal_client):
    resp = portal_client.get("/ca-nhan")
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/dang-nhap?next=%2Fca-nhan"


def test_login_with_provider_down_explains_instead_of_failing(portal_client):
    resp = get_page(portal_client, "/dang-nhap", 401)
    assert "tạm thời gián đoạn" in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    ["?code=x&state=y", "?error=access_denied&state=y", "", "?state=&code="],
)
def test_callback_without_a_pending_login_is_refused(portal_client, query):
    resp = get_page(portal_client, "/auth/callback" + query, 401)
    assert "Đăng nhập không thành công" in resp.get_data(as_text=True)


def test_publishes_its_public_key_only(portal_client):
    keys = portal_client.get("/.well-known/jwks.json").json["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "RSA" and keys[0]["kid"]
    assert not {"d", "p", "q"} & set(keys[0])


def test_dashboard_shows_registry_data_with_sources(portal_app, portal_client, monkeypatch):
    monkeypatch.setattr(registry, "my_record", lambda *_a, **_k: RECORD)
    sign_in(portal_app, portal_client)
    html = get_page(portal_client, "/ca-nhan").get_data(as_text=True)
    assert "Xin chào, Nguyễn Văn An" in html
    for words in (AN, "12/04/1995", "Phường Bến Thành", "Chưa kết hôn", "Nguồn: CSDLQG về dân cư"):
        assert words in html
    assert "Cập nhật: 01/11/2026" in html
    assert "mức 1" not in html


def test_dashboard_tells_a_level_1_account_how_to_upgrade(portal_app, portal_client, monkeypatch):
    monkeypatch.setattr(registry, "my_record", lambda *_a, **_k: RECORD)
    sign_in(portal_app, portal_client, level=1)
    html = get_page(portal_client, "/ca-nhan").get_data(as_text=True)
    assert "Tài khoản định danh điện tử mức 1" in html and "nâng cấp" in html


def test_dashboard_survives_registry_outage(portal_app, portal_client, monkeypatch):
    def down(*_a, **_k):
        raise registry.RegistryError("timeout")

    monkeypatch.setattr(registry, "my_record", down)
    sign_in(portal_app, portal_client)
    html = get_page(portal_client, "/ca-nhan").get_data(as_text=True)
    assert "Chưa lấy được dữ liệu" in html


def test_expired_provider_token_signs_the_citizen_out(portal_app, portal_client, monkeypatch):
    def expired(*_a, **_k):
        raise registry.RegistryAuthExpired("401")

    monkeypatch.setattr(registry, "my_record", expired)
    sign_in(portal_app, portal_client)
    resp = portal_client.get("/ca-nhan")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/dang-nhap")
    assert portal_client.get("/ca-nhan").status_code == 302


def test_expired_session_is_not_loaded(portal_app):
    from datetime import timedelta

    from portal.models import utcnow

    with portal_app.app_context(), db.new_session() as session:
        login = sessions.open_session(
            session,
            personal_id=AN,
            full_name="A",
            level=2,
            access_token="a",
            id_token="i",
            hours=1,
        )
        assert sessions.load_session(session, login.id) is not None
        later = utcnow() + timedelta(hours=2)
        assert sessions.load_session(session, login.id, now=later) is None
        assert sessions.load_session(session, "unknown") is None


def test_security_headers(portal_client):
    headers = portal_client.get("/").headers
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
