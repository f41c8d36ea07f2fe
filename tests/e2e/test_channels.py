"""E-mail in a browser: Thu sets her e-mail on the contact page, reads the code the test SMTP
server (aiosmtpd) received, confirms it; when the office receives her dossier the e-mail
arrives with its code and the link, which opens the dossier page. axe-core and a 360 px
phone on the contact page.

The live portal is the session's: its SMTP settings point at this test's server for the
test only, and Thu's contact points are removed afterwards (later tests send her nothing).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import add_dossiers
from tests.support.channels import act_as_clerk, code_in, forget_contacts
from tests.support.e2e import PHONE, WIDER_THAN_VIEWPORT, assert_no_axe_violations
from tests.support.smtp import body, smtp_server

pytestmark = [pytest.mark.e2e]

THU, THU_ID = "Ngô Thị Thu", "079199089012"
MAIL = "thu.ngo@example.vn"


class ContactPage:
    """/ca-nhan/lien-he: the e-mail and phone forms, found by their labels and buttons."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", level=1)
        self.email = page.get_by_label("Địa chỉ thư điện tử", exact=True)
        self.email_code = page.get_by_label("Mã xác nhận thư điện tử")
        self.send_email_code = page.get_by_role("button", name="Gửi mã xác nhận qua thư")
        self.confirm_email = page.get_by_role("button", name="Xác nhận thư điện tử")
        self.status = page.get_by_role("status")
        self.email_section = page.get_by_role("region", name="Thư điện tử")


@pytest.fixture
def mail_server(live):
    """The test's SMTP server, given to the live portal for the test."""
    app = live.portal_app
    saved = {k: app.config[k] for k in ("SMTP_HOST", "SMTP_PORT", "SMTP_TIMEOUT")}
    with smtp_server() as server:
        app.config.update(server.settings)
        try:
            yield server
        finally:
            app.config.update(saved)
            forget_contacts(app, THU_ID)


def _fits_a_phone(page: Page) -> None:
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    wider = page.evaluate(WIDER_THAN_VIEWPORT, PHONE["width"])
    assert width <= PHONE["width"], f"contact page: {width}px wide; wider: {wider}"


def test_thu_confirms_her_email_and_is_mailed_when_her_dossier_is_received(
    browser_of, live, portal_url, mail_server
):
    thu = browser_of(THU)
    thu.get_by_role("link", name=re.compile("^Thông tin liên hệ")).click()
    contact = ContactPage(thu)
    expect(contact.heading).to_have_text("Thông tin liên hệ")
    assert_no_axe_violations(thu, "contact page")

    contact.email.fill("thu.ngo@")
    contact.send_email_code.click()
    expect(thu.get_by_text("Địa chỉ thư điện tử không hợp lệ").first).to_be_visible()
    expect(contact.email).to_have_value("thu.ngo@")
    assert mail_server.messages == []

    contact.email.fill(MAIL)
    contact.send_email_code.click()
    expect(contact.status).to_contain_text(f"Đã gửi mã xác nhận đến {MAIL}")
    (code_mail,) = mail_server.to(MAIL)
    assert code_mail["Subject"] == "Mã xác nhận thư điện tử – Cổng Dịch vụ công"
    assert_no_axe_violations(thu, "contact page, code sent")
    _fits_a_phone(thu)
    contact.email_code.fill(code_in(body(code_mail)))
    contact.confirm_email.click()
    expect(contact.status).to_contain_text("Đã xác nhận thư điện tử")
    expect(contact.email_section).to_contain_text(f"Đang dùng: {MAIL}")

    (code,) = add_dossiers(live.portal_app, {"applicant_id": THU_ID})
    act_as_clerk(live.portal_app, code, "receive")
    (news,) = [m for m in mail_server.to(MAIL) if code in m["Subject"]]
    assert news["Subject"] == f"Hồ sơ {code}: có thông báo mới – Cổng Dịch vụ công"
    text = body(news)
    assert "Trạng thái hiện tại: Đã tiếp nhận." in text and THU not in text
    link = f"{portal_url}/ho-so/{code}"
    assert f"\n{link}\n" in text
    thu.goto(link)
    expect(thu.get_by_role("heading", level=1)).to_have_text(f"Hồ sơ {code}")
