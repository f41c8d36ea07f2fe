"""The mock judicial-record database (CSDL lý lịch tư pháp): convictions and the bans that
a court's decision declaring a bankruptcy puts on managers (Luật Lý lịch tư pháp 2009,
điều 2, 42, 43; the database moved from the Ministry of Justice to the Ministry of Public
Security in 2025 [2nd]). What a Phiếu LLTP states is computed from these rows by
identity_mock/judicial.py.
"""

from datetime import date, datetime

from sqlmodel import Field

from identity_mock.models.base import IdpModel, utcnow

JUDICIAL_SOURCE = "CSDL lý lịch tư pháp (Bộ Công an)"


class Conviction(IdpModel, table=True):
    """One judgment that convicted the person (án tích), with its expungement when the
    record was cleared (xóa án tích, or an amnesty, recorded in the database)."""

    __tablename__ = "pop_conviction"

    id: int | None = Field(default=None, primary_key=True)
    personal_id: str = Field(index=True, max_length=12)
    court: str  # the court that passed the judgment
    judgment_number: str = Field(max_length=64)  # e.g. "45/2025/HS-ST"
    judgment_date: date
    offence: str  # tội danh
    articles: str  # điều, khoản of the Penal Code applied
    main_penalty: str  # hình phạt chính
    additional_penalty: str | None = None  # hình phạt bổ sung
    civil_obligations: str | None = None  # nghĩa vụ dân sự trong bản án hình sự
    court_fee: str | None = None  # án phí
    enforcement_status: str  # tình trạng thi hành án
    expunged_on: date | None = None  # đã được xóa án tích on this day
    source: str = JUDICIAL_SOURCE
    updated_at: datetime = Field(default_factory=utcnow)


class BusinessBan(IdpModel, table=True):
    """A ban on holding positions in, founding or managing enterprises and cooperatives,
    from a court's decision declaring a bankruptcy (Luật Phá sản 2014, điều 130)."""

    __tablename__ = "pop_business_ban"

    id: int | None = Field(default=None, primary_key=True)
    personal_id: str = Field(index=True, max_length=12)
    court: str
    decision_number: str = Field(max_length=64)
    decision_date: date
    enterprise: str  # the bankrupt enterprise or cooperative
    positions: str  # chức vụ bị cấm đảm nhiệm
    banned_from: date
    banned_until: date  # last day the person may not found or manage one
    source: str = JUDICIAL_SOURCE
    updated_at: datetime = Field(default_factory=utcnow)
