"""Dev/test-only state: misbehaviour switches and the record of every call."""

from datetime import datetime

from sqlmodel import Field

from identity_mock.models.base import IdpModel, utcnow


class Switch(IdpModel, table=True):
    """An active misbehaviour: while the row exists, the provider misbehaves that way."""

    __tablename__ = "idp_switch"

    name: str = Field(primary_key=True)


class CallRecord(IdpModel, table=True):
    __tablename__ = "idp_call"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow)
    method: str
    endpoint: str
    status: int
    client_id: str | None = None
