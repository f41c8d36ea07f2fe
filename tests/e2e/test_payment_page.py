"""The payment gateway's page in Chromium: found by role and label, accessible (axe-core),
fitting a 360 px phone, its error next to the field, and its signed redirect back to the
portal allowed by the page's Content-Security-Policy (form-action)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from playwright.sync_api import Page, expect

from common.payment_signature import verify
from tests.support.e2e import PHONE, WIDER_THAN_VIEWPORT, assert_no_axe_violations
from tests.support.payment import SECRET, order_fields, sign_json

pytestmark = [pytest.mark.e2e]


def pay_url(live, order_id: str) -> str:
    fields = order_fields(live.portal_url, order_id, amount=1250000)
    resp = requests.post(f"{live.payment_url}/api/orders", json=sign_json(fields), timeout=5)
    assert resp.status_code == 201, resp.text
    return resp.json()["pay_url"]


def test_the_payment_page_on_a_phone(page: Page, live):
    page.set_viewport_size(PHONE)
    page.goto(pay_url(live, "E2E.PAY-1"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thanh toán phí, lệ phí")
    expect(page.get_by_text("1.250.000 đ")).to_be_visible()
    methods = page.get_by_role("radiogroup", name="Phương thức thanh toán")
    for label in ("Thẻ ngân hàng", "Ứng dụng ngân hàng", "Mã QR"):
        expect(methods.get_by_label(label)).to_be_visible()
    expect(page.get_by_role("img", name="Mã QR thanh toán")).to_be_visible()
    assert_no_axe_violations(page, "payment-page")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], page.evaluate(WIDER_THAN_VIEWPORT, PHONE["width"])

    page.get_by_role("button", name="Thanh toán", exact=True).click()
    expect(page.locator("#method-error")).to_have_text("Lỗi: Chọn phương thức thanh toán.")
    assert_no_axe_violations(page, "payment-page-error")

    methods.get_by_label("Mã QR").check()
    with page.expect_request(lambda r: r.url.startswith(live.portal_url)) as back:
        page.get_by_role("button", name="Thanh toán", exact=True).click()
    fields = dict(parse_qsl(urlsplit(back.value.url).query))
    assert verify(fields, SECRET)
    assert (fields["status"], fields["method"], fields["amount"]) == ("paid", "qr", "1250000")


def test_cancelling_needs_no_method(page: Page, live):
    page.goto(pay_url(live, "E2E.PAY-2"))
    with page.expect_request(lambda r: r.url.startswith(live.portal_url)) as back:
        page.get_by_role("button", name="Hủy giao dịch").click()
    fields = dict(parse_qsl(urlsplit(back.value.url).query))
    assert (fields["status"], fields["response_code"]) == ("cancelled", "24")
