"""The shape of a procedure's `[fees]` section and of a fee policy file (procedures/policies)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from procedures.base import Confidence, Strict

FeeRule = Literal["on_time_birth", "meritorious_family", "poor_household", "disability"]


class Exemption(Strict):
    rule: FeeRule
    label: str  # shown to the citizen, with the legal basis
    confidence: Confidence = "law"


class Fees(Strict):
    base: int = Field(ge=0)  # đồng, at the counter
    unit: str = "hồ sơ"
    # A number field of the form that multiplies the base (e.g. copies when the fee is per copy).
    per_field: str | None = None
    note: str | None = None
    confidence: Confidence = "unverified"
    exemptions: list[Exemption] = []


class ZeroFeePolicy(Strict):
    """A province's decision that some procedures cost 0 đồng when filed online."""

    province: int
    source: str  # the resolution, e.g. "Nghị quyết số …/NQ-HĐND"
    valid_from: date
    valid_to: date | None = None
    procedures: list[str] = Field(min_length=1)
    confidence: Confidence = "unverified"

    @model_validator(mode="after")
    def _dates(self) -> ZeroFeePolicy:
        if self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self
