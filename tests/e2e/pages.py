"""Page objects for the two apps, as a person sees them: every locator lives here.

Elements are found by role, accessible name and label (what a screen reader announces),
never by CSS classes or layout, so a test breaks when the page stops making sense to a
person, not when the markup is restyled.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

PORTAL_LOGIN_LINK = "Đăng nhập bằng VNeID"


def _exactly(text: str) -> re.Pattern:
    """Whole (trimmed) text, for `filter(has_text=...)`."""
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


class PortalHeader:
    """The portal's masthead navigation, on every portal page."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.nav = page.get_by_role("navigation", name="Điều hướng chính")
        self.login_link = self.nav.get_by_role("link", name=PORTAL_LOGIN_LINK)
        self.dashboard_link = self.nav.get_by_role("link", name="Trang cá nhân")
        self.logout_button = self.nav.get_by_role("button", name="Đăng xuất")

    def logout(self) -> None:
        self.logout_button.click()


class PortalPage:
    """Anything the portal renders: a header and one main heading."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.header = PortalHeader(page)
        self.main = page.get_by_role("main")
        self.heading = page.get_by_role("heading", level=1)

    def goto(self, path: str):
        return self.page.goto(self.base_url + path)


class PortalHome(PortalPage):
    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        # The call to action in the page body (the header has a link with the same name).
        self.login_link = self.main.get_by_role("link", name=PORTAL_LOGIN_LINK)

    def open(self) -> PortalHome:
        self.goto("/")
        expect(self.heading).to_have_text("Thủ tục hành chính trực tuyến, một tài khoản VNeID")
        return self

    def start_login(self) -> None:
        self.login_link.click()


class Dashboard(PortalPage):
    """/ca-nhan: the greeting and the citizen's data from the population registry."""

    PATH = "/ca-nhan"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.registry = page.get_by_role(
            "region", name="Thông tin của bạn trong Cơ sở dữ liệu quốc gia về dân cư"
        )
        self.household = page.get_by_role("region", name="Hộ gia đình")
        self.household_members = self.household.get_by_role("table", name="Thành viên hộ gia đình")
        self.level1_notice = self.main.get_by_text("Tài khoản định danh điện tử mức 1.")

    def open(self) -> Dashboard:
        self.goto(self.PATH)
        return self

    def expect_loaded(self, full_name: str) -> Dashboard:
        expect(self.page).to_have_url(self.base_url + self.PATH)
        expect(self.heading).to_have_text(f"Xin chào, {full_name}")
        return self

    def item(self, label: str) -> Locator:
        """The value (a `definition`) of one registry item, found by its term."""
        term = self.registry.get_by_role("term").filter(has_text=_exactly(label))
        return term.locator("xpath=following-sibling::dd[1]")

    def household_row(self, full_name: str) -> Locator:
        return self.household_members.get_by_role("row").filter(
            has=self.page.get_by_role("cell", name=full_name, exact=True)
        )


class PortalRefusal(PortalPage):
    """The portal's "login did not succeed" page (a refused callback)."""

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.message = self.main.get_by_role("alert")
        self.retry_link = self.main.get_by_role("link", name="Thử đăng nhập lại")

    def expect_shown(self, message: str | re.Pattern) -> PortalRefusal:
        expect(self.page).to_have_url(re.compile("^" + re.escape(self.base_url) + "/"))
        expect(self.heading).to_have_text("Đăng nhập không thành công")
        expect(self.message).to_contain_text(message)
        return self


class PortalLoggedOut(PortalPage):
    def expect_shown(self) -> PortalLoggedOut:
        expect(self.page).to_have_url(self.base_url + "/da-dang-xuat")
        expect(self.heading).to_have_text("Bạn đã đăng xuất")
        return self


class VneidPage:
    """Anything the provider renders."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.main = page.get_by_role("main")
        self.heading = page.get_by_role("heading", level=1)


class VneidLoginPage(VneidPage):
    HEADING = "Đăng nhập tài khoản định danh điện tử"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.personal_id = page.get_by_label("Số định danh cá nhân")
        self.passcode = page.get_by_label("Mật mã")
        self.submit = page.get_by_role("button", name="Đăng nhập", exact=True)
        self.error_summary = self.main.get_by_role("alert")
        self.persona_picker = page.get_by_role("region", name="Tài khoản mẫu (chế độ phát triển)")

    def expect_shown(self) -> VneidLoginPage:
        expect(self.page).to_have_url(
            re.compile("^" + re.escape(self.base_url + "/dang-nhap") + r"(\?|$)")
        )
        expect(self.heading).to_have_text(self.HEADING)
        return self

    def login(self, personal_id: str, passcode: str) -> None:
        self.personal_id.fill(personal_id)
        self.passcode.fill(passcode)
        self.submit.click()

    def persona_button(self, name: str) -> Locator:
        return self.persona_picker.get_by_role("button", name=name, exact=True)

    def pick_persona(self, name: str) -> None:
        self.persona_button(name).click()


class ConsentPage(VneidPage):
    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.shared_items = self.main.get_by_role("listitem")
        self.allow_button = page.get_by_role("button", name="Đồng ý chia sẻ")
        self.deny_button = page.get_by_role("button", name="Từ chối")

    def expect_shown(self) -> ConsentPage:
        expect(self.page).to_have_url(
            re.compile("^" + re.escape(self.base_url + "/authorize") + r"\?")
        )
        expect(self.heading).to_have_text(re.compile(r"^Chia sẻ thông tin với "))
        return self

    def allow(self) -> None:
        self.allow_button.click()

    def deny(self) -> None:
        self.deny_button.click()
