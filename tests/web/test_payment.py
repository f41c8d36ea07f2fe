"""Paying a dossier's fee online through the Flask test client, against a stub gateway
(tests/support/payment_stub.py): the order and the jump to the gateway, every way the
gateway's notification can come (on time, late, twice, wrongly signed, with a wrong amount,
never: the reconciliation query), the gateway down, a cancelled attempt and a new one,
reception only once paid, the refund of a fee paid for a dossier refused at reception, the
electronic receipt and who may read it, and bad input that must never be a 500."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from portal.db import db
from portal.models import DossierEvent, Payment, PaymentNotice
from portal.services import payment_followup
from portal.services.payment_gateway import Backoff, Gateway
from tests.factories import (
    AN,
    BINH,
    COMMUNE,
    HANH,
    LONG,
    act,
    add_dossiers,
    load,
    sign_in,
    tab_counts,
)
from tests.factories import stored as rows_of
from tests.support.filing import csrf_token
from tests.support.html import get_page
from tests.support.payment_stub import PaymentStub, paid_through_ipn, running_stub

CERTIFIED_COPY = "2.000815"
FEE = 4000  # two pages, two copies: 2 × (2 × 2.000 đồng)
STEPS = [
    {
        "label": "Phí chứng thực bản sao từ bản chính",
        "amount": FEE,
        "basis": "Thông tư 226/2016/TT-BTC",
    },
    {"label": "Phải nộp", "amount": FEE, "basis": ""},
]
DATA = {
    "applicant_full_name": "Nguyễn Văn An",
    "applicant_personal_id": AN,
    "document_name": "Bằng tốt nghiệp",
    "page_count": "2",
    "copies": "2",
}


@pytest.fixture(scope="module")
def stub():
    with running_stub() as gateway:
        yield gateway


@pytest.fixture
def app(backoffice_app, stub: PaymentStub):
    stub.orders.clear()
    stub.calls.clear()
    stub.down, stub.status_answer, stub.bad_answer_signature = False, None, False
    backoffice_app.config["PAYMENT_URL"] = stub.url
    return backoffice_app


@pytest.fixture
def client(app):
    sign = app.test_client()
    sign_in(app, sign, AN)
    return sign


def fee_dossier(app, **extra) -> str:
    spec = {
        "procedure_code": CERTIFIED_COPY,
        "status": "awaiting_payment",
        "received_at": None,
        "due_date": None,
        "data": DATA,
        "fee_amount": FEE,
        "fee_rule": "base",
        "fee_reason": "Phí: 4.000 đồng theo biểu phí của thủ tục (Thông tư 226/2016/TT-BTC)",
        "fee_steps": STEPS,
    }
    return add_dossiers(app, spec | extra)[0]


def shown(client, path: str) -> str:
    """The page at `path` (200, the basics of an accessible page checked) as text."""
    return get_page(client, path).get_data(as_text=True)


def pay(client, code: str):
    page = client.get(f"/ho-so/{code}").get_data(as_text=True)
    return client.post(f"/ho-so/{code}/thanh-toan", data={"csrf_token": csrf_token(page)})


def ipn(app, fields: dict) -> dict:
    resp = app.test_client().post("/api/thanh-toan/ipn", data=fields)
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    return resp.get_json()


def payments_of(app, code: str) -> list[Payment]:
    return sorted(rows_of(app, Payment, dossier_id=load(app, code).id), key=lambda p: p.attempt)


def notices(app, code: str) -> list[tuple[str, str]]:
    return [
        (n.channel, n.outcome) for n in rows_of(app, PaymentNotice) if code in (n.order_id or "")
    ]


def paid_order(app, client, stub, code: str) -> tuple[str, dict]:
    """The citizen at the gateway's page, having paid: (order id, the signed outcome)."""
    resp = pay(client, code)
    assert resp.status_code == 303
    order_id = f"{code}-1"
    return order_id, stub.settle(order_id, "paid")


# --- the order -------------------------------------------------------------------------------


