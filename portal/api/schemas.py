"""The answers of /api/v1 as pydantic models: what Spectree validates and publishes at
/api/v1/openapi.json (portal/api/openapi.py). Statistics have their module of their own
(portal/api/stats_schemas.py).

Every answer allows keys beyond those listed, so adding a field is no break for clients.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from procedures.schema import Procedure


class Answer(BaseModel):
    """An answer of the API: keys beyond those listed may be added later."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class ErrorAnswer(Answer):
    """An HTTP error (common/web.py): a short title and a Vietnamese explanation."""

    error: str
    error_description: str | None = None


class ProcedureBrief(Answer):
    """A procedure of the catalogue, as listed."""

    code: str = Field(description="Mã thủ tục (Cơ sở dữ liệu quốc gia về thủ tục hành chính)")
    name: str
    field: str = Field(description="Lĩnh vực")
    level: Literal["commune", "province"] = Field(description="Cấp của cơ quan có thẩm quyền")
    service_level: Literal["toan_trinh", "mot_phan"]
    authority: str
    processing_days: int
    processing_counting: Literal["working", "calendar"]
    base_fee: int = Field(description="Mức phí, lệ phí chính (đồng)")
    min_vneid_level: int


class ProceduresAnswer(Answer):
    procedures: list[ProcedureBrief]


class ProcedureAnswer(Answer):
    """A procedure as the catalogue holds it (procedures/schema.py)."""

    procedure: Procedure


class DossierBrief(Answer):
    """A filed dossier of the signed-in citizen."""

    code: str
    procedure_code: str
    status: str
    status_label: str
    office_code: str | None
    submitted_at: datetime | None
    due_date: date | None
    fee_amount: int | None
    fee_reason: str | None


class DossiersAnswer(Answer):
    dossiers: list[DossierBrief]


class TimelineEntry(Answer):
    at: datetime
    from_status: str | None = Field(alias="from")
    to_status: str = Field(alias="to")
    note: str | None


class DossierDetail(DossierBrief):
    routing_reason: str | None
    timeline: list[TimelineEntry]


class DossierAnswer(Answer):
    dossier: DossierDetail


class OpenApiDocument(Answer):
    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]
