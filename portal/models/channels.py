"""The citizen's contact points (e-mail, phone) and the messages sent to them.

A contact point is used only once confirmed by a code sent to it. Every e-mail and SMS is an
OutboundMessage row first (the outbox), written in the transaction that decided to send it;
the task queue delivers it and records the outcome.
"""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field

from portal.models.base import PortalModel, utcnow


class ContactPoint(PortalModel, table=True):
    __tablename__ = "contact_point"

    personal_id: str = Field(primary_key=True, max_length=12)
    channel: str = Field(primary_key=True, max_length=8)  # "email" | "phone"
    address: str | None = Field(default=None, max_length=254)  # confirmed; None until then
    confirmed_at: datetime | None = None
    # A new address waiting for its code; the code itself is stored only as a hash.
    pending_address: str | None = Field(default=None, max_length=254)
    code_hash: str | None = Field(default=None, max_length=128)
    code_expires_at: datetime | None = None
    code_attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    updated_at: datetime = Field(default_factory=utcnow)


class OutboundMessage(PortalModel, table=True):
    __tablename__ = "outbound_message"
    __table_args__ = (
        # one e-mail and one SMS per notification, however often its task runs
        Index("uq_outbound_notification_channel", "notification_id", "channel", unique=True),
        Index("ix_outbound_status_created", "status", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=8)  # "email" | "sms"
    personal_id: str = Field(index=True, max_length=12)
    address: str = Field(max_length=254)
    subject: str | None = Field(default=None, max_length=255)
    body: str
    reference: str | None = Field(default=None, max_length=48)  # the dossier's code, if any
    notification_id: int | None = Field(default=None)
    status: str = Field(default="pending", max_length=8)  # pending | sent | failed
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