def test_the_dossier_page_shows_the_amount_why_and_the_button(app, client):
    code = fee_dossier(app)
    html = shown(client, f"/ho-so/{code}")
    assert "Chờ thanh toán phí, lệ phí" in html
    assert "Thanh toán trực tuyến 4.000 đồng" in html
    assert "Thông tư 226/2016/TT-BTC" in html and "Phí chứng thực bản sao từ bản chính" in html
    assert f'href="/ho-so/{code}/rut"' in html  # withdrawing is allowed before paying


def test_paying_creates_the_order_and_goes_to_the_gateway(app, client, stub):
    code = fee_dossier(app)
    resp = pay(client, code)
    assert resp.status_code == 303
    assert resp.headers["Location"] == f"{stub.url}/pay/{code}-1"
    order = stub.orders[f"{code}-1"].fields
    assert order["amount"] == str(FEE) and order["currency"] == "VND"
    assert order["description"] == f"Phí chứng thực bản sao từ bản chính, hồ sơ {code}"
    assert order["return_url"] == "http://portal.test/thanh-toan/ket-qua"
    assert order["ipn_url"] == "http://portal.test/api/thanh-toan/ipn"
    (payment,) = payments_of(app, code)
    assert (payment.status, payment.attempt, payment.amount) == ("pending", 1, FEE)
    assert payment.next_check_at is not None  # the reconciliation's first query
    again = pay(client, code)  # the same pending attempt: the same order again
    assert again.headers["Location"] == resp.headers["Location"]
    assert len(payments_of(app, code)) == 1


def test_gateway_down_leaves_the_dossier_waiting_and_paying_again_works(app, client, stub):
    code = fee_dossier(app)
    stub.down = True
    resp = pay(client, code)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(
        f"/ho-so/{code}#thanh-toan"
    )
    html = client.get(f"/ho-so/{code}").get_data(as_text=True)
    assert "Cổng thanh toán quốc gia tạm thời không kết nối được" in html
    assert load(app, code).status == "awaiting_payment"
    stub.down = False
    assert pay(client, code).headers["Location"] == f"{stub.url}/pay/{code}-1"


def test_the_gateway_refusing_the_order_is_a_message(app, client, stub):
    code = fee_dossier(app)
    stub.bad_answer_signature = True
    resp = pay(client, code)
    assert resp.status_code == 302
    html = client.get(f"/ho-so/{code}").get_data(as_text=True)
    assert "chưa tạo được giao dịch" in html


def test_only_the_applicant_pays(app, stub):
    code = fee_dossier(app)
    other = app.test_client()
    sign_in(app, other, BINH, "Lê Văn Bình")
    page = other.get("/thu-tuc").get_data(as_text=True)
    resp = other.post(f"/ho-so/{code}/thanh-toan", data={"csrf_token": csrf_token(page)})
    assert resp.status_code == 404 and not stub.orders


def test_paying_needs_the_csrf_token(app, client, stub):
    code = fee_dossier(app)
    assert client.post(f"/ho-so/{code}/thanh-toan").status_code == 400
    assert not stub.orders


# --- the notification --------------------------------------------------------------------------


def test_the_ipn_marks_it_paid_once_and_the_office_may_receive_it(app, client, stub):
    code = fee_dossier(app)
    order_id, outcome = paid_order(app, client, stub, code)
    assert ipn(app, outcome) == {"code": "00", "message": "Confirm Success"}
    dossier = load(app, code)
    assert dossier.status == "submitted"
    (payment,) = payments_of(app, code)
    assert payment.status == "paid" and payment.transaction_no == outcome["transaction_no"]
    assert re.fullmatch(rf"BL20\d\d/{re.escape(COMMUNE)}/\d{{6}}", payment.receipt_number or "")
    event = rows_of(app, DossierEvent, dossier_id=dossier.id, action="paid")[0]
    assert (event.from_status, event.to_status, event.actor_id) == (
        "awaiting_payment",
        "submitted",
        "system",
    )
    assert payment.receipt_number in (event.note or "")
    for _ in range(2):  # duplicated, then replayed: nothing changes
        assert ipn(app, outcome)["code"] == "02"
    assert load(app, code).version == dossier.version
    assert notices(app, code) == [("ipn", "accepted"), ("ipn", "duplicate"), ("ipn", "duplicate")]
    clerk = app.test_client()
    sign_in(app, clerk, HANH)
    resp = act(clerk, code, "receive")
    assert resp.status_code in (200, 302) and load(app, code).status == "received"


