"""Public servants who act on dossiers, and the notices the portal sends to citizens."""

from datetime import datetime

from sqlmodel import Field

from portal.models.base import PortalModel, utcnow

ROLE_LABELS = {
    "tiep_nhan": "Tiếp nhận (một cửa)",
    "xu_ly": "Chuyên viên xử lý",
    "lanh_dao": "Lãnh đạo (duyệt, ký)",
}


class Staff(PortalModel, table=True):
    """A civil servant of one office; a small office may give one person every role."""

    __tablename__ = "staff"

    personal_id: str = Field(primary_key=True, max_length=12)
    office_code: str = Field(index=True, max_length=32)  # "79.26743" or "79.so-tu-phap"
    roles: str = Field(max_length=64)  # comma-separated keys of ROLE_LABELS

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(r for r in self.roles.split(",") if r)


class Notification(PortalModel, table=True):
    """A message to a citizen about one of their dossiers or their feedback (then
    `dossier_id` is NULL and `link` is the page); unread while read_at is NULL."""

    __tablename__ = "notification"

    id: int | None = Field(default=None, primary_key=True)
    personal_id: str = Field(index=True, max_length=12)
    dossier_id: int | None = Field(default=None, index=True, foreign_key="dossier.id")
    created_at: datetime = Field(default_factory=utcnow)
    text: str
    link: str | None = Field(default=None, max_length=255)
    read_at: datetime | None = None
