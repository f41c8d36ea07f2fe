"""Tables of the payment gateway: orders, and the dev/test switches and call record."""

from payment_mock.models.base import PaymentModel, utcnow
from payment_mock.models.orders import Method, Order, OrderStatus
from payment_mock.models.testing import CallRecord, Switch

__all__ = ["CallRecord", "Method", "Order", "OrderStatus", "PaymentModel", "Switch", "utcnow"]