def test_a_wrongly_signed_ipn_is_refused_and_changes_nothing(app, client, stub):
    code = fee_dossier(app)
    _, outcome = paid_order(app, client, stub, code)
    assert ipn(app, {**outcome, "signature": "ab" * 64})["code"] == "97"
    assert ipn(app, {**outcome, "transaction_no": "GD-forged"})["code"] == "97"
    assert load(app, code).status == "awaiting_payment"
    assert notices(app, code) == [("ipn", "bad_signature")] * 2


def test_an_ipn_with_a_wrong_amount_is_refused_and_logged(app, client, stub):
    code = fee_dossier(app)
    order_id, _ = paid_order(app, client, stub, code)
    forged = stub.outcome(order_id, amount=FEE - 1000)  # signed, but not what was ordered
    assert ipn(app, forged)["code"] == "04"
    assert ipn(app, stub.outcome(order_id, currency="USD"))["code"] == "04"
    assert load(app, code).status == "awaiting_payment"
    assert [n[1] for n in notices(app, code)] == ["wrong_amount", "wrong_amount"]


def test_an_ipn_for_an_unknown_order_is_01(app, client, stub):
    code = fee_dossier(app)
    order_id, _ = paid_order(app, client, stub, code)
    stub.orders[f"{code}-9"] = stub.orders[order_id]
    assert ipn(app, stub.outcome(f"{code}-9"))["code"] == "01"


def test_a_delayed_ipn_after_the_return_changes_nothing(app, client, stub):
    """The citizen is back before the IPN: the return never marks it paid, but it has the
    status asked at once (the task queue runs it now in tests), which does."""
    code = fee_dossier(app)
    order_id, outcome = paid_order(app, client, stub, code)
    resp = client.get("/thanh-toan/ket-qua", query_string=outcome)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(
        f"/ho-so/{code}/thanh-toan/1"
    )
    assert ("GET", f"/api/orders/{order_id}") in stub.calls  # the immediate status query
    assert load(app, code).status == "submitted"
    html = shown(client, f"/ho-so/{code}/thanh-toan/1")
    assert "Đã thanh toán thành công" in html and "Xem biên lai điện tử" in html
    assert ipn(app, outcome)["code"] == "02"  # the IPN, late
    assert [n for n in notices(app, code) if n[0] != "return"] == [
        ("query", "accepted"),
        ("ipn", "duplicate"),
    ]


def test_the_return_alone_never_marks_it_paid(app, client, stub):
    code = fee_dossier(app)
    order_id, outcome = paid_order(app, client, stub, code)
    stub.down = True  # the immediate status query gets no answer
    client.get("/thanh-toan/ket-qua", query_string=outcome)
    assert load(app, code).status == "awaiting_payment"
    html = shown(client, f"/ho-so/{code}/thanh-toan/1")
    assert "Đang chờ xác nhận thanh toán…" in html and "Thanh toán lại" not in html
    (payment,) = payments_of(app, code)
    assert payment.status == "pending" and payment.checks == 1  # asked again later


def test_a_forged_return_is_logged_and_shown_as_the_portal_knows_it(app, client, stub):
    code = fee_dossier(app)
    _, outcome = paid_order(app, client, stub, code)
    client.get("/thanh-toan/ket-qua", query_string={**outcome, "signature": "00" * 64})
    assert load(app, code).status == "awaiting_payment"
    assert notices(app, code) == [("return", "bad_signature")]
    assert not stub.only("GET", "/api/orders/")


def test_a_cancelled_attempt_is_followed_by_a_new_one_and_its_late_ipn_changes_nothing(
    app, client, stub
):
    code = fee_dossier(app)
    pay(client, code)
    cancelled = stub.settle(f"{code}-1", "cancelled")
    resp = client.get("/thanh-toan/ket-qua", query_string=cancelled)
    html = shown(client, resp.headers["Location"])
    assert "Bạn đã hủy thanh toán" in html and "Thanh toán lại" in html
    resp = client.post(
        resp.headers["Location"].replace("/1", ""), data={"csrf_token": csrf_token(html)}
    )
    assert resp.headers["Location"] == f"{stub.url}/pay/{code}-2"
    assert [(p.attempt, p.status) for p in payments_of(app, code)] == [
        (1, "cancelled"),
        (2, "pending"),
    ]
    assert ipn(app, cancelled)["code"] == "02"  # the first attempt's IPN, late
    late_paid = stub.outcome(f"{code}-1", status="paid", response_code="00")
    assert ipn(app, late_paid)["code"] == "02"
    assert load(app, code).status == "awaiting_payment"
    assert ipn(app, stub.settle(f"{code}-2", "paid"))["code"] == "00"
    assert load(app, code).status == "submitted"
    assert ("ipn", "late") in notices(app, code)


