"""Full-process (toàn trình) flows in Chromium: the citizen files online, the office's clerk
acts in a second browser, and the citizen follows every step to the result.

Each person has their own browser context (their own cookies). The flows change the
population registry (a child is born, two people marry), so every test runs on its own
fresh pair of live apps: the `live` fixture below overrides the session-wide pair for this
module, and `persona_login`, `portal_url` and `idp_control` follow it.

Who works where (seeds/personas.toml), each at the body the law makes competent: Trương Thị
Hạnh staffs UBND Phường Bến Thành (79.26743), Võ Thanh Tâm UBND Phường Tân Định and Châu Văn
Lộc UBND Xã Bình Chánh (civil status, where a party or parent resides); Lê Minh Tuấn the Công
an Phường Bến Thành and Phan Đức Thịnh the Công an Phường Tân Định (residence, at the Công an
of the address); Nguyễn Thị Thanh Hương the Công an Thành phố Hồ Chí Minh (lý lịch tư pháp);
Phạm Văn Đức the city's BHXH (the child's health-insurance card). Each has every role. A copy
of a civil-status extract or a certified copy may be asked at any commune: citizens of the
city who live in another ward ask it at Phường Bến Thành by choice.

Where a flow needs time to pass (a week of processing, an overdue dossier), the test moves
the dossier's dates back in the portal's own database: `time_travel` below.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update
from sqlmodel import select

from portal.db import db
from portal.models import Dossier, utcnow
from portal.models.results import ResultDocument
from portal.services import deadlines
from tests.e2e.pages import (
    APPROVE_AND_WRITE,
    CitizenDossier,
    ClerkDossier,
    ClerkQueue,
    Dashboard,
    DataStorePage,
    VerificationPage,
)
from tests.support.apps import running_apps
from tests.support.e2e import (
    APPROVED,
    AWAITING_DRAFT,
    BEN_THANH,
    BEN_THANH_OFFICE,
    BEN_THANH_POLICE,
    BINH_CHANH_OFFICE,
    BIRTH_FILING,
    BIRTH_NAME,
    CERTIFIED_COPY_FILING,
    CERTIFIED_COPY_NAME,
    CHILD,
    CITY_BHXH,
    CITY_POLICE,
    CIVIL_STATUS_COPY,
    CIVIL_STATUS_COPY_NAME,
    CRIMINAL_RECORD,
    CRIMINAL_RECORD_NAME,
    DUC,
    HANH,
    HUONG,
    LOC,
    MARITAL_STATUS,
    MARITAL_STATUS_NAME,
    NEEDS_MORE,
    OFFICE_CHOICE,
    PDF,
    PROCESSING,
    RECEIVED,
    RETURNED,
    SEND_DRAFT,
    SUBMITTED,
    TAM,
    TAN_DINH_OFFICE,
    TAN_DINH_POLICE,
    THINH,
    TUAN,
    Filing,
    assert_no_axe_violations,
    clerk_opens,
    collect_result,
    confirm_the_draft,
    expect_told,
    expected_due,
    file_online,
    letter_text,
    pdf_text,
    upload,
    vn,
)

pytestmark = [
    pytest.mark.e2e,
]

TEMPORARY_RESIDENCE, TEMPORARY_RESIDENCE_NAME = "1.004194", "Đăng ký tạm trú"


# --- what each citizen types, page by page ------------------------------------------------------


# Trần Minh Khoa: the Công an of the city where he lives issues the phiếu, in 10 calendar days.
CRIMINAL_RECORD_FILING = Filing(
    CRIMINAL_RECORD,
    CRIMINAL_RECORD_NAME,
    [
        {},
        {},
        {
            "Loại phiếu yêu cầu cấp": "Phiếu số 1",
            "Mục đích sử dụng phiếu": "Bổ sung hồ sơ xin việc",
            "Số bản phiếu": "1",
        },
        {},
        {},  # nơi nộp: the Công an's own desk
    ],
    CITY_POLICE,
)

# Bùi Thị Nga (Phường Sài Gòn) rents a room in Phường Bến Thành: the Công an of the ward of
# the temporary address decides (Luật Cư trú 2020, điều 28).
TEMPORARY_RESIDENCE_FILING = Filing(
    TEMPORARY_RESIDENCE,
    TEMPORARY_RESIDENCE_NAME,
    [
        {},
        {
            "Số nhà, đường, thôn, tổ dân phố nơi tạm trú": "Phòng 305, 45 Nguyễn Trãi",
            "Xã/phường nơi tạm trú": BEN_THANH,
            "Thời hạn tạm trú (tháng)": "12",
        },
        {"Quan hệ với chủ hộ": "Người thuê, mượn, ở nhờ"},
        {"Giấy tờ chứng minh chỗ ở hợp pháp": upload("hop-dong-thue-nha.pdf", PDF)},
        {},  # nơi nộp
    ],
    BEN_THANH_POLICE,
)

# Đỗ Thị Lan asks her marital-status certificate at the UBND of Xã Bình Chánh, where she
# lives (Nghị định 123/2015/NĐ-CP, điều 21).
MARITAL_STATUS_FILING = Filing(
    MARITAL_STATUS,
    MARITAL_STATUS_NAME,
    [
        {},
        {},
        {"Mục đích sử dụng giấy xác nhận": "Vay vốn ngân hàng"},
        {},  # nơi nộp
    ],
    BINH_CHANH_OFFICE,
)

# Lý Văn Tư (Xã Bình Chánh) files at Phường Bến Thành by choice.
CIVIL_STATUS_COPY_FILING = Filing(
    CIVIL_STATUS_COPY,
    CIVIL_STATUS_COPY_NAME,
    [
        {},
        {"Loại trích lục cần cấp bản sao": "Trích lục kết hôn", "Số bản sao": "1"},
        {OFFICE_CHOICE: BEN_THANH},
    ],
)


@pytest.fixture
def live(tmp_path):
    """Both apps for this test alone (overrides the session-wide pair of tests/conftest.py)."""
    with running_apps(tmp_path) as apps:
        yield apps


# --- helpers: filing, being told, collecting the result ----------------------------------------


def time_travel(
    live, code: str, *, received_days_ago: int, days: int, calendar: bool = False
) -> date:
    """The test's time machine: the office received dossier `code` that many days ago, and
    its appointment date (`days` working or calendar days on) is what it was then. Returns
    that date."""
    received = utcnow() - timedelta(days=received_days_ago)
    due = deadlines.due_date(received, days, calendar=calendar)
    with live.portal_app.app_context(), db.new_session() as session:
        session.execute(
            update(Dossier)
            .where(Dossier.code == code)
            .values(
                submitted_at=received, received_at=received, due_date=due, original_due_date=due
            )
        )
        session.commit()
    return due


def move_due_date(live, code: str, due: date) -> None:
    """The test's time machine for the appointment alone."""
    with live.portal_app.app_context(), db.new_session() as session:
        session.execute(
            update(Dossier).where(Dossier.code == code).values(due_date=due, original_due_date=due)
        )
        session.commit()


