"""One life event, one record, every party's consent (issue 10), in Chromium: each person in
their own browser context, the clerk in another.

Who works where (seeds/personas.toml): Trương Thị Hạnh is a one-person office, UBND Phường
Bến Thành, with every role, where An's marriage goes; Võ Thanh Tâm is one at Phường Tân Định,
where the parents of the birth below live; Nguyễn Thu Trang is one at Phường Đống Đa (Hà
Nội), where the death below goes. The flows write to the population registry, so every test
runs on its own pair of live apps. Where a flow needs a day to pass (the day of an
appointment), the test moves the date in the portal's database (`the_day_comes`).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from identity_mock import registry_writes
from identity_mock.db import db as idp_db
from portal.db import db
from portal.models import Dossier, utcnow
from portal.services import deadlines
from tests.e2e.pages import (
    APPROVE_AND_WRITE,
    CitizenDossier,
    ClerkDossier,
    ClerkQueue,
    Dashboard,
    DataStorePage,
    DossierPage,
    FilingStep,
    VerificationPage,
)
from tests.factories import issue_confirmation
from tests.support.apps import running_apps
from tests.support.e2e import (
    AWAITING_APPEARANCE,
    AWAITING_PARTIES,
    BEN_THANH,
    BIRTH,
    BIRTH_FILING,
    CERTIFIED_COPY_FILING,
    CHILD,
    CIVIL_STATUS_COPY,
    CIVIL_STATUS_COPY_NAME,
    HANH,
    MARRIAGE,
    MARRIAGE_NAME,
    NEEDS_MORE,
    OFFICE_CHOICE,
    PARTNER_ID,
    PDF,
    PROCESSING,
    RECEIVED,
    RETURNED,
    SEND_DRAFT,
    SUBMITTED,
    TAM,
    Filing,
    assert_no_axe_violations,
    clerk_opens,
    collect_result,
    confirm_the_draft,
    expect_told,
    file_online,
    letter_text,
    upload,
    vn,
)

pytestmark = [pytest.mark.e2e]

AN, LAN = "Nguyễn Văn An", "Đỗ Thị Lan"
KHOA, HOA = "Trần Minh Khoa", "Lê Thị Hoa"
REJECTED = "Từ chối giải quyết"

# Nguyễn Văn An, who lives in Phường Bến Thành, marries Đỗ Thị Lan: he names her (number,
# name, birth date; no marital-status certificate, the registry is asked) and files at the
# UBND of his ward, its own desk; she confirms.
MARRIAGE_FILING = Filing(
    MARRIAGE,
    MARRIAGE_NAME,
    [
        {},
        {
            PARTNER_ID: "079302034567",
            "Họ, chữ đệm và tên của người kết hôn cùng": LAN,
            "Ngày, tháng, năm sinh của người kết hôn cùng": "2002-01-15",
        },
        {},
        {},  # nơi nộp: his ward's UBND (the default), its own desk
    ],
    status=AWAITING_PARTIES,
)

# Hoàng Văn Thọ (Phường Hoàn Kiếm) declares the death of his son Hoàng Văn Minh, who had his
# own household in Phường Đống Đa: the death goes to the UBND of Minh's last residence
# (Luật Hộ tịch 2014, điều 32), not to Thọ's commune.
DEATH_FILING = Filing(
    "1.000656",
    "Đăng ký khai tử",
    [
        {"Quan hệ với người đã chết": "Cha"},
        {
            "Số định danh cá nhân của người đã chết": "001068004321",
            "Họ, chữ đệm và tên người đã chết (như trên thẻ căn cước)": "Hoàng Văn Minh",
        },
        {},
        {"Ngày chết": "2026-11-28", "Nơi chết": "Bệnh viện Bạch Mai, Hà Nội"},
        {"Giấy báo tử hoặc giấy tờ thay giấy báo tử": upload("giay-bao-tu.pdf", PDF)},
        {},  # nơi nộp: the law decides the body; its own desk receives
    ],
    office="UBND Phường Đống Đa",
)
DEATH_CLERK = "Nguyễn Thu Trang"  # UBND Phường Đống Đa, one person, every role

# Trương Thị Hạnh, the clerk of Phường Bến Thành, asks her own office for a copy.
OWN_FILING = Filing(
    CIVIL_STATUS_COPY,
    CIVIL_STATUS_COPY_NAME,
    [
        {},
        {"Loại trích lục cần cấp bản sao": "Trích lục khai sinh", "Số bản sao": "1"},
        {OFFICE_CHOICE: BEN_THANH},
    ],
)


@pytest.fixture
def live(tmp_path):
    """Both apps for this test alone (overrides the session-wide pair of tests/conftest.py)."""
    with running_apps(tmp_path) as apps:
        yield apps


def the_day_comes(live, code: str) -> None:
    """The test's time machine: the day of the dossier's appointment has come."""
    with live.portal_app.app_context(), db.new_session() as session:
        session.execute(update(Dossier).where(Dossier.code == code).values(appointment_at=utcnow()))
        session.commit()


def working_day(after: int):
    return deadlines.add_working_days(deadlines.today(), after)


# --- (1) marriage: both spouses confirm, come in, and hold the certificate ------------------------


def test_marriage_with_both_spouses_confirming(live, browser_of, portal_url):
    an = browser_of(AN)
    code = file_online(an, portal_url, MARRIAGE_FILING)
    dossier = CitizenDossier(an, portal_url)
    expect(dossier.parties).to_contain_text(f"{LAN} – chưa trả lời (hạn xác nhận: hết ngày")
    expect(dossier.receipt).to_contain_text("chờ các bên liên quan xác nhận")

    # Lan finds the dossier on her dashboard, reads all of it and confirms.
    lan = browser_of(LAN)
    mine = Dashboard(lan, portal_url).open().my_dossiers
    expect(mine.part(code)).to_contain_text("Bên kết hôn còn lại — cần xác nhận")
    expect(mine.part(code)).to_contain_text(f"Người nộp: {AN}")
    mine.confirm_link(code).click()
    consent = CitizenDossier(lan, portal_url)
    expect(consent.parties).to_contain_text(f"Ông/bà {AN} đã nộp hồ sơ {MARRIAGE_NAME}")
    assert_no_axe_violations(lan, "party consent")
    consent.confirm_parties()
    expect(consent.confirmation).to_have_text(f"Bạn đã xác nhận hồ sơ {code}.")
    expect(consent.item("Trạng thái")).to_have_text(SUBMITTED)
    expect(consent.parties).to_contain_text(f"{LAN} (bạn) – đã xác nhận lúc")

    hanh = browser_of(HANH)
    clerk = clerk_opens(hanh, portal_url, code)
    clerk.act("Tiếp nhận")
    expect_told(an, portal_url, code, RECEIVED, f"Hồ sơ {code}: {RECEIVED}.", "Ngày hẹn trả")
    # only now does An hold the receipt with the appointment (Mẫu 01)
    an.get_by_role("link", name="Xem và tải giấy tiếp nhận hồ sơ và hẹn trả kết quả").click()
    expect(an.get_by_role("link", name="Tải phiếu tiếp nhận (PDF)")).to_be_visible()
    assert_no_axe_violations(an, "receipt")

    clerk.act("Bắt đầu xử lý").act(SEND_DRAFT)
    confirm_the_draft(an, portal_url, code, LAN)
    confirm_the_draft(lan, portal_url, code, AN)
    assert_no_axe_violations(lan, "draft confirmed")

    clerk.open(code)
    expect(clerk.draft).to_contain_text("Đã xác nhận dự thảo đúng")
    expect(clerk.action(APPROVE_AND_WRITE)).to_have_count(0)  # not before they came
    first, moved = working_day(1), working_day(2)
    clerk.schedule(first, "09:00")
    expect(clerk.item("Trạng thái")).to_have_text(AWAITING_APPEARANCE)

    # Lan cannot come that morning: she moves it, once.
    appointment = CitizenDossier(lan, portal_url).open(code)
    expect(appointment.appointment_item("Ngày")).to_have_text(vn(first))
    expect(appointment.appointment_item("Giờ")).to_have_text("09:00")
    expect(appointment.appointment).to_contain_text("Thẻ căn cước của hai bên")
    assert_no_axe_violations(lan, "appointment")
    appointment.move_appointment(moved, "14:00")
    expect(appointment.confirmation).to_have_text(f"Đã đổi lịch hẹn có mặt của hồ sơ {code}.")
    expect(appointment.appointment_item("Ngày")).to_have_text(vn(moved))
    expect(appointment.appointment_item("Giờ")).to_have_text("14:00")
    expect(appointment.appointment).to_contain_text("không thể đổi thêm")
    expect(appointment.appointment.get_by_role("button", name="Đổi lịch hẹn")).to_have_count(0)

    the_day_comes(live, code)
    clerk.open(code).act("Ghi nhận các bên đã có mặt").act(APPROVE_AND_WRITE)
    expect(clerk.confirmation).to_contain_text(
        "Đã ghi vào CSDLQG về dân cư: 079095001234 và 079302034567 có tình trạng hôn nhân "
        "“Đã kết hôn”"
    )
    clerk.act("Trả kết quả")

    expect_told(an, portal_url, code, RETURNED, f"Hồ sơ {code}: {RETURNED}.")
    text = collect_result(an, portal_url, code, ["Giấy chứng nhận kết hôn"], 5)
    assert LAN in text
    store = DataStorePage(lan, portal_url).open()
    expect(store.rows_of(code).filter(has_text="Giấy chứng nhận kết hôn")).to_have_count(1)

    for page, name, spouse in (
        (an, AN, f"{LAN} (079302034567)"),
        (lan, LAN, f"{AN} (079095001234)"),
    ):
        dashboard = Dashboard(page, portal_url).open().expect_loaded(name)
        expect(dashboard.item("Tình trạng hôn nhân")).to_contain_text("Đã kết hôn")
        expect(dashboard.item("Vợ/chồng")).to_contain_text(spouse)


# --- (2) birth: the second parent is told the dossier exists, and follows it --------------------


def test_the_second_parent_is_told_and_follows_the_birth_dossier(browser_of, portal_url):
    code = file_online(browser_of(KHOA), portal_url, BIRTH_FILING)

    hoa = browser_of(HOA)
    step = FilingStep(hoa, portal_url).open(BIRTH)
    taken = step.main.get_by_role("alert")
    expect(taken).to_contain_text("Đã có hồ sơ cho việc này")
    expect(taken).to_contain_text(f"hồ sơ {code}, do {KHOA} nộp, trạng thái “{SUBMITTED}”")
    taken.get_by_role("link", name="Xem hồ sơ tại trang cá nhân").click()
    mine = Dashboard(hoa, portal_url).expect_loaded(HOA).my_dossiers
    expect(mine.part(code)).to_contain_text("Cha hoặc mẹ của trẻ — được thông báo")
    expect(mine.part(code)).to_contain_text(f"Người nộp: {KHOA}")

    clerk_opens(browser_of(TAM), portal_url, code).act("Tiếp nhận")
    dossier = expect_told(hoa, portal_url, code, RECEIVED, f"Hồ sơ {code}: {RECEIVED}.")
    expect(dossier.item("Người nộp")).to_contain_text(KHOA)
    expect(dossier.parties).to_contain_text(f"{HOA} (bạn) – được thông báo")
    expect(dossier.withdraw_button).to_have_count(0)  # she follows; he filed


# --- (3) a supplement asked at reception, answered with a file --------------------------------


def test_a_supplement_asked_at_reception_is_answered_with_a_file(browser_of, portal_url):
    nga = browser_of("Bùi Thị Nga")
    code = file_online(nga, portal_url, CERTIFIED_COPY_FILING)

    clerk = clerk_opens(browser_of(HANH), portal_url, code)
    clerk.act("Yêu cầu bổ sung", "Bản quét trang 2 của bằng (mặt sau, có số hiệu)")
    expect(clerk.item("Ngày tiếp nhận")).to_have_text("Chưa tiếp nhận")

    dossier = expect_told(nga, portal_url, code, NEEDS_MORE, "trang 2")
    expect(dossier.supplement).to_contain_text("Hồ sơ chưa được tiếp nhận")
    expect(dossier.receipt).to_have_accessible_name("Xác nhận đã nộp hồ sơ trực tuyến")
    dossier.answer_supplement("Gửi bản quét mặt sau.", upload("mat-sau.pdf", PDF))
    expect(dossier.confirmation).to_contain_text("Đã nộp bổ sung")
    expect(dossier.item("Trạng thái")).to_have_text(SUBMITTED)
    expect(dossier.supplement_files.get_by_role("link", name="mat-sau.pdf")).to_be_visible()

    clerk.open(code)
    expect(clerk.timeline.last).to_contain_text("Gửi bản quét mặt sau.")
    expect(clerk.page.get_by_role("link", name="mat-sau.pdf")).to_be_visible()
    clerk.act("Tiếp nhận")
    expect(clerk.item("Trạng thái")).to_have_text(RECEIVED)


# --- (4) the registry refuses (409): back to the officer, then a rejection letter ---------------


def register_birth_elsewhere(live) -> None:
    """Meanwhile the child of the birth notice is registered at the registry directly."""
    with live.idp_app.app_context(), idp_db.new_session() as session:
        registry_writes.register_birth(
            session,
            registry_writes.parse(
                "births",
                {
                    "reference": "e2e-elsewhere",
                    "birth_notice_number": "GCS-79-2026-004512",
                    "full_name": "Trần Bảo An",
                },
            ),
        )
        session.commit()


REJECTION = "Trẻ đã được đăng ký khai sinh tại nơi khác; hồ sơ này không giải quyết được."


def test_a_registry_refusal_leads_to_a_rejection_letter(live, browser_of, portal_url):
    khoa = browser_of(KHOA)
    code = file_online(khoa, portal_url, BIRTH_FILING)
    clerk = clerk_opens(browser_of(TAM), portal_url, code)
    clerk.act("Tiếp nhận").act("Bắt đầu xử lý").act(SEND_DRAFT)
    confirm_the_draft(khoa, portal_url, code, CHILD)

    register_birth_elsewhere(live)
    clerk.open(code).submit(APPROVE_AND_WRITE)
    expect(clerk.registry).to_contain_text("CSDLQG về dân cư từ chối ghi kết quả")
    expect(clerk.registry).to_contain_text("giấy chứng sinh này đã được dùng để đăng ký khai sinh")
    expect(clerk.registry).not_to_contain_text(re.compile("409|already|registered"))
    expect(clerk.item("Trạng thái")).to_have_text(PROCESSING)
    expect(clerk.results).to_have_count(0)  # nothing was signed
    clerk.act("Từ chối giải quyết", REJECTION)

    dossier = expect_told(khoa, portal_url, code, REJECTED, REJECTION)
    expect(dossier.result).to_have_count(0)
    letter = letter_text(khoa, dossier.rejection_letter())
    assert "THÔNG BÁO TỪ CHỐI GIẢI QUYẾT HỒ SƠ" in letter.upper(), letter
    assert REJECTION in letter, letter


# --- (5) a revoked result on the verification page ---------------------------------------------

REVOCATION = "Cấp nhầm: người yêu cầu đã đăng ký kết hôn trước ngày xác nhận."


def test_a_revoked_result_says_so_on_the_verification_page(
    live, browser_of, new_context, portal_url
):
    document = issue_confirmation(live.portal_app)
    with live.portal_app.app_context(), db.new_session() as session:
        code = session.get(Dossier, document.dossier_id).code

    clerk = ClerkDossier(browser_of(HANH), portal_url).open(code)
    clerk.act("Thu hồi kết quả", REVOCATION)
    expect(clerk.results).to_contain_text("Đã thu hồi lúc")

    check = VerificationPage(new_context().new_page(), portal_url)
    check.open(document.verification_code)
    expect(check.heading).to_have_text("Văn bản đã thu hồi")
    expect(check.warning).to_contain_text("Đã thu hồi")
    expect(check.warning).to_contain_text(vn(deadlines.today()))
    expect(check.warning).to_contain_text(REVOCATION)
    expect(check.confirmation).to_have_count(0)
    assert_no_axe_violations(check.page, "verification of a revoked result")


# --- (6) a death declared by a relative who lives elsewhere --------------------------------------


def test_a_death_declared_by_a_relative_who_lives_elsewhere(live, browser_of, portal_url):
    tho = browser_of("Hoàng Văn Thọ")
    code = file_online(tho, portal_url, DEATH_FILING)
    assert code.startswith("01.00235-"), code

    clerk = clerk_opens(browser_of(DEATH_CLERK), portal_url, code)
    expect(clerk.applicant).to_contain_text("Hoàng Văn Minh")
    clerk.act("Tiếp nhận").act("Bắt đầu xử lý").act(SEND_DRAFT)
    confirm_the_draft(tho, portal_url, code, "Hoàng Văn Minh")
    clerk.open(code).act(APPROVE_AND_WRITE)
    expect(clerk.confirmation).to_contain_text("Đã ghi vào CSDLQG về dân cư")
    clerk.act("Trả kết quả")

    text = collect_result(tho, portal_url, code, ["Trích lục khai tử (bản điện tử)"], 5)
    assert "Hoàng Văn Minh" in text


# --- (7) a clerk on her own dossier ------------------------------------------------------------


def test_a_clerk_cannot_act_on_her_own_dossier(browser_of, portal_url):
    hanh = browser_of(HANH)
    code = file_online(hanh, portal_url, OWN_FILING)

    clerk = ClerkQueue(hanh, portal_url).open().open_dossier(code)
    own = "Bạn không được xử lý hồ sơ do chính mình nộp"
    expect(clerk.main.get_by_role("status")).to_contain_text(own)
    expect(clerk.actions).to_contain_text(own)
    expect(clerk.actions.get_by_role("button")).to_have_count(0)
    expect(clerk.item("Trạng thái")).to_have_text(SUBMITTED)
    expect(DossierPage(hanh, portal_url).open(code).withdraw_button).to_be_visible()
