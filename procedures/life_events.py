"""Life events (sự kiện cuộc sống) of the home page and the curated popular procedures:
procedures/life_events.toml, validated with pydantic at start-up like the catalogue. A code
that is not in the catalogue, a repeated event key or a repeated code stops start-up with a
message naming the file, the place and the problem. No Flask here."""

from __future__ import annotations

import tomllib
from collections.abc import Collection
from pathlib import Path

from pydantic import Field, ValidationError, ValidationInfo, field_validator

from procedures.base import Strict
from procedures.loader import CatalogueError

HERE = Path(__file__).resolve().parent
PATH = HERE / "life_events.toml"


def _known(code: str, info: ValidationInfo) -> str:
    codes = (info.context or {}).get("codes")
    if codes is not None and code not in codes:
        raise ValueError(f"unknown procedure code {code!r} (not in the catalogue)")
    return code


def _unique(values: tuple, what: str) -> None:
    seen: set = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} {value!r} is listed twice")
        seen.add(value)


class EventProcedure(Strict):
    code: str
    why: str = Field(min_length=1)  # one sentence: why this procedure, for this event

    @field_validator("code")
    @classmethod
    def _known_code(cls, code: str, info: ValidationInfo) -> str:
        return _known(code, info)


class LifeEvent(Strict):
    key: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")  # the address: /su-kien/<key>
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    procedures: tuple[EventProcedure, ...] = Field(min_length=1)

    @field_validator("procedures")
    @classmethod
    def _codes_once(cls, procedures: tuple[EventProcedure, ...]) -> tuple[EventProcedure, ...]:
        _unique(tuple(p.code for p in procedures), "procedure")
        return procedures


class LifeEvents(Strict):
    # The home page's popular procedures while the portal's own dossiers are too few.
    popular: tuple[str, ...] = Field(min_length=1)
    events: tuple[LifeEvent, ...] = Field(min_length=1)

    @field_validator("popular")
    @classmethod
    def _popular_known(cls, codes: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        for code in codes:
            _known(code, info)
        _unique(codes, "procedure")
        return codes

    @field_validator("events")
    @classmethod
    def _keys_once(cls, events: tuple[LifeEvent, ...]) -> tuple[LifeEvent, ...]:
        _unique(tuple(e.key for e in events), "event key")
        return events

    def get(self, key: str) -> LifeEvent | None:
        return next((e for e in self.events if e.key == key), None)


def parse(data: dict, codes: Collection[str]) -> LifeEvents:
    """The life events of `data`; every procedure code must be one of `codes`."""
    return LifeEvents.model_validate(data, context={"codes": codes})


def load_life_events(codes: Collection[str], path: Path = PATH) -> LifeEvents:
    """The life events file, checked against the catalogue's `codes`; a malformed file or
    an unknown code raises CatalogueError naming the file, the place and the problem."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{path.name}: not valid TOML: {exc}") from exc
    try:
        return parse(data, codes)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(file)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise CatalogueError(f"{path.name}: {problems}") from exc