def tamper_with(live, verification_code: str, label: str, value: str) -> None:
    """Change one value of a signed result straight in the database, as a forger would."""
    with live.portal_app.app_context(), db.new_session() as session:
        doc = session.exec(
            select(ResultDocument).where(ResultDocument.verification_code == verification_code)
        ).one()
        assert label in doc.content, doc.content
        doc.content = {**doc.content, label: value}
        session.add(doc)
        session.commit()


# button -> (what the clerk is asked for when no reason is given, the dossier's status after)
REFUSALS = {
    "Từ chối tiếp nhận": ("Vui lòng ghi rõ lý do từ chối tiếp nhận (Mẫu 03).", "Từ chối tiếp nhận"),
    "Từ chối giải quyết": ("Vui lòng ghi rõ lý do từ chối giải quyết.", "Từ chối giải quyết"),
}


def refuse_and_tell(
    citizen: Page, clerk: ClerkDossier, code: str, button: str, reason: str
) -> CitizenDossier:
    """The clerk presses `button` without a reason and is asked for one, then gives
    `reason`; the citizen is told why, on the dashboard and the dossier page, and gets no
    result. The citizen's dossier page."""
    asked, status = REFUSALS[button]
    before = clerk.item("Trạng thái").inner_text()
    clerk.submit(button)
    expect(clerk.error).to_have_text(asked)
    expect(clerk.item("Trạng thái")).to_have_text(before)
    clerk.act(button, reason)
    expect(clerk.item("Trạng thái")).to_have_text(status)

    dossier = expect_told(citizen, clerk.base_url, code, status, f"Hồ sơ {code}: {status}.", reason)
    expect(dossier.timeline.last).to_contain_text(reason)
    expect(dossier.result).to_have_count(0)
    return dossier


# --- (1) birth registration, linked with residence and health insurance ----------------------

