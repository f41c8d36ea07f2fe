"""Page objects for the two apps, as a person sees them: every locator lives here.

Elements are found by role, accessible name and label (what a screen reader announces),
never by CSS classes or layout, so a test breaks when the page stops making sense to a
person, not when the markup is restyled.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Self
from urllib.parse import urljoin

from playwright.sync_api import APIResponse, Download, Locator, Page, expect

from portal.services import workflow

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
        self.birth_notices = page.get_by_role(
            "region", name="Giấy chứng sinh chưa đăng ký khai sinh"
        )
        self.my_dossiers = MyDossiers(page)

    def open(self) -> Dashboard:
        self.goto(self.PATH)
        return self

    def expect_loaded(self, full_name: str) -> Dashboard:
        url = re.escape(self.base_url + self.PATH)
        expect(self.page).to_have_url(re.compile(f"^{url}(#[^/]*)?$"))  # or one of its parts
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


# --- filing ------------------------------------------------------------------------------


def _definition(container: Locator, label: str) -> Locator:
    """The value (a `definition`) that follows the `term` reading `label` in `container`."""
    term = container.get_by_role("term").filter(has_text=_exactly(label))
    return term.locator("xpath=following-sibling::dd[1]")


REGISTRY_SOURCE = re.compile("Lấy từ CSDLQG về dân cư")


class FilingStep(PortalPage):
    """/nop-ho-so/<code>/<step>: one page of the online form.

    Values from the population registry are shown read-only (described as coming from
    CSDLQG về dân cư); only the other fields take typing.
    """

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.progress = self.main.get_by_text(re.compile(r"^\s*Nộp hồ sơ trực tuyến · Bước "))
        self.error_summary = self.main.get_by_role("alert")
        self.continue_button = self.main.get_by_role("button", name="Tiếp tục")
        # The "noi-nop" step: the competent body where the law leaves a choice, and the
        # receiving point (services/routing.py).
        self.office_choice = self.main.get_by_label("Cơ quan giải quyết", exact=True)
        self.receiving_choice = self.main.get_by_label("Nơi tiếp nhận hồ sơ", exact=True)

    def open(self, code: str) -> FilingStep:
        """Start (or resume) filing procedure `code`: the first step of the draft."""
        self.goto(f"/nop-ho-so/{code}")
        return self

    def expect_shown(self, procedure: str, number: int, total: int) -> FilingStep:
        expect(self.page).to_have_url(
            re.compile("^" + re.escape(self.base_url) + r"/nop-ho-so/[^/]+/[^/?#]+$")
        )
        expect(self.heading).to_have_text(procedure)
        expect(self.progress).to_have_text(f"Nộp hồ sơ trực tuyến · Bước {number}/{total}")
        return self

    def field(self, label: str) -> Locator:
        return self.main.get_by_label(label, exact=True)

    def expect_locked(self, label: str, value: str) -> FilingStep:
        """A registry value: shown, said to come from the registry, not editable."""
        field = self.field(label)
        expect(field, f"{label} should read {value!r}").to_have_value(value)
        expect(field, f"{label} should be read-only").not_to_be_editable()
        expect(field).to_have_accessible_description(REGISTRY_SOURCE)
        return self

    def editable_fields(self) -> list[Locator]:
        """Every form control on this page that a person can type into or choose in."""
        controls = (
            self.main.get_by_role("textbox")
            .or_(self.main.get_by_role("combobox"))
            .or_(self.main.get_by_role("checkbox"))
            .or_(self.main.get_by_role("spinbutton"))
        )
        return [c for c in controls.all() if c.is_editable()]

    def next(self) -> None:
        self.continue_button.click()


class FilingSummary(PortalPage):
    """/nop-ho-so/<code>/xem-lai: every value, the office, due date and fee, then submit."""

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.progress = self.main.get_by_text(re.compile(r"^\s*Nộp hồ sơ trực tuyến · Bước "))
        self.problems = self.main.get_by_role("alert")
        self.details = page.get_by_role("region", name="Thông tin trong hồ sơ")
        self.handling = page.get_by_role("region", name="Nơi giải quyết, thời hạn và lệ phí")
        self.not_needed = page.get_by_role("region", name="Giấy tờ bạn không phải nộp")
        self.reused = page.get_by_role("region", name="Tái sử dụng từ kho dữ liệu cá nhân")
        self.submit_button = self.main.get_by_role("button", name="Nộp hồ sơ")

    def expect_shown(self, procedure: str) -> FilingSummary:
        expect(self.page).to_have_url(
            re.compile("^" + re.escape(self.base_url) + r"/nop-ho-so/[^/]+/xem-lai$")
        )
        expect(self.heading).to_have_text(f"Xem lại hồ sơ: {procedure}")
        return self

    def item(self, label: str) -> Locator:
        """A value of the dossier ("Thông tin trong hồ sơ")."""
        return _definition(self.details, label)

    def handling_item(self, label: str) -> Locator:
        """Office, due date or fee ("Nơi giải quyết, thời hạn và lệ phí")."""
        return _definition(self.handling, label)

    def edit_link(self, label: str) -> Locator:
        return self.details.get_by_role("link", name=f"Sửa {label}", exact=True)

    def submit(self) -> None:
        self.submit_button.click()


class FilingLevelRefusal(PortalPage):
    """What a level-1 account sees when it opens a procedure that needs level 2."""

    HEADING = "Thủ tục này cần tài khoản định danh điện tử mức 2"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.procedure_link = self.main.get_by_role("link", name="Xem thông tin thủ tục")

    def expect_shown(self) -> FilingLevelRefusal:
        expect(self.heading).to_have_text(self.HEADING)
        return self


class DossierPage(PortalPage):
    """/ho-so/<code>: the receipt (code, status, office, due date, fee) and the timeline."""

    RECEIPT = re.compile(
        "^(Xác nhận đã nộp hồ sơ trực tuyến|Giấy tiếp nhận hồ sơ và hẹn trả kết quả)$"
    )

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        # the submission acknowledgement, which becomes the receipt (Mẫu 01) at reception
        self.receipt = page.get_by_role("region", name=self.RECEIPT)
        self.timeline = page.get_by_role("region", name="Tiến trình xử lý").get_by_role("listitem")
        self.withdraw_button = self.main.get_by_role("link", name="Rút hồ sơ")
        self.notice = self.main.get_by_role("alert")

    def expect_shown(self) -> str:
        """Check this is a dossier page and return the dossier's code (from the URL)."""
        prefix = re.escape(self.base_url + "/ho-so/")
        expect(self.page).to_have_url(re.compile("^" + prefix + r"[^/?#]+$"))
        code = self.page.url.rsplit("/", 1)[1]
        expect(self.heading).to_have_text(f"Hồ sơ {code}")
        expect(self.item("Mã hồ sơ")).to_have_text(code)
        return code

    def open(self, code: str) -> Self:
        self.goto(f"/ho-so/{code}")
        return self

    def item(self, label: str) -> Locator:
        return _definition(self.receipt, label)

    def withdraw(self) -> None:
        """Ask to withdraw, then confirm on the page that says it cannot be undone."""
        self.withdraw_button.click()
        expect(self.heading).to_have_text(re.compile(r"^Rút hồ sơ .+\?$"))
        self.main.get_by_role("button", name="Xác nhận rút hồ sơ").click()


