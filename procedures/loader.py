"""Load and validate the catalogue: one TOML file per procedure, one per province policy.

A malformed file stops start-up with a message naming the file, the field and the problem.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ValidationError

from procedures import authorities, fee_schema
from procedures.authorities import Authority
from procedures.fee_schema import FeePolicy
from procedures.schema import Procedure

HERE = Path(__file__).resolve().parent


class CatalogueError(Exception):
    """A catalogue file is malformed; the message says which, where and why."""


@dataclass(frozen=True)
class Catalogue:
    procedures: dict[str, Procedure]
    policies: tuple[FeePolicy, ...]
    authorities: dict[str, Authority]

    def get(self, code: str) -> Procedure | None:
        return self.procedures.get(code)

    def authority(self, procedure: Procedure) -> Authority:
        """The competent body of `procedure`."""
        return self.authorities[procedure.authority]

    def level(self, procedure: Procedure) -> str:
        """ "commune" or "province": the level of the competent body."""
        return self.authorities[procedure.authority].level


def _read(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{path.name}: not valid TOML: {exc}") from exc


def _problems(path: Path, exc: ValidationError) -> CatalogueError:
    problems = "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '(file)'}: {err['msg']}" for err in exc.errors()
    )
    return CatalogueError(f"{path.name}: {problems}")


def _parse(path: Path, model: type[BaseModel]):
    data = _read(path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _problems(path, exc) from exc


def load_authorities(path: Path = HERE / "authorities.toml") -> dict[str, Authority]:
    """The bodies of an authorities.toml, by key; a malformed file raises CatalogueError."""
    try:
        return authorities.parse(_read(path))
    except ValidationError as exc:
        raise _problems(path, exc) from exc


def _link_problem(
    proc: Procedure, procedures: dict[str, Procedure], bodies: dict[str, Authority]
) -> str | None:
    """What is wrong with the procedure's linked parts (liên thông), or None: each part is
    in the catalogue and is not a group itself; the lead writes to the registry (its parts
    start after it); the fields filled are the part's, a fixed value one of a select's
    options; a `lead.` source names a field of the lead; a commune part cannot take the
    place of a province lead's office."""
    own = {f.name for f in proc.fields}
    for link in proc.linked:
        part = procedures.get(link.code)
        if part is None:
            return f"{link.code} is not in the catalogue"
        if part.linked:
            return f"{link.code} has linked procedures of its own"
        fields = {f.name: f for f in part.fields}
        unknown = sorted(link.fields() - fields.keys())
        if unknown:
            return f"{link.code}: not fields of that procedure: {unknown}"
        for name, value in link.values.items():
            options = fields[name].options
            if options and value not in options:
                return f"{link.code}: values.{name} {value!r} is not one of its options"
        sources = list(link.data.values()) + [t.path for t in link.when]
        lead_fields = {s.split(".")[1] for s in sources if s.startswith("lead.")}
        if lead_fields - own:
            return f"{link.code}: lead fields not in this form: {sorted(lead_fields - own)}"
        if (
            link.routing == "lead_office"
            and bodies[part.authority].level == "commune"
            and bodies[proc.authority].level == "province"
        ):
            return f"{link.code}: a commune body cannot take a province office's place"
    if proc.linked and not proc.write_backs:
        return "the parts start after the registry write-back, but write_backs is empty"
    return None


def load_catalogue(root: Path = HERE) -> Catalogue:
    """Read `authorities.toml`, `catalogue/*.toml` and `policies/*.toml` under `root`."""
    bodies = load_authorities(root / "authorities.toml")
    parsed = [
        (path, _parse(path, Procedure)) for path in sorted((root / "catalogue").glob("*.toml"))
    ]
    procedures: dict[str, Procedure] = {}
    for path, proc in parsed:
        if proc.code in procedures:
            raise CatalogueError(f"{path.name}: code: {proc.code} is already used")
        procedures[proc.code] = proc
    for path, proc in parsed:
        body = bodies.get(proc.authority)
        if body is None:
            raise CatalogueError(
                f"{path.name}: authority: unknown body {proc.authority!r} "
                f"(authorities.toml has {', '.join(sorted(bodies))})"
            )
        if body.receives_only:
            raise CatalogueError(
                f"{path.name}: authority: {proc.authority!r} only receives dossiers; "
                "name the body that decides"
            )
        proc._level = body.level
        problems = proc.routing_problems(body.level)
        if problems:
            raise CatalogueError(f"{path.name}: {'; '.join(problems)}")
    for path, proc in parsed:
        problem = _link_problem(proc, procedures, bodies)
        if problem:
            raise CatalogueError(f"{path.name}: linked: {problem}")
    return Catalogue(procedures, _policies(root, procedures), bodies)


def _policies(root: Path, procedures: dict[str, Procedure]) -> tuple[FeePolicy, ...]:
    """The fee policies: a provincial one only on fees the provincial council sets; no two of
    the same scope (province, or national) overlapping in time for the same procedure."""
    named = []
    for path in sorted((root / "policies").glob("*.toml")):
        policy = _parse(path, FeePolicy)
        problems = fee_schema.policy_problems(policy, procedures)
        if problems:
            raise CatalogueError(f"{path.name}: {'; '.join(problems)}")
        named.append((path.name, policy))
    overlaps = fee_schema.overlap_problems(named)
    if overlaps:
        raise CatalogueError("; ".join(overlaps))
    return tuple(policy for _, policy in named)
