"""The national service index (QĐ 766/QĐ-TTg) as data: its groups with their points, the
indicators the portal computes for each, and the satisfaction questions the citizen answers
after the result (procedures/service_index.toml, validated at start-up like the catalogue).

A malformed file stops start-up with a message naming the field and the problem: points that
do not add up (groups to 100, indicators to their group's), a measure the portal does not
compute, a repeated key, a question without a counted answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, PrivateAttr, ValidationError, model_validator

from procedures.base import Confidence, Strict
from procedures.loader import CatalogueError, _problems, _read

HERE = Path(__file__).resolve().parent
TOTAL_POINTS = 100
# What the portal can compute (portal/services/stats.py); each a share from 0 to 1.
Measure = Literal[
    "procedures_complete",
    "dossiers_tracked",
    "on_time",
    "online_end_to_end",
    "paid_online",
    "satisfaction",
    "results_electronic",
    "documents_reused",
]
# Names the rating form uses besides the questions' own.
RESERVED_FIELDS = {"comment", "csrf_token", "score"}
Key = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")


def _unique(keys: list[str], what: str) -> None:
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise ValueError(f"{what} used more than once: {repeated}")


class Indicator(Strict):
    key: str = Key
    name: str
    points: int = Field(ge=1)
    measure: Measure
    how: str  # what the portal counts, in the page's words
    confidence: Confidence = "secondary"


class Group(Strict):
    key: str = Key
    name: str
    points: int = Field(ge=1)
    confidence: Confidence = "secondary"
    indicators: list[Indicator] = Field(min_length=1)

    @model_validator(mode="after")
    def _points_add_up(self) -> Group:
        _unique([i.key for i in self.indicators], "indicator keys")
        total = sum(i.points for i in self.indicators)
        if total != self.points:
            raise ValueError(
                f"the indicators' points add up to {total}, not the group's {self.points}"
            )
        return self


class Answer(Strict):
    key: str = Key
    label: str
    points: int | None = Field(default=None, ge=0)  # None: not counted in the score


class Question(Strict):
    key: str = Key
    text: str  # the fieldset's legend
    answers: list[Answer] = Field(min_length=2)

    @model_validator(mode="after")
    def _answers(self) -> Question:
        if self.key in RESERVED_FIELDS:
            raise ValueError(f"{self.key!r} is a name the rating form uses itself")
        _unique([a.key for a in self.answers], "answer keys")
        if self.max_points <= 0:
            raise ValueError("no answer gives points: the question could never count")
        return self

    @property
    def max_points(self) -> int:
        return max((a.points for a in self.answers if a.points is not None), default=0)

    def answer(self, key: str) -> Answer | None:
        return next((a for a in self.answers if a.key == key), None)


class ServiceIndex(Strict):
    basis: str
    groups: list[Group] = Field(min_length=1)
    questions: list[Question] = Field(min_length=1)
    # question key → answer key → (points, the question's maximum), counted answers only:
    # the statistics read every rating of a period through it
    _counted: dict[str, dict[str, tuple[int, int]]] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: object, /) -> None:
        self._counted = {
            q.key: {a.key: (a.points, q.max_points) for a in q.answers if a.points is not None}
            for q in self.questions
        }

    def counted(self) -> dict[str, dict[str, tuple[int, int]]]:
        """question key → answer key → (points, the question's maximum), counted answers
        only (an unknown answer, or one without points, is absent)."""
        return self._counted

    @model_validator(mode="after")
    def _whole(self) -> ServiceIndex:
        _unique([g.key for g in self.groups], "group keys")
        _unique([q.key for q in self.questions], "question keys")
        measures: list[str] = [i.measure for g in self.groups for i in g.indicators]
        _unique(measures, "measures")
        total = sum(g.points for g in self.groups)
        if total != TOTAL_POINTS:
            raise ValueError(f"the groups' points add up to {total}, not {TOTAL_POINTS}")
        return self

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)


def load_service_index(path: Path = HERE / "service_index.toml") -> ServiceIndex:
    """The service index of `path`; a malformed file raises CatalogueError naming the field."""
    try:
        return ServiceIndex.model_validate(_read(path))
    except ValidationError as exc:
        raise _problems(path, exc) from exc


__all__ = ["CatalogueError", "ServiceIndex", "load_service_index"]
