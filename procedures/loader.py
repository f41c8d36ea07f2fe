"""Load and validate the catalogue: one TOML file per procedure, one per province policy.

A malformed file stops start-up with a message naming the file, the field and the problem.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ValidationError

from procedures.schema import Procedure, ZeroFeePolicy

HERE = Path(__file__).resolve().parent


class CatalogueError(Exception):
    """A catalogue file is malformed; the message says which, where and why."""


@dataclass(frozen=True)
class Catalogue:
    procedures: dict[str, Procedure]
    policies: tuple[ZeroFeePolicy, ...]

    def get(self, code: str) -> Procedure | None:
        return self.procedures.get(code)


def _parse(path: Path, model: type[BaseModel]):
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{path.name}: not valid TOML: {exc}") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(file)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise CatalogueError(f"{path.name}: {problems}") from exc


def load_catalogue(root: Path = HERE) -> Catalogue:
    """Read `catalogue/*.toml` and `policies/*.toml` under `root`."""
    parsed = [
        (path, _parse(path, Procedure)) for path in sorted((root / "catalogue").glob("*.toml"))
    ]
    procedures: dict[str, Procedure] = {}
    for path, proc in parsed:
        if proc.code in procedures:
            raise CatalogueError(f"{path.name}: code: {proc.code} is already used")
        procedures[proc.code] = proc
    for path, proc in parsed:
        missing = set(proc.linked) - procedures.keys()
        if missing:
            raise CatalogueError(f"{path.name}: linked: not in the catalogue {sorted(missing)}")
        unissued = [c for c in proc.linked if procedures[c].result.from_registry is None]
        if unissued:
            raise CatalogueError(
                f"{path.name}: linked: {unissued} need result.from_registry to be issued together"
            )
    policies = []
    for path in sorted((root / "policies").glob("*.toml")):
        policy = _parse(path, ZeroFeePolicy)
        unknown = set(policy.procedures) - procedures.keys()
        if unknown:
            raise CatalogueError(f"{path.name}: procedures: unknown codes {sorted(unknown)}")
        policies.append(policy)
    return Catalogue(procedures, tuple(policies))
