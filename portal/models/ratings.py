"""Citizens' satisfaction ratings (đánh giá mức độ hài lòng): one per returned dossier,
with an answer per criterion of the national service index (`answers`) and the overall
score derived from them."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Column
from sqlmodel import Field

from portal.models.base import PortalModel, utcnow


class Rating(PortalModel, table=True):
    __tablename__ = "rating"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="rating_score_range"),)

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(unique=True, foreign_key="dossier.id")
    score: int
    comment: str | None = Field(default=None, max_length=1000)
    # criterion key → the answer's key (procedures' service-index data); None: rated before
    # the criteria were asked (score only).
    answers: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
