"""Rating the service once a dossier's result has been returned: the citizen answers every
satisfaction question of the national service index (procedures/service_index.toml); the
overall score 1–5 is derived from the answers. No Flask here."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal.models import Dossier
from portal.models.ratings import Rating  # also registers the table before create_all
from procedures.service_index import ServiceIndex

SCORE_LABELS = {
    1: "Rất không hài lòng",
    2: "Không hài lòng",
    3: "Bình thường",
    4: "Hài lòng",
    5: "Rất hài lòng",
}
COMMENT_MAX = 1000
ALREADY = "Bạn đã đánh giá hồ sơ này."
NOT_APPLICANT = "Chỉ người nộp hồ sơ mới đánh giá được."
NOT_RETURNED = "Chỉ đánh giá được khi hồ sơ đã trả kết quả."
MISSING = "Vui lòng chọn một câu trả lời."
UNKNOWN = "Câu trả lời này không có trong danh sách; vui lòng chọn lại."


class RatingError(Exception):
    """A refused rating; `field` names the form field the message belongs to (or None)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class AnswersError(Exception):
    """Answers that cannot be stored: a Vietnamese message per question key."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def rating_of(session: Session, dossier_id: int) -> Rating | None:
    return session.exec(select(Rating).where(Rating.dossier_id == dossier_id)).first()


def check_may_rate(session: Session, dossier: Dossier, personal_id: str) -> None:
    """RatingError unless `personal_id` filed the dossier, its result is returned and it has
    not been rated yet."""
    if dossier.applicant_id != personal_id:
        raise RatingError(NOT_APPLICANT)
    if dossier.status != "returned":
        raise RatingError(NOT_RETURNED)
    assert dossier.id is not None  # a returned dossier is stored
    if rating_of(session, dossier.id) is not None:
        raise RatingError(ALREADY)


def parse_answers(index: ServiceIndex, form: Mapping[str, str]) -> dict[str, str]:
    """question key → answer key for every question, from the form's values (the field of a
    question is named by its key); AnswersError naming each missing or unknown answer.
    Fields that are not questions are ignored (the comment, the CSRF token)."""
    answers: dict[str, str] = {}
    errors: dict[str, str] = {}
    for question in index.questions:
        raw = (form.get(question.key) or "").strip()[:40]
        if not raw:
            errors[question.key] = MISSING
        elif question.answer(raw) is None:
            errors[question.key] = UNKNOWN
        else:
            answers[question.key] = raw
    if errors:
        raise AnswersError(errors)
    return answers


def satisfaction_share(index: ServiceIndex, answers: Mapping | None, score: int) -> float:
    """How satisfied one rating is, from 0 to 1: the points of its counted answers over their
    questions' maximum (an answer without points, or a question the index no longer asks, is
    left out); a rating without answers (given before the criteria were asked), or none of
    whose answers count any more, is (score − 1) / 4."""
    table = index.counted()
    got = best = 0
    for key, answer_key in (answers or {}).items():
        counted = table.get(key, {}).get(str(answer_key))
        if counted is not None:
            got += counted[0]
            best += counted[1]
    if best:
        return got / best
    return (score - 1) / 4


def overall_score(index: ServiceIndex, answers: Mapping[str, str]) -> int:
    """The overall value 1–5 kept beside the answers: 1 + 4 × the satisfaction share,
    rounded half up (every answer at its best gives 5, every one at 0 gives 1)."""
    share = satisfaction_share(index, answers, 3)
    return 1 + int(share * 4 + 0.5)


def rate(
    session: Session,
    dossier: Dossier,
    personal_id: str,
    answers: Mapping[str, str],
    comment: str | None,
    now: datetime,
    index: ServiceIndex,
) -> Rating:
    """Store the applicant's rating of a returned dossier, once: the answers (checked again
    against the index) and the score they give. Commits."""
    check_may_rate(session, dossier, personal_id)
    checked = parse_answers(index, answers)
    text = (comment or "").strip() or None
    if text and len(text) > COMMENT_MAX:
        raise RatingError(f"Ý kiến tối đa {COMMENT_MAX} ký tự.", "comment")
    assert dossier.id is not None
    row = Rating(
        dossier_id=dossier.id,
        score=overall_score(index, checked),
        answers=checked,
        comment=text,
        created_at=now,
    )
    session.add(row)
    try:
        session.commit()
    except IntegrityError:  # a second submit raced this one: the unique dossier_id decides
        session.rollback()
        raise RatingError(ALREADY) from None
    return row