def test_a_failed_payment_may_be_paid_again(app, client, stub):
    code = fee_dossier(app)
    pay(client, code)
    assert ipn(app, stub.settle(f"{code}-1", "failed"))["code"] == "00"
    html = shown(client, f"/ho-so/{code}")
    assert "không thành công" in html and "Thanh toán lại 4.000 đồng" in html


def test_an_ipn_after_the_dossier_was_withdrawn_changes_nothing(app, client, stub):
    code = fee_dossier(app)
    order_id, outcome = paid_order(app, client, stub, code)
    page = client.get(f"/ho-so/{code}/rut").get_data(as_text=True)
    client.post(f"/ho-so/{code}/rut", data={"csrf_token": csrf_token(page)})
    assert load(app, code).status == "withdrawn"
    assert ipn(app, outcome)["code"] == "02"
    assert payments_of(app, code)[0].status == "pending"
    assert ("ipn", "late") in notices(app, code)


# --- reconciliation ----------------------------------------------------------------------------


DEFAULT_BACKOFF = Backoff()


def _check(app, code: str, backoff: Backoff = DEFAULT_BACKOFF):
    payment = payments_of(app, code)[-1]
    with app.app_context(), db.new_session() as session:
        from portal.models import utcnow

        return payment_followup.check(
            session, payment.id, Gateway.from_config(app.config), backoff, utcnow()
        )


def test_no_ipn_at_all_the_status_query_settles_it(app, client, stub):
    code = fee_dossier(app)
    pay(client, code)
    stub.status_answer = "paid"  # paid on the page; the IPN never came
    assert _check(app, code).state == "settled"
    assert load(app, code).status == "submitted"
    assert payments_of(app, code)[0].receipt_number


def test_a_still_pending_order_is_asked_again_with_backoff_then_given_up(app, client, stub):
    code = fee_dossier(app)
    pay(client, code)
    backoff = Backoff(first=900, base=60, maximum=200, attempts=4)
    assert [_check(app, code, backoff) for _ in range(3)] == [
        payment_followup.Checked("retry", 60),
        payment_followup.Checked("retry", 120),
        payment_followup.Checked("retry", 200),
    ]
    assert _check(app, code, backoff).state == "gave_up"
    (payment,) = payments_of(app, code)
    assert payment.status == "pending" and payment.next_check_at is None
    assert load(app, code).status == "awaiting_payment"
    assert notices(app, code)[-1] == ("query", "gave_up")
    app.config["PAYMENT_CHECKS"] = 4
    html = client.get(f"/ho-so/{code}").get_data(as_text=True)
    assert "sau nhiều lần tra soát" in html


def test_the_sweep_enqueues_the_queries_that_are_due(app, client, stub):
    from portal import tasks

    code = fee_dossier(app)
    pay(client, code)
    with app.app_context(), db.new_session() as session:
        payment = session.exec(select(Payment)).one()
        payment.next_check_at = payment.created_at
        session.add(payment)
        session.commit()
    stub.status_answer = "paid"
    with app.app_context():
        assert tasks.sweep_payments.call_local() == 1
    assert load(app, code).status == "submitted"


# --- reception and refund ------------------------------------------------------------------------


def test_the_office_cannot_receive_before_payment(app):
    code = fee_dossier(app)
    clerk = app.test_client()
    sign_in(app, clerk, HANH)
    html = shown(clerk, f"/can-bo/ho-so/{code}")
    assert "Chờ thanh toán phí, lệ phí" in html
    assert ">Tiếp nhận<" not in html and "chưa tiếp nhận được" in html
    act(clerk, code, "receive")
    assert load(app, code).status == "awaiting_payment"
    queue = clerk.get("/can-bo").get_data(as_text=True)
    assert code not in queue
    assert tab_counts(queue)["cho-tiep-nhan"] == 0  # not the office's to receive yet
    paid_through_ipn(app, code)
    queue = clerk.get("/can-bo").get_data(as_text=True)
    assert code in queue and tab_counts(queue)["cho-tiep-nhan"] == 1


