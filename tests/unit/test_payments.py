"""The payment rules without HTTP: where submit sends a dossier with a fee, what each word of
the gateway does to an attempt (the IPN outcomes table), the receipt number, the
reconciliation's backoff, and what a message keeps."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.models import Dossier, Payment
from portal.models.dossiers import Status
from portal.services import payments, workflow
from portal.services.actions import ACTIONS, amount_due
from portal.services.payment_gateway import Backoff, clean_params, parse_timestamp, timestamp
from portal.services.workflow import citizen
from tests.support.workflow import APPLICANT, NOW, PARTNER, act, make_dossier

# the bench's fixtures: tables, engine, session
pytest_plugins = ["tests.support.workflow"]


def _dossier(**values) -> Dossier:
    return Dossier(procedure_code="x", procedure_version=1, applicant_id="1", **values)


@pytest.mark.parametrize(
    ("fee", "delivery", "due", "target"),
    [
        (None, None, 0, Status.SUBMITTED),  # filed before fees were stored
        (0, None, 0, Status.SUBMITTED),  # exempt (TT 117/2026, 0-đồng policy): no payment
        (0, 26000, 26000, Status.AWAITING_PAYMENT),  # only the postal charge
        (2000, None, 2000, Status.AWAITING_PAYMENT),
        (50000, 30000, 80000, Status.AWAITING_PAYMENT),
    ],
)
def test_submitting_with_an_amount_due_waits_for_payment(session, fee, delivery, due, target):
    """The fee comes with the submit's own values (filing.submit): the target reads them."""
    draft = make_dossier(session, "draft", delivery_fee=delivery)
    values = {"fee_amount": fee, "submitted_at": NOW}
    moved = act(session, draft, "submit", citizen(APPLICANT), values=values)
    assert (amount_due(moved), moved.status) == (due, target)


@pytest.mark.parametrize(("fee", "target"), [(0, "submitted"), (10000, "awaiting_payment")])
def test_the_last_partys_confirmation_sends_a_fee_dossier_to_payment(session, fee, target):
    dossier = make_dossier(session, "awaiting_parties", parties=True, fee_amount=fee)
    moved = act(session, dossier, "confirm_party", workflow.party(PARTNER))
    assert moved.status == target


def test_withdrawing_a_paid_dossier_owes_its_refund(session):
    """The refund is owed in the move's transaction (the row is the outbox: the sweep of
    portal/tasks.py sends it even if the queue lost the task)."""
    dossier = make_dossier(session, "submitted", fee_amount=2000)
    session.add(Payment(dossier_id=dossier.id, attempt=1, order_id=f"{dossier.code}-1",
                        amount=2000, description="Phí", status="paid"))  # fmt: skip
    session.commit()
    act(session, dossier, "withdraw", citizen(APPLICANT), note="Không cần nữa")
    (payment,) = session.exec(select(Payment)).all()
    assert payment.refund_reason == "Không cần nữa" and payment.status == "paid"


def test_the_payment_actions_are_declared_once():
    paid, refund, withdraw = ACTIONS["paid"], ACTIONS["refund"], ACTIONS["withdraw"]
    assert (paid.sources, paid.target, paid.actor) == (
        {Status.AWAITING_PAYMENT},
        Status.SUBMITTED,
        "system",
    )
    assert refund.target is None and refund.actor == "system"
    assert Status.AWAITING_PAYMENT in withdraw.sources
    assert Status.AWAITING_PAYMENT not in ACTIONS["receive"].sources  # paid first


# What the portal does with a verified message whose amount matched:
# (the attempt's status, the dossier's, what the gateway reports) → (outcome, IPN code).
IPN_OUTCOMES = [
    ("pending", "awaiting_payment", "paid", "accepted", "00"),
    ("pending", "awaiting_payment", "failed", "accepted", "00"),
    ("pending", "awaiting_payment", "cancelled", "accepted", "00"),
    ("paid", "submitted", "paid", "duplicate", "02"),  # a duplicate or a replay
    ("cancelled", "awaiting_payment", "cancelled", "duplicate", "02"),
    ("cancelled", "awaiting_payment", "paid", "late", "02"),  # after the cancel: nothing
    ("failed", "awaiting_payment", "paid", "late", "02"),  # an old attempt
    ("paid", "submitted", "cancelled", "late", "02"),
    ("pending", "withdrawn", "paid", "late", "02"),  # the dossier no longer waits
    ("pending", "submitted", "paid", "late", "02"),  # another attempt paid it
    ("refunded", "refused_reception", "paid", "late", "02"),
    ("pending", "awaiting_payment", "refunded", "unexpected_status", "99"),
    ("pending", "awaiting_payment", "pending", "unexpected_status", "99"),
    ("pending", "awaiting_payment", "", "unexpected_status", "99"),
]


@pytest.mark.parametrize(("payment", "dossier", "reported", "outcome", "code"), IPN_OUTCOMES)
def test_ipn_outcomes(payment, dossier, reported, outcome, code):
    assert payments.judge(payment, dossier, reported) == (outcome, code)


@pytest.mark.parametrize(
    ("code", "message"),
    [("00", "Confirm Success"), ("02", "Order already confirmed"), ("97", "Invalid signature")],
)
def test_ipn_answers(code, message):
    assert payments.Answer(code, "x").as_json() == {"code": code, "message": message}


@pytest.mark.parametrize(
    ("office", "year", "number", "expected"),
    [
        ("79.26743", 2026, 1, "BL2026/79.26743/000001"),
        ("79.so-tu-phap", 2027, 123456, "BL2027/79.so-tu-phap/123456"),
        ("79.26743.ttpvhcc", 2026, 42, "BL2026/79.26743.ttpvhcc/000042"),  # the longest code
    ],
)
def test_receipt_numbers(office, year, number, expected):
    found = payments.format_receipt_number(office, year, number)
    assert found == expected and len(found) <= 32  # Payment.receipt_number


@pytest.mark.parametrize(
    ("checks", "delay"),
    [(1, 60), (2, 120), (3, 240), (4, 480), (5, 960), (6, 1920), (7, 3600), (20, 3600)],
)
def test_reconciliation_backoff(checks, delay):
    assert Backoff(first=900, base=60, maximum=3600, attempts=8).delay(checks) == delay


def test_the_protocol_time_format_round_trips():
    moment = parse_timestamp("20261204153000")
    assert moment is not None and timestamp(moment) == "20261204153000"
    for bad in ("", "2026-12-04", "99999999999999", "\ud800", None):
        assert parse_timestamp(bad) is None


def test_a_message_keeps_text_only_and_not_too_much():
    kept = clean_params({f"k{i}": "v" * 1000 for i in range(100)} | {"a": "\x00\ud800"})
    assert len(kept) == 32 and all(len(v) == 300 for v in kept.values())
    assert clean_params({"a": "\x00\ud800", 1: 2}) == {"a": "\ufffd\ufffd", "1": "2"}


def test_the_order_description_names_the_fee_and_the_dossier():
    dossier = _dossier(code="79.26743-261204-0001", delivery_fee=None)
    text = payments.description("Phí chứng thực bản sao từ bản chính", dossier)
    assert text == "Phí chứng thực bản sao từ bản chính, hồ sơ 79.26743-261204-0001"
    dossier.delivery_fee = 26000
    assert "và cước chuyển phát" in payments.description("Lệ phí", dossier)
    assert len(payments.description("x" * 400, dossier)) == 255
