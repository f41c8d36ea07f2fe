"""The merchant's API: create (idempotent, 409 on conflict), status, refund, and every
way a request can be wrong, answered in JSON and never with a 500."""

from __future__ import annotations

import pytest

from common.payment_signature import verify
from tests.support.payment import MERCHANT, SECRET, now_stamp, order_fields, sign_json

ORDER = "G01.123.456-1"


def test_create_answers_a_signed_pending_order_with_its_pay_url(gateway):
    resp = gateway.create(ORDER)
    assert resp.status_code == 201
    body = resp.get_json()
    assert verify(body, SECRET)
    assert body["order_id"] == ORDER and body["status"] == "pending"
    assert body["pay_url"].startswith("http://payment.test/thanh-toan/")
    assert ORDER not in body["pay_url"]  # the page's address is not guessable from the id


def test_the_same_order_again_is_the_same_answer(gateway):
    first = gateway.create(ORDER).get_json()
    again = gateway.create(ORDER)
    assert again.status_code == 201 and again.get_json() == first


def test_amount_as_text_is_the_same_order(gateway, merchant):
    first = gateway.create(ORDER).get_json()
    fields = order_fields(merchant.url, ORDER, amount="200000")
    again = gateway.client.post("/api/orders", json=sign_json(fields))
    assert again.status_code == 201 and again.get_json() == first


@pytest.mark.parametrize(
    "change",
    [{"amount": 300000}, {"description": "Khác"}, {"return_url": None}],
)
def test_other_fields_under_a_known_order_id_conflict(gateway, merchant, change):
    gateway.create(ORDER)
    if change.get("return_url", 1) is None:
        change = {"return_url": f"{merchant.url}/khac"}
    resp = gateway.create(ORDER, **change)
    assert resp.status_code == 409
    assert resp.get_json()["error"] == "order_conflict"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": -5}, "amount"),
        ({"amount": 10**12 + 1}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"amount": "1e5"}, "amount"),
        ({"amount": True}, "amount"),
        ({"currency": "USD"}, "currency"),
        ({"description": "x" * 10_000}, "description"),
        ({"description": "Lệ phí\x00"}, "description"),
        ({"description": "Lệ phí\u202e"}, "description"),
        ({"description": ""}, "description"),
        ({"order_id": "a/b"}, "order_id"),
        ({"order_id": "x" * 65}, "order_id"),
        ({"merchant": None}, "merchant"),
    ],
)
def test_bad_fields_are_refused_by_name(gateway, merchant, change, field):
    fields = {**order_fields(merchant.url, ORDER), **change}
    fields = {k: v for k, v in fields.items() if v is not None}
    resp = gateway.client.post("/api/orders", json=sign_json(fields))
    assert resp.status_code == 400, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body["error"] == "invalid_request" and field in body["error_description"]
    assert "x" * 100 not in body["error_description"]  # what was sent is not echoed


def test_largest_amount_is_accepted(gateway):
    assert gateway.create(ORDER, amount=10**12).status_code == 201


@pytest.mark.parametrize(
    "body",
    [None, "", "[]", '"chuoi"', "{", '{"a": ' * 5000, '{"merchant": "\\ud800"}'],
)
def test_bodies_that_are_not_an_order_get_400(payment_client, body):
    resp = payment_client.post("/api/orders", data=body, content_type="application/json")
    assert resp.status_code == 400
    assert resp.get_json()["error"] == "invalid_request"


def test_a_form_body_gets_400(payment_client):
    resp = payment_client.post("/api/orders", data={"merchant": MERCHANT})
    assert resp.status_code == 400


@pytest.mark.parametrize(
    ("tamper", "error"),
    [
        (lambda f: {**f, "signature": "0" * 128}, "invalid_signature"),
        (lambda f: {**f, "amount": 1000}, "invalid_signature"),  # changed after signing
        (lambda f: {**f, "merchant": "KHAC"}, "unknown_merchant"),
        (lambda f: {**f, "extra": "them"}, "invalid_signature"),  # unsigned field added
    ],
)
def test_wrong_signatures_are_refused_with_401(gateway, merchant, tamper, error):
    signed = sign_json(order_fields(merchant.url, ORDER))
    resp = gateway.client.post("/api/orders", json=tamper(signed))
    assert resp.status_code == 401
    assert resp.get_json()["error"] == error
    assert gateway.status(ORDER).status_code == 404  # nothing was created


def test_missing_signature_is_400(gateway, merchant):
    resp = gateway.client.post("/api/orders", json=order_fields(merchant.url, ORDER))
    assert resp.status_code == 400 and "signature" in resp.get_json()["error_description"]


def test_signed_with_another_secret_is_401(gateway, merchant):
    resp = gateway.client.post(
        "/api/orders", json=sign_json(order_fields(merchant.url, ORDER), "bi-mat-khac")
    )
    assert resp.status_code == 401


