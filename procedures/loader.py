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
    procedures: dict[str, Procedure] = {}
    for path in sorted((root / "catalogue").glob("*.toml")):
        proc = _parse(path, Procedure)
        if proc.code in procedures:
            raise CatalogueError(f"{path.name}: code {proc.code} is already used")
        procedures[proc.code] = proc
    policies = tuple(_parse(p, ZeroFeePolicy) for p in sorted((root / "policies").glob("*.toml")))
    for policy in policies:
        unknown = set(policy.procedures) - procedures.keys()
        if unknown:
            raise CatalogueError(
                f"zero-fee policy of province {policy.province}: unknown procedures "
                f"{sorted(unknown)}"
            )
    for proc in procedures.values():
        missing = set(proc.linked) - procedures.keys()
        if missing:
            raise CatalogueError(
                f"{proc.code}: linked procedures not in the catalogue {sorted(missing)}"
            )
    return Catalogue(procedures, policies)
