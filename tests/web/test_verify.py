"""The public verification page /tra-cuu-ket-qua through the Flask test client, logged out."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

import pytest

from portal.db import db
from portal.models import Dossier, Office
from portal.models.results import ResultDocument
from portal.services import results
from tests.support.html import get_page

OFFICE = "79.26743"
CONTENT = {
    "Họ, chữ đệm, tên": "Nguyễn Thị Bình",
    "Số định danh cá nhân": "079326001234",
    "Ngày, tháng, năm sinh": "01/11/2026",
    "Nơi cư trú": "12 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh",
    "Họ tên mẹ": "Lê Thị Hoa",
    "Số định danh cá nhân của mẹ": "079195004321",
}
INVALID = "Văn bản KHÔNG hợp lệ: nội dung đã bị thay đổi sau khi ký"


def _issue(app) -> str:
    """Store a signed result document; its verification code."""
    with app.app_context(), db.new_session() as session:
        session.add(
            Office(code=OFFICE, name="UBND Phường Bến Thành", kind="commune", province_code=79)
        )
        dossier = Dossier(
            code=f"{OFFICE}-261123-0001",
            procedure_code="1.001193",
            procedure_version=1,
            applicant_id="079095001234",
            draft_key=None,
            status="approved",
            office_code=OFFICE,
        )
        session.add(dossier)
        session.flush()
        doc = results.issue(
            session,
            dossier,
            kind="trich_luc_khai_sinh",
            title="Trích lục khai sinh",
            content=CONTENT,
            office_code=OFFICE,
            signer_id="079080001111",
            signer_name="Trần Văn Chủ tịch",
            now=datetime(2026, 11, 23, 2, 5, tzinfo=UTC),
            key_folder=results.key_folder(app.instance_path),
        )
        session.commit()
        return doc.verification_code


@pytest.fixture
def code(portal_app):
    return _issue(portal_app)


def test_valid_document(portal_client, code):
    resp = get_page(portal_client, f"/tra-cuu-ket-qua/{code}")
    html = resp.get_data(as_text=True)
    for words in (
        "Văn bản hợp lệ",
        "1/2026/TLKS",
        "Trích lục khai sinh",
        "UBND Phường Bến Thành",
        "23/11/2026",
        "Trần Văn Chủ tịch",
        code,
        "Nguyễn Thị Bình",
        "Lê Thị Hoa",
        "079*******34",  # personal IDs masked: first 3 and last 2 digits
        "079*******21",
    ):
        assert words in html, words
    # A third party sees who the document is about, not where they live or their numbers.
    for private in ("079326001234", "079195004321", "01/11/2026", "Lê Lợi", "Nơi cư trú"):
        assert private not in html, private
    assert "KHÔNG hợp lệ" not in html and 'role="alert"' not in html
    assert resp.headers["Cache-Control"] == "no-store"


def test_tampered_content_in_the_database_is_reported(portal_app, portal_client, code):
    with portal_app.app_context(), db.new_session() as session:
        session.execute(
            ResultDocument.__table__.update()
            .where(ResultDocument.verification_code == code)
            .values(content={**CONTENT, "Họ, chữ đệm, tên": "Nguyễn Thị Bính"})
        )
        session.commit()
    html = get_page(portal_client, f"/tra-cuu-ket-qua/{code}").get_data(as_text=True)
    assert INVALID in html and 'role="alert"' in html
    assert "Văn bản hợp lệ" not in html
    assert "Nguyễn Thị Bính" not in html  # the altered content is not shown as if genuine
    assert "1/2026/TLKS" in html


def test_tampered_signature_is_reported(portal_app, portal_client, code):
    with portal_app.app_context(), db.new_session() as session:
        session.execute(
            ResultDocument.__table__.update()
            .where(ResultDocument.verification_code == code)
            .values(signature="A" * 88)
        )
        session.commit()
    html = get_page(portal_client, f"/tra-cuu-ket-qua/{code}").get_data(as_text=True)
    assert INVALID in html


@pytest.mark.parametrize(
    "unknown", ["AAAAAAAAAAAAAAAAAAAA", "ngắn", "x.pdf", "a" * 200, quote("<script>")]
)
def test_unknown_code_is_404(portal_app, portal_client, unknown):
    _issue(portal_app)
    resp = get_page(portal_client, f"/tra-cuu-ket-qua/{unknown}", 404)
    html = resp.get_data(as_text=True)
    assert "Không tìm thấy văn bản với mã tra cứu này" in html
    assert "<script>" not in html


def test_search_form(portal_client):
    html = get_page(portal_client, "/tra-cuu-ket-qua").get_data(as_text=True)
    assert '<form method="get" action="/tra-cuu-ket-qua"' in html
    assert '<label class="field__label" for="ma">Mã tra cứu</label>' in html
    assert 'name="ma"' in html


def test_search_form_redirects_to_the_code_page(portal_client, code):
    resp = portal_client.get(f"/tra-cuu-ket-qua?ma=+{code}+")
    assert resp.status_code == 302
    assert resp.headers["Location"] == f"/tra-cuu-ket-qua/{code}"
    resp = portal_client.get(f"/tra-cuu-ket-qua?ma={code}", follow_redirects=True)
    assert "Văn bản hợp lệ" in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    ("value", "message"),
    [("", "Nhập mã tra cứu in trên văn bản"), ("abc/../x", "Mã tra cứu không đúng định dạng")],
)
def test_search_form_explains_a_bad_code(portal_client, value, message):
    html = get_page(portal_client, f"/tra-cuu-ket-qua?ma={quote(value)}").get_data(as_text=True)
    assert message in html and 'aria-invalid="true"' in html


def test_no_login_needed(portal_client, code):
    """The client never signed in; the page is served, not a redirect to /dang-nhap."""
    resp = portal_client.get(f"/tra-cuu-ket-qua/{code}")
    assert resp.status_code == 200
    assert "Đăng nhập bằng VNeID" in resp.get_data(as_text=True)  # the logged-out masthead


def test_a_revoked_document_says_so_with_the_date_and_reason(portal_app, portal_client, code):
    reason = "Trích lục cấp nhầm họ tên của trẻ."
    with portal_app.app_context(), db.new_session() as session:
        session.execute(
            ResultDocument.__table__.update()
            .where(ResultDocument.verification_code == code)
            .values(
                revoked_at=datetime(2026, 11, 30, 18, 0, tzinfo=UTC),  # 01:00 on 1/12 in Vietnam
                revoked_by="079080001111",
                revoked_reason=reason,
            )
        )
        session.commit()
    resp = get_page(portal_client, f"/tra-cuu-ket-qua/{code}")
    html = resp.get_data(as_text=True)
    assert "<title>Văn bản đã thu hồi" in html and 'role="alert"' in html
    assert "Đã thu hồi ngày 01/12/2026" in html and reason in html
    assert "Văn bản hợp lệ" not in html and INVALID not in html
    assert "1/2026/TLKS" in html and "079*******34" in html  # still matched to the paper
    assert "079326001234" not in html and resp.headers["Cache-Control"] == "no-store"
