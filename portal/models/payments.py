"""Online fee payments through the national payment gateway, and what the gateway told us.

A dossier whose fee is above 0 đồng waits in `awaiting_payment`; each attempt to pay is one
Payment (an order at the gateway, `order_id` = "<dossier code>-<attempt>"). Only a verified
server-to-server notification (or the gateway's own answer to an order-status query) marks
it paid; every message from the gateway is kept in PaymentNotice, accepted or not.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field

from portal.models.base import PortalModel, utcnow


class PaymentStatus(StrEnum):
    PENDING = "pending"  # the order exists; the citizen is (or was) on the gateway's page
    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"  # paid, then the dossier was refused at reception


class Payment(PortalModel, table=True):
    __tablename__ = "payment"
    __table_args__ = (
        UniqueConstraint("dossier_id", "attempt"),
        # the reconciliation sweep: pending orders whose status query is due
        Index("ix_payment_status_check", "status", "next_check_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(index=True, foreign_key="dossier.id")
    attempt: int  # 1, 2, … : a cancelled or failed order is followed by a new one
    order_id: str = Field(unique=True, max_length=64)
    amount: int  # đồng
    currency: str = Field(default="VND", max_length=3)
    description: str = Field(max_length=255)
    status: str = Field(default=PaymentStatus.PENDING, max_length=12)
    method: str | None = Field(default=None, max_length=16)  # card | app | qr
    transaction_no: str | None = Field(default=None, max_length=64)  # the gateway's
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    paid_at: datetime | None = None
    # Reconciliation when no IPN arrives: how many status queries so far, when the next.
    checks: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    next_check_at: datetime | None = None
    # The electronic fee receipt (biên lai điện tử), issued when the payment is confirmed.
    receipt_number: str | None = Field(default=None, unique=True, max_length=32)
    # A paid dossier refused at reception is refunded through the gateway.
    refunded_at: datetime | None = None
    refund_no: str | None = Field(default=None, max_length=64)
    refund_reason: str | None = Field(default=None, max_length=500)


class PaymentNotice(PortalModel, table=True):
    """One message from (or query answer of) the gateway and what the portal made of it."""

    __tablename__ = "payment_notice"

    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime = Field(default_factory=utcnow)
    channel: str = Field(max_length=8)  # "ipn" | "return" | "query" | "refund"
    order_id: str | None = Field(default=None, index=True, max_length=64)
    # "accepted" | "duplicate" | "bad_signature" | "unknown_order" | "wrong_amount" | "late" …
    outcome: str = Field(max_length=24)
    detail: str | None = Field(default=None, max_length=500)
    params: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
