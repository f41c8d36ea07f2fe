"""Public tracking (/tra-cuu-ho-so) in a browser: Bảo files a copy of a civil-status extract
and his acknowledgement says how to track it; a logged-out visitor with JavaScript off
follows the footer link, is told the same for a wrong second factor, gets a message next to
the field for digits that are not 0–9, then sees the status with no personal data; the
answer is a bookmark that opens again. axe-core and a 360 px phone on each state."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from portal.services.tracking import NOT_FOUND
from tests.e2e.pages import DossierPage, PortalHome, TrackingPage
from tests.support.e2e import (
    CIVIL_STATUS_COPY,
    CIVIL_STATUS_COPY_NAME,
    PHONE,
    SUBMITTED,
    WIDER_THAN_VIEWPORT,
    Filing,
    assert_no_axe_violations,
    file_online,
)

pytestmark = [pytest.mark.e2e]

BAO, BAO_ID = "Phạm Quốc Bảo", "038088012345"
BA_DINH = "UBND Phường Ba Đình"
COPY_FILING = Filing(
    CIVIL_STATUS_COPY,
    CIVIL_STATUS_COPY_NAME,
    [{}, {"Loại trích lục cần cấp bản sao": "Trích lục kết hôn", "Số bản sao": "1"}, {}],
    office=BA_DINH,
)


def _fits_a_phone(page: Page, name: str) -> None:
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    wider = page.evaluate(WIDER_THAN_VIEWPORT, PHONE["width"])
    assert width <= PHONE["width"], f"{name}: {width}px wide; wider: {wider}"


def test_a_logged_out_visitor_tracks_a_filed_dossier_by_its_code(
    browser_of, new_context, portal_url
):
    bao = browser_of(BAO)
    code = file_online(bao, portal_url, COPY_FILING)
    expect(DossierPage(bao, portal_url).receipt).to_contain_text(
        f"Tra cứu tình trạng hồ sơ không cần đăng nhập tại {portal_url}/tra-cuu-ho-so "
        f"với mã hồ sơ {code} và 4 số cuối số định danh cá nhân của người nộp."
    )

    visitor = new_context(java_script_enabled=False).new_page()
    PortalHome(visitor, portal_url).open()
    tracking = TrackingPage(visitor, portal_url)
    tracking.footer_link.click()
    expect(tracking.heading).to_have_text("Tra cứu hồ sơ")

    tracking.track(code, "0000")  # the right code, another person's digits
    expect(tracking.heading).to_have_text("Không tìm thấy hồ sơ")
    expect(tracking.not_found).to_have_text(NOT_FOUND)
    expect(tracking.code).to_have_value(code)

    tracking.track(code, "١٢٣٤")  # Arabic-Indic digits: not 0–9
    expect(tracking.factor).to_have_accessible_description(re.compile("đúng 4 chữ số từ 0 đến 9"))
    expect(tracking.factor).to_have_attribute("aria-invalid", "true")
    expect(tracking.factor).to_have_value("١٢٣٤")

    tracking.track(code, BAO_ID[-4:])
    expect(tracking.heading).to_have_text("Tình trạng hồ sơ")
    expect(tracking.item("Mã hồ sơ")).to_have_text(code)
    expect(tracking.item("Thủ tục")).to_have_text(CIVIL_STATUS_COPY_NAME)
    expect(tracking.item("Trạng thái")).to_have_text(SUBMITTED)
    expect(tracking.item("Cơ quan giải quyết")).to_have_text(BA_DINH)
    expect(tracking.item("Nơi tiếp nhận hồ sơ")).to_have_text(BA_DINH)
    expect(tracking.item("Ngày hẹn trả kết quả")).to_contain_text("Chưa có")
    expect(tracking.timeline).to_have_count(1)
    expect(tracking.timeline.first).to_contain_text(SUBMITTED)
    expect(tracking.main).not_to_contain_text(BAO)
    expect(tracking.main).not_to_contain_text(BAO_ID)
    expect(tracking.factor).to_have_value("")  # the digits are not shown back
    bookmark = visitor.url
    assert "ma=" in bookmark and "bon_so_cuoi=" in bookmark

    # The bookmark opens the same answer; each state passes axe and fits a phone.
    checker = new_context().new_page()
    checker.goto(bookmark)
    expect(TrackingPage(checker, portal_url).heading).to_have_text("Tình trạng hồ sơ")
    assert_no_axe_violations(checker, "tracking, found")
    _fits_a_phone(checker, "tracking, found")
    checker.goto(f"{portal_url}/tra-cuu-ho-so?ma={code}&bon_so_cuoi=%C2%B2")
    expect(checker.get_by_role("main").get_by_label(TrackingPage.FACTOR)).to_have_attribute(
        "aria-invalid", "true"
    )
    assert_no_axe_violations(checker, "tracking, malformed")
    _fits_a_phone(checker, "tracking, malformed")
