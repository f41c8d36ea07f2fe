"""Accessibility of the login journey, the procedure catalogue and the filing's receiving
point step: axe-core rules, a 360 px phone screen, no JavaScript.

Each page is reached the way a person reaches it; axe runs with its default rule set
(WCAG 2.x A/AA plus best practices such as landmarks and headings). The pages of a dossier
(the group's one dossier, the receipt with the fee's steps) are checked where the flows
reach them (test_full_process, test_filing, test_authorities).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.pages import (
    ConsentPage,
    Dashboard,
    FilingStep,
    PortalHome,
    PortalPage,
    PortalRefusal,
    VneidLoginPage,
)
from tests.support.e2e import (
    CIVIL_STATUS_COPY,
    CIVIL_STATUS_COPY_NAME,
    PHONE,
    WIDER_THAN_VIEWPORT,
    assert_no_axe_violations,
    axe,
    describe_violations,
)

pytestmark = [
    pytest.mark.e2e,
]


@dataclass(frozen=True)
class Urls:
    portal: str
    idp: str


def _portal_home(page: Page, urls: Urls) -> None:
    PortalHome(page, urls.portal).open()


def _vneid_login(page: Page, urls: Urls) -> None:
    page.goto(urls.portal + "/dang-nhap")
    login = VneidLoginPage(page, urls.idp).expect_shown()
    expect(login.persona_button("Nguyễn Văn An")).to_be_visible()


def _vneid_login_errors(page: Page, urls: Urls) -> None:
    _vneid_login(page, urls)
    login = VneidLoginPage(page, urls.idp)
    login.login("07909500123", "12")
    login.expect_shown()
    expect(login.error_summary).to_be_visible()
    expect(login.personal_id).to_have_attribute("aria-invalid", "true")
    expect(login.passcode).to_have_attribute("aria-invalid", "true")


def _vneid_consent(page: Page, urls: Urls) -> None:
    _vneid_login(page, urls)
    VneidLoginPage(page, urls.idp).pick_persona("Phạm Quốc Bảo")
    ConsentPage(page, urls.idp).expect_shown()


def _portal_dashboard(page: Page, urls: Urls) -> None:
    _vneid_consent(page, urls)
    ConsentPage(page, urls.idp).allow()
    dashboard = Dashboard(page, urls.portal).expect_loaded("Phạm Quốc Bảo")
    expect(dashboard.household_members).to_be_visible()


def _portal_refusal(page: Page, urls: Urls) -> None:
    # A stale callback (e.g. reached with the Back button) is refused with an explanation
    # (signed out: a signed-in citizen is sent back to the dashboard instead).
    page.goto(urls.portal + "/auth/callback?code=da-dung-roi&state=khong-khop")
    PortalRefusal(page, urls.portal).expect_shown("đã hết hạn")


def _portal_404(page: Page, urls: Urls) -> None:
    response = page.goto(urls.portal + "/trang-khong-ton-tai")
    assert response is not None and response.status == 404
    expect(PortalPage(page, urls.portal).heading).to_have_text("Không tìm thấy trang")


def _portal_tracking_errors(page: Page, urls: Urls) -> None:
    # The public tracking form sent empty: a message next to each field.
    page.goto(urls.portal + "/tra-cuu-ho-so?ma=&bon_so_cuoi=")
    expect(PortalPage(page, urls.portal).heading).to_have_text("Tra cứu hồ sơ")
    expect(page.get_by_role("main").get_by_label("Mã hồ sơ")).to_have_attribute(
        "aria-invalid", "true"
    )


def _portal_stats(page: Page, urls: Urls) -> None:
    # Public statistics with the national service index's tables (their own scroll region).
    page.goto(urls.portal + "/thong-ke")
    expect(PortalPage(page, urls.portal).heading).to_have_text(
        "Thống kê tình hình giải quyết hồ sơ"
    )
    expect(
        page.get_by_role("heading", name="Bộ chỉ số phục vụ người dân, doanh nghiệp")
    ).to_be_visible()


def _portal_life_event(page: Page, urls: Urls) -> None:
    # Followed from the home page's life events.
    PortalHome(page, urls.portal).open()
    page.get_by_role("link", name="Người thân qua đời").click()
    expect(PortalPage(page, urls.portal).heading).to_have_text("Người thân qua đời")


PAGES: dict[str, Callable[[Page, Urls], None]] = {
    "portal-home": _portal_home,
    "portal-life-event": _portal_life_event,
    "vneid-login": _vneid_login,
    "vneid-login-errors": _vneid_login_errors,
    "vneid-consent": _vneid_consent,
    "portal-dashboard": _portal_dashboard,
    "portal-refusal": _portal_refusal,
    "portal-404": _portal_404,
    "portal-tracking-errors": _portal_tracking_errors,
    "portal-stats": _portal_stats,
}


@pytest.fixture
def urls(portal_url, idp_url) -> Urls:
    return Urls(portal_url, idp_url)


@pytest.mark.parametrize("name", PAGES)
def test_no_axe_violations(page: Page, urls: Urls, name: str):
    PAGES[name](page, urls)
    assert_no_axe_violations(page, name)


def test_no_horizontal_scroll_on_a_360px_phone(page: Page, urls: Urls):
    """The whole journey on a small phone: every page fits the screen's width."""
    page.set_viewport_size(PHONE)
    too_wide, checked = {}, []

    def check(name: str) -> None:
        checked.append(name)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[name] = (width, page.evaluate(WIDER_THAN_VIEWPORT, PHONE["width"]))

    for name in (
        "portal-home",
        "portal-life-event",
        "portal-refusal",
        "portal-tracking-errors",
        "portal-stats",
        "vneid-login",
        "vneid-login-errors",
    ):
        PAGES[name](page, urls)
        check(name)
    VneidLoginPage(page, urls.idp).pick_persona("Phạm Quốc Bảo")  # from the errors page
    consent = ConsentPage(page, urls.idp).expect_shown()
    check("vneid-consent")
    consent.allow()
    Dashboard(page, urls.portal).expect_loaded("Phạm Quốc Bảo")
    check("portal-dashboard")
    PAGES["portal-404"](page, urls)
    check("portal-404")

    assert sorted(checked) == sorted(PAGES), "every page of the journey is checked"
    if too_wide:
        lines = [f"{name}: {w}px wide; wider: {els}" for name, (w, els) in too_wide.items()]
        pytest.fail(f"horizontal scroll at {PHONE['width']}px:\n" + "\n".join(lines), pytrace=False)


