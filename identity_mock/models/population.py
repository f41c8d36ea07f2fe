"""The mock national population database (CSDLQG về dân cư) and VNeID accounts.

Every row carries `source` and `updated_at`; a person's `provenance` overrides them per
field where a value came from elsewhere (e.g. the meritorious-service flag from the
labour ministry's database).
"""

from datetime import date, datetime, time

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field

from identity_mock.models.base import IdpModel, utcnow

REGISTRY_SOURCE = "CSDLQG về dân cư"


class Household(IdpModel, table=True):
    __tablename__ = "pop_household"

    id: str = Field(primary_key=True, max_length=16)
    head_id: str | None = Field(default=None, max_length=12)
    poor_household: bool = False
    source: str = REGISTRY_SOURCE
    updated_at: datetime = Field(default_factory=utcnow)


class Person(IdpModel, table=True):
    __tablename__ = "pop_person"

    personal_id: str = Field(primary_key=True, min_length=12, max_length=12)
    full_name: str
    birth_date: date
    sex: str = Field(max_length=3)  # "nam" | "nu"
    ethnicity: str = "Kinh"
    nationality: str = "Việt Nam"
    birth_province_code: int
    father_id: str | None = Field(default=None, index=True, max_length=12)
    mother_id: str | None = Field(default=None, index=True, max_length=12)
    spouse_id: str | None = Field(default=None, max_length=12)
    household_id: str | None = Field(default=None, index=True, max_length=16)
    relation_to_head: str | None = None
    marital_status: str = "doc_than"  # doc_than | ket_hon | ly_hon | goa
    id_card_issued_on: date | None = None
    id_card_expires_on: date | None = None
    meritorious_family: bool = False
    disability: bool = False
    health_insurance: bool = False
    died_on: date | None = None
    source: str = REGISTRY_SOURCE
    updated_at: datetime = Field(default_factory=utcnow)
    provenance: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    version: int = 1

    def provenance_of(self, field: str) -> tuple[str, str]:
        """(source, ISO update date) of one field."""
        entry = (self.provenance or {}).get(field)
        if entry:
            return entry["source"], entry["updated_at"]
        return self.source, self.updated_at.isoformat(timespec="seconds")


class Residence(IdpModel, table=True):
    __tablename__ = "pop_residence"

    id: int | None = Field(default=None, primary_key=True)
    personal_id: str = Field(index=True, max_length=12)
    kind: str = Field(max_length=10)  # "thuong_tru" | "tam_tru"
    province_code: int
    ward_code: int
    street: str
    registered_on: date
    ended_on: date | None = None
    source: str = REGISTRY_SOURCE
    updated_at: datetime = Field(default_factory=utcnow)


class BirthNotice(IdpModel, table=True):
    """A hospital's birth notice (giấy chứng sinh) for a newborn not yet registered."""

    __tablename__ = "pop_birth_notice"

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True)
    hospital: str
    birth_date: date
    sex: str = Field(max_length=3)
    weight_grams: int
    mother_id: str = Field(index=True, max_length=12)
    father_id: str | None = Field(default=None, index=True, max_length=12)
    registered_person_id: str | None = Field(default=None, max_length=12)
    source: str = "Hệ thống giấy chứng sinh điện tử (Bộ Y tế)"
    updated_at: datetime = Field(default_factory=utcnow)


class DeathNotice(IdpModel, table=True):
    """A health facility's electronic death notice (giấy báo tử), sent before the death is
    registered (liên thông khai tử, NĐ 63/2024); `registered_on` is set by the death
    registration that closes the deceased's record."""

    __tablename__ = "pop_death_notice"

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True, max_length=64)
    issuer: str  # the hospital or health facility that issued the notice
    issued_on: date
    deceased_id: str = Field(index=True, max_length=12)
    died_on: date
    died_at: time | None = None  # hour and minute of death, when the notice gives them
    place_of_death: str
    cause: str | None = None
    registered_on: date | None = None
    source: str = "Hệ thống giấy báo tử điện tử (Bộ Y tế)"
    updated_at: datetime = Field(default_factory=utcnow)


class SocialInsurance(IdpModel, table=True):
    """A person's standing with social insurance (BHXH), as the insurance database shares
    it: no row means the person never took part. `status`: "dang_dong" (contributing, now),
    "huong_luong_huu" (drawing a pension or a monthly BHXH allowance), "bao_luu" (stopped
    contributing, contribution time kept)."""

    __tablename__ = "pop_social_insurance"

    personal_id: str = Field(primary_key=True, max_length=12)
    bhxh_number: str | None = Field(default=None, max_length=10)
    status: str = Field(max_length=16)
    contribution_months: int = 0
    since: date | None = None  # start of the current status (e.g. the first pension month)
    source: str = "CSDL quốc gia về bảo hiểm (BHXH Việt Nam)"
    updated_at: datetime = Field(default_factory=utcnow)


class Account(IdpModel, table=True):
    """A VNeID account: the key to a person's identity, at level 1 or 2. Failed sign-ins
    are counted apart, per personal ID and client (`LoginThrottle`)."""

    __tablename__ = "idp_account"

    personal_id: str = Field(primary_key=True, max_length=12)
    passcode_hash: str
    level: int = 2
    persona: str | None = None  # demo persona label, shown by the dev picker


class PopulationAudit(IdpModel, table=True):
    """One read of population data: who asked, about whom, why, when."""

    __tablename__ = "pop_audit"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    client_id: str
    actor_id: str | None = None
    subject_id: str = Field(index=True)
    purpose: str
    endpoint: str
    outcome: str


class PopulationWrite(IdpModel, table=True):
    """One change a relying party made through the write API, keyed by its reference (the
    dossier code) so a retried call returns the first result instead of writing again."""

    __tablename__ = "pop_write"
    __table_args__ = (UniqueConstraint("client_id", "kind", "reference"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow)
    client_id: str = Field(max_length=64)
    kind: str = Field(max_length=16)  # "birth" | "marriage" | "death"
    reference: str = Field(max_length=64)
    subject_id: str = Field(max_length=12)
    result: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
