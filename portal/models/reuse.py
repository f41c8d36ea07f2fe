"""Which result document from the citizen's data store a filed dossier reused, per component."""

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field

from portal.models.base import PortalModel, utcnow


class ReusedDocument(PortalModel, table=True):
    """Written at submit, after the portal checked the document again (owner, signature,
    validity); the clerk and the receipt read it, the form never supplies it."""

    __tablename__ = "reused_document"
    __table_args__ = (UniqueConstraint("dossier_id", "component"),)

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(index=True, foreign_key="dossier.id")
    component: int  # index of the component in the procedure file
    result_id: int = Field(index=True, foreign_key="result_document.id")
    valid_until: date | None = None  # last day the document was usable, as checked at submit
    checked_at: datetime = Field(default_factory=utcnow)