GROUP_RESULTS = [
    "Giấy khai sinh",
    "Thông báo kết quả đăng ký thường trú",
    "Thẻ bảo hiểm y tế (bản điện tử)",
]


def process_part(clerk: ClerkDossier, procedure: str, signer: str, written: str) -> None:
    """A body decides its part of the group: receives, processes, approves (its own write
    to the registry, which says `written`), signs its own result and returns it."""
    expect(clerk.item("Thủ tục")).to_have_text(procedure)
    expect(clerk.applicant).to_contain_text(CHILD)
    clerk.act("Tiếp nhận").act("Bắt đầu xử lý").act(APPROVE_AND_WRITE)
    expect(clerk.confirmation).to_contain_text("Đã ghi vào CSDLQG về dân cư")
    expect(clerk.confirmation).to_contain_text(written)
    expect(clerk.results).to_contain_text(f"người ký {signer}")
    clerk.act("Trả kết quả")
    expect(clerk.item("Trạng thái")).to_have_text(RETURNED)


def test_birth_registration_puts_the_child_in_both_parents_records(browser_of, portal_url):
    hoa = browser_of("Lê Thị Hoa")
    code = file_online(hoa, portal_url, BIRTH_FILING)
    assert code.startswith("79.26737-"), code  # UBND Phường Tân Định, where the parents live

    clerk = clerk_opens(browser_of(TAM), portal_url, code)
    expect(clerk.item("Thủ tục")).to_have_text(BIRTH_NAME)
    expect(clerk.applicant).to_contain_text(CHILD)
    clerk.act("Tiếp nhận").act("Bắt đầu xử lý").act(SEND_DRAFT)
    confirm_the_draft(hoa, portal_url, code, CHILD)  # Khoa is told, Hoa confirms
    clerk.open(code).act(APPROVE_AND_WRITE)
    expect(clerk.confirmation).to_contain_text(
        f"Đã ghi vào CSDLQG về dân cư: trẻ {CHILD} được cấp số định danh cá nhân"
    )
    expect(clerk.confirmation).to_contain_text("Đã chuyển hồ sơ liên thông")
    clerk.act("Trả kết quả")
    expect(clerk.item("Trạng thái")).to_have_text(RETURNED)
    expect(clerk.results).to_contain_text(f"người ký {TAM}")  # the UBND signs its own only

    dossier = expect_told(hoa, portal_url, code, RETURNED, f"Hồ sơ {code}: {RETURNED}.")
    expect(dossier.timeline).to_contain_text(
        [SUBMITTED, RECEIVED, PROCESSING, AWAITING_DRAFT, "Hoa đã xác nhận dự thảo", APPROVED]
    )
    expect(dossier.timeline).to_contain_text([APPROVED, "Đã ghi vào CSDLQG về dân cư", RETURNED])
    # Linked group (liên thông, NĐ 63/2024): the UBND signs the Giấy khai sinh only; the
    # residence and the child's card go to the Công an of the commune where the child is
    # registered and to BHXH, each in its own queue, shown on the one dossier.
    text = collect_result(hoa, portal_url, code, GROUP_RESULTS[:1], 5)
    assert "GIẤY KHAI SINH" in text.upper() and CHILD in text
    dossier = CitizenDossier(hoa, portal_url).open(code)
    expect(dossier.group).to_contain_text("Đang giải quyết liên thông (1/3 cơ quan đã xong)")
    for body in (TAN_DINH_POLICE, CITY_BHXH):
        expect(dossier.group_row(body)).to_contain_text(SUBMITTED)
    assert_no_axe_violations(hoa, "linked group, parts waiting at their bodies")
    residence, card = dossier.part_code(TAN_DINH_POLICE), dossier.part_code(CITY_BHXH)
    assert residence.startswith("79.26737.ca-") and card.startswith("79.bhxh-"), (residence, card)

    # each body finds its part in its own queue, decides it and signs its own result
    police = clerk_opens(browser_of(THINH), portal_url, residence)
    process_part(police, "Đăng ký thường trú", THINH, "42 Hai Bà Trưng, Phường Tân Định")
    bhxh = clerk_opens(browser_of(DUC), portal_url, card)
    process_part(
        bhxh, "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi", DUC, "cấp thẻ bảo hiểm y tế số"
    )

    # the family: one dossier, one timeline with the three bodies, three results
    dossier = CitizenDossier(hoa, portal_url).open(code)
    expect(dossier.item("Trạng thái")).to_have_text(RETURNED)
    expect(dossier.group).to_contain_text(f"Trạng thái chung: {RETURNED}")
    for body in (TAN_DINH_OFFICE, TAN_DINH_POLICE, CITY_BHXH):
        expect(dossier.timeline.filter(has_text=f"· {body}: {RETURNED}")).to_have_count(1)
    expect(dossier.result_titles).to_have_text(GROUP_RESULTS)
    expect(dossier.result_items("Cơ quan cấp")).to_have_text(
        [TAN_DINH_OFFICE, TAN_DINH_POLICE, CITY_BHXH]
    )
    card_text = pdf_text(Path(dossier.download_result(2).path()).read_bytes())
    assert CHILD.upper() in card_text.upper() and CITY_BHXH.upper() in card_text.upper()
    assert_no_axe_violations(hoa, "linked group, every part returned")
    store = DataStorePage(hoa, portal_url).open()
    for title in GROUP_RESULTS:
        expect(store.table.get_by_role("row").filter(has_text=title)).to_have_count(1)

    for page, parent in ((hoa, "Lê Thị Hoa"), (browser_of("Trần Minh Khoa"), "Trần Minh Khoa")):
        dashboard = Dashboard(page, portal_url).open().expect_loaded(parent)
        expect(dashboard.item("Con")).to_contain_text(CHILD)
        child = dashboard.household_row(CHILD)
        expect(child).to_have_count(1)
        expect(child).to_contain_text("15/11/2026")
        expect(dashboard.birth_notices).to_have_count(0)  # registered: nothing left to do
        expect(dashboard.my_dossiers.row(residence)).to_have_count(0)  # parts: on the one
        expect(dashboard.my_dossiers.row(card)).to_have_count(0)