@pytest.mark.parametrize(
    "url",
    [
        "http://evil.example/ipn",
        "https://127.0.0.1/ipn",  # the merchant's host, another scheme
        "javascript:alert(1)",
        "{origin}@evil.example/x",
        "//evil.example/x",
        "{origin}/a b",
    ],
)
@pytest.mark.parametrize("field", ["return_url", "ipn_url"])
def test_urls_off_the_merchants_origin_are_refused(gateway, merchant, field, url):
    resp = gateway.create(ORDER, **{field: url.format(origin=merchant.url)})
    assert resp.status_code == 400
    assert resp.get_json()["error"] == "url_not_allowed"


def test_status_of_a_pending_order(gateway):
    gateway.create(ORDER)
    resp = gateway.status(ORDER)
    assert resp.status_code == 200
    body = resp.get_json()
    assert verify(body, SECRET)
    assert body["status"] == "pending" and body["amount"] == "200000"
    assert "transaction_no" not in body and "response_code" not in body


def test_status_signed_over_the_query_alone_is_accepted(gateway):
    from common.payment_signature import signed

    gateway.create(ORDER)
    query = signed({"merchant": MERCHANT, "requested_at": now_stamp()}, SECRET)
    resp = gateway.client.get(f"/api/orders/{ORDER}", query_string=query)
    assert resp.status_code == 200


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"requested_at": "20200101000000"}, 400),  # stale: a replay
        ({"requested_at": "20269999999999"}, 400),
        ({"requested_at": "abc"}, 400),
        ({"merchant": "KHAC"}, 401),
    ],
)
def test_status_queries_that_are_refused(gateway, change, status):
    gateway.create(ORDER)
    assert gateway.status(ORDER, **change).status_code == status


def test_status_with_a_bad_or_missing_signature(gateway):
    gateway.create(ORDER)
    query = {"merchant": MERCHANT, "requested_at": now_stamp(), "signature": "a" * 128}
    assert gateway.client.get(f"/api/orders/{ORDER}", query_string=query).status_code == 401
    del query["signature"]
    assert gateway.client.get(f"/api/orders/{ORDER}", query_string=query).status_code == 400


@pytest.mark.parametrize("order_id", ["G99-1", "x" * 64, "ạ"])
def test_unknown_orders_are_json_404(gateway, order_id):
    resp = gateway.status(order_id)
    assert resp.status_code == 404
    assert resp.get_json()["error"] == "unknown_order"


@pytest.mark.parametrize("path", ["%00", "a%2Fb", "x" * 3000, "%C3%28", "a%0d%0ab"])
def test_odd_order_paths_are_json_errors(payment_client, path):
    for resp in (
        payment_client.get(f"/api/orders/{path}?merchant={MERCHANT}"),
        payment_client.post(f"/api/orders/{path}/refund", json={}),
    ):
        assert 400 <= resp.status_code < 500 and resp.is_json


def test_refund_of_a_paid_order(gateway):
    gateway.submit(gateway.pay_path(ORDER), "paid")
    resp = gateway.refund(ORDER)
    assert resp.status_code == 200
    body = resp.get_json()
    assert verify(body, SECRET)
    assert body["status"] == "refunded" and body["refund_no"].startswith("HT")
    assert gateway.refund(ORDER).get_json() == body  # again: the same refund
    state = gateway.status(ORDER).get_json()
    assert state["status"] == "refunded" and state["refund_no"] == body["refund_no"]
    assert state["response_code"] == "00"


def test_refunds_that_are_refused(gateway):
    gateway.create(ORDER)
    assert gateway.refund(ORDER).status_code == 409  # not paid
    assert gateway.refund("G99-1").status_code == 404
    gateway.submit(gateway.pay_path(ORDER), "paid")
    assert gateway.refund(ORDER, amount=1000).status_code == 400  # only in full
    assert gateway.refund(ORDER, path="G01.123.456-2").status_code == 400  # path differs
    assert gateway.refund(ORDER, requested_at="20200101000000").status_code == 400
    assert gateway.refund(ORDER, reason="x" * 501).status_code == 400
    bad = gateway.client.post(f"/api/orders/{ORDER}/refund", json={"merchant": MERCHANT})
    assert bad.status_code == 400
    assert gateway.status(ORDER).get_json()["status"] == "paid"


def test_calls_are_recorded_and_cleared(gateway):
    gateway.create(ORDER)
    gateway.status(ORDER)
    calls = gateway.client.get("/test/calls").get_json()["calls"]
    assert [(c["endpoint"], c["status"]) for c in calls] == [
        ("api.create_order", 201),
        ("api.order_status", 200),
    ]
    assert gateway.client.delete("/test/calls").status_code == 204
    assert gateway.client.get("/test/calls").get_json()["calls"] == []


def test_healthz_and_headers(payment_client):
    resp = payment_client.get("/healthz")
    assert resp.status_code == 200 and resp.get_json()["database"] == "ok"
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