class ReceiptPage(PortalPage):
    """/ho-so/<code>/phieu-tiep-nhan: the receipt (Mẫu 01, or the Công an's CT04) given at
    reception, with each step of the fee's computation."""

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.fee_steps = self.main.get_by_role(
            "table", name="Các bước tính phí, lệ phí của hồ sơ và căn cứ của từng bước"
        )

    def open(self, code: str) -> Self:
        self.goto(f"/ho-so/{code}/phieu-tiep-nhan")
        expect(self.heading).to_have_text("Phiếu tiếp nhận hồ sơ và hẹn trả kết quả")
        return self

    def fee_step(self, label: str) -> Locator:
        """The amount and legal basis (two cells) of the step reading `label`."""
        header = self.page.get_by_role("rowheader", name=label, exact=True)
        return self.fee_steps.get_by_role("row").filter(has=header).get_by_role("cell")


class MyDossiers:
    """The "Hồ sơ của tôi" part of the dashboard: filed dossiers and drafts."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.region = page.get_by_role("region", name="Hồ sơ của tôi")
        self.table = self.region.get_by_role("table", name="Hồ sơ của tôi")
        self.rows = self.table.get_by_role("row")

    def row(self, code: str) -> Locator:
        """The row of a filed dossier, found by its code (a link to the dossier page)."""
        return self.rows.filter(has=self.page.get_by_role("link", name=code, exact=True))

    def part(self, code: str) -> Locator:
        """What the citizen is in dossier `code` ("Bạn là": filer, party to confirm, …)."""
        return self.row(code).get_by_role("cell").nth(2)

    def confirm_link(self, code: str) -> Locator:
        """The link a party awaited on dossier `code` follows to confirm it."""
        return self.row(code).get_by_role("link", name=f"Xác nhận hồ sơ {code}")

    def draft_row(self, procedure: str) -> Locator:
        """The row of the draft of `procedure` (its link reads "Tiếp tục hồ sơ nháp")."""
        return self.rows.filter(
            has=self.page.get_by_role("cell", name=procedure, exact=True)
        ).filter(has=self.page.get_by_role("link", name="Tiếp tục hồ sơ nháp"))


def enter(field: Locator, value: str | dict) -> None:
    """Type, choose or attach `value` as the form control asks (a file is a Playwright
    file payload: name, mimeType, buffer)."""
    kind = field.evaluate("e => e.tagName === 'SELECT' ? 'select' : e.type")
    if kind == "select":
        field.select_option(label=value)
    elif kind == "file":
        field.set_input_files(value)
    else:
        field.fill(value)


def download(page: Page, link: Locator) -> Download:
    """Click a link that downloads a file; the download."""
    with page.expect_download() as started:
        link.click()
    return started.value


def fetch(page: Page, link: Locator) -> APIResponse:
    """Follow a link with the browser's cookies and return the response: for a file the
    browser shows inline (a PDF), which raises no download event."""
    href = link.get_attribute("href")
    assert href, "the link has no address"
    return page.request.get(urljoin(page.url, href))


def letter_link(timeline: Locator, number: str) -> Locator:
    """The link to the letter (Mẫu 02, 03 or 04) a step of the timeline produced."""
    return timeline.get_by_role("link", name=re.compile(rf"^Tải Mẫu {number} \(PDF\)"))


# --- after filing: the citizen follows the dossier ------------------------------------------


class Notifications:
    """The "Thông báo" part of the dashboard: one notice per step the office takes."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.region = page.get_by_role("region", name=re.compile(r"^\s*Thông báo"))
        self.items = self.region.get_by_role("listitem")

    def about(self, code: str) -> Locator:
        """The notices about dossier `code` (each links to it), unread and newest first."""
        link = self.page.get_by_role("link", name=f"Xem hồ sơ {code}", exact=True)
        return self.items.filter(has=link)


