"""Citizens' satisfaction ratings (đánh giá mức độ hài lòng): one per returned dossier."""

from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlmodel import Field

from portal.models.base import PortalModel, utcnow


class Rating(PortalModel, table=True):
    __tablename__ = "rating"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="rating_score_range"),)

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(unique=True, foreign_key="dossier.id")
    score: int
    comment: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)
