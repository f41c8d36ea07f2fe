"""Logging in to the portal through VNeID in Chromium, as a citizen would."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.pages import (
    ConsentPage,
    Dashboard,
    PortalHome,
    PortalLoggedOut,
    PortalRefusal,
    VneidLoginPage,
)

pytestmark = [
    pytest.mark.e2e,
]

PASSCODE = "123456"
REGISTRY = "Nguồn: CSDLQG về dân cư"
UPDATED = re.compile(r"Cập nhật: \d{2}/\d{2}/\d{4}")


def expect_from_registry(value) -> None:
    """A registry item carries its source and the date it was last updated."""
    expect(value).to_contain_text(REGISTRY)
    expect(value).to_contain_text(UPDATED)


def test_persona_login_shows_registry_data(page: Page, portal_url, idp_url):
    PortalHome(page, portal_url).open().start_login()

    login = VneidLoginPage(page, idp_url).expect_shown()
    login.pick_persona("Nguyễn Văn An")

    consent = ConsentPage(page, idp_url).expect_shown()
    expect(consent.heading).to_have_text("Chia sẻ thông tin với Cổng Dịch vụ công")
    expect(consent.main).to_contain_text("Nguyễn Văn An")
    expect(consent.shared_items).to_have_text(
        [
            re.compile("Số định danh cá nhân"),
            re.compile("Họ và tên, ngày sinh, giới tính"),
            re.compile("Địa chỉ thường trú"),
            re.compile("Dữ liệu dân cư"),
        ]
    )
    consent.allow()

    dashboard = Dashboard(page, portal_url).expect_loaded("Nguyễn Văn An")
    expect(dashboard.level1_notice).to_have_count(0)
    expected = {
        "Họ và tên": "Nguyễn Văn An",
        "Số định danh cá nhân": "079095001234",
        "Ngày sinh": "12/04/1995",
        "Giới tính": "Nam",
        "Nơi thường trú": "15 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh",
        "Tình trạng hôn nhân": "Chưa kết hôn",
    }
    for label, text in expected.items():
        value = dashboard.item(label)
        expect(value, f"{label} should read {text!r}").to_contain_text(text)
        expect_from_registry(value)
    expect(dashboard.household).to_contain_text(REGISTRY)
    expect(dashboard.household).to_contain_text(UPDATED)
    expect(dashboard.household_row("Nguyễn Văn An")).to_contain_text("chủ hộ")
    expect(dashboard.header.logout_button).to_be_visible()


def test_passcode_login_married_persona_sees_family(page: Page, portal_url, idp_url):
    PortalHome(page, portal_url).open().start_login()
    VneidLoginPage(page, idp_url).expect_shown().login("038088012345", PASSCODE)
    ConsentPage(page, idp_url).expect_shown().allow()

    dashboard = Dashboard(page, portal_url).expect_loaded("Phạm Quốc Bảo")
    expect(dashboard.item("Tình trạng hôn nhân")).to_contain_text("Đã kết hôn")
    spouse = dashboard.item("Vợ/chồng")
    expect(spouse).to_contain_text("Võ Thị Mai")
    expect_from_registry(spouse)
    children = dashboard.item("Con")
    expect(children).to_contain_text("Phạm Gia Huy")
    expect_from_registry(children)
    expect(dashboard.household_members.get_by_role("row")).to_have_count(4)  # header + 3
    expect(dashboard.household_row("Phạm Quốc Bảo")).to_contain_text("chủ hộ")
    expect(dashboard.household_row("Võ Thị Mai")).to_contain_text("vợ")
    expect(dashboard.household_row("Phạm Gia Huy")).to_contain_text("con")


def test_wrong_passcode_is_refused_on_the_provider(page: Page, portal_url, idp_url):
    PortalHome(page, portal_url).open().start_login()
    login = VneidLoginPage(page, idp_url).expect_shown()
    login.login("079302034567", "654321")

    login.expect_shown()  # still on the provider: no redirect to the portal
    expect(login.error_summary).to_contain_text("Có lỗi cần sửa")
    expect(login.error_summary).to_contain_text(
        re.compile(r"Số định danh cá nhân hoặc mật mã không đúng\. Bạn còn \d lần thử\.")
    )
    expect(login.personal_id).to_have_value("079302034567")
    expect(login.passcode).to_have_value("")


def test_malformed_personal_id_gets_a_message_at_the_field(page: Page, portal_url, idp_url):
    PortalHome(page, portal_url).open().start_login()
    login = VneidLoginPage(page, idp_url).expect_shown()
    login.login("07909500123", PASSCODE)  # 11 digits

    login.expect_shown()
    message = "Số định danh cá nhân phải gồm đúng 12 chữ số."
    expect(login.personal_id).to_have_value("07909500123")
    expect(login.personal_id).to_have_attribute("aria-invalid", "true")
    expect(login.personal_id).to_have_accessible_description(re.compile(re.escape(message)))
    summary_link = login.error_summary.get_by_role("link", name=message)
    expect(summary_link).to_be_visible()
    summary_link.click()  # the summary leads to the field in error
    expect(login.personal_id).to_be_focused()


def test_consent_denied_shows_refusal_and_no_session(page: Page, portal_url, idp_url):
    PortalHome(page, portal_url).open().start_login()
    VneidLoginPage(page, idp_url).expect_shown().pick_persona("Trần Minh Khoa")
    ConsentPage(page, idp_url).expect_shown().deny()

    refusal = PortalRefusal(page, portal_url).expect_shown(re.compile("từ chối"))
    expect(refusal.message).to_contain_text("chưa thể đăng nhập")
    expect(refusal.header.login_link).to_be_visible()
    expect(refusal.header.logout_button).to_have_count(0)

    page.goto(portal_url + Dashboard.PATH)
    expect(page).to_have_url(re.compile("^" + re.escape(idp_url) + "/"))
    expect(page.get_by_role("heading", name=re.compile("^Xin chào"))).to_have_count(0)


def test_level1_account_logs_in_with_notice(page: Page, click_login):
    dashboard = click_login(page, "Ngô Thị Thu")
    expect(dashboard.level1_notice).to_be_visible()
    expect(dashboard.item("Số định danh cá nhân")).to_contain_text("079199089012")


def test_level1_account_refused_for_level2_login(page: Page, portal_url, idp_url):
    page.goto(portal_url + "/dang-nhap?muc=2")
    VneidLoginPage(page, idp_url).expect_shown().login("079199089012", PASSCODE)
    ConsentPage(page, idp_url).expect_shown().allow()

    refusal = PortalRefusal(page, portal_url).expect_shown("mức 2")
    expect(refusal.message).to_contain_text("đang ở mức 1")
    expect(refusal.message).to_contain_text("nâng cấp lên mức 2")
    expect(page.get_by_role("heading", name=re.compile("^Xin chào"))).to_have_count(0)


def test_logout_ends_portal_and_provider_sessions(page: Page, portal_url, idp_url, click_login):
    dashboard = click_login(page, "Hoàng Văn Thọ")
    dashboard.header.logout()

    logged_out = PortalLoggedOut(page, portal_url).expect_shown()
    expect(logged_out.header.login_link).to_be_visible()

    page.goto(portal_url + Dashboard.PATH)
    # The provider asks for credentials again: its session ended too (not straight to consent).
    VneidLoginPage(page, idp_url).expect_shown()
    expect(page.get_by_role("button", name="Đồng ý chia sẻ")).to_have_count(0)


def test_provider_wrong_nonce_ends_on_refusal_page(page: Page, portal_url, idp_url, idp_control):
    idp_control.switch("wrong_nonce")
    PortalHome(page, portal_url).open().start_login()
    VneidLoginPage(page, idp_url).expect_shown().pick_persona("Bùi Thị Nga")
    ConsentPage(page, idp_url).expect_shown().allow()

    PortalRefusal(page, portal_url).expect_shown("Không xác thực được thông tin đăng nhập")
    expect(page.get_by_role("heading", name=re.compile("^Xin chào"))).to_have_count(0)
    page.goto(portal_url + Dashboard.PATH)
    expect(page).to_have_url(re.compile("^" + re.escape(idp_url) + "/"))