# --- (3) supplement requested, answered online; the clock restarts -----------------------------


def test_supplement_requested_then_answered_restarts_the_clock(live, browser_of, portal_url):
    khoa = browser_of("Trần Minh Khoa")
    code = file_online(khoa, portal_url, CRIMINAL_RECORD_FILING)

    huong = browser_of(HUONG)
    clerk = clerk_opens(huong, portal_url, code)
    clerk.act("Tiếp nhận").act("Bắt đầu xử lý")
    # Five days of checking records pass before the office asks for more.
    old_due = time_travel(live, code, received_days_ago=5, days=10, calendar=True)
    clerk.act(
        "Yêu cầu bổ sung",
        "Quá trình cư trú từ năm 2008 đến năm 2011 tại tỉnh Bình Định\n"
        "Tên trường trung học phổ thông đã học",
    )
    expect(clerk.item("Trạng thái")).to_have_text(NEEDS_MORE)
    expect(ClerkQueue(huong, portal_url).open().show("Chờ bổ sung").row(code)).to_have_count(1)

    dossier = expect_told(
        khoa, portal_url, code, NEEDS_MORE, f"Hồ sơ {code}: {NEEDS_MORE}.", "tỉnh Bình Định"
    )
    expect(dossier.supplement).to_contain_text(
        "Quá trình cư trú từ năm 2008 đến năm 2011 tại tỉnh Bình Định"
    )
    expect(dossier.supplement).to_contain_text("Tên trường trung học phổ thông đã học")
    expect(dossier.item("Ngày hẹn trả kết quả")).to_have_text(vn(old_due))
    letter = letter_text(khoa, dossier.letter("CT05"))  # the Công an's own form (TT 66/2023)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in letter.upper(), letter
    assert "CT05" in letter and CITY_POLICE.upper() in letter.upper(), letter
    assert "Tên trường trung học phổ thông đã học" in letter, letter
    dossier.answer_supplement("   ")  # nothing written: explained, nothing sent
    expect(dossier.main.get_by_role("alert")).to_contain_text(
        "Vui lòng nhập nội dung bổ sung hoặc đính kèm ít nhất một tệp."
    )
    expect(dossier.item("Trạng thái")).to_have_text(NEEDS_MORE)
    dossier.answer_supplement(
        "1. Từ 2008 đến 2011 tạm trú tại 12 Trần Hưng Đạo, phường Quy Nhơn, tỉnh Gia Lai.\n"
        "2. Trường THPT Quốc Học Quy Nhơn."
    )
    expect(dossier.confirmation).to_have_text(
        "Đã nộp bổ sung. Hồ sơ được chuyển lại cho cơ quan xử lý."
    )
    expect(dossier.item("Trạng thái")).to_have_text(PROCESSING)
    # Complete again: the full 10 calendar days count from today.
    expect(dossier.item("Ngày hẹn trả kết quả")).to_have_text(expected_due(10, calendar=True))
    expect(dossier.item("Ngày hẹn trả kết quả")).not_to_have_text(vn(old_due))

    clerk = clerk_opens(huong, portal_url, code, "Đang xử lý")
    expect(clerk.timeline.last).to_contain_text("Trường THPT Quốc Học Quy Nhơn")
    expect(clerk.item("Ngày hẹn trả kết quả")).to_have_text(expected_due(10, calendar=True))
    clerk.act("Phê duyệt và ký kết quả").act("Trả kết quả")

    dossier = expect_told(khoa, portal_url, code, RETURNED, f"Hồ sơ {code}: {RETURNED}.")
    expect(dossier.timeline).to_contain_text(
        [SUBMITTED, RECEIVED, PROCESSING, NEEDS_MORE, "Quốc Học", APPROVED, RETURNED]
    )
    collect_result(khoa, portal_url, code, ["Phiếu lý lịch tư pháp (bản điện tử)"], 4)


