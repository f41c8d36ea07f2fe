"""The payment page: what it shows, its form (CSRF), the three outcomes, the signed
return to the merchant, and pages for unknown or settled orders."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from common.payment_signature import verify
from tests.support.filing import csrf_token
from tests.support.html import check_page, page_text
from tests.support.payment import SECRET

ORDER = "G01.123.456-1"


def returned(resp) -> dict[str, str]:
    """The signed fields of the redirect to the merchant's return URL."""
    assert resp.status_code == 303
    return dict(parse_qsl(urlsplit(resp.headers["Location"]).query))


def test_the_page_shows_the_order_in_vietnamese(gateway):
    resp = gateway.client.get(gateway.pay_path(ORDER))
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    check_page(html)
    text = page_text(html)
    assert "200.000 đ" in text
    assert "Lệ phí đăng ký kết hôn, hồ sơ G01.123.456" in text
    assert "CONGDVC" in text
    assert 'role="radiogroup"' in html and "Phương thức thanh toán" in text
    for label in ("Thẻ ngân hàng", "Ứng dụng ngân hàng", "Mã QR"):
        assert label in text
    for button in ("Thanh toán", "Giả lập giao dịch thất bại", "Hủy giao dịch"):
        assert f">{button}</button>" in html
    assert '<svg role="img" aria-label="Mã QR thanh toán"' in html
    assert csrf_token(html)
    assert "form-action 'self' " + gateway.merchant_url in resp.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("outcome", "method", "code"),
    [
        ("paid", "card", "00"),
        ("paid", "qr", "00"),
        ("failed", "app", "51"),
        ("cancelled", None, "24"),
    ],
)
def test_each_outcome_returns_signed_to_the_merchant(gateway, merchant, outcome, method, code):
    resp = gateway.submit(gateway.pay_path(ORDER), outcome, method)
    assert resp.headers["Location"].startswith(f"{merchant.url}/thanh-toan/ket-qua?")
    fields = returned(resp)
    assert verify(fields, SECRET)
    assert fields["status"] == outcome and fields["response_code"] == code
    assert fields["order_id"] == ORDER and fields["amount"] == "200000"
    assert fields["currency"] == "VND" and len(fields["paid_at"]) == 14
    assert fields.get("method") == method
    assert ("transaction_no" in fields) == (outcome != "cancelled")
    ipn = merchant.wait_for(1)[0]  # sent before the browser is sent back
    assert ipn == fields
    assert gateway.status(ORDER).get_json()["status"] == outcome


def test_paying_without_a_method_says_so_next_to_the_field(gateway, merchant):
    path = gateway.pay_path(ORDER)
    resp = gateway.submit(path, "paid", None)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    check_page(html)
    assert 'class="field__error" id="method-error"' in html
    assert "Chọn phương thức thanh toán." in html
    assert gateway.status(ORDER).get_json()["status"] == "pending"
    assert merchant.received == []


def test_the_form_needs_its_csrf_token(gateway):
    path = gateway.pay_path(ORDER)
    for form in ({"outcome": "paid", "method": "card"}, {"csrf_token": "gia", "outcome": "paid"}):
        resp = gateway.client.post(path, data=form)
        assert resp.status_code == 400
        assert "Phiên làm việc đã hết hạn" in resp.get_data(as_text=True)
    assert gateway.status(ORDER).get_json()["status"] == "pending"


@pytest.mark.parametrize("outcome", ["", "refunded", "pending", "x" * 1000])
def test_unknown_outcomes_are_400(gateway, outcome):
    resp = gateway.submit(gateway.pay_path(ORDER), outcome, "card")
    assert resp.status_code == 400
    assert gateway.status(ORDER).get_json()["status"] == "pending"


def test_an_unknown_method_is_no_method(gateway):
    resp = gateway.submit(gateway.pay_path(ORDER), "paid", "tien-mat")
    assert resp.status_code == 400


def test_a_settled_order_is_not_paid_twice(gateway, merchant):
    path = gateway.pay_path(ORDER)
    form = csrf_token(gateway.client.get(path).get_data(as_text=True))
    first = returned(gateway.submit(path, "paid", "card", csrf=form))
    page = gateway.client.get(path)
    text = page_text(page.get_data(as_text=True))
    assert "Giao dịch đã được thanh toán" in text and first["transaction_no"] in text
    again = gateway.submit(path, "failed", "card", csrf=form)  # a second tab, a replayed form
    assert returned(again) == first
    merchant.wait_for(1)
    assert len(merchant.received) == 1  # one IPN only


@pytest.mark.parametrize("token", ["khong-co", "x" * 500, "%00", "ạ"])
def test_unknown_pages_are_a_vietnamese_404(payment_client, token):
    resp = payment_client.get(f"/thanh-toan/{token}")
    assert resp.status_code == 404
    html = resp.get_data(as_text=True)
    check_page(html)
    assert "Không tìm thấy trang" in html
    assert payment_client.post(f"/thanh-toan/{token}", data={}).status_code in (400, 404)


def test_a_return_url_with_a_query_keeps_it(gateway, merchant):
    resp = gateway.create(ORDER, return_url=f"{merchant.url}/ket-qua?lang=vi")
    path = "/" + resp.get_json()["pay_url"].split("/", 3)[3]
    resp = gateway.submit(path, "paid", "card")
    assert resp.headers["Location"].startswith(f"{merchant.url}/ket-qua?lang=vi&")
    fields = returned(resp)
    assert not verify(fields, SECRET)  # lang is the merchant's own, not signed
    assert verify({k: v for k, v in fields.items() if k != "lang"}, SECRET)