class CitizenDossier(DossierPage):
    """/ho-so/<code> once the office acts: its request for more, the results, the rating.

    A dossier of a linked group (liên thông) has several result documents, each signed by
    the body that decided its part: each has its title as a heading, its facts and its own
    download link; the dossier's own comes first.
    """

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.confirmation = self.main.get_by_role("status")
        self.supplement = page.get_by_role("region", name="Cơ quan yêu cầu bổ sung hồ sơ")
        self.result = page.get_by_role("region", name="Kết quả giải quyết")
        self.result_titles = self.result.get_by_role("heading", level=3)
        self.result_downloads = self.result.get_by_role("link", name="Tải văn bản kết quả (PDF)")
        self.verification_links = self.result_items("Tra cứu tính hợp lệ").get_by_role("link")
        self.rating = page.get_by_role("region", name="Đánh giá mức độ hài lòng")
        self.parties = page.get_by_role("region", name="Các bên liên quan")
        self.draft = page.get_by_role("region", name="Dự thảo kết quả chờ xác nhận")
        self.appointment = page.get_by_role("region", name="Lịch hẹn có mặt tại cơ quan")
        self.supplement_files = page.get_by_role("region", name="Tệp đã gửi khi bổ sung hồ sơ")
        # a linked group (liên thông): the parts each body decides, one row per part
        self.group = page.get_by_role("region", name="Hồ sơ liên thông")

    def group_row(self, body: str) -> Locator:
        """The row of the group's part that `body` decides."""
        return self.group.get_by_role("row").filter(
            has=self.page.get_by_role("cell", name=body, exact=True)
        )

    def part_code(self, body: str) -> str:
        """The code of the part `body` decides (its "Mã hồ sơ" cell)."""
        cell = self.group_row(body).get_by_role("cell").nth(2)
        expect(cell).to_have_text(re.compile(r"^\s*\S+-\d{6}-\d{4}"))
        return cell.inner_text().split()[0]

    def confirm_parties(self) -> None:
        """As a required party: confirm the dossier another person filed naming you."""
        self.parties.get_by_role("button", name="Xác nhận", exact=True).click()

    def confirm_draft(self) -> None:
        self.draft.get_by_role("button", name="Xác nhận dự thảo đúng").click()

    def appointment_item(self, label: str) -> Locator:
        return _definition(self.appointment, label)

    def move_appointment(self, day: date, hour: str) -> None:
        """Ask once for another time (same place): a date and hh:mm."""
        self.appointment.get_by_label("Ngày hẹn mới").fill(day.isoformat())
        self.appointment.get_by_label("Giờ hẹn mới").fill(hour)
        self.appointment.get_by_role("button", name="Đổi lịch hẹn").click()

    def rejection_letter(self) -> Locator:
        """The link to the letter that says why the office rejected the dossier."""
        return self.timeline.get_by_role(
            "link", name=re.compile(r"^Tải thông báo từ chối giải quyết hồ sơ \(PDF\)")
        )

    def result_items(self, label: str) -> Locator:
        """The value of `label` for every result document, in the page's order."""
        return _definition(self.result, label)

    def answer_supplement(self, text: str, *files: dict) -> None:
        """Answer the office's request: text, files (Playwright file payloads) or both."""
        self.supplement.get_by_label("Nội dung bổ sung").fill(text)
        if files:
            self.supplement.get_by_label("Tệp đính kèm (không bắt buộc)").set_input_files(
                list(files)
            )
        self.supplement.get_by_role("button", name="Nộp bổ sung").click()

    def download_result(self, index: int = 0) -> Download:
        """Download the `index`th result document (0: the dossier's own)."""
        return download(self.page, self.result_downloads.nth(index))

    def letter(self, number: str) -> Locator:
        return letter_link(self.timeline, number)

    def rate(self, choices: Sequence[int] = (), comment: str = "") -> None:
        """Answer every criterion (a radio group named by its legend): the i-th with its
        choices[i]-th answer, the others with their first (the best), and send."""
        groups = self.rating.get_by_role("group")
        for i in range(groups.count()):
            choice = choices[i] if i < len(choices) else 0
            groups.nth(i).get_by_role("radio").nth(choice).check()
        if comment:
            self.rating.get_by_label("Ý kiến góp ý (không bắt buộc)").fill(comment)
        self.rating.get_by_role("button", name="Gửi đánh giá").click()


