"""Orders the merchant created, and what became of each."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field

from payment_mock.models.base import PaymentModel, utcnow


class OrderStatus(StrEnum):
    PENDING = "pending"  # created; the citizen has not finished on the payment page
    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"  # paid, then refunded at the merchant's request


class Method(StrEnum):
    CARD = "card"  # Thẻ ngân hàng
    APP = "app"  # Ứng dụng ngân hàng
    QR = "qr"  # Mã QR


class Order(PaymentModel, table=True):
    __tablename__ = "pay_order"
    __table_args__ = (UniqueConstraint("merchant", "order_id"),)

    id: int | None = Field(default=None, primary_key=True)
    merchant: str = Field(max_length=32)
    order_id: str = Field(max_length=64)
    # The payment page's address: random, so knowing an order id does not open its page.
    token: str = Field(unique=True, max_length=64)
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))  # đồng, up to 10^12
    currency: str = Field(default="VND", max_length=3)
    description: str = Field(max_length=255)
    return_url: str = Field(max_length=2000)
    ipn_url: str = Field(max_length=2000)
    status: str = Field(default=OrderStatus.PENDING, max_length=12)
    method: str | None = Field(default=None, max_length=16)
    transaction_no: str | None = Field(default=None, unique=True, max_length=32)
    created_at: datetime = Field(default_factory=utcnow)
    settled_at: datetime | None = None  # when it was paid, failed or cancelled
    paid_at: datetime | None = None
    refund_no: str | None = Field(default=None, unique=True, max_length=32)
    refunded_at: datetime | None = None
    refund_reason: str | None = Field(default=None, max_length=500)
