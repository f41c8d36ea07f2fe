"""The `service_index` part of /api/v1/stats (stats.service_index_as_dict) as pydantic
models, for the API's document: the national service index's groups (QĐ 766/QĐ-TTg,
procedures/service_index.toml) per province, office and body. Open like the other stats
models, so the index can grow."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class GroupPoints(_Open):
    key: str = Field(description="Khóa nhóm chỉ số, ví dụ cong_khai_minh_bach")
    name: str
    max_points: int = Field(description="Điểm tối đa của nhóm")
    points: float | None = Field(description="Điểm đạt được; null: không có số liệu")


class IndexScores(_Open):
    total: float | None = Field(description="Tổng điểm thang 100 trên các nhóm có số liệu")
    groups: list[GroupPoints]


class ProvinceIndex(IndexScores):
    code: int
    name: str


class OfficeIndex(IndexScores):
    code: str
    name: str
    province_code: int
    body: str = Field(description="Loại cơ quan (procedures/authorities.toml)")


class BodyIndex(IndexScores):
    key: str
    name: str


class ServiceIndexAnswer(_Open):
    total: IndexScores
    provinces: list[ProvinceIndex]
    offices: list[OfficeIndex]
    bodies: list[BodyIndex]
