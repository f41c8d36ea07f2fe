"""Rating the service once a dossier's result has been returned. No Flask here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal.models import Dossier
from portal.models.ratings import Rating  # also registers the table before create_all

SCORE_LABELS = {
    1: "Rất không hài lòng",
    2: "Không hài lòng",
    3: "Bình thường",
    4: "Hài lòng",
    5: "Rất hài lòng",
}
COMMENT_MAX = 1000
ALREADY = "Bạn đã đánh giá hồ sơ này."


class RatingError(Exception):
    """A refused rating; `field` names the form field the message belongs to (or None)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def rating_of(session: Session, dossier_id: int) -> Rating | None:
    return session.exec(select(Rating).where(Rating.dossier_id == dossier_id)).first()


def parse_score(raw: str | None) -> int:
    """The score 1–5 from form input; RatingError(field="score") otherwise."""
    try:
        score = int((raw or "").strip())
    except ValueError:
        score = 0
    if score not in SCORE_LABELS:
        raise RatingError("Vui lòng chọn một mức từ 1 đến 5.", "score")
    return score


def rate(
    session: Session,
    dossier: Dossier,
    personal_id: str,
    score: int,
    comment: str | None,
    now: datetime,
) -> Rating:
    """Store the applicant's rating of a returned dossier; once only. Commits."""
    if dossier.applicant_id != personal_id:
        raise RatingError("Chỉ người nộp hồ sơ mới đánh giá được.")
    if dossier.status != "returned":
        raise RatingError("Chỉ đánh giá được khi hồ sơ đã trả kết quả.")
    if score not in SCORE_LABELS:
        raise RatingError("Vui lòng chọn một mức từ 1 đến 5.", "score")
    text = (comment or "").strip() or None
    if text and len(text) > COMMENT_MAX:
        raise RatingError(f"Ý kiến tối đa {COMMENT_MAX} ký tự.", "comment")
    assert dossier.id is not None  # a returned dossier is stored
    if rating_of(session, dossier.id) is not None:
        raise RatingError(ALREADY)
    row = Rating(dossier_id=dossier.id, score=score, comment=text, created_at=now)
    session.add(row)
    try:
        session.commit()
    except IntegrityError:  # a second submit raced this one: the unique dossier_id decides
        session.rollback()
        raise RatingError(ALREADY) from None
    return row