class DataStorePage(PortalPage):
    """/ca-nhan/kho-du-lieu: the result documents issued to the citizen."""

    PATH = "/ca-nhan/kho-du-lieu"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.table = self.main.get_by_role("table", name="Văn bản kết quả của bạn")

    def open(self) -> DataStorePage:
        self.goto(self.PATH)
        expect(self.heading).to_have_text("Kho dữ liệu cá nhân")
        return self

    def rows_of(self, code: str) -> Locator:
        """The documents issued on dossier `code` (each row links to the dossier)."""
        link = self.page.get_by_role("link", name=code, exact=True)
        return self.table.get_by_role("row").filter(has=link)


class VerificationPage(PortalPage):
    """/tra-cuu-ket-qua/<code>: anyone checks that a result document is genuine."""

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.confirmation = self.main.get_by_role("status")
        self.warning = self.main.get_by_role("alert")
        self.details = page.get_by_role("region", name="Thông tin văn bản")
        self.content = page.get_by_role("region", name="Nội dung văn bản")

    def open(self, code: str):
        """Open the page of `code`; the response (a 404 for an unknown code)."""
        return self.goto(f"/tra-cuu-ket-qua/{code}")

    def item(self, label: str) -> Locator:
        return _definition(self.details, label)


# --- the back office (/can-bo) ----------------------------------------------------------------

