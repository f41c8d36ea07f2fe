"""The dossier receipt pages through the Flask test client (no provider running)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlmodel import select

from portal.db import db
from portal.models import Dossier, DossierParty, Office
from tests.factories import AN, LAN, sign_in
from tests.support.html import get_page

CODE = "79.26743-261123-0001"
PAGE = f"/ho-so/{CODE}/phieu-tiep-nhan"
PDF = PAGE + ".pdf"
REASON = "Miễn phí: nộp trực tuyến theo Nghị quyết số 12/2025/NQ-HĐND"


def _add_dossier(app, **fields) -> None:
    values = {
        "code": CODE,
        "procedure_code": "1.004873",
        "procedure_version": 1,
        "applicant_id": AN,
        "draft_key": None,
        "status": "received",
        "received_at": datetime(2026, 11, 23, 2, 5, tzinfo=UTC),
        "office_code": "79.26743",
        "routing_reason": "Nơi thường trú của người yêu cầu",
        "data": {"applicant_full_name": "Nguyễn Văn An", "applicant_personal_id": AN},
        "fee_amount": 0,
        "fee_rule": "online_zero:79",
        "fee_reason": REASON,
        "submitted_at": datetime(2026, 11, 23, 2, 5, tzinfo=UTC),
        "due_date": date(2026, 11, 26),
        **fields,
    }
    with app.app_context(), db.new_session() as session:
        if session.get(Office, "79.26743") is None:
            session.add(
                Office(
                    code="79.26743", name="UBND Phường Bến Thành", kind="commune", province_code=79
                )
            )
        session.add(Dossier(**values))
        session.commit()


@pytest.fixture
def owner(portal_app, portal_client):
    _add_dossier(portal_app)
    sign_in(portal_app, portal_client)
    return portal_client


def test_owner_sees_the_receipt_page(owner):
    html = get_page(owner, PAGE).get_data(as_text=True)
    for words in (
        "Phiếu tiếp nhận hồ sơ và hẹn trả kết quả",
        CODE,
        "UBND Phường Bến Thành",
        "Nguyễn Văn An",
        "09 giờ 05 phút, ngày 23/11/2026",
        "26/11/2026",
        "0 đồng",
        REASON,
        "Tờ khai trực tuyến",
        "Khai thác từ CSDLQG về dân cư",
        f"/ho-so/{CODE}",
    ):
        assert words in html, words
    assert f'href="{PDF}"' in html and "Tải phiếu tiếp nhận (PDF)" in html


def test_dossier_page_links_to_the_receipt(owner):
    html = get_page(owner, f"/ho-so/{CODE}").get_data(as_text=True)
    assert f'href="{PAGE}"' in html


def test_owner_downloads_the_pdf(owner):
    resp = owner.get(PDF)
    assert resp.status_code == 200
    assert resp.mimetype == "application/pdf"
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and f"phieu-tiep-nhan-{CODE}.pdf" in disposition
    assert resp.data.startswith(b"%PDF-")
    text = " ".join(PdfReader(BytesIO(resp.data)).pages[0].extract_text().split())
    assert CODE in text and "Nguyễn Văn An" in text and REASON in text


@pytest.mark.parametrize("path", [PAGE, PDF])
def test_another_citizen_gets_404(portal_app, portal_client, path):
    _add_dossier(portal_app)
    sign_in(portal_app, portal_client, personal_id="079190004321")
    assert portal_client.get(path).status_code == 404


@pytest.mark.parametrize("path", [PAGE, PDF])
def test_logged_out_user_is_sent_to_login(portal_app, portal_client, path):
    _add_dossier(portal_app)
    resp = portal_client.get(path)
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/dang-nhap?next=")


@pytest.mark.parametrize("path", ["/ho-so/79.26743-261123-9999/phieu-tiep-nhan", PDF])
def test_unknown_code_is_404(portal_app, portal_client, path):
    sign_in(portal_app, portal_client)
    assert portal_client.get(path).status_code == 404


@pytest.mark.parametrize(
    "fields",
    [
        # A draft never has a code; this one does, so only the status keeps it receipt-less.
        {"status": "draft", "draft_key": "draft", "submitted_at": None},
        {"status": "withdrawn"},
        {"status": "refused_reception", "received_at": None},
        {"status": "declined", "received_at": None},
    ],
)
def test_draft_withdrawn_refused_and_declined_dossiers_have_no_receipt(
    portal_app, portal_client, fields
):
    _add_dossier(portal_app, **fields)
    sign_in(portal_app, portal_client)
    get_page(portal_client, PAGE, 404)
    assert portal_client.get(PDF).status_code == 404
    if fields["status"] != "draft":
        html = get_page(portal_client, f"/ho-so/{CODE}").get_data(as_text=True)
        assert "phieu-tiep-nhan" not in html
        assert "Xác nhận đã nộp hồ sơ trực tuyến" in html
        assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả</h2>" not in html


def test_a_dossier_awaiting_its_parties_shows_the_submission_acknowledgement(
    portal_app, portal_client
):
    _add_dossier(portal_app, status="awaiting_parties", received_at=None, due_date=None)
    sign_in(portal_app, portal_client)
    get_page(portal_client, PAGE, 404)
    html = get_page(portal_client, f"/ho-so/{CODE}").get_data(as_text=True)
    assert "Xác nhận đã nộp hồ sơ trực tuyến" in html and "phieu-tiep-nhan" not in html
    assert "chờ các bên liên quan xác nhận" in html
    assert "Giấy tiếp nhận và ngày hẹn trả kết quả (Mẫu 01) được cấp khi cơ quan tiếp nhận" in html


def test_a_party_to_the_dossier_sees_its_receipt(portal_app, portal_client):
    _add_dossier(portal_app)
    with portal_app.app_context(), db.new_session() as session:
        dossier = session.exec(select(Dossier).where(Dossier.code == CODE)).one()
        session.add(
            DossierParty(dossier_id=dossier.id, personal_id=LAN, role="spouse", consent="required")
        )
        session.commit()
    sign_in(portal_app, portal_client, personal_id=LAN)
    html = get_page(portal_client, PAGE).get_data(as_text=True)
    assert CODE in html and "Nguyễn Văn An" in html
    assert portal_client.get(PDF).status_code == 200
