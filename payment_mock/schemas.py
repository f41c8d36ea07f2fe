"""The gateway API's messages as pydantic models: spectree validates the requests with
them and writes the OpenAPI 3.1 document (`GET /openapi.json`) from them.

Every field is what docs/payment-gateway.md says. The merchant may send the amount as a
JSON integer or as its decimal text (what `common.payment_signature.signed` gives); the
signature is the same either way. Unknown fields are allowed (and signed).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt

from common.web import has_control
from payment_mock.orders import MAX_AMOUNT

SIGNATURE = r"^[0-9a-fA-F]{128}$"
ORDER_ID = r"^[A-Za-z0-9._-]{1,64}$"
MERCHANT = r"^[A-Z0-9_]{1,32}$"
TIMESTAMP = r"^[0-9]{14}$"  # UTC YYYYMMDDHHMMSS


def _clean(value: str) -> str:
    if has_control(value):
        raise ValueError("control or format characters are not allowed")
    return value


Text = Annotated[str, AfterValidator(_clean)]
Amount = Annotated[
    Annotated[StrictInt, Field(gt=0, le=MAX_AMOUNT)]
    | Annotated[str, Field(pattern=r"^(?:[1-9][0-9]{0,11}|1000000000000)$")],
    Field(description="Whole đồng, 1 to 10^12: a JSON integer or its decimal text"),
]


def amount_value(amount: int | str) -> int:
    """The amount in đồng (the model has checked its range)."""
    return int(amount)


class Message(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class CreateOrder(Message):
    merchant: str = Field(pattern=MERCHANT)
    order_id: str = Field(pattern=ORDER_ID)
    amount: Amount
    currency: Literal["VND"]
    description: Text = Field(min_length=1, max_length=255)
    return_url: Text = Field(min_length=1, max_length=2000)
    ipn_url: Text = Field(min_length=1, max_length=2000)
    signature: str = Field(pattern=SIGNATURE)


class StatusQuery(Message):
    merchant: str = Field(pattern=MERCHANT)
    requested_at: str = Field(pattern=TIMESTAMP)
    signature: str = Field(pattern=SIGNATURE)


class RefundRequest(Message):
    merchant: str = Field(pattern=MERCHANT)
    order_id: str = Field(pattern=ORDER_ID)
    amount: Amount
    reason: Text = Field(min_length=1, max_length=500)
    requested_at: str = Field(pattern=TIMESTAMP)
    signature: str = Field(pattern=SIGNATURE)


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrderCreated(Answer):
    merchant: str
    order_id: str
    status: Literal["pending", "paid", "failed", "cancelled", "refunded"]
    pay_url: str
    signature: str


class OrderState(Answer):
    """The same signed fields as the IPN (all text); a pending order has no outcome yet."""

    merchant: str
    order_id: str
    amount: str
    currency: str
    status: Literal["pending", "paid", "failed", "cancelled", "refunded"]
    response_code: str | None = None
    transaction_no: str | None = None
    method: str | None = None
    paid_at: str | None = None
    refund_no: str | None = None
    refunded_at: str | None = None
    signature: str


class Refunded(Answer):
    merchant: str
    order_id: str
    amount: str
    status: Literal["refunded"]
    refund_no: str
    refunded_at: str
    signature: str


class Error(Answer):
    error: str
    error_description: str
