"""Paying a fee online in the browser, through the live payment gateway (payment_mock).

The case that costs money while TT 117/2026/TT-BTC runs: chứng thực bản sao từ bản chính
(2.000815), whose phí of TT 226/2016/TT-BTC (2.000 đồng a page) the circular does not waive,
even for a VNeID level-2 account. Nga files one page in two copies (4.000 đồng), pays on the
gateway's page, gets the electronic fee receipt, and the clerk of Phường Bến Thành receives
the dossier; a cancelled payment is followed by a new attempt that pays."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.pages import DossierPage
from tests.support.e2e import (
    AWAITING_PAYMENT,
    CERTIFIED_COPY_FILING,
    HANH,
    PHONE,
    RECEIVED,
    SUBMITTED,
    WIDER_THAN_VIEWPORT,
    Filing,
    assert_no_axe_violations,
    clerk_opens,
    file_online,
    pay_online,
)
from tests.support.switches import MockControl

NGA = "Bùi Thị Nga"  # the certified copy of the existing journeys
UNPAID = Filing(
    CERTIFIED_COPY_FILING.code,
    CERTIFIED_COPY_FILING.name,
    CERTIFIED_COPY_FILING.steps,
    status=AWAITING_PAYMENT,
    pay=False,
)
AMOUNT = "4.000 đồng"  # 1 page × 2.000 đồng × 2 copies


@pytest.fixture
def gateway(live):
    """The live gateway's misbehaviour switches, off again after the test."""
    control = MockControl(live.payment_url)
    control.reset()
    yield control
    control.reset()


def _fits_a_phone(page: Page, name: str) -> None:
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    try:
        wide = page.evaluate(WIDER_THAN_VIEWPORT, PHONE["width"])
        assert not wide, f"{name} scrolls sideways at {PHONE['width']} px: {wide}"
    finally:
        if size:
            page.set_viewport_size(size)


def test_a_fee_paid_through_the_gateway_then_received(browser_of, portal_url):
    an = browser_of(NGA)
    code = file_online(an, portal_url, UNPAID)
    dossier = DossierPage(an, portal_url)
    panel = an.get_by_role("region", name="Thanh toán phí, lệ phí trực tuyến")
    expect(panel).to_contain_text(f"Hồ sơ phải nộp {AMOUNT} trước khi cơ quan tiếp nhận")
    expect(panel.get_by_role("table")).to_contain_text("Thông tư 226/2016/TT-BTC")
    assert_no_axe_violations(an, "dossier awaiting payment")
    _fits_a_phone(an, "dossier awaiting payment")

    hanh = browser_of(HANH)  # nothing to receive before it is paid
    hanh.goto(f"{portal_url}/can-bo/ho-so/{code}")
    expect(hanh.get_by_role("button", name="Tiếp nhận", exact=True)).to_have_count(0)

    pay_online(an)
    expect(an.get_by_role("heading", name="Đã thanh toán thành công")).to_be_visible()
    assert_no_axe_violations(an, "payment done")
    an.get_by_role("link", name="Xem biên lai điện tử").click()
    receipt = an.get_by_role("region", name="Nội dung biên lai")
    expect(receipt).to_contain_text(re.compile(r"BL20\d\d/79\.26743/\d{6}"))
    for text in (NGA, AMOUNT, "Phí chứng thực bản sao từ bản chính", "Thông tư 226/2016", code):
        expect(receipt).to_contain_text(text)
    expect(receipt).to_contain_text("UBND Phường Bến Thành")
    assert_no_axe_violations(an, "fee receipt")
    _fits_a_phone(an, "fee receipt")
    with an.expect_download() as pdf:
        an.get_by_role("link", name="Tải biên lai (PDF)").click()
    assert pdf.value.suggested_filename == f"bien-lai-{code}.pdf"

    dossier.open(code)
    expect(dossier.item("Trạng thái")).to_have_text(SUBMITTED)
    expect(dossier.timeline.last).to_contain_text("Đã thanh toán 4.000 đồng")

    clerk = clerk_opens(hanh, portal_url, code)
    clerk.act("Tiếp nhận")
    expect(clerk.item("Trạng thái")).to_have_text(RECEIVED)
    expect(hanh.get_by_role("link", name=re.compile("Xem biên lai điện tử số"))).to_be_visible()


def test_a_cancelled_payment_then_paying_again(browser_of, portal_url):
    an = browser_of(NGA)
    code = file_online(an, portal_url, UNPAID)
    pay_online(an, outcome="Hủy giao dịch")
    expect(an.get_by_role("heading", name="Bạn đã hủy thanh toán")).to_be_visible()
    expect(an.get_by_role("main")).to_contain_text(f"{code}-1")
    assert_no_axe_violations(an, "payment cancelled")
    dossier = DossierPage(an, portal_url).open(code)
    expect(dossier.item("Trạng thái")).to_have_text(AWAITING_PAYMENT)
    expect(an.get_by_role("region", name="Thanh toán phí, lệ phí trực tuyến")).to_contain_text(
        "Lần thanh toán 1 đã bị hủy"
    )

    pay_online(an, method="Mã QR")  # "Thanh toán lại": a new attempt
    expect(an.get_by_role("heading", name="Đã thanh toán thành công")).to_be_visible()
    expect(an.get_by_role("main")).to_contain_text(f"{code}-2")
    dossier.open(code)
    expect(dossier.item("Trạng thái")).to_have_text(SUBMITTED)


def test_gateway_down_then_no_ipn_at_all(browser_of, portal_url, gateway):
    """The gateway does not answer: a message, the dossier still waits, paying again works.
    Then it never sends its IPN: back on the portal, the status asked at once settles it."""
    nga = browser_of(NGA)
    code = file_online(nga, portal_url, UNPAID)
    gateway.switch("down")
    nga.get_by_role("button", name=f"Thanh toán trực tuyến {AMOUNT}").click()
    expect(nga.get_by_role("alert")).to_contain_text("tạm thời không kết nối được")
    dossier = DossierPage(nga, portal_url)
    expect(dossier.item("Trạng thái")).to_have_text(AWAITING_PAYMENT)
    assert_no_axe_violations(nga, "gateway down")

    gateway.switch("ipn_never")
    pay_online(nga)
    expect(nga.get_by_role("heading", name="Đã thanh toán thành công")).to_be_visible()
    calls = gateway.calls()
    assert not [c for c in calls if c["kind"] == "ipn" and c["code"]]  # never sent
    assert [c for c in calls if c["endpoint"] == "api.order_status" and c["status"] == 200]
    dossier.open(code)
    expect(dossier.item("Trạng thái")).to_have_text(SUBMITTED)
