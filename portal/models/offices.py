"""Offices: the bodies that receive, process and sign dossiers, per commune or province."""

from sqlalchemy import false
from sqlmodel import Field

from portal.models.base import PortalModel


class Office(PortalModel, table=True):
    __tablename__ = "office"

    code: str = Field(primary_key=True, max_length=32)  # "79.26743", "79.26743.ca", "79.bhxh"
    name: str
    kind: str = Field(max_length=16)  # a body of procedures/authorities.toml: "ubnd_xa", …
    province_code: int = Field(index=True)
    ward_code: int | None = Field(default=None, index=True)
    # A one-person office: its only officer may process and sign the same dossier (the
    # approval's event says so); elsewhere the signer is never the processor.
    one_person: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
