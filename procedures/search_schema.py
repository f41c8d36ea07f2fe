"""The shape of procedures/search_synonyms.toml: what people type, mapped to the words of the
catalogue, the procedures asked most, and what the portal does not offer. Validated with
pydantic at start-up like the catalogue; no Flask here."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, field_validator, model_validator

from procedures.base import Strict
from procedures.loader import _problems, _read
from procedures.text import fold_words

HERE = Path(__file__).resolve().parent
Code = Annotated[str, Field(pattern=r"^\d\.\d{6}$")]


class Synonym(Strict):
    means: str = Field(min_length=2)  # catalogue words the phrases stand for
    phrases: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _differ(self) -> Synonym:
        means = fold_words(self.means)
        if not means:
            raise ValueError(f"means {self.means!r} has no letters")
        for phrase in self.phrases:
            words = fold_words(phrase)
            if not words:
                raise ValueError(f"phrase {phrase!r} has no letters")
            if words == means:
                raise ValueError(f"phrase {phrase!r} is its own means once diacritics are gone")
        return self


class NotOffered(Strict):
    name: str = Field(min_length=2)  # the procedure, as the page names it
    phrases: list[str] = Field(min_length=1)


class SearchData(Strict):
    popular: list[Code] = Field(min_length=1)
    stop_words: list[str] = []
    synonyms: list[Synonym] = []
    not_offered: list[NotOffered] = []

    @field_validator("popular")
    @classmethod
    def _once(cls, codes: list[str]) -> list[str]:
        repeated = sorted({c for c in codes if codes.count(c) > 1})
        if repeated:
            raise ValueError(f"repeated: {repeated}")
        return codes

    @model_validator(mode="after")
    def _each_phrase_once(self) -> SearchData:
        seen: dict[tuple[str, ...], str] = {}
        phrases = [p for s in self.synonyms for p in s.phrases]
        phrases += [p for n in self.not_offered for p in n.phrases]
        phrases += self.stop_words
        for phrase in phrases:
            key = fold_words(phrase)
            if not key:
                raise ValueError(f"phrase {phrase!r} has no letters")
            if key in seen:
                raise ValueError(f"phrase {phrase!r} repeats {seen[key]!r} (diacritics aside)")
            seen[key] = phrase
        return self


def load_search_data(path: Path = HERE / "search_synonyms.toml") -> SearchData:
    """The search's synonyms file; a malformed one raises CatalogueError naming the problem."""
    try:
        return SearchData.model_validate(_read(path))
    except ValidationError as exc:
        raise _problems(path, exc) from exc
