"""Online payment of a dossier's fee through the national payment gateway (DESIGN.md "Fees
and payment", docs/payment-gateway.md): the order, the gateway's notification (IPN), the
citizen's return, the reconciliation query when no IPN came, the refund of a fee paid for a
dossier refused at reception or withdrawn, and the number of the electronic fee receipt.

Only a verified server-to-server message marks a payment paid: the IPN, or the gateway's own
signed answer to a status query. The return through the browser is shown and logged, may
close an attempt the citizen cancelled or that failed (so they can pay again at once), and
never marks one paid. Every message is kept as a PaymentNotice with what the portal made of
it. One pending attempt per dossier at a time: paying again reopens it (the gateway answers
the same order again); a failed or cancelled attempt is followed by a new one
("<code>-<attempt>"). Plain functions over a session; the HTTP calls go through `Gateway`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from common import tz
from common.payment_signature import signed
from portal import tasks
from portal.models import Dossier, Payment, PaymentStatus
from portal.models.dossiers import Status
from portal.models.results import ResultSequence
from portal.services import workflow
from portal.services.actions import amount_due
from portal.services.fees import format_dong
from portal.services.payment_gateway import (
    ACCEPTED,
    ALREADY,
    ANSWERS,
    BAD_SIGNATURE,
    CURRENCY,
    GATEWAY_REFUSED,
    NOT_AWAITING,
    OTHER,
    OUTCOMES,
    UNKNOWN_ORDER,
    WRONG_AMOUNT,
    Backoff,
    Gateway,
    PaymentError,
    clean_params,
    note,
    parse_timestamp,
    text,
)
from portal.services.sequences import take_next

RECEIPT_BOOK = "BLDT"  # the collecting body's series of electronic fee receipts
log = logging.getLogger(__name__)


# --- reading ------------------------------------------------------------------------------


def attempts_of(session: Session, dossier: Dossier) -> list[Payment]:
    return list(
        session.exec(
            select(Payment).where(Payment.dossier_id == dossier.id).order_by(col(Payment.attempt))
        ).all()
    )


def latest(session: Session, dossier: Dossier) -> Payment | None:
    found = attempts_of(session, dossier)
    return found[-1] if found else None


def paid_of(session: Session, dossier: Dossier) -> Payment | None:
    """The attempt that paid (or was refunded), if any."""
    settled = (PaymentStatus.PAID, PaymentStatus.REFUNDED)
    return next((p for p in attempts_of(session, dossier) if p.status in settled), None)


def by_order(session: Session, order_id: str) -> Payment | None:
    return session.exec(select(Payment).where(Payment.order_id == order_id)).first()


def gave_up(payment: Payment | None, backoff: Backoff) -> bool:
    """A pending attempt the reconciliation stopped asking about."""
    return bool(
        payment
        and payment.status == PaymentStatus.PENDING
        and payment.checks >= backoff.attempts
        and payment.next_check_at is None
    )


# --- the order ----------------------------------------------------------------------------


def description(fee_name: str, dossier: Dossier) -> str:
    """ "Phí chứng thực bản sao từ bản chính, hồ sơ 79.26743-261204-0001"."""
    text = fee_name + (" và cước chuyển phát" if dossier.delivery_fee else "")
    return f"{text}, hồ sơ {dossier.code}"[:255]


def start(
    session: Session,
    dossier: Dossier,
    gateway: Gateway,
    *,
    fee_name: str,
    return_url: str,
    ipn_url: str,
    backoff: Backoff,
    now: datetime,
) -> str:
    """The gateway's payment page for the dossier: the pending attempt again, else a new
    attempt. The attempt is stored before the gateway is asked (its IPN may come at once);
    PaymentError (GatewayUnavailable when it does not answer) leaves the dossier waiting."""
    session.refresh(dossier)
    if dossier.status != Status.AWAITING_PAYMENT or amount_due(dossier) <= 0:
        raise PaymentError(NOT_AWAITING)
    payment = _open_attempt(session, dossier, fee_name, now)
    fields = {
        "merchant": gateway.merchant,
        "order_id": payment.order_id,
        "amount": payment.amount,
        "currency": payment.currency,
        "description": payment.description,
        "return_url": return_url,
        "ipn_url": ipn_url,
    }
    status, body = gateway.call("POST", "/api/orders", json=signed(fields, gateway.secret))
    pay_url = str(body.get("pay_url") or "")
    if status not in (200, 201) or not gateway.verified(body):
        log.warning("gateway refused order %s: HTTP %s %s", payment.order_id, status, body)
        raise PaymentError(GATEWAY_REFUSED)
    if body.get("order_id") != payment.order_id or not pay_url.startswith(("https://", "http://")):
        raise PaymentError(GATEWAY_REFUSED)
    if payment.next_check_at is None and payment.checks == 0:
        payment.next_check_at = now + timedelta(seconds=backoff.first)
        session.add(payment)
        session.commit()
    return pay_url


def _open_attempt(session: Session, dossier: Dossier, fee_name: str, now: datetime) -> Payment:
    """The pending attempt, or a new one, committed."""
    for _ in range(2):  # a second click at the same instant takes the other's attempt
        last = latest(session, dossier)
        if last is not None and last.status == PaymentStatus.PENDING:
            return last
        if last is not None and last.status not in (PaymentStatus.FAILED, PaymentStatus.CANCELLED):
            raise PaymentError(NOT_AWAITING)  # paid: the dossier is on its way to the office
        attempt = (last.attempt if last else 0) + 1
        assert dossier.id is not None and dossier.code is not None  # a filed dossier
        payment = Payment(
            dossier_id=dossier.id,
            attempt=attempt,
            order_id=f"{dossier.code}-{attempt}",
            amount=amount_due(dossier),
            currency=CURRENCY,
            description=description(fee_name, dossier),
            created_at=now,
            updated_at=now,
        )
        session.add(payment)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            continue
        return payment
    raise PaymentError(GATEWAY_REFUSED)


# --- what the gateway says ------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """The portal's JSON answer to an IPN."""

    code: str
    outcome: str

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "message": ANSWERS[self.code]}


