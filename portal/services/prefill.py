"""Once-only data: fill a procedure's form from registry records instead of asking.

Plain functions. `Sources` holds the records a dossier draws on (the applicant's, the
partner's, a birth notice and the child's parents); a field's `prefill` path such as
"applicant.permanent_residence.full" names one value. Prefilled values are locked: the
form shows them read-only and an HMAC over them is checked again at submit.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import date

from procedures.schema import Procedure

SEX_LABELS = {"nam": "Nam", "nu": "Nữ"}


@dataclass(frozen=True)
class Sources:
    applicant: dict
    partner: dict | None = None
    birth_notice: dict | None = None  # the notice's value: number, hospital, birth_date, …
    mother: dict | None = None
    father: dict | None = None
    extra: dict = field(default_factory=dict)


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return str(value)


def resolve(path: str, sources: Sources) -> str:
    """The display value at `path`; "" when the registry has nothing there."""
    root, *keys = path.split(".")
    node = getattr(sources, root)
    if node is None:
        return ""
    if root != "birth_notice":  # registry records wrap each value with its provenance
        first, *keys = keys
        node = (node.get(first) or {}).get("value")
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    if root == "birth_notice" and path.endswith(".sex"):
        node = SEX_LABELS.get(node, node)
    return _display(node)


def roots_needed(procedure: Procedure, step: str) -> set[str]:
    """The records the prefilled fields of one step read ("applicant", "partner", …)."""
    return {f.prefill.split(".")[0] for f in procedure.fields if f.prefill and f.step == step}


def prefilled_values(procedure: Procedure, sources: Sources) -> dict[str, str]:
    """Field name → locked value, for every prefilled field of the procedure."""
    return {f.name: resolve(f.prefill, sources) for f in procedure.fields if f.prefill}


def locked_hash(values: dict[str, str], secret: str) -> str:
    """HMAC of the locked values: recomputed at submit to detect tampering or a stale form."""
    canonical = json.dumps(values, sort_keys=True, ensure_ascii=False).encode()
    return hmac.new(secret.encode(), canonical, hashlib.sha256).hexdigest()


def tampered_fields(posted: dict[str, str], locked: dict[str, str]) -> list[str]:
    """Locked fields that came back with a different value (a client must not change them)."""
    return [name for name, value in locked.items() if name in posted and posted[name] != value]


@dataclass(frozen=True)
class PrefillCount:
    prefilled: int  # fields the portal fills from the registry (locked)
    found: int  # of those, how many the registry had a value for
    typed: int  # required fields without a preset value: what the citizen must type

    @property
    def share(self) -> float:
        return self.prefilled / ((self.prefilled + self.typed) or 1)


def prefill_count(procedure: Procedure, sources: Sources) -> PrefillCount:
    """How much of a procedure's form the registry fills for one dossier."""
    values = prefilled_values(procedure, sources)
    typed = sum(1 for f in procedure.fields if not f.prefill and f.required and not f.default)
    return PrefillCount(len(values), sum(1 for v in values.values() if v), typed)
