"""Offices that receive dossiers: commune People's Committees and province departments."""

from sqlalchemy import false
from sqlmodel import Field

from portal.models.base import PortalModel


class Office(PortalModel, table=True):
    __tablename__ = "office"

    code: str = Field(primary_key=True, max_length=32)  # "79.26743" or "79.so-tu-phap"
    name: str
    kind: str = Field(max_length=12)  # "commune" | "department"
    province_code: int = Field(index=True)
    ward_code: int | None = Field(default=None, index=True)
    department: str | None = None  # e.g. "so-tu-phap", for kind == "department"
    # A one-person office: its only officer may process and sign the same dossier (the
    # approval's event says so); elsewhere the signer is never the processor.
    one_person: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