def test_refused_at_reception_after_paying_is_refunded(app, client, stub):
    code = fee_dossier(app)
    _, outcome = paid_order(app, client, stub, code)
    ipn(app, outcome)
    clerk = app.test_client()
    sign_in(app, clerk, HANH)
    act(clerk, code, "refuse_reception", note="Bản chính không rõ nội dung")
    dossier = load(app, code)
    assert dossier.status == "refused_reception"
    (payment,) = payments_of(app, code)
    assert payment.status == "refunded" and payment.refund_no and payment.refunded_at
    assert payment.refund_reason == "Bản chính không rõ nội dung"
    event = rows_of(app, DossierEvent, dossier_id=dossier.id, action="refund")[0]
    assert "Đã hoàn trả 4.000 đồng" in (event.note or "") and payment.refund_no in (
        event.note or ""
    )
    assert stub.only("POST", f"/api/orders/{code}-1/refund")
    html = client.get(f"/ho-so/{code}/bien-lai-dien-tu").get_data(as_text=True)
    assert "Đã hoàn trả 4.000 đồng" in html


def test_a_free_dossier_has_no_payment_panel(app, client):
    code = add_dossiers(app, {"fee_amount": 0})[0]
    assert "Thanh toán trực tuyến" not in client.get(f"/ho-so/{code}").get_data(as_text=True)


# --- the receipt ---------------------------------------------------------------------------------


def test_the_receipt_page_and_pdf(app, client, stub):
    code = fee_dossier(app)
    _, outcome = paid_order(app, client, stub, code)
    ipn(app, outcome)
    number = payments_of(app, code)[0].receipt_number
    html = shown(client, f"/ho-so/{code}/bien-lai-dien-tu")
    for text in (
        number,
        "Nguyễn Văn An",
        "4.000 đồng",
        "Phí chứng thực bản sao từ bản chính",
        "Thông tư 226/2016/TT-BTC",
        code,
        "UBND Phường Bến Thành",
    ):
        assert text in html
    pdf = client.get(f"/ho-so/{code}/bien-lai-dien-tu.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF") and "no-store" in pdf.headers["Cache-Control"]
    assert client.get(f"/ho-so/{code}/bien-lai-dien-tu").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("who", "mine", "office"),
    [(AN, 200, 404), (HANH, 404, 200), (BINH, 404, 404), (LONG, 404, 404)],
)
def test_only_the_applicant_and_the_office_read_the_receipt(app, client, stub, who, mine, office):
    """The applicant on their page, the handling office on its own; citizen B and another
    office are told it does not exist."""
    code = fee_dossier(app)
    _, outcome = paid_order(app, client, stub, code)
    ipn(app, outcome)
    reader = app.test_client()
    sign_in(app, reader, who, "Người đọc")
    for suffix in ("", ".pdf"):
        assert reader.get(f"/ho-so/{code}/bien-lai-dien-tu{suffix}").status_code == mine
        assert reader.get(f"/can-bo/ho-so/{code}/bien-lai-dien-tu{suffix}").status_code == office
    if office == 200:
        html = shown(reader, f"/can-bo/ho-so/{code}")
        assert f'href="/can-bo/ho-so/{code}/bien-lai-dien-tu"' in html


def test_no_receipt_before_payment(app, client):
    code = fee_dossier(app)
    assert client.get(f"/ho-so/{code}/bien-lai-dien-tu").status_code == 404


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"order_id": "x"},
        {"order_id": "ho-so-\u0000-1", "signature": "\u202e"},
        {"amount": "9" * 5000, "signature": "zz"},
        {"merchant": "CONGDVC", "order_id": "' OR 1=1 --", "signature": "a" * 128},
    ],
)
def test_garbage_ipns_are_refused_never_500(app, body):
    resp = app.test_client().post("/api/thanh-toan/ipn", data=body)
    assert resp.status_code == 200 and resp.get_json()["code"] == "97"