def judge(payment_status: str, dossier_status: str, reported: str) -> tuple[str, str]:
    """(outcome, IPN code) of a verified message about an attempt whose amount matched:
    what the gateway `reported` against what the portal knows. Only "accepted" changes
    anything; a repeat, a late word on a closed attempt or on a dossier no longer waiting
    changes nothing and stops the gateway's retries."""
    if reported not in OUTCOMES:
        return "unexpected_status", OTHER
    if payment_status == reported:
        return "duplicate", ALREADY
    if payment_status != PaymentStatus.PENDING or dossier_status != Status.AWAITING_PAYMENT:
        return "late", ALREADY
    return "accepted", ACCEPTED


def _matches(payment: Payment, fields: Mapping[str, str]) -> bool:
    amount = fields.get("amount", "")
    return (
        amount.isascii()
        and amount.isdigit()
        and len(amount) <= 15
        and int(amount) == payment.amount
        and fields.get("currency") == payment.currency
    )


def handle_ipn(
    session: Session, params: Mapping[str, Any], gateway: Gateway, now: datetime
) -> Answer:
    """The gateway's notification: checked (signature, merchant, order, amount, currency),
    applied once, logged whatever it was."""
    fields = clean_params(params)
    answer = receive(session, fields, gateway, now, "ipn")
    session.commit()
    return answer


def receive(
    session: Session, fields: dict[str, str], gateway: Gateway, now: datetime, channel: str
) -> Answer:
    if not gateway.signed_by_us(fields):
        note(session, channel, fields, "bad_signature", now)
        return Answer(BAD_SIGNATURE, "bad_signature")
    payment = by_order(session, fields.get("order_id", ""))
    if fields.get("merchant") != gateway.merchant or payment is None:
        note(session, channel, fields, "unknown_order", now)
        return Answer(UNKNOWN_ORDER, "unknown_order")
    if not _matches(payment, fields):
        detail = f"expected {payment.amount} {payment.currency}"
        note(session, channel, fields, "wrong_amount", now, detail)
        return Answer(WRONG_AMOUNT, "wrong_amount")
    dossier = session.get(Dossier, payment.dossier_id)
    assert dossier is not None  # a payment's dossier is never deleted
    outcome, code = judge(payment.status, dossier.status, fields.get("status", ""))
    if outcome == "accepted" and not _settle(session, payment, dossier, fields, now):
        outcome, code = "late", ALREADY  # another message settled it a moment ago
    note(session, channel, fields, outcome, now)
    return Answer(code, outcome)