# button -> (label of its note field, or None; the start of the confirmation once done),
# from the workflow's one declaration of each action
CLERK_ACTIONS = {
    a.button: (a.note_label, a.done.split(" {code}")[0]) for a in workflow.ACTIONS.values()
}
# Approving a procedure that writes to the population registry (liên thông) says so: the
# result is signed once the registry has it.
APPROVE_AND_WRITE = "Phê duyệt, ghi vào CSDLQG về dân cư rồi ký kết quả"
CLERK_ACTIONS[APPROVE_AND_WRITE] = (None, "Đã phê duyệt hồ sơ")
# Approving first shows the result unsigned ("DỰ THẢO — chưa ký"); its button approves.
APPROVE_CONFIRM = {
    workflow.ACTIONS["approve"].button: "Xác nhận phê duyệt và ký số",
    APPROVE_AND_WRITE: "Xác nhận phê duyệt, ghi vào CSDLQG về dân cư",
}


class ClerkQueue(PortalPage):
    """/can-bo: the office's dossiers, one tab per group ("Chờ tiếp nhận (2)", …)."""

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.tabs = page.get_by_role("navigation", name="Nhóm hồ sơ")
        self.table = self.main.get_by_role("table")

    def open(self) -> ClerkQueue:
        """From any page, through the "Xử lý hồ sơ" link staff have in the header."""
        if not self.page.url.startswith(self.base_url):
            self.goto("/")
        nav = self.page.get_by_role("navigation", name="Điều hướng chính")
        nav.get_by_role("link", name="Xử lý hồ sơ").click()
        expect(self.heading).to_have_text(re.compile(r"^Hồ sơ của "))
        return self

    def tab(self, label: str) -> Locator:
        return self.tabs.get_by_role("link", name=re.compile(rf"^{re.escape(label)} \(\d+\)$"))

    def show(self, label: str) -> ClerkQueue:
        self.tab(label).click()
        expect(self.tab(label)).to_have_attribute("aria-current", "page")
        return self

    def row(self, code: str) -> Locator:
        link = self.page.get_by_role("link", name=code, exact=True)
        return self.table.get_by_role("row").filter(has=link)

    def open_dossier(self, code: str) -> ClerkDossier:
        self.row(code).get_by_role("link", name=code, exact=True).click()
        return ClerkDossier(self.page, self.base_url).expect_shown(code)