def test_raw_garbage_bodies_never_500(app):
    c = app.test_client()
    for data, kind in (
        (b"order_id=%ED%A0%80&signature=%FF", "application/x-www-form-urlencoded"),
        (b"\xff\xfe", "application/octet-stream"),
        (b'{"order_id": 1}', "application/json"),
    ):
        resp = c.post("/api/thanh-toan/ipn", data=data, content_type=kind)
        assert resp.status_code == 200 and resp.get_json()["code"] == "97"


def test_lone_surrogates_reaching_the_rules_are_kept_replaced(app):
    """A surrogate cannot come through HTTP as text (the form parser replaces invalid UTF-8)
    but the rules never trust that: the notice keeps a replacement character."""
    from portal.models import utcnow
    from portal.services import payments

    with app.app_context(), db.new_session() as session:
        gateway = Gateway.from_config(app.config)
        answer = payments.handle_ipn(
            session, {"order_id": "\ud800", "x\udfff": "1"}, gateway, utcnow()
        )
    assert answer.code == "97"
    (notice,) = rows_of(app, PaymentNotice)
    assert notice.order_id == "\ufffd" and notice.params == {"order_id": "\ufffd", "x\ufffd": "1"}


def test_a_huge_amount_signed_correctly_is_a_wrong_amount(app, client, stub):
    code = fee_dossier(app)
    order_id, _ = paid_order(app, client, stub, code)
    assert ipn(app, stub.outcome(order_id, amount="9" * 40))["code"] == "04"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "order_id=",
        "order_id=%ED%A0%80",
        "order_id=" + "9" * 5000,
        "order_id=x&status=paid&signature=1",
    ],
)
def test_bad_returns_are_404_never_500(client, query):
    assert client.get(f"/thanh-toan/ket-qua?{query}").status_code == 404


def test_bad_payment_pages_are_404(app, client):
    code = fee_dossier(app)
    for path in (
        f"/ho-so/{code}/thanh-toan/99999999999999999999",
        f"/ho-so/{code}/thanh-toan/0",
        "/ho-so/%ED%A0%80/thanh-toan/1",
        "/ho-so/nope/bien-lai-dien-tu.pdf",
    ):
        assert client.get(path).status_code == 404
    page = client.get(f"/ho-so/{code}").get_data(as_text=True)
    assert (
        client.post("/ho-so/nope/thanh-toan", data={"csrf_token": csrf_token(page)}).status_code
        == 404
    )


def test_paying_a_dossier_that_is_not_waiting_is_a_message(app, client, stub):
    code = add_dossiers(app, {"fee_amount": 0})[0]
    resp = pay(client, code)
    assert resp.status_code == 302 and not stub.orders
    assert "không ở trạng thái chờ thanh toán" in client.get(f"/ho-so/{code}").get_data(
        as_text=True
    )


def test_a_lost_refund_is_sent_by_the_sweep_and_a_refused_one_is_not_asked_again(app, client, stub):
    from datetime import timedelta

    from portal import tasks
    from portal.models import utcnow

    code = fee_dossier(app)
    _, outcome = paid_order(app, client, stub, code)
    ipn(app, outcome)
    stub.down = True  # the refund task finds the gateway down: owed, retried later
    clerk = app.test_client()
    sign_in(app, clerk, HANH)
    act(clerk, code, "refuse_reception", note="Thiếu trang")
    assert payments_of(app, code)[0].status == "paid"
    later = utcnow() + timedelta(minutes=10)
    with app.app_context(), db.new_session() as session:
        assert payment_followup.owed_refunds(session, later, 10) == [payments_of(app, code)[0].id]
    stub.down = False
    stub.orders[f"{code}-1"].status = "cancelled"  # the gateway will refuse (409)
    with app.app_context(), db.new_session() as session:
        gateway = Gateway.from_config(app.config)
        assert (
            payment_followup.refund(session, payments_of(app, code)[0].id, gateway, utcnow())
            == "refused"
        )
        assert payment_followup.owed_refunds(session, later, 10) == []
    assert ("refund", "refund_refused") in notices(app, code)
    with app.app_context():
        assert tasks.sweep_payments.call_local() == 0