def _settle(
    session: Session, payment: Payment, dossier: Dossier, fields: Mapping[str, str], now: datetime
) -> bool:
    """Close a pending attempt as the gateway reported it (in the caller's transaction); a
    paid one gets its receipt number and moves the dossier on to the office. False when
    another message closed it first."""
    status = PaymentStatus(fields["status"])
    values: dict[str, Any] = {
        "status": status,
        "updated_at": now,
        "next_check_at": None,
        "method": (fields.get("method") or None),
        "transaction_no": (fields.get("transaction_no") or None),
    }
    if status == PaymentStatus.PAID:
        values["paid_at"] = parse_timestamp(fields.get("paid_at")) or now
        values["receipt_number"] = receipt_number(session, dossier, now)
    for key in ("method", "transaction_no"):
        values[key] = values[key][: 16 if key == "method" else 64] if values[key] else None
    moved = session.exec(
        update(Payment)
        .where(col(Payment.id) == payment.id, col(Payment.status) == PaymentStatus.PENDING)
        .values(**values)
    ).rowcount
    if moved != 1:
        session.rollback()
        return False
    if status == PaymentStatus.PAID:
        try:
            workflow.apply(
                session,
                dossier,
                "paid",
                workflow.system(),
                expected_version=dossier.version,
                note=paid_note(payment.amount, values["receipt_number"]),
                now=now,
                commit=False,
            )
        except workflow.TransitionError:
            session.rollback()  # the dossier moved meanwhile (withdrawn): nothing changes
            return False
    session.refresh(payment)
    return True


def paid_note(amount: int, receipt: str) -> str:
    return (
        f"Đã thanh toán {format_dong(amount)} qua Cổng thanh toán quốc gia; "
        f"biên lai điện tử số {receipt}."
    )


def receipt_number(session: Session, dossier: Dossier, now: datetime) -> str:
    """The next number of the collecting body's receipt series for the year:
    "BL2026/79.26743/000001" (at most 32 characters: office codes have at most 16)."""
    office = dossier.office_code or "portal"
    year = tz.local(now).year
    number = take_next(session, ResultSequence, office_code=office, book=RECEIPT_BOOK, year=year)
    return format_receipt_number(office, year, number)


def format_receipt_number(office: str, year: int, number: int) -> str:
    return f"BL{year}/{office}/{number:06d}"


@dataclass(frozen=True)
class Returned:
    """The citizen back from the gateway: the attempt (None: not one of theirs or unknown),
    what the gateway's page said, and whether its signature verified."""

    payment: Payment | None
    reported: str
    verified: bool


def handle_return(
    session: Session, params: Mapping[str, Any], gateway: Gateway, now: datetime
) -> Returned:
    """Log the return; a verified failure or cancellation closes the pending attempt (the
    citizen may pay again); a verified "paid" has the status asked of the gateway at once
    when no IPN has come. Never marks anything paid."""
    fields = clean_params(params)
    verified = gateway.verified(fields)
    payment = by_order(session, fields.get("order_id", ""))
    reported = fields.get("status", "") if verified else ""
    if payment is None:
        note(session, "return", fields, "unknown_order", now)
    elif not verified:
        note(session, "return", fields, "bad_signature", now)
    elif payment.status != PaymentStatus.PENDING or not _matches(payment, fields):
        note(session, "return", fields, "shown", now)
    elif reported in (PaymentStatus.FAILED, PaymentStatus.CANCELLED):
        receive(session, fields, gateway, now, "return")
    else:
        note(session, "return", fields, "shown", now)
        if reported == PaymentStatus.PAID:
            payment.next_check_at = now
            session.add(payment)
            tasks.after_commit(session, tasks.check_payment, payment.id)
    session.commit()
    if payment is not None:
        session.refresh(payment)
    return Returned(payment, reported, verified)


def owe_refund(session: Session, dossier: Dossier, reason: str, now: datetime) -> None:
    """A dossier refused at reception (or withdrawn) after paying: its fee is owed back; the
    refund goes through the gateway on the task queue (the row is the outbox)."""
    payment = paid_of(session, dossier)
    if payment is None or payment.status != PaymentStatus.PAID or payment.refund_reason:
        return
    payment.refund_reason = text(reason)[:500]
    payment.updated_at = now
    session.add(payment)
    session.flush()
    tasks.after_commit(session, tasks.refund_payment, payment.id)
