"""The official letters Mẫu 02, 03 and 04: which events produce one, their content built from
the stored dossier and event, and the PDF (fpdf2, text read back with pypdf)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import update
from sqlmodel import Session, select

from portal.models import ROLE_LABELS, Citizen, Dossier, DossierEvent, Office, Staff
from portal.services import notices, workflow
from portal.services.notices import build_letter, letter_action, letter_pdf, note_items
from procedures import load_catalogue
from tests.support.databases import portal_engine

AN = "079095001234"
HANH = "079187090123"  # clerk of the commune, every role
OFFICE = "79.26743"
MARITAL = load_catalogue().get("1.004873")  # 3 working days
SUBMITTED = datetime(2026, 11, 23, 2, 5, tzinfo=UTC)  # 09:05 in Vietnam, a Monday
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam
MISSING = "- Bản sao giấy chứng sinh  \n\n  2) Giấy xác nhận nơi cư trú\t\n"
REASON = "Hồ sơ thuộc thẩm quyền của Sở Tư pháp, không thuộc Ủy ban nhân dân phường."
APOLOGY = "Hồ sơ cần xác minh thêm tại nơi đăng ký hộ tịch trước đây.\nMong ông/bà thông cảm."


@pytest.fixture
def session(tmp_path):
    with portal_engine(tmp_path) as engine, Session(engine) as session:
        session.add_all(
            [
                Office(code=OFFICE, name="UBND Phường Bến Thành", kind="commune", province_code=79),
                Citizen(personal_id=AN, full_name="Nguyễn Văn An", level=2),
                Citizen(personal_id=HANH, full_name="Trương Thị Hạnh", level=2),
                Staff(personal_id=HANH, office_code=OFFICE, roles="tiep_nhan,xu_ly,lanh_dao"),
            ]
        )
        session.commit()
        yield session


_serial = iter(range(1, 10_000))


def _dossier(session: Session, status: str, **fields) -> Dossier:
    values = {
        "code": f"{OFFICE}-261123-{next(_serial):04d}",
        "procedure_code": MARITAL.code,
        "procedure_version": 1,
        "applicant_id": AN,
        "status": status,
        "office_code": OFFICE,
        "data": {"applicant_full_name": "Nguyễn Văn An", "applicant_personal_id": AN},
        "submitted_at": SUBMITTED,
        "received_at": None if status == "submitted" else SUBMITTED,
        "due_date": date(2026, 11, 26),
    }
    dossier = Dossier(**values | fields)
    session.add(dossier)
    session.flush()
    session.execute(update(Dossier).where(Dossier.id == dossier.id).values(draft_key=None))
    session.commit()
    session.refresh(dossier)
    return dossier


def _act(session: Session, dossier: Dossier, action: str, note=None, **kw) -> DossierEvent:
    """Apply `action` as the clerk (or the applicant for resubmit); the event it wrote."""
    actor = workflow.citizen(AN) if action == "resubmit" else workflow.staff_actor(session, HANH)
    workflow.apply(
        session,
        dossier,
        action,
        actor,
        expected_version=dossier.version,
        note=note,
        now=kw.pop("now", NOW),
        working_days=MARITAL.processing.days,
        **kw,
    )
    query = select(DossierEvent).where(DossierEvent.dossier_id == dossier.id)
    return session.exec(query.order_by(DossierEvent.id.desc())).first()


def _written(session: Session, dossier: Dossier, source: str, target: str, **fields):
    """An event written directly, as other modules (or older code) write them."""
    values = {"actor_id": HANH, "actor_role": "xu_ly", "at": NOW, "note": "Ghi chú"} | fields
    event = DossierEvent(dossier_id=dossier.id, from_status=source, to_status=target, **values)
    session.add(event)
    session.commit()
    return event


def _pdf_text(body: bytes) -> str:
    assert body.startswith(b"%PDF-")
    pages = PdfReader(BytesIO(body)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


KINDS = [  # action, dossier status, note, extra arguments, form, words the PDF must show
    (
        "request_supplement",
        "processing",
        MISSING,
        {},
        "02",
        (
            "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
            "1. Bản sao giấy chứng sinh",
            "2. Giấy xác nhận nơi cư trú",
            "/ho-so/{code}/bo-sung",
            "được tính lại từ đầu",
            "NGƯỜI HƯỚNG DẪN",
        ),
    ),
    (
        "refuse_reception",
        "submitted",
        REASON,
        {},
        "03",
        ("PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", REASON, "NGƯỜI TIẾP NHẬN"),
    ),
    (
        "extend",
        "processing",
        APOLOGY,
        {"new_due_date": date(2026, 12, 10)},
        "04",
        (
            "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
            "Hồ sơ cần xác minh thêm tại nơi đăng ký hộ tịch trước đây.",
            "Mong ông/bà thông cảm.",
            "Ngày hẹn trả kết quả đã hẹn 26/11/2026",
            "Ngày hẹn trả kết quả mới 10/12/2026",
            "sẽ trả kết quả vào ngày 10/12/2026",
        ),
    ),
]


@pytest.mark.parametrize(("action", "status", "note", "extra", "number", "words"), KINDS)
def test_each_letter_has_the_form_the_parties_and_its_body(
    session, action, status, note, extra, number, words
):
    dossier = _dossier(session, status)
    event = _act(session, dossier, action, note, **extra)
    assert letter_action(event) == action
    letter = build_letter(session, dossier, event, MARITAL, "http://portal.test")
    assert (letter.form.number, letter.form_basis) == (
        number,
        f"Mẫu số {number}, Nghị định 118/2025/NĐ-CP",
    )
    assert letter.file_name == f"mau-{number}-{dossier.code}.pdf"
    assert letter.place_date == "TP. Hồ Chí Minh, ngày 24 tháng 11 năm 2026"
    assert letter.addressee == "Kính gửi: Ông/bà Nguyễn Văn An"
    assert [label for label, _ in letter.rows][:5] == list(notices.RECEIPT_FACTS)
    assert letter.signer_name == "Trương Thị Hạnh"
    assert letter.signer_role == ROLE_LABELS[workflow.ACTIONS[action].role]
    text = _pdf_text(letter_pdf(letter))
    for expected in (
        "UBND PHƯỜNG BẾN THÀNH",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        f"Mẫu số {number}, Nghị định 118/2025/NĐ-CP",
        "TP. Hồ Chí Minh, ngày 24 tháng 11 năm 2026",
        "Kính gửi: Ông/bà Nguyễn Văn An",
        dossier.code,
        "Cấp Giấy xác nhận tình trạng hôn nhân",
        "Trương Thị Hạnh",
        *(w.format(code=dossier.code) for w in words),
    ):
        assert expected in text, expected


def test_supplement_items_are_numbered_once_whatever_the_clerk_typed(session):
    dossier = _dossier(session, "processing")
    event = _act(session, dossier, "request_supplement", MISSING)
    items = build_letter(session, dossier, event, MARITAL).sections[0]
    assert items.numbered
    assert items.lines == ("Bản sao giấy chứng sinh", "Giấy xác nhận nơi cư trú")


@pytest.mark.parametrize(
    ("note", "items"),
    [
        (None, ()),
        ("", ()),
        ("  \n\t\n", ()),
        ("Một mục", ("Một mục",)),
        ("  a  \n\n\nb   ", ("a", "b")),
        ("- a\n* b\n• c\n+ d\n– e", ("a", "b", "c", "d", "e")),
        ("1. a\n2) b\n(3) c\n10. d", ("a", "b", "c", "d")),
        ("1.\n-\n   -   ", ()),  # markers alone are not items
        ("1.000 đồng lệ phí\n2026 là năm", ("1.000 đồng lệ phí", "2026 là năm")),
        ("-giữ dấu gạch nối", ("-giữ dấu gạch nối",)),
        ("a\r\nb\r\n", ("a", "b")),
        ("Bản sao Giấy chứng nhận kết hôn", ("Bản sao Giấy chứng nhận kết hôn",)),
    ],
)
def test_note_items(note, items):
    assert note_items(note) == items


def test_a_long_note_wraps_and_runs_onto_more_pages(session):
    dossier = _dossier(session, "processing")
    long_item = "Giấy tờ chứng minh nơi cư trú hợp pháp của người yêu cầu " * 12
    note = "\n".join(f"{long_item.strip()} (mục {n})" for n in range(1, 21))
    event = _act(session, dossier, "request_supplement", note)
    body = letter_pdf(build_letter(session, dossier, event, MARITAL))
    reader = PdfReader(BytesIO(body))
    assert len(reader.pages) > 1
    text = _pdf_text(body)
    assert "20. Giấy tờ chứng minh" in text and "(mục 20)" in text
    assert "NGƯỜI HƯỚNG DẪN" in text


def test_the_extension_letter_keeps_its_dates_after_the_dossier_moves_on(session):
    dossier = _dossier(session, "processing")
    extension = _act(session, dossier, "extend", APOLOGY, new_due_date=date(2026, 12, 10))
    assert (extension.due_before, extension.due_after) == (date(2026, 11, 26), date(2026, 12, 10))
    _act(session, dossier, "request_supplement", "Tờ khai")
    _act(session, dossier, "resubmit", "Đã bổ sung", now=datetime(2026, 12, 1, 2, tzinfo=UTC))
    session.refresh(dossier)
    assert dossier.due_date != date(2026, 12, 10)  # the clock restarted from zero
    letter = build_letter(session, dossier, session.get(DossierEvent, extension.id), MARITAL)
    rows = dict(letter.rows)
    assert rows["Ngày hẹn trả kết quả đã hẹn"] == "26/11/2026"
    assert rows["Ngày hẹn trả kết quả mới"] == "10/12/2026"
    assert rows["Ngày tiếp nhận hồ sơ"] == "23/11/2026"


def test_events_without_a_letter(session):
    dossier = _dossier(session, "submitted")
    received = _act(session, dossier, "receive")
    started = _act(session, dossier, "start")
    writeback = _written(session, dossier, "approved", "approved", actor_role="lanh_dao")
    # An extension written before events kept the dates: there is no letter to rebuild.
    old_extension = _written(session, dossier, "processing", "processing", note=APOLOGY)
    for event in (received, started, writeback, old_extension):
        assert letter_action(event) is None and notices.letter_form(event) is None
        with pytest.raises(ValueError):
            build_letter(session, dossier, event, MARITAL)
    assert received.due_after is not None  # reception sets the appointment, yet no letter


def test_letter_event_keeps_to_the_dossier(session):
    mine, other = _dossier(session, "submitted"), _dossier(session, "submitted")
    refusal = _act(session, mine, "refuse_reception", REASON)
    assert notices.letter_event(session, mine, refusal.id).id == refusal.id
    for event_id in (refusal.id + 1000, 0, -1, 2**31, 10**30):
        assert notices.letter_event(session, mine, event_id) is None
    assert notices.letter_event(session, other, refusal.id) is None
    with pytest.raises(ValueError):
        build_letter(session, other, refusal, MARITAL)


def test_without_office_procedure_or_clerk_the_letter_still_reads(session):
    dossier = _dossier(session, "submitted", office_code="79.99999")
    event = _written(
        session, dossier, "submitted", "refused_reception", actor_id="079100000009", note=REASON,
        action="refuse_reception",
    )  # fmt: skip
    letter = build_letter(session, dossier, event, None)
    assert letter.office_name == "79.99999"
    assert letter.place_date == "Ngày 24 tháng 11 năm 2026"
    assert (letter.signer_name, letter.signer_role) == ("", "Chuyên viên xử lý")
    text = _pdf_text(letter_pdf(letter))
    assert REASON in text and "NGƯỜI TIẾP NHẬN" in text


REJECTION = "Người được khai sinh đã được đăng ký khai sinh tại hồ sơ khác."


def test_the_rejection_letter_has_no_form_number(session):
    dossier = _dossier(session, "processing")
    event = _act(session, dossier, "reject", REJECTION)
    assert letter_action(event) == "reject"
    letter = build_letter(session, dossier, event, MARITAL, "http://portal.test")
    assert letter.form.number is None and letter.form_basis == ""
    assert letter.form.link_text == "Tải thông báo từ chối giải quyết hồ sơ (PDF)"
    assert letter.file_name == f"thong-bao-tu-choi-giai-quyet-ho-so-{dossier.code}.pdf"
    assert (letter.signer_name, letter.signer_role) == ("Trương Thị Hạnh", ROLE_LABELS["lanh_dao"])
    text = _pdf_text(letter_pdf(letter))
    for expected in (
        "THÔNG BÁO TỪ CHỐI GIẢI QUYẾT HỒ SƠ",
        "Lý do từ chối giải quyết:",
        REJECTION,
        "THỦ TRƯỞNG CƠ QUAN",
        "Trương Thị Hạnh",
        dossier.code,
    ):
        assert expected in text, expected
    assert "Mẫu số" not in text and "()" not in text


@pytest.mark.parametrize(
    ("text", "slug"),
    [("Thông báo từ chối giải quyết hồ sơ", "thong-bao-tu-choi-giai-quyet-ho-so"),
     ("Đăng ký  khai tử!", "dang-ky-khai-tu")],
)  # fmt: skip
def test_ascii_slug(text, slug):
    assert notices.ascii_slug(text) == slug
