"""The answers of /api/v1/stats (portal/public/stats.py) as pydantic models, published in
/api/v1/openapi.json. Fields beyond those listed are allowed, so the statistics can grow."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from portal.api.service_index_schemas import ServiceIndexAnswer


class StatsQuery(BaseModel):
    """The filter; a value the page cannot use is a 400 listing why (in Vietnamese)."""

    tinh: str | None = Field(default=None, description="Mã tỉnh, thành phố")
    tu_ngay: str | None = Field(default=None, description="Từ ngày (YYYY-MM-DD)")
    den_ngay: str | None = Field(default=None, description="Đến ngày (YYYY-MM-DD)")


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class StatsFilter(_Open):
    tinh: int | None
    tu_ngay: date | None
    den_ngay: date | None


class Counts(_Open):
    """Dossiers received and resolved in the period, and how (rates from 0 to 1)."""

    received: int
    full_process: int
    full_process_rate: float | None
    resolved: int
    before_due: int
    on_due: int
    after_due: int
    on_time_rate: float | None
    avg_processing_days: float | None
    ratings: int
    avg_satisfaction: float | None


class ProvinceCounts(Counts):
    code: int
    name: str


class OfficeCounts(Counts):
    code: str
    name: str
    province_code: int


class StatsAnswer(_Open):
    filter: StatsFilter
    total: Counts
    provinces: list[ProvinceCounts]
    offices: list[OfficeCounts]
    service_index: ServiceIndexAnswer  # QĐ 766/QĐ-TTg's groups (stats.service_index_as_dict)


class StatsErrors(_Open):
    errors: list[str]
