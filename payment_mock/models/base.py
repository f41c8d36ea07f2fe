"""The gateway's own SQLModel registry, so its tables never mix with the other apps'."""

from datetime import UTC, datetime

from sqlalchemy.orm import registry
from sqlmodel import SQLModel

payment_registry = registry()


class PaymentModel(SQLModel, registry=payment_registry):
    """Base class of every payment-gateway table."""


def utcnow() -> datetime:
    """Timezone-aware UTC now (SQLModel refuses naive datetimes)."""
    return datetime.now(UTC)
