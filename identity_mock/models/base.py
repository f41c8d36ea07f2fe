"""The provider's own SQLModel registry, so its tables never mix with the portal's."""

from datetime import UTC, datetime

from sqlalchemy.orm import registry
from sqlmodel import SQLModel

idp_registry = registry()


class IdpModel(SQLModel, registry=idp_registry):
    """Base class of every identity-provider table."""


def utcnow() -> datetime:
    """Timezone-aware UTC now (SQLModel refuses naive datetimes)."""
    return datetime.now(UTC)