# --- (4) reception refused (Mẫu 03) ------------------------------------------------------------

REFUSAL = (
    "Ảnh chụp bản chính bị mờ, không đọc được số hiệu văn bằng. "
    "Đề nghị chụp lại rõ nét toàn bộ trang và nộp hồ sơ mới."
)


def test_reception_refused_with_a_reason_the_citizen_reads(browser_of, portal_url):
    nga = browser_of("Bùi Thị Nga")
    code = file_online(nga, portal_url, CERTIFIED_COPY_FILING)

    hanh = browser_of(HANH)
    queue = ClerkQueue(hanh, portal_url).open()
    expect(queue.row(code)).to_contain_text(CERTIFIED_COPY_NAME)
    assert_no_axe_violations(hanh, "clerk queue")
    clerk = queue.open_dossier(code)
    expect(clerk.attachments.get_by_role("link", name="bang-tot-nghiep.png")).to_be_visible()
    assert_no_axe_violations(hanh, "clerk dossier")

    dossier = refuse_and_tell(nga, clerk, code, "Từ chối tiếp nhận", REFUSAL)
    expect(clerk.actions).to_contain_text("Không có thao tác nào")
    expect(dossier.withdraw_button).to_have_count(0)
    letter = letter_text(nga, dossier.letter("03"))
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in letter.upper(), letter
    assert REFUSAL in letter, letter


# --- (5) rejected after processing -------------------------------------------------------------

REJECTION = (
    "Chỗ ở đề nghị đăng ký tạm trú thuộc khu vực có quyết định thu hồi đất "
    "(Luật Cư trú 2020, điều 23), nên không đăng ký tạm trú được."
)


def test_rejection_with_a_reason_the_citizen_reads(browser_of, portal_url):
    nga = browser_of("Bùi Thị Nga")
    code = file_online(nga, portal_url, TEMPORARY_RESIDENCE_FILING)
    assert code.startswith("79.26743.ca-"), code

    clerk = clerk_opens(browser_of(TUAN), portal_url, code)
    clerk.act("Tiếp nhận").act("Bắt đầu xử lý")
    dossier = refuse_and_tell(nga, clerk, code, "Từ chối giải quyết", REJECTION)
    expect(dossier.rating).to_have_count(0)


# --- (6) a late dossier: extended with an apology (Mẫu 04) -------------------------------------

APOLOGY = (
    "UBND Xã Bình Chánh xin lỗi ông/bà vì hồ sơ chưa được giải quyết đúng hẹn do "
    "phải xác minh thông tin cư trú trước đây."
)


