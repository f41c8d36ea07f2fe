"""After the order: the reconciliation query when no IPN came (with backoff, giving up after
`Backoff.attempts`), and the refund through the gateway of a fee owed back. Plain functions
over a session, run by the task queue (portal/tasks.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from common.payment_signature import signed
from portal.models import Dossier, Payment, PaymentNotice, PaymentStatus
from portal.services import payments, workflow
from portal.services.fees import format_dong
from portal.services.payment_gateway import (
    ACCEPTED,
    GAVE_UP,
    Backoff,
    Gateway,
    GatewayUnavailable,
    clean_params,
    note,
    parse_timestamp,
    timestamp,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Checked:
    state: str  # "done" (not pending) | "settled" | "retry" | "gave_up" | "unknown"
    delay: int = 0


def check(
    session: Session, payment_id: int, gateway: Gateway, backoff: Backoff, now: datetime
) -> Checked:
    """Ask the gateway for a pending attempt's status; a final answer is applied as an IPN
    would be, anything else is asked again later, `backoff.attempts` times in all."""
    payment = session.get(Payment, payment_id)
    if payment is None or payment.status != PaymentStatus.PENDING:
        return Checked("done")
    query = signed(
        {
            "merchant": gateway.merchant,
            "order_id": payment.order_id,
            "requested_at": timestamp(now),
        },
        gateway.secret,
    )
    query.pop("order_id")  # in the path; signed with the query
    try:
        status, body = gateway.call("GET", f"/api/orders/{payment.order_id}", params=query)
    except GatewayUnavailable:
        return _again(session, payment, backoff, now, "gateway unavailable")
    fields = clean_params(body)
    if status == 404:
        payment.next_check_at = None  # the order never reached the gateway; paying retries it
        session.add(payment)
        note(session, "query", {"order_id": payment.order_id}, "unknown_order", now)
        session.commit()
        return Checked("unknown")
    if status != 200 or not gateway.verified(fields) or fields.get("order_id") != payment.order_id:
        note(session, "query", fields, "bad_answer", now, f"HTTP {status}")
        return _again(session, payment, backoff, now, f"HTTP {status}")
    if fields.get("status") == PaymentStatus.PENDING:
        note(session, "query", fields, "pending", now)
        return _again(session, payment, backoff, now, "pending")
    answer = payments.receive(session, fields, gateway, now, "query")
    session.commit()
    return Checked("settled" if answer.code == ACCEPTED else "done")


def _again(
    session: Session, payment: Payment, backoff: Backoff, now: datetime, why: str
) -> Checked:
    payment.checks += 1
    payment.updated_at = now
    if payment.checks >= backoff.attempts:
        payment.next_check_at = None
        note(session, "query", {"order_id": payment.order_id}, "gave_up", now, GAVE_UP)
        session.add(payment)
        session.commit()
        return Checked("gave_up")
    delay = backoff.delay(payment.checks)
    payment.next_check_at = now + timedelta(seconds=delay)
    session.add(payment)
    session.commit()
    log.info("payment %s still %s; next query in %s s", payment.order_id, why, delay)
    return Checked("retry", delay)


def due_checks(session: Session, before: datetime, limit: int) -> list[int]:
    """Pending attempts whose status query is due before `before` (the sweep)."""
    rows = session.exec(
        select(Payment.id)
        .where(
            col(Payment.status) == PaymentStatus.PENDING,
            col(Payment.next_check_at).is_not(None),
            col(Payment.next_check_at) <= before,
        )
        .order_by(col(Payment.next_check_at))
        .limit(limit)
    ).all()
    return [r for r in rows if r is not None]


# --- refunds ------------------------------------------------------------------------------------


def owed_refunds(session: Session, before: datetime, limit: int) -> list[int]:
    """Refunds owed since before `before` (the sweep); one the gateway refused is left to
    people (its notice says why), not asked again every minute."""
    refused = select(PaymentNotice.id).where(
        col(PaymentNotice.order_id) == Payment.order_id,
        col(PaymentNotice.outcome) == "refund_refused",
    )
    rows = session.exec(
        select(Payment.id)
        .where(
            col(Payment.status) == PaymentStatus.PAID,
            col(Payment.refund_reason).is_not(None),
            col(Payment.updated_at) <= before,
            ~refused.exists(),
        )
        .limit(limit)
    ).all()
    return [r for r in rows if r is not None]


def refund(session: Session, payment_id: int, gateway: Gateway, now: datetime) -> str:
    """Refund an owed fee: "refunded", "done" (nothing owed), "refused" (the gateway said
    no: logged, not retried); GatewayUnavailable when it does not answer (retry later)."""
    payment = session.get(Payment, payment_id)
    if payment is None or payment.status != PaymentStatus.PAID or not payment.refund_reason:
        return "done"
    fields = {
        "merchant": gateway.merchant,
        "order_id": payment.order_id,
        "amount": payment.amount,
        "reason": payment.refund_reason,
        "requested_at": timestamp(now),
    }
    path = f"/api/orders/{payment.order_id}/refund"
    status, body = gateway.call("POST", path, json=signed(fields, gateway.secret))
    answer = clean_params(body)
    ok = status == 200 and gateway.verified(answer) and answer.get("status") == "refunded"
    if not ok or answer.get("order_id") != payment.order_id:
        note(
            session,
            "refund",
            {**answer, "order_id": payment.order_id},
            "refund_refused",
            now,
            f"HTTP {status}",
        )
        session.commit()
        return "refused"
    payment.status = PaymentStatus.REFUNDED
    payment.refund_no = answer.get("refund_no", "")[:64] or None
    payment.refunded_at = parse_timestamp(answer.get("refunded_at")) or now
    payment.updated_at = now
    session.add(payment)
    note(session, "refund", answer, "accepted", now)
    _refund_event(session, payment, now)
    session.commit()
    return "refunded"


def _refund_event(session: Session, payment: Payment, now: datetime) -> None:
    dossier = session.get(Dossier, payment.dossier_id)
    assert dossier is not None
    note = (
        f"Đã hoàn trả {format_dong(payment.amount)} qua Cổng thanh toán quốc gia"
        f" (mã hoàn tiền {payment.refund_no}). Lý do: {payment.refund_reason}"
    )
    try:
        workflow.apply(
            session,
            dossier,
            "refund",
            workflow.system(),
            expected_version=dossier.version,
            note=note,
            now=now,
            commit=False,
        )
    except workflow.TransitionError:
        log.warning("refund of %s recorded without a timeline event", payment.order_id)
