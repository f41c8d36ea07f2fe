"""The gateway's misbehaviours (PUT /test/switches), each seen from the merchant's side,
and the IPN's retries."""

from __future__ import annotations

from datetime import datetime

import pytest

from common.payment_signature import verify
from tests.support.payment import SECRET

ORDER = "G01.123.456-1"


@pytest.fixture
def switch(payment_client):
    def turn_on(*names: str) -> None:
        resp = payment_client.put("/test/switches", json={"active": list(names)})
        assert resp.status_code == 200, resp.get_json()

    return turn_on


def ipn_calls(client) -> list[dict]:
    return [c for c in client.get("/test/calls").get_json()["calls"] if c["kind"] == "ipn"]


def pay(gateway) -> None:
    assert gateway.submit(gateway.pay_path(ORDER), "paid", "card").status_code == 303


def test_switches_are_listed_and_checked(payment_client, switch):
    known = payment_client.get("/test/switches").get_json()["known"]
    assert set(known) == {
        "ipn_delayed",
        "ipn_duplicated",
        "ipn_bad_signature",
        "ipn_wrong_amount",
        "ipn_never",
        "down",
    }
    switch("ipn_never", "ipn_never")
    assert payment_client.get("/test/switches").get_json()["active"] == ["ipn_never"]
    for body in ({"active": ["khong-co"]}, {"active": "down"}, None, {"active": [1]}):
        assert payment_client.put("/test/switches", json=body).status_code == 400


def test_the_ipn_is_retried_until_the_merchant_accepts(gateway, merchant, payment_app):
    merchant.codes = ["99", "99", "02"]
    pay(gateway)
    assert len(merchant.wait_for(3)) == 3
    assert payment_app.extensions["payment_notifier"].wait_idle()
    assert [c["code"] for c in ipn_calls(gateway.client)] == ["99", "99", "02"]
    assert len(merchant.received) == 3


def test_the_ipn_gives_up_after_its_attempts(gateway, merchant, payment_app):
    merchant.codes = ["97"]
    pay(gateway)
    assert payment_app.extensions["payment_notifier"].wait_idle()
    assert len(merchant.received) == payment_app.config["IPN_ATTEMPTS"]


def test_an_unreachable_merchant_is_recorded(gateway, merchant, payment_app):
    merchant.server.shutdown()
    merchant.server.server_close()
    pay(gateway)
    assert payment_app.extensions["payment_notifier"].wait_idle()
    calls = ipn_calls(gateway.client)
    assert len(calls) == payment_app.config["IPN_ATTEMPTS"]
    assert {c["status"] for c in calls} == {0}


def test_ipn_delayed_comes_after_the_return(gateway, merchant, payment_app, switch):
    switch("ipn_delayed")
    pay(gateway)
    [ipn] = merchant.wait_for(1)
    assert verify(ipn, SECRET)
    paid_at = gateway.status(ORDER).get_json()["paid_at"]
    [call] = ipn_calls(gateway.client)
    sent = datetime.fromisoformat(call["at"]).strftime("%Y%m%d%H%M%S.%f")
    delay = payment_app.config["IPN_DELAY"]
    assert (datetime.fromisoformat(call["at"]) - _utc(paid_at)).total_seconds() >= delay, sent


def _utc(stamp: str):
    from datetime import UTC

    return datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def test_ipn_duplicated_sends_the_same_message_twice(gateway, merchant, switch):
    switch("ipn_duplicated")
    merchant.codes = ["00", "02"]
    pay(gateway)
    first, second = merchant.wait_for(2)
    assert first == second and verify(first, SECRET)


def test_ipn_bad_signature(gateway, merchant, payment_app, switch):
    switch("ipn_bad_signature")
    merchant.codes = ["97"]
    pay(gateway)
    ipn = merchant.wait_for(1)[0]
    assert not verify(ipn, SECRET)
    assert ipn["status"] == "paid" and ipn["amount"] == "200000"


def test_ipn_wrong_amount_is_signed(gateway, merchant, switch):
    switch("ipn_wrong_amount")
    merchant.codes = ["04"]
    pay(gateway)
    ipn = merchant.wait_for(1)[0]
    assert verify(ipn, SECRET) and ipn["amount"] == "201000"
    assert gateway.status(ORDER).get_json()["amount"] == "200000"  # the truth


def test_ipn_never_leaves_the_status_query(gateway, merchant, payment_app, switch):
    switch("ipn_never")
    pay(gateway)
    assert payment_app.extensions["payment_notifier"].wait_idle()
    assert merchant.received == []
    assert ipn_calls(gateway.client)[0]["status"] == 0
    state = gateway.status(ORDER).get_json()
    assert state["status"] == "paid" and verify(state, SECRET)


def test_down_answers_503_everywhere_but_the_switches(gateway, payment_client, switch):
    path = gateway.pay_path(ORDER)
    switch("down")
    for resp in (gateway.create("G01-2"), gateway.status(ORDER), gateway.refund(ORDER)):
        assert resp.status_code == 503 and resp.get_json()["error"] == "unavailable"
    page = payment_client.get(path)
    assert page.status_code == 503
    assert "Cổng thanh toán tạm ngừng hoạt động" in page.get_data(as_text=True)
    assert payment_client.get("/healthz").status_code == 200
    switch()
    assert gateway.status(ORDER).status_code == 200


def test_switches_do_not_exist_in_production(tmp_path, merchant):
    from tests.support.payment import dispose_payment, make_payment

    app = make_payment(
        tmp_path,
        merchant_url=merchant.url,
        ENV_NAME="production",
        SECRET_KEY="k",
        MERCHANT_SECRET="s",
        TEST_SWITCHES=False,
        RECORD_CALLS=False,
    )
    try:
        client = app.test_client()
        assert client.put("/test/switches", json={"active": ["down"]}).status_code == 404
        assert client.get("/test/calls").status_code == 404
    finally:
        dispose_payment(app)
