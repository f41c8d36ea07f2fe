"""The dossier receipt: its content built from a stored dossier, and the PDF (fpdf2)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlmodel import Session

from portal.models import Dossier
from portal.services.receipt import build_receipt, has_receipt, receipt_pdf
from procedures import load_catalogue
from tests import factories

AN, NGOC = factories.AN, factories.BINH  # Ngọc: the applicant, not An
CATALOGUE = load_catalogue()
MARITAL = CATALOGUE.get("1.004873")  # xác nhận tình trạng hôn nhân: 3 working days
SAME_DAY = CATALOGUE.get("2.000884")  # chứng thực chữ ký: given the same day
OFFICE = factories.COMMUNE
REASON = "Miễn phí: nộp trực tuyến theo Nghị quyết số 12/2025/NQ-HĐND"


@pytest.fixture
def session(tmp_path):
    """A portal database that knows the commune's office and An (tests/factories.py)."""
    with factories.office_session(tmp_path) as session:
        yield session


def _stored(session: Session, **fields) -> Dossier:
    """A submitted dossier written to the database and read back (naive UTC datetimes)."""
    values = {
        "code": f"{OFFICE}-261123-0001",
        "procedure_code": MARITAL.code,
        "procedure_version": 1,
        "applicant_id": NGOC,
        "draft_key": None,
        "status": "received",
        "received_at": datetime(2026, 11, 23, 2, 5, tzinfo=UTC),
        "office_code": OFFICE,
        "routing_reason": "Nơi thường trú của người yêu cầu: Phường Bến Thành",
        "data": {"applicant_full_name": "Trần Thị Bích Ngọc", "applicant_personal_id": NGOC},
        "fee_amount": 0,
        "fee_rule": "online_zero:79",
        "fee_reason": REASON,
        "submitted_at": datetime(2026, 11, 23, 2, 5, tzinfo=UTC),  # 09:05 in Vietnam
        "due_date": date(2026, 11, 26),
        **fields,
    }
    dossier = Dossier(**values)
    session.add(dossier)
    session.commit()
    session.expire_all()
    return session.get(Dossier, dossier.id)


def test_content_comes_from_the_dossier_the_office_and_the_procedure(session):
    receipt = build_receipt(session, _stored(session), MARITAL, "http://portal.test/")
    assert receipt.code == "79.26743-261123-0001"
    assert receipt.office_name == "UBND Phường Bến Thành"
    assert (receipt.procedure_code, receipt.procedure_name) == (MARITAL.code, MARITAL.name)
    assert (receipt.applicant_name, receipt.applicant_id) == ("Trần Thị Bích Ngọc", NGOC)
    assert receipt.submitted_text == "09 giờ 05 phút, ngày 23/11/2026"
    assert receipt.appointment == "26/11/2026"
    assert receipt.processing_time == "3 ngày làm việc"
    assert (receipt.fee, receipt.fee_reason) == ("0 đồng", REASON)
    assert receipt.routing_reason.startswith("Nơi thường trú")
    assert receipt.follow_url == "http://portal.test/ho-so/79.26743-261123-0001"
    assert [(c.name, c.source) for c in receipt.components][:2] == [
        ("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân", "Tờ khai trực tuyến"),
        ("Giấy tờ tùy thân của người yêu cầu", "Khai thác từ CSDLQG về dân cư"),
    ]


def test_name_falls_back_to_the_citizen_and_same_day_result_is_said_so(session):
    dossier = _stored(
        session,
        procedure_code=SAME_DAY.code,
        applicant_id=AN,
        data={"document_name": "Giấy ủy quyền"},
        fee_amount=15000,
        due_date=date(2026, 11, 23),
    )
    receipt = build_receipt(session, dossier, SAME_DAY)
    assert (receipt.applicant_name, receipt.applicant_id) == ("Nguyễn Văn An", AN)
    assert receipt.appointment == "Trả kết quả ngay trong ngày (23/11/2026)"
    assert receipt.fee == "15.000 đồng"
    assert receipt.follow_url == "/ho-so/79.26743-261123-0001"


def test_same_day_procedure_received_after_cutoff_gives_the_next_day(session):
    late = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # 16:30 in Vietnam
    dossier = _stored(
        session, procedure_code=SAME_DAY.code, submitted_at=late, due_date=date(2026, 11, 24)
    )
    assert build_receipt(session, dossier, SAME_DAY).appointment == "24/11/2026"


def test_a_procedure_gone_from_the_catalogue_still_gives_a_receipt(session):
    receipt = build_receipt(session, _stored(session), None)
    assert receipt.procedure_name == "" and receipt.components == ()
    assert (receipt.applicant_name, receipt.applicant_id) == ("Trần Thị Bích Ngọc", NGOC)


def test_a_draft_has_no_receipt(session):
    dossier = _stored(session, status="draft", code=None, submitted_at=None, draft_key="draft")
    assert not has_receipt(dossier)
    with pytest.raises(ValueError):
        build_receipt(session, dossier, MARITAL)


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "submitted", "received_at": None},  # an acknowledgement only, until received
        {"status": "supplement_requested", "received_at": None},
        {"status": "refused_reception", "received_at": None},
        {"status": "withdrawn", "received_at": None},
        {"status": "awaiting_parties", "received_at": None},  # the parties not yet agreed
        {"status": "declined", "received_at": None},
    ],
    ids=["submitted", "supplement at reception", "refused", "withdrawn", "parties", "declined"],
)
def test_the_citizen_holds_a_receipt_only_once_received(session, fields):
    dossier = _stored(session, **fields)
    assert not has_receipt(dossier)
    # the one-stop letters (Mẫu 02, 03) still quote the filed dossier's facts
    assert build_receipt(session, dossier, MARITAL).code == dossier.code


@pytest.mark.parametrize(
    "status", ["received", "processing", "supplement_requested", "approved", "rejected", "returned"]
)
def test_a_received_dossier_keeps_its_receipt(session, status):
    assert has_receipt(_stored(session, status=status))


@pytest.mark.parametrize("status", ["withdrawn", "refused_reception", "declined"])
def test_an_ended_dossier_never_shows_a_receipt_even_with_a_reception_time(session, status):
    assert not has_receipt(_stored(session, status=status))


def test_pdf_embeds_vietnamese_text(session):
    receipt = build_receipt(session, _stored(session), MARITAL)
    body = receipt_pdf(receipt)
    assert body.startswith(b"%PDF-")
    reader = PdfReader(BytesIO(body))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    for words in (
        "PHIẾU TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "79.26743-261123-0001",
        "Trần Thị Bích Ngọc",
        REASON,
        "UBND Phường Bến Thành",
        "Khai thác từ CSDLQG về dân cư",
        "26/11/2026",
    ):
        assert words in text, words
    assert reader.metadata.title == "Phiếu tiếp nhận hồ sơ và hẹn trả kết quả 79.26743-261123-0001"