class ClerkDossier(PortalPage):
    """/can-bo/ho-so/<code>: the dossier as staff see it, with one form per allowed action
    (each form is named by its button)."""

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.confirmation = self.main.get_by_role("status")
        self.error = self.main.get_by_role("alert")
        self.summary = page.get_by_role("region", name="Thông tin chung")
        self.applicant = page.get_by_role("region", name="Thông tin người yêu cầu")
        self.attachments = page.get_by_role("region", name="Tệp đính kèm")
        self.results = page.get_by_role("region", name="Kết quả giải quyết")
        self.timeline = page.get_by_role("region", name="Tiến trình xử lý").get_by_role("listitem")
        self.actions = page.get_by_role("region", name="Xử lý hồ sơ")
        self.registry = page.get_by_role("region", name="Liên thông CSDLQG về dân cư")
        self.draft = page.get_by_role("region", name="Xác nhận dự thảo kết quả")
        self.in_person = page.get_by_role("region", name="Có mặt tại cơ quan")

    def open(self, code: str) -> ClerkDossier:
        """Straight to the dossier's page (as from a link in a notice)."""
        self.goto(f"/can-bo/ho-so/{code}")
        return self.expect_shown(code)

    def expect_shown(self, code: str) -> ClerkDossier:
        expect(self.page).to_have_url(self.base_url + f"/can-bo/ho-so/{code}")
        expect(self.heading).to_have_text(f"Hồ sơ {code}")
        return self

    def item(self, label: str) -> Locator:
        return _definition(self.summary, label)

    def action(self, button: str) -> Locator:
        return self.actions.get_by_role("form", name=button, exact=True)

    def submit(self, button: str, note: str = "", new_due: date | None = None) -> None:
        """Fill the action's form (its note, a new appointment date) and press its button."""
        note_label, _ = CLERK_ACTIONS[button]
        form = self.action(button)
        if new_due is not None:
            form.get_by_label("Ngày hẹn trả mới").fill(new_due.isoformat())
        if note_label:
            form.get_by_label(note_label).fill(note)
        form.get_by_role("button", name=button, exact=True).click()
        if button in APPROVE_CONFIRM:  # the preview of the result, then the approval
            expect(self.main.get_by_text("DỰ THẢO — chưa ký").first).to_be_visible()
            self.main.get_by_role("button", name=APPROVE_CONFIRM[button], exact=True).click()

    def letter(self, number: str) -> Locator:
        return letter_link(self.timeline, number)

    def schedule(self, day: date, hour: str) -> ClerkDossier:
        """Give the parties an appointment (date, hh:mm) at the place the form proposes."""
        form = self.action("Hẹn lịch có mặt")
        form.get_by_label("Ngày hẹn").fill(day.isoformat())
        form.get_by_label("Giờ hẹn").fill(hour)
        expect(form.get_by_label("Nơi có mặt")).not_to_have_value("")
        form.get_by_role("button", name="Hẹn lịch có mặt").click()
        expect(self.confirmation).to_contain_text(CLERK_ACTIONS["Hẹn lịch có mặt"][1])
        return self

    def act(self, button: str, note: str = "", new_due: date | None = None) -> ClerkDossier:
        """Submit the action and wait for the office's confirmation that it is done."""
        self.submit(button, note, new_due)
        expect(self.confirmation).to_contain_text(CLERK_ACTIONS[button][1])
        return self


class TrackingPage(PortalPage):
    """/tra-cuu-ho-so: anyone tracks a dossier by its code and the last four digits of the
    applicant's personal ID; reached from the footer of every portal page."""

    FACTOR = "4 số cuối số định danh cá nhân của người nộp"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.footer_link = page.get_by_role("navigation", name="Tra cứu và thông tin").get_by_role(
            "link", name="Tra cứu hồ sơ"
        )
        self.code = self.main.get_by_label("Mã hồ sơ")
        self.factor = self.main.get_by_label(self.FACTOR)
        self.search_button = self.main.get_by_role("button", name="Tra cứu")
        self.not_found = self.main.get_by_role("alert")
        self.dossier = self.main.get_by_role("region", name=re.compile(r"^Hồ sơ "))
        self.timeline = self.main.get_by_role("region", name="Tiến trình xử lý").get_by_role(
            "listitem"
        )

    def open(self) -> Self:
        self.goto("/tra-cuu-ho-so")
        expect(self.heading).to_have_text("Tra cứu hồ sơ")
        return self

    def track(self, code: str, digits: str) -> Self:
        self.code.fill(code)
        self.factor.fill(digits)
        self.search_button.click()
        return self

    def item(self, label: str) -> Locator:
        return _definition(self.dossier, label)
