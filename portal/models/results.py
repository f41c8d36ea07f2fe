"""Result documents (văn bản kết quả): what an office issues when it approves a dossier,
signed with the office's key and verifiable by anyone through its verification code."""

from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field

from portal.models.base import PortalModel


class ResultDocument(PortalModel, table=True):
    __tablename__ = "result_document"
    # Numbers restart per office and year, as on paper ("Số: 12/2026/TLKS"): the number is
    # unique within its issuing office.
    __table_args__ = (UniqueConstraint("office_code", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(index=True, foreign_key="dossier.id")
    number: str = Field(max_length=48)
    kind: str = Field(max_length=48)
    # The register (sổ) the number belongs to, e.g. "KS" for the birth register; numbers run
    # per issuing office, book and year ("Số: 12/2026/KS").
    book: str = Field(default="", max_length=16, sa_column_kwargs={"server_default": ""})
    title: str = Field(max_length=255)
    office_code: str = Field(max_length=32)
    office_name: str = Field(max_length=255)  # as it was on the day of issue
    signer_id: str = Field(max_length=12)
    signer_name: str = Field(max_length=255)
    issued_at: datetime  # UTC, whole seconds
    content: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    verification_code: str = Field(unique=True, max_length=32)
    signature: str = Field(max_length=128)  # base64 Ed25519 signature over the payload
    key_id: str = Field(max_length=64)
    # Revocation by a leader of the issuing office: the verification page, the data store
    # and reuse all honour it.
    revoked_at: datetime | None = None
    revoked_by: str | None = Field(default=None, max_length=12)
    revoked_reason: str | None = Field(default=None, max_length=500)


class ResultSequence(PortalModel, table=True):
    """The last result number an office gave in a book in a year."""

    __tablename__ = "result_sequence"

    office_code: str = Field(primary_key=True, max_length=32)
    book: str = Field(default="", primary_key=True, max_length=16)
    year: int = Field(primary_key=True)
    last: int = 0