def test_login_works_without_javascript(new_context, click_login):
    page = new_context(java_script_enabled=False).new_page()
    dashboard = click_login(page, "Nguyễn Văn An")
    expect(dashboard.item("Số định danh cá nhân")).to_contain_text("079095001234")
    expect(dashboard.header.logout_button).to_be_visible()


def test_every_procedure_page_has_no_axe_violations_and_fits_a_phone(page: Page, urls: Urls, live):
    """The catalogue and the page of every procedure in it (the bodies, the routing, the fee
    sentences of 2026), each followed from the catalogue's list, on a 360 px phone."""
    page.set_viewport_size(PHONE)
    reports: dict[str, str] = {}

    def check(name: str) -> None:
        violations = axe.run(page).response["violations"]
        if violations:
            reports[name] = f"{page.url}\n{describe_violations(violations)}"
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wider = page.evaluate(WIDER_THAN_VIEWPORT, PHONE["width"])
            reports[f"{name} (phone)"] = f"{page.url}: {width}px wide; wider: {wider}"

    catalogue = PortalPage(page, urls.portal)
    catalogue.goto("/thu-tuc")
    expect(catalogue.heading).to_have_text("Thủ tục hành chính")
    check("catalogue")
    links = catalogue.main.get_by_role("heading", level=2).get_by_role("link")
    expected = len(live.portal_app.extensions["catalogue"].procedures)
    expect(links).to_have_count(expected)
    pages = {link.inner_text(): link.get_attribute("href") for link in links.all()}
    assert len(pages) == expected >= 25, sorted(pages)
    for name, href in pages.items():
        catalogue.goto(href or "")
        expect(catalogue.heading).to_have_text(name)
        check(name)

    if reports:
        text = "\n\n".join(f"{name}: {report}" for name, report in reports.items())
        print(text)
        pytest.fail(text, pytrace=False)


def test_the_receiving_point_step_has_no_axe_violations(page: Page, persona_login, portal_url):
    """The 'noi-nop' step: the competent body the citizen may choose (a copy of an extract:
    any commune of the province) and the receiving point (the body's own desk or a one-stop
    centre of the province), with an error, then chosen; also on a 360 px phone."""
    persona_login(page, "Nguyễn Ngọc Diệp")
    step = FilingStep(page, portal_url).open(CIVIL_STATUS_COPY)
    step.goto(f"/nop-ho-so/{CIVIL_STATUS_COPY}/noi-nop")
    step.expect_shown(CIVIL_STATUS_COPY_NAME, 3, 4)
    expect(step.office_choice).to_be_visible()
    expect(step.receiving_choice).to_have_accessible_description(
        re.compile("không phụ thuộc địa giới hành chính")
    )
    assert_no_axe_violations(page, "filing, where to file")
    step.receiving_choice.select_option(label="Phường Bến Thành")
    step.next()  # on to the summary (the request itself left for later)
    assert_no_axe_violations(page, "filing, after choosing where to file")
    page.set_viewport_size(PHONE)
    step.goto(f"/nop-ho-so/{CIVIL_STATUS_COPY}/noi-nop")
    expect(step.receiving_choice.get_by_role("option", selected=True)).to_have_text(
        "Phường Bến Thành"
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], page.evaluate(WIDER_THAN_VIEWPORT, PHONE["width"])
