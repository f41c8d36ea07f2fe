"""Feedback (phản ánh, kiến nghị): a citizen's complaint or proposal, about a dossier or in
general, in one office's queue with a deadline, answered by that office."""

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field

from portal.models.base import PortalModel, utcnow


class Feedback(PortalModel, table=True):
    __tablename__ = "feedback"
    __table_args__ = (Index("ix_feedback_office_status_due", "office_code", "status", "due_date"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=32)
    personal_id: str = Field(index=True, max_length=12)
    dossier_id: int | None = Field(default=None, index=True, foreign_key="dossier.id")
    office_code: str = Field(max_length=32)
    category: str = Field(max_length=24)
    content: str
    status: str = Field(default="open", max_length=12)  # open | answered
    created_at: datetime = Field(default_factory=utcnow)
    due_date: date
    answer: str | None = None
    answered_by: str | None = Field(default=None, max_length=12)
    answered_at: datetime | None = None