def test_a_dossier_about_to_be_late_is_extended_with_an_apology(live, browser_of, portal_url):
    lan = browser_of("Đỗ Thị Lan")
    code = file_online(lan, portal_url, MARITAL_STATUS_FILING)

    loc = browser_of(LOC)  # the clerk of Xã Bình Chánh, where Lan lives
    clerk_opens(loc, portal_url, code).act("Tiếp nhận").act("Bắt đầu xử lý")
    # Two weeks pass: three working days were promised, the dossier is now late, and an
    # apology can no longer be sent (Mẫu 04 comes before the due date).
    old_due = time_travel(live, code, received_days_ago=14, days=3)
    queue = ClerkQueue(loc, portal_url).open().show("Quá hạn")
    expect(queue.row(code)).to_contain_text(f"{vn(old_due)} (quá hạn)")
    assert_no_axe_violations(loc, "clerk queue, overdue tab")
    clerk = queue.open_dossier(code)
    expect(clerk.action(EXTEND)).to_have_count(0)

    # The same dossier, due tomorrow instead: the head of the office sends the apology.
    old_due = deadlines.add_working_days(deadlines.today(), 1)
    move_due_date(live, code, old_due)
    clerk = ClerkQueue(loc, portal_url).open().show("Sắp đến hạn").open_dossier(code)
    assert_no_axe_violations(loc, "clerk dossier in processing")
    clerk.submit(EXTEND, APOLOGY, old_due - timedelta(days=1))
    expect(clerk.error).to_have_text(f"Ngày hẹn trả mới phải sau ngày hẹn cũ ({vn(old_due)}).")
    new_due = deadlines.add_working_days(deadlines.today(), 3)
    clerk.act(EXTEND, APOLOGY, new_due)
    expect(clerk.item("Ngày hẹn trả kết quả")).to_have_text(f"{vn(new_due)} (đã gia hạn)")
    expect(clerk.action(EXTEND)).to_have_count(0)  # once only
    with live.portal_app.app_context(), db.new_session() as session:
        stored = session.exec(select(Dossier).where(Dossier.code == code)).one()
        assert (stored.due_date, stored.original_due_date) == (new_due, old_due)  # statistics

    dossier = expect_told(
        lan,
        portal_url,
        code,
        PROCESSING,
        f"Hồ sơ {code} được hẹn lại ngày trả kết quả.",
        f"Ngày hẹn trả kết quả: {vn(new_due)}.",
        APOLOGY,
    )
    expect(dossier.item("Ngày hẹn trả kết quả")).to_have_text(vn(new_due))
    expect(dossier.timeline.last).to_contain_text(APOLOGY)
    letter = letter_text(lan, dossier.letter("04"))
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in letter.upper(), letter
    assert APOLOGY in letter and vn(new_due) in letter, letter


EXTEND = "Duyệt gia hạn và gửi phiếu xin lỗi"


# --- (7) verifying a result: genuine, tampered with, unknown -----------------------------------


def test_result_verification_genuine_tampered_and_unknown(
    live, browser_of, new_context, portal_url
):
    tu = browser_of("Lý Văn Tư")
    code = file_online(tu, portal_url, CIVIL_STATUS_COPY_FILING)
    clerk = clerk_opens(browser_of(HANH), portal_url, code)
    clerk.act("Tiếp nhận").act("Bắt đầu xử lý").act("Phê duyệt và ký kết quả").act("Trả kết quả")
    expect(clerk.results).to_contain_text("người ký Trương Thị Hạnh")

    title = "Bản sao trích lục hộ tịch (bản điện tử)"
    text = collect_result(tu, portal_url, code, [title], 5)
    verification_code = re.search(r"Mã tra cứu: (\S+)", text)[1]  # printed beside the QR
    dossier = CitizenDossier(tu, portal_url).open(code)
    url = f"{portal_url}/tra-cuu-ket-qua/{verification_code}"
    expect(dossier.verification_links).to_have_attribute("href", url)
    number = dossier.result_items("Số văn bản").inner_text().strip()

    # Anyone who scans the QR code, signed in or not.
    check = VerificationPage(new_context().new_page(), portal_url)
    check.open(verification_code)
    expect(check.heading).to_have_text("Văn bản hợp lệ")
    expect(check.confirmation).to_contain_text(f"Chữ ký của {BEN_THANH_OFFICE} hợp lệ")
    expect(check.item("Số văn bản")).to_have_text(number)
    expect(check.item("Tên văn bản")).to_have_text(title)
    expect(check.item("Cơ quan cấp")).to_have_text(BEN_THANH_OFFICE)
    expect(check.item("Người ký")).to_have_text(HANH)
    # a third party sees the holder's name and a masked number, nothing else of theirs
    expect(check.content).to_contain_text("Lý Văn Tư")
    expect(check.content).to_contain_text("079*******01")
    expect(check.content).not_to_contain_text("Trích lục kết hôn")

    tamper_with(live, verification_code, "Số bản sao", "5")
    check.open(verification_code)
    expect(check.heading).to_have_text("Văn bản không hợp lệ")
    expect(check.warning).to_contain_text("Văn bản KHÔNG hợp lệ")
    expect(check.confirmation).to_have_count(0)
    expect(check.content).to_have_count(0)  # the altered content is not shown as genuine

    response = check.open("KhongCoVanBanNay2026")
    assert response is not None and response.status == 404
    expect(check.heading).to_have_text("Không tìm thấy văn bản")
    expect(check.details).to_have_count(0)
