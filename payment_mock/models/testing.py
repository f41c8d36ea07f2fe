"""Dev/test-only state: misbehaviour switches and the record of every call."""

from datetime import datetime

from sqlmodel import Field

from payment_mock.models.base import PaymentModel, utcnow


class Switch(PaymentModel, table=True):
    """An active misbehaviour: while the row exists, the gateway misbehaves that way."""

    __tablename__ = "pay_switch"

    name: str = Field(primary_key=True, max_length=32)


class CallRecord(PaymentModel, table=True):
    """One API call received (`kind` "api") or one IPN attempt made (`kind` "ipn")."""

    __tablename__ = "pay_call"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow)
    kind: str = Field(max_length=8)
    method: str = Field(max_length=8)
    endpoint: str = Field(max_length=64)
    status: int  # HTTP status answered (api) or received (ipn; 0 when no answer)
    order_id: str | None = Field(default=None, max_length=64)
    code: str | None = Field(default=None, max_length=8)  # the merchant's IPN answer code
    detail: str | None = Field(default=None, max_length=200)
