"""Filing dossiers online in Chromium, as a citizen would: step by step, then the summary,
submit, the dossier page, the dashboard and withdrawal.

What the population registry knows about the citizen is shown read-only and never typed; the
citizen types only what the registry cannot know, and who the other person is (number, name,
birth date), whose registry data is not shown before they consent. The live servers are
shared by the whole session and a citizen has one draft per procedure, so each test files as
a persona that files that procedure nowhere else in this module.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from portal.services import results
from tests.e2e.pages import (
    Dashboard,
    DossierPage,
    FilingLevelRefusal,
    FilingStep,
    FilingSummary,
    ReceiptPage,
    enter,
)
from tests.factories import issue_confirmation
from tests.support.e2e import (
    AWAITING_PARTIES,
    AWAITING_PAYMENT,
    BEN_THANH,
    BINH_CHANH_OFFICE,
    BIRTH,
    BIRTH_NAME,
    CITY_POLICE,
    CIVIL_STATUS_COPY,
    CIVIL_STATUS_COPY_NAME,
    CRIMINAL_RECORD,
    CRIMINAL_RECORD_NAME,
    MARITAL_STATUS,
    MARITAL_STATUS_NAME,
    MARRIAGE,
    MARRIAGE_NAME,
    PARTNER_ID,
    PDF,
    PHONE,
    TT117,
    WIDER_THAN_VIEWPORT,
    assert_no_axe_violations,
    axe,
    clerk_opens,
    describe_violations,
    expect_level2_online_fee,
    expect_submitted,
    expected_due,
    in_tt117,
    pay_online,
    upload,
)

pytestmark = [
    pytest.mark.e2e,
]

WITHDRAWN = "Đã rút"
NO_FEE = "Không thu phí, lệ phí (Luật Hộ tịch 2014, điều 11"
# A domestic marriage needs no marital-status certificate: the registry is asked instead.
REGISTRY_NOT_CERTIFICATE = (
    "Thông tin về tình trạng hôn nhân của hai bên: thay cho giấy xác nhận tình trạng hôn nhân"
)
HCM, HANOI = "Thành phố Hồ Chí Minh", "Thành phố Hà Nội"
CONFIRMATION = "Giấy xác nhận tình trạng hôn nhân"
OWN_DESK = "Bộ phận một cửa của cơ quan giải quyết (hồ sơ trực tuyến được gửi thẳng)"
BA_DINH = "UBND Phường Ba Đình"
COPY_FEE = "Phí: 8.000 đồng theo biểu phí của thủ tục (Thông tư 281/2016/TT-BTC)"


RECEIPT_LINK = "Xem và tải giấy tiếp nhận hồ sơ và hẹn trả kết quả"


def code_pattern(office: str) -> re.Pattern:
    """A dossier code of `office`: <office code>-<yymmdd>-<4-digit sequence>."""
    return re.compile("^" + re.escape(office) + r"-\d{6}-\d{4}$")


PARTNER_NAME = "Họ, chữ đệm và tên của người kết hôn cùng"
PARTNER_BIRTH = "Ngày, tháng, năm sinh của người kết hôn cùng"
AFTER_CONSENT = "sẽ được lấy từ CSDLQG về dân cư sau khi người đó xác nhận"
PARTNER_UNFIT = "người kết hôn cùng chưa đáp ứng điều kiện đăng ký kết hôn"


def name_partner(step: FilingStep, personal_id: str, name: str, birth: str) -> None:
    """Type who the partner is: number, full name and birth date (YYYY-MM-DD)."""
    step.field(PARTNER_ID).fill(personal_id)
    step.field(PARTNER_NAME).fill(name)
    step.field(PARTNER_BIRTH).fill(birth)


# --- (1) marriage: the applicant from the registry, the partner only as typed ----------------


def test_marriage_partner_is_named_and_her_data_waits_for_her_consent(
    page: Page, live, portal_url, persona_login
):
    # Ten days ago Phường Bến Thành confirmed An single, for a marriage: a domestic marriage
    # no longer needs it (the registry is asked), so it is neither reused nor asked for.
    issue_confirmation(live.portal_app)
    persona_login(page, "Nguyễn Văn An")
    step = FilingStep(page, portal_url).open(MARRIAGE)

    step.expect_shown(MARRIAGE_NAME, 1, 5)
    step.expect_locked("Họ, chữ đệm và tên", "Nguyễn Văn An")
    step.expect_locked("Số định danh cá nhân", "079095001234")
    step.expect_locked("Ngày, tháng, năm sinh", "12/04/1995")
    step.expect_locked("Nơi cư trú", "15 Lê Lợi, Phường Bến Thành, " + HCM)
    step.expect_locked("Tình trạng hôn nhân", "Chưa kết hôn")
    assert step.editable_fields() == [], "the applicant types nothing about himself"
    step.next()

    step.expect_shown(MARRIAGE_NAME, 2, 5)
    partner_id = step.field(PARTNER_ID)
    expect(partner_id).to_be_editable()
    expect(partner_id).to_have_accessible_description(re.compile("12 chữ số"))
    assert len(step.editable_fields()) == 3, "the partner's number, name and birth date"
    name_partner(step, "079302034567", "đỗ thị  lan", "2002-01-15")  # case and spaces: fine
    step.next()

    # Only what An typed: Lan's registry data waits for her consent.
    step.expect_shown(MARRIAGE_NAME, 3, 5)
    typed = step.main.get_by_role("region", name="Thông tin bạn đã nhập")
    expect(typed).to_contain_text("079302034567")
    expect(typed).to_contain_text("đỗ thị  lan")
    expect(typed).to_contain_text("15/01/2002")
    expect(step.main).to_contain_text(AFTER_CONSENT)
    expect(step.main).not_to_contain_text("Ấp 3, đường Bình Chánh")
    expect(step.main.locator(".locked-value")).to_have_count(0)
    assert step.editable_fields() == []
    step.next()

    # Where to file: the UBND of either party's residence (his, by default; hers is named
    # once she confirms), received at its own desk unless he picks a one-stop centre.
    step.expect_shown(MARRIAGE_NAME, 4, 5)
    expect(step.office_choice).to_have_value("79.26743")
    expect(step.office_choice.get_by_role("option", selected=True)).to_have_text(
        "UBND Phường Bến Thành (nơi thường trú của bạn)"
    )
    expect(step.office_choice.get_by_role("option")).to_have_count(2)
    expect(step.office_choice.get_by_role("option").nth(1)).to_contain_text(
        "nơi thường trú của người kết hôn cùng (tên cơ quan hiện sau khi người đó xác nhận)"
    )
    expect(step.receiving_choice.get_by_role("option", selected=True)).to_have_text(OWN_DESK)
    step.next()

    summary = FilingSummary(page, portal_url).expect_shown(MARRIAGE_NAME)
    expect(summary.progress).to_have_text("Nộp hồ sơ trực tuyến · Bước 5/5")
    expect(summary.problems).to_have_count(0)
    expect(summary.item("Họ, chữ đệm và tên")).to_contain_text("Nguyễn Văn An")
    expect(summary.item(PARTNER_ID)).to_contain_text("079302034567")
    expect(summary.edit_link(PARTNER_ID)).to_be_visible()
    partner_name = summary.item(PARTNER_NAME)
    expect(partner_name).to_contain_text("đỗ thị  lan")  # as typed, with its edit link
    expect(summary.edit_link(PARTNER_NAME)).to_be_visible()
    residence = summary.item("Nơi cư trú của người kết hôn cùng")
    expect(residence).to_contain_text("sau khi người kia xác nhận")
    expect(summary.main).not_to_contain_text("Ấp 3, đường Bình Chánh")
    office = summary.handling_item("Cơ quan giải quyết")
    expect(office).to_contain_text("UBND Phường Bến Thành")
    expect(office).to_contain_text("nơi thường trú của bạn (Phường Bến Thành, " + HCM)
    receiving = summary.handling_item("Nơi tiếp nhận hồ sơ")
    expect(receiving).to_contain_text("Bộ phận một cửa của UBND Phường Bến Thành")
    due = summary.handling_item("Ngày hẹn trả kết quả (dự kiến)")
    expect(due).to_contain_text("1 ngày làm việc từ khi tiếp nhận")
    expect(due).to_contain_text(expected_due(1))
    expect(summary.handling_item("Lệ phí")).to_contain_text("0 đồng")
    expect(summary.handling_item("Lệ phí")).to_contain_text(NO_FEE)  # with its reason
    expect(summary.not_needed).to_contain_text("Giấy tờ tùy thân của hai bên")
    expect(summary.not_needed).to_contain_text(REGISTRY_NOT_CERTIFICATE)
    expect(summary.reused).to_have_count(0)  # the confirmation in his data store: not used
    summary.submit()

    dossier = DossierPage(page, portal_url)
    # The dossier waits for Lan's confirmation before it reaches the office.
    code = expect_submitted(dossier, MARRIAGE_NAME, "UBND Phường Bến Thành", AWAITING_PARTIES)
    assert code_pattern("79.26743").match(code), code
    expect(dossier.item("Người nộp")).to_contain_text("Nguyễn Văn An (079095001234)")

    dossier.header.dashboard_link.click()
    dashboard = Dashboard(page, portal_url).expect_loaded("Nguyễn Văn An")
    row = dashboard.my_dossiers.row(code)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(MARRIAGE_NAME)
    expect(row).to_contain_text(AWAITING_PARTIES)
    expect(dashboard.my_dossiers.draft_row(MARRIAGE_NAME)).to_have_count(0)
    row.get_by_role("link", name=code).click()
    DossierPage(page, portal_url).expect_shown()


# --- (2) birth registration from the hospital's birth notice -------------------------------


def test_birth_registration_child_comes_from_the_birth_notice(
    page: Page, portal_url, persona_login
):
    dashboard = persona_login(page, "Lê Thị Hoa")
    expect(dashboard.birth_notices).to_contain_text("GCS-79-2026-004512")
    expect(dashboard.birth_notices).to_contain_text("Bệnh viện Từ Dũ")
    typed = 0

    step = FilingStep(page, portal_url).open(BIRTH)
    step.expect_shown(BIRTH_NAME, 1, 4)
    step.expect_locked("Ngày sinh của trẻ", "15/11/2026")
    step.expect_locked("Giới tính của trẻ", "Nữ")
    step.expect_locked("Nơi sinh", "Bệnh viện Từ Dũ")
    step.expect_locked("Số giấy chứng sinh", "GCS-79-2026-004512")
    typed += len(step.editable_fields())
    step.field("Họ, chữ đệm và tên của trẻ").fill("Trần Bảo Ngọc")
    step.field("Dân tộc của trẻ").select_option("Kinh")
    step.field("Quê quán của trẻ").fill("Xã Tam Quan, tỉnh Gia Lai")
    step.next()

    step.expect_shown(BIRTH_NAME, 2, 4)
    step.expect_locked("Họ tên mẹ", "Lê Thị Hoa")
    step.expect_locked("Số định danh cá nhân của mẹ", "052196007890")
    step.expect_locked("Họ tên cha", "Trần Minh Khoa")
    step.expect_locked("Số định danh cá nhân của cha", "079093004567")
    step.expect_locked(
        "Nơi thường trú đăng ký cho trẻ (cùng cha mẹ)", "42 Hai Bà Trưng, Phường Tân Định, " + HCM
    )
    typed += len(step.editable_fields())
    step.next()

    step.expect_shown(BIRTH_NAME, 3, 4)
    step.next()  # the commune of residence
    assert typed == 3, f"the parent typed {typed} values (name, ethnicity, hometown expected)"

    summary = FilingSummary(page, portal_url).expect_shown(BIRTH_NAME)
    expect(summary.problems).to_have_count(0)
    expect(summary.item("Họ, chữ đệm và tên của trẻ")).to_contain_text("Trần Bảo Ngọc")
    expect(summary.item("Dân tộc của trẻ")).to_contain_text("Kinh")
    expect(summary.item("Ngày sinh của trẻ")).to_contain_text("15/11/2026")
    expect(summary.item("Họ tên cha")).to_contain_text("Trần Minh Khoa")
    expect(summary.handling_item("Cơ quan giải quyết")).to_contain_text("UBND Phường Tân Định")
    fee = summary.handling_item("Lệ phí")
    expect(fee).to_contain_text("0 đồng")
    expect(fee).to_contain_text("Miễn lệ phí: đăng ký khai sinh đúng hạn")
    expect(summary.not_needed).to_contain_text(  # the hospital's electronic notice instead
        "Giấy chứng sinh (bản giấy) hoặc văn bản của người làm chứng xác nhận việc sinh: thay "
        "bằng giấy chứng sinh điện tử của cơ sở y tế, lấy từ CSDLQG về dân cư"
    )
    summary.submit()

    dossier = DossierPage(page, portal_url)
    code = expect_submitted(dossier, BIRTH_NAME, "UBND Phường Tân Định")
    assert code_pattern("79.26737").match(code), code
    expect(dossier.item("Lệ phí")).to_contain_text("Miễn lệ phí: đăng ký khai sinh đúng hạn")


# --- (3) a province-level procedure with a fee ---------------------------------------------

LLTP_FEE = "Phí: 200.000 đồng theo biểu phí của thủ tục (Thông tư 16/2025/TT-BTC)"


def test_criminal_record_certificate_goes_to_the_city_police_in_10_calendar_days(
    page: Page, portal_url, persona_login
):
    persona_login(page, "Trần Minh Khoa")
    step = FilingStep(page, portal_url).open(CRIMINAL_RECORD)

    step.expect_shown(CRIMINAL_RECORD_NAME, 1, 6)
    step.expect_locked("Họ, chữ đệm và tên", "Trần Minh Khoa")
    step.expect_locked("Giới tính", "Nam")
    step.expect_locked("Nơi thường trú", "42 Hai Bà Trưng, Phường Tân Định, " + HCM)
    step.expect_locked("Nơi tạm trú", "Không có thông tin")
    expect(step.field("Nơi sinh (không bắt buộc)")).to_be_editable()  # the registry lacks it
    step.next()

    step.expect_shown(CRIMINAL_RECORD_NAME, 2, 6)
    step.expect_locked("Họ tên vợ hoặc chồng", "Lê Thị Hoa")
    step.next()

    step.expect_shown(CRIMINAL_RECORD_NAME, 3, 6)
    step.field("Loại phiếu yêu cầu cấp").select_option("Phiếu số 1")
    step.field("Mục đích sử dụng phiếu").fill("Bổ sung hồ sơ xin việc")
    step.field("Số bản phiếu").fill("1")
    step.next()

    step.expect_shown(CRIMINAL_RECORD_NAME, 4, 6)
    history = step.field("Quá trình cư trú, nghề nghiệp từ đủ 14 tuổi (không bắt buộc)")
    expect(history).to_be_editable()
    step.field("Tình trạng án tích (tự khai) (không bắt buộc)").select_option("Không có án tích")
    step.next()  # the history is optional, left empty

    step.expect_shown(CRIMINAL_RECORD_NAME, 5, 6)  # no body to choose: the city's police
    expect(step.office_choice).to_have_count(0)
    expect(step.main).to_contain_text(f"Thủ tục do {CITY_POLICE} giải quyết")
    expect(step.receiving_choice.get_by_role("option", selected=True)).to_have_text(OWN_DESK)
    step.next()

    summary = FilingSummary(page, portal_url).expect_shown(CRIMINAL_RECORD_NAME)
    expect(summary.problems).to_have_count(0)
    expect(summary.item("Loại phiếu yêu cầu cấp")).to_contain_text("Phiếu số 1")
    expect(summary.item("Tình trạng án tích (tự khai)")).to_contain_text("Không có án tích")
    office = summary.handling_item("Cơ quan giải quyết")
    expect(office).to_contain_text(CITY_POLICE)
    expect(office).to_contain_text(
        f"Thủ tục do {CITY_POLICE} giải quyết, nơi bạn thường trú ({HCM})."
    )
    due = summary.handling_item("Ngày hẹn trả kết quả (dự kiến)")
    expect(due).to_contain_text("(10 ngày từ khi tiếp nhận)")  # calendar days
    expect(due).to_contain_text(expected_due(10, calendar=True))
    expect_level2_online_fee(summary.handling_item("Lệ phí"), "200.000 đồng", LLTP_FEE)
    summary.submit()

    dossier = DossierPage(page, portal_url)
    code = expect_submitted(dossier, CRIMINAL_RECORD_NAME, CITY_POLICE)
    assert code_pattern("79.cong-an").match(code), code
    expect_level2_online_fee(dossier.item("Lệ phí"), "200.000 đồng", LLTP_FEE)
    # the appointment is given at reception (Mẫu 01), not at submission
    expect(dossier.item("Ngày hẹn trả kết quả")).to_have_count(0)


# --- (4) refused: one of the two is already married ----------------------------------------


def test_marriage_refused_when_the_applicant_is_married_and_the_draft_is_kept(
    page: Page, portal_url, persona_login
):
    persona_login(page, "Phạm Quốc Bảo")
    step = FilingStep(page, portal_url).open(MARRIAGE)
    step.expect_shown(MARRIAGE_NAME, 1, 5)  # nothing to attach: the registry tells the status
    step.expect_locked("Tình trạng hôn nhân", "Đã kết hôn")
    step.next()

    # A mistyped number is caught at the field, and what was typed is kept.
    step.expect_shown(MARRIAGE_NAME, 2, 5)
    partner_id = step.field(PARTNER_ID)
    name_partner(step, "07930203456", "Đỗ Thị Lân", "2002-01-15")  # 11 digits, a wrong name
    step.next()
    step.expect_shown(MARRIAGE_NAME, 2, 5)
    message = "Số định danh cá nhân phải gồm đúng 12 chữ số."
    expect(step.error_summary).to_contain_text("Có lỗi cần sửa")
    expect(partner_id).to_have_value("07930203456")
    expect(partner_id).to_have_attribute("aria-invalid", "true")
    expect(partner_id).to_have_accessible_description(re.compile(re.escape(message)))
    step.error_summary.get_by_role("link", name=message).click()
    expect(partner_id).to_be_focused()
    partner_id.fill("079302034567")
    step.next()

    # A wrong name is caught next to it, and nothing of the person is said.
    step.expect_shown(MARRIAGE_NAME, 2, 5)
    partner_name = step.field(PARTNER_NAME)
    expect(partner_name).to_have_value("Đỗ Thị Lân")
    expect(partner_name).to_have_attribute("aria-invalid", "true")
    expect(partner_name).to_have_accessible_description(re.compile("không khớp"))
    expect(step.main).not_to_contain_text("Đỗ Thị Lan")
    partner_name.fill("Đỗ Thị Lan")
    step.next()

    step.expect_shown(MARRIAGE_NAME, 3, 5)
    expect(step.main).to_contain_text(AFTER_CONSENT)
    step.next()

    # Where to file: his commune (Phường Ba Đình) or hers, named once she confirms.
    step.expect_shown(MARRIAGE_NAME, 4, 5)
    expect(step.office_choice.get_by_role("option", selected=True)).to_have_text(
        "UBND Phường Ba Đình (nơi thường trú của bạn)"
    )
    expect(step.office_choice).to_have_accessible_description(
        re.compile("pháp luật cho phép UBND cấp xã nơi cư trú của bất kỳ ai")
    )
    expect(step.receiving_choice.get_by_role("option", selected=True)).to_have_text(OWN_DESK)
    assert_no_axe_violations(page, "where to file, a body to choose")
    step.next()

    summary = FilingSummary(page, portal_url).expect_shown(MARRIAGE_NAME)
    expect(summary.problems).to_contain_text("Chưa nộp được hồ sơ")
    expect(summary.problems).to_contain_text(
        "Ông Phạm Quốc Bảo đang có tình trạng hôn nhân «Đã kết hôn» trong CSDLQG về dân cư, "
        "nên chưa thể đăng ký kết hôn."
    )
    expect(summary.problems).not_to_contain_text("Đỗ Thị Lan")
    expect(summary.submit_button).to_have_count(0)
    expect(summary.item(PARTNER_ID)).to_contain_text("079302034567")
    assert_no_axe_violations(page, "refused summary")

    # Later: the refused draft is not listed among "Hồ sơ của tôi", but it is kept: opening
    # the procedure again resumes it at the summary, the step before shows what was typed.
    summary.header.dashboard_link.click()
    dashboard = Dashboard(page, portal_url).expect_loaded("Phạm Quốc Bảo")
    expect(dashboard.my_dossiers.draft_row(MARRIAGE_NAME)).to_have_count(0)
    step.open(MARRIAGE)
    FilingSummary(page, portal_url).expect_shown(MARRIAGE_NAME)
    page.get_by_role("link", name="← Quay lại bước trước").click()
    step.expect_shown(MARRIAGE_NAME, 4, 5)
    page.goto(f"{portal_url}/nop-ho-so/{MARRIAGE}/ben-kia")
    expect(step.field(PARTNER_ID)).to_have_value("079302034567")


def test_marriage_refused_when_the_partner_is_married(page: Page, portal_url, persona_login):
    persona_login(page, "Đặng Văn Long")
    step = FilingStep(page, portal_url).open(MARRIAGE)
    step.expect_shown(MARRIAGE_NAME, 1, 5)
    step.next()
    name_partner(step, "001190023456", "Võ Thị Mai", "1990-06-25")  # Phạm Quốc Bảo's wife
    step.next()
    step.expect_shown(MARRIAGE_NAME, 3, 5)
    expect(step.main).not_to_contain_text("Đã kết hôn")  # her status is not shown
    step.next()
    step.expect_shown(MARRIAGE_NAME, 4, 5)  # where to file: left for later

    summary = FilingSummary(page, portal_url)
    summary.goto(f"/nop-ho-so/{MARRIAGE}/xem-lai")
    summary.expect_shown(MARRIAGE_NAME)
    expect(summary.not_needed).to_contain_text(REGISTRY_NOT_CERTIFICATE)
    assert_no_axe_violations(page, "summary refused for the partner")
    # Refused, without a word about her marital status: she did not consent to that.
    expect(summary.problems).to_contain_text(PARTNER_UNFIT)
    expect(summary.problems).not_to_contain_text("Đã kết hôn")
    expect(summary.problems).not_to_contain_text("Võ Thị Mai")
    expect(summary.problems).not_to_contain_text("Đặng Văn Long")
    expect(summary.submit_button).to_have_count(0)


def test_marriage_refused_between_two_women(page: Page, portal_url, persona_login):
    persona_login(page, "Bùi Thị Nga")  # divorced
    step = FilingStep(page, portal_url).open(MARRIAGE)
    step.next()
    name_partner(step, "079302034567", "Đỗ Thị Lan", "2002-01-15")  # single
    step.next()
    step.expect_shown(MARRIAGE_NAME, 3, 5)
    step.next()
    step.expect_shown(MARRIAGE_NAME, 4, 5)
    step.next()

    summary = FilingSummary(page, portal_url).expect_shown(MARRIAGE_NAME)
    expect(summary.submit_button).to_have_count(0, timeout=2_000)
    expect(summary.problems).to_contain_text(PARTNER_UNFIT)  # her sex is her data


# --- (5) marital-status certificate ----------------------------------------------------------


def test_marital_status_certificate_in_hanoi_after_the_zero_fee_policy_ended(
    page: Page, portal_url, persona_login
):
    persona_login(page, "Hoàng Văn Thọ")
    step = FilingStep(page, portal_url).open(MARITAL_STATUS)
    step.expect_shown(MARITAL_STATUS_NAME, 1, 5)
    step.expect_locked("Họ, chữ đệm và tên", "Hoàng Văn Thọ")
    step.expect_locked("Nơi cư trú", "21 Hàng Bạc, Phường Hoàn Kiếm, " + HANOI)
    step.next()

    step.expect_shown(MARITAL_STATUS_NAME, 2, 5)
    step.expect_locked("Tình trạng hôn nhân", "Góa")
    step.next()

    step.expect_shown(MARITAL_STATUS_NAME, 3, 5)
    step.next()  # nothing chosen
    step.expect_shown(MARITAL_STATUS_NAME, 3, 5)
    purpose = step.field("Mục đích sử dụng giấy xác nhận")
    message = "Vui lòng nhập mục đích sử dụng giấy xác nhận."
    expect(step.error_summary).to_contain_text(message)
    expect(purpose).to_have_accessible_description(re.compile(re.escape(message)))
    purpose.select_option("Vay vốn ngân hàng")
    # the intended spouse is asked only for a marriage
    spouse = step.field("Họ, chữ đệm và tên người dự định kết hôn (không bắt buộc)")
    expect(spouse).to_have_accessible_description("Bắt buộc khi mục đích là đăng ký kết hôn.")
    step.next()

    step.expect_shown(MARITAL_STATUS_NAME, 4, 5)  # his commune's UBND: nothing to choose
    expect(step.office_choice).to_have_count(0)
    expect(step.main).to_contain_text("UBND Phường Hoàn Kiếm: nơi thường trú của bạn")
    step.next()

    summary = FilingSummary(page, portal_url).expect_shown(MARITAL_STATUS_NAME)
    expect(summary.problems).to_have_count(0)
    expect(summary.item("Mục đích sử dụng giấy xác nhận")).to_contain_text("Vay vốn ngân hàng")
    expect(summary.item("Tình trạng hôn nhân")).to_contain_text("Góa")
    expect(summary.handling_item("Cơ quan giải quyết")).to_contain_text("UBND Phường Hoàn Kiếm")
    due = summary.handling_item("Ngày hẹn trả kết quả (dự kiến)")
    expect(due).to_contain_text("3 ngày làm việc từ khi tiếp nhận")
    expect(due).to_contain_text(expected_due(3))
    fee = summary.handling_item("Lệ phí")  # Hà Nội's 0-đồng policy ended on 31/12/2025
    expect(fee).to_contain_text("15.000 đồng")
    expect(fee).to_contain_text("Lệ phí: 15.000 đồng theo biểu phí của thủ tục")
    summary.submit()

    dossier = DossierPage(page, portal_url)
    code = expect_submitted(dossier, MARITAL_STATUS_NAME, "UBND Phường Hoàn Kiếm", AWAITING_PAYMENT)
    assert code_pattern("01.00070").match(code), code
    expect(dossier.item("Lệ phí")).to_contain_text("15.000 đồng")
    pay_online(page)  # paid on the national payment gateway before the office receives it
    expect(page.get_by_role("heading", name="Đã thanh toán thành công")).to_be_visible()


# --- (6) copy of a civil-status extract, at another commune, then withdrawn -----------------


def test_civil_status_copy_at_a_chosen_commune_then_withdrawn(
    page: Page, portal_url, persona_login
):
    persona_login(page, "Võ Thị Mai")
    step = FilingStep(page, portal_url).open(CIVIL_STATUS_COPY)
    step.expect_shown(CIVIL_STATUS_COPY_NAME, 1, 4)
    step.expect_locked("Họ, chữ đệm và tên người yêu cầu", "Võ Thị Mai")
    step.expect_locked("Nơi cư trú", "8 Kim Mã, Phường Ba Đình, " + HANOI)
    step.next()

    step.expect_shown(CIVIL_STATUS_COPY_NAME, 2, 4)
    step.field("Loại trích lục cần cấp bản sao").select_option("Trích lục kết hôn")
    step.field("Số bản sao").fill("1")
    step.next()

    step.expect_shown(CIVIL_STATUS_COPY_NAME, 3, 4)
    expect(step.office_choice).to_have_accessible_description(re.compile("Phường Ba Đình"))
    step.office_choice.select_option(label="Phường Hoàn Kiếm")
    step.next()

    summary = FilingSummary(page, portal_url).expect_shown(CIVIL_STATUS_COPY_NAME)
    expect(summary.problems).to_have_count(0)
    office = summary.handling_item("Cơ quan giải quyết")
    expect(office).to_contain_text("UBND Phường Hoàn Kiếm")
    expect(office).to_contain_text("Theo lựa chọn của bạn")
    expect_level2_online_fee(summary.handling_item("Lệ phí"), "8.000 đồng", COPY_FEE)
    summary.submit()

    dossier = DossierPage(page, portal_url)
    code = expect_submitted(dossier, CIVIL_STATUS_COPY_NAME, "UBND Phường Hoàn Kiếm")
    assert code_pattern("01.00070").match(code), code
    expect(dossier.item("Cơ quan giải quyết")).to_contain_text("Theo lựa chọn của bạn")

    dossier.withdraw()
    DossierPage(page, portal_url).expect_shown()
    expect(dossier.item("Trạng thái")).to_have_text(WITHDRAWN)
    expect(dossier.timeline).to_have_count(2)
    expect(dossier.timeline.nth(1)).to_contain_text("Công dân rút hồ sơ")
    expect(dossier.withdraw_button).to_have_count(0)

    dossier.header.dashboard_link.click()
    dashboard = Dashboard(page, portal_url).expect_loaded("Võ Thị Mai")
    expect(dashboard.my_dossiers.row(code)).to_contain_text(WITHDRAWN)


def test_civil_status_copy_fee_counts_each_copy(browser_of, portal_url):
    """8.000 đồng a copy (TT 281/2016), the national exemption taken off for a level-2
    account while TT 117/2026 runs; the receipt shows each step of the computation."""
    bao = browser_of("Phạm Quốc Bảo")  # Hà Nội, Phường Ba Đình
    step = FilingStep(bao, portal_url).open(CIVIL_STATUS_COPY)
    step.next()
    step.field("Loại trích lục cần cấp bản sao").select_option("Trích lục kết hôn")
    step.field("Số bản sao").fill("3")
    step.next()
    step.next()  # his commune's UBND, its own desk

    summary = FilingSummary(bao, portal_url).expect_shown(CIVIL_STATUS_COPY_NAME)
    expect(summary.item("Số bản sao")).to_contain_text("3")
    fee = summary.handling_item("Lệ phí")
    expect_level2_online_fee(fee, "24.000 đồng", "Phí: 24.000 đồng theo biểu phí của thủ tục")
    summary.submit()
    code = expect_submitted(DossierPage(bao, portal_url), CIVIL_STATUS_COPY_NAME, BA_DINH)

    # The commune's clerk receives it; the receipt (Mẫu 01) states how the fee was reached.
    clerk_opens(browser_of("Đặng Văn Long"), portal_url, code).act("Tiếp nhận")
    receipt = ReceiptPage(bao, portal_url).open(code)
    gross = receipt.fee_step("Phí cấp bản sao trích lục hộ tịch (3 bản sao × 8.000 đồng)")
    expect(gross).to_contain_text(["24.000 đồng", "Thông tư 281/2016/TT-BTC"])
    to_pay = receipt.fee_step("Phải nộp")
    if in_tt117():
        expect(receipt.fee_step(TT117)).to_contain_text(["−24.000 đồng", "117/2026/TT-BTC"])
        expect(to_pay).to_contain_text(["0 đồng"])
    else:
        expect(receipt.fee_steps.get_by_role("row")).to_have_count(3)  # header, gross, total
        expect(to_pay).to_contain_text(["24.000 đồng"])
    assert_no_axe_violations(bao, "receipt with the fee's steps")


# --- (7) a document reused from the data store: a single owner sells a house ---------------

CONTRACT, CONTRACT_NAME = (
    "2.001035",
    "Chứng thực giao dịch liên quan đến tài sản là động sản, quyền sử dụng đất, nhà ở",
)
FOR_A_SALE = {"Mục đích sử dụng giấy xác nhận": "Mua bán nhà đất"}
CONTRACT_PAGES = {
    "Số điện thoại liên hệ": "0903123456",
    "Loại hợp đồng, giao dịch": "Mua bán, tặng cho nhà ở",
    "Loại tài sản": "Nhà ở",
    "Mô tả tài sản": "Nhà số 15 Lê Lợi, thửa đất số 125, tờ bản đồ số 7, 120 m².",
    "Xã/phường nơi có đất, nhà ở (với động sản: xã/phường bạn chọn để chứng thực)": BEN_THANH,
    "Họ tên, số định danh cá nhân của các bên còn lại": "Bà Trần Thị Bình, 079190012345",
    "Số trang của hợp đồng": "3",
    "Số bản hợp đồng cần chứng thực": "2",
}
PAPERS = {
    "Dự thảo hợp đồng, giao dịch": upload("hop-dong-mua-ban.pdf", PDF),
    "Giấy tờ chứng minh quyền sở hữu, quyền sử dụng tài sản (Giấy chứng nhận quyền sử dụng "
    "đất, quyền sở hữu nhà ở, giấy đăng ký tài sản)": upload("so-hong.pdf", PDF),
}


def test_a_single_owner_s_sale_reuses_his_marital_status_confirmation(browser_of, live, portal_url):
    """Certifying a sale, a single owner proves the house is not a couple's: the Giấy xác
    nhận tình trạng hôn nhân issued to him for "Mua bán nhà đất" comes from his data store
    (checked and signed), not asked for; the one issued for a marriage is not the one used."""
    issue_confirmation(live.portal_app, content=FOR_A_SALE, days_ago=20)
    newest_for_marriage = issue_confirmation(live.portal_app, days_ago=5)
    for_sale = issue_confirmation(live.portal_app, content=FOR_A_SALE, days_ago=10)
    an = browser_of("Nguyễn Văn An")
    step = FilingStep(an, portal_url).open(CONTRACT)
    expect(step.progress).to_contain_text("Bước 1/")
    total = int(step.progress.inner_text().rsplit("/", 1)[1])
    for number in range(1, total):
        step.expect_shown(CONTRACT_NAME, number, total)
        for label, value in {**CONTRACT_PAGES, **PAPERS}.items():
            if step.field(label).count():
                enter(step.field(label), value)
        expect(step.field(CONFIRMATION)).to_have_count(0)  # never asked: it is reused
        step.next()

    summary = FilingSummary(an, portal_url).expect_shown(CONTRACT_NAME)
    expect(summary.problems).to_have_count(0)
    expect(summary.handling_item("Cơ quan giải quyết")).to_contain_text("UBND Phường Bến Thành")
    expect(summary.reused).to_contain_text(
        f"{for_sale.title} số {for_sale.number}, cấp ngày "
        f"{results.issued_date(for_sale)}, bởi UBND Phường Bến Thành"
    )
    expect(summary.reused).to_contain_text("✓ Chữ ký số hợp lệ")
    expect(summary.reused).not_to_contain_text(newest_for_marriage.number)
    check = summary.reused.get_by_role("link", name=f"Tra cứu văn bản số {for_sale.number}")
    expect(check).to_have_attribute("href", f"/tra-cuu-ket-qua/{for_sale.verification_code}")
    assert_no_axe_violations(an, "summary with a reused document")
    summary.submit()

    dossier = DossierPage(an, portal_url)
    # 50.000 đồng (TT 226/2016, not among TT 117/2026's): paid online before reception
    expect_submitted(dossier, CONTRACT_NAME, "UBND Phường Bến Thành", AWAITING_PAYMENT)
    expect(dossier.receipt).to_contain_text(f"{CONFIRMATION}: tái sử dụng từ kho dữ liệu của bạn")


# --- level-1 account -------------------------------------------------------------------------


def test_level1_account_is_told_how_to_upgrade(page: Page, portal_url, persona_login):
    persona_login(page, "Ngô Thị Thu")
    response = FilingStep(page, portal_url).goto(f"/nop-ho-so/{MARRIAGE}")
    assert response is not None and response.status == 403

    refusal = FilingLevelRefusal(page, portal_url).expect_shown()
    expect(refusal.main).to_contain_text("đang ở mức 1")
    expect(refusal.main).to_contain_text(MARRIAGE_NAME)
    expect(refusal.main).to_contain_text("Công an cấp xã")
    expect(refusal.main).to_contain_text("đăng nhập lại")
    expect(page.get_by_role("button", name="Tiếp tục")).to_have_count(0)
    assert_no_axe_violations(page, "level-2 explanation")
    refusal.procedure_link.click()
    expect(refusal.heading).to_have_text(MARRIAGE_NAME)

    refusal.header.dashboard_link.click()
    dashboard = Dashboard(page, portal_url).expect_loaded("Ngô Thị Thu")
    # the refusal left no draft behind (Thu's other dossiers, from other tests, may be there)
    expect(dashboard.my_dossiers.region).not_to_contain_text(MARRIAGE_NAME)


# --- accessibility ---------------------------------------------------------------------------


def test_filing_pages_have_no_axe_violations(page: Page, portal_url, persona_login):
    """Step (plain, with an error, the commune choice), summary and dossier pages."""
    persona_login(page, "Bùi Thị Nga")
    reports = {}

    def check(name: str) -> None:
        violations = axe.run(page).response["violations"]
        if violations:
            reports[name] = f"{page.url}\n{describe_violations(violations)}"

    step = FilingStep(page, portal_url).open(MARITAL_STATUS)
    step.expect_shown(MARITAL_STATUS_NAME, 1, 5)
    check("step")
    step.next()
    step.next()
    step.next()  # the purpose is required
    step.expect_shown(MARITAL_STATUS_NAME, 3, 5)
    expect(step.error_summary).to_be_visible()
    check("step-with-error")
    step.field("Mục đích sử dụng giấy xác nhận").select_option("Mua bán nhà đất")
    step.next()
    step.expect_shown(MARITAL_STATUS_NAME, 4, 5)
    check("step-office-choice")
    step.next()

    summary = FilingSummary(page, portal_url).expect_shown(MARITAL_STATUS_NAME)
    expect(summary.handling_item("Lệ phí")).to_contain_text(
        "Miễn lệ phí: người thuộc gia đình có công với cách mạng"
    )
    check("summary")
    summary.submit()
    expect_submitted(DossierPage(page, portal_url), MARITAL_STATUS_NAME, "UBND Phường Sài Gòn")
    check("dossier")
    # the receipt (Mẫu 01) comes at reception: test_full_process checks its page
    expect(page.get_by_role("link", name=RECEIPT_LINK)).to_have_count(0)
    page.get_by_role("link", name="Rút hồ sơ").click()
    expect(page.get_by_role("button", name="Xác nhận rút hồ sơ")).to_be_visible()
    check("withdraw-confirmation")

    if reports:
        text = "\n\n".join(f"{name}: {report}" for name, report in reports.items())
        print(text)
        pytest.fail(text, pytrace=False)


def test_filing_pages_fit_a_360px_phone(page: Page, portal_url, persona_login):
    page.set_viewport_size(PHONE)
    persona_login(page, "Lý Văn Tư")
    too_wide, checked = {}, []

    def check(name: str) -> None:
        checked.append(name)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[name] = (width, page.evaluate(WIDER_THAN_VIEWPORT, PHONE["width"]))

    step = FilingStep(page, portal_url).open(CIVIL_STATUS_COPY)
    step.expect_shown(CIVIL_STATUS_COPY_NAME, 1, 4)
    check("step")
    step.next()
    step.next()  # nothing chosen: errors
    expect(step.error_summary).to_be_visible()
    check("step-with-errors")
    step.field("Loại trích lục cần cấp bản sao").select_option("Trích lục khai sinh")
    step.field("Số bản sao").fill("2")
    step.next()
    step.expect_shown(CIVIL_STATUS_COPY_NAME, 3, 4)
    check("step-office-choice")
    step.next()

    summary = FilingSummary(page, portal_url).expect_shown(CIVIL_STATUS_COPY_NAME)
    fee = summary.handling_item("Lệ phí")  # a national fee: no provincial 0-đồng policy
    expect_level2_online_fee(fee, "16.000 đồng", "Phí: 16.000 đồng theo biểu phí của thủ tục")
    check("summary")
    summary.submit()
    dossier = DossierPage(page, portal_url)
    code = expect_submitted(dossier, CIVIL_STATUS_COPY_NAME, BINH_CHANH_OFFICE)
    check("dossier")
    expect(page.get_by_role("link", name=RECEIPT_LINK)).to_have_count(0)
    dossier.header.dashboard_link.click()
    expect(Dashboard(page, portal_url).my_dossiers.row(code)).to_be_visible()
    check("dashboard-with-dossier")

    assert len(checked) == 6
    if too_wide:
        lines = [f"{name}: {w}px wide; wider: {els}" for name, (w, els) in too_wide.items()]
        pytest.fail(f"horizontal scroll at {PHONE['width']}px:\n" + "\n".join(lines), pytrace=False)
