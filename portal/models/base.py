"""The portal's own SQLModel registry, so its tables never mix with the provider's."""

from datetime import UTC, datetime

from sqlalchemy.orm import registry
from sqlmodel import SQLModel

portal_registry = registry()


class PortalModel(SQLModel, registry=portal_registry):
    """Base class of every portal table."""


def utcnow() -> datetime:
    return datetime.now(UTC)
