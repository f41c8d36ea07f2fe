"""Once-only data: fill a procedure's form from registry records instead of asking.

Plain functions. `Sources` holds the records a dossier draws on (the applicant's, the
partner's, a birth notice and the child's parents); a field's `prefill` path such as
"applicant.permanent_residence.full" names one value. Prefilled values are locked: the
form shows them read-only and an HMAC over them is checked again at submit.

The partner's record (the other person a dossier names) is read for the eligibility checks,
but its values are withheld — neither shown nor stored — until the procedure's rule allows
(`Sources.partner_shown`: the other party consented, or the registry proved the applicant is
a relative, services.filing). Where consent is the rule (marriage), the other party's
confirmation fills the partner.* fields into the dossier (services/parties.after_consent).

A field marked `typed_when_absent` has two ways: locked from the registry when it has a value
there (a death declared from the health system's electronic death notice), typed by the
citizen when it has none (no electronic notice: a paper one, or what stands in for it, is
attached instead, `notices_present` and uploads.upload_components).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from procedures.schema import FormField, Procedure

SEX_LABELS = {"nam": "Nam", "nu": "Nữ"}
# A filed dossier's data key listing the `typed_when_absent` fields the citizen typed (the
# registry had no value): shown as declared, not as the registry's.
TYPED_KEY = "_typed"
# Roots that are a notice's own value (the registry wraps the other records' values).
NOTICES = ("birth_notice", "death_notice")


@dataclass(frozen=True)
class Sources:
    applicant: dict
    partner: dict | None = None
    birth_notice: dict | None = None  # the notice's value: number, hospital, birth_date, …
    # A relative's electronic death notice (giấy báo tử) from the health system: number,
    # issuer, died_on, place_of_death, deceased {personal_id, full_name, birth_date}, …
    death_notice: dict | None = None
    mother: dict | None = None
    father: dict | None = None
    extra: dict = field(default_factory=dict)
    partner_shown: bool = True  # False: partner.* values are withheld from the applicant


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


def resolve_date(value: str) -> str:
    """An ISO date as dd/mm/yyyy (anything else as it is)."""
    return _display(value)


def resolve(path: str, sources: Sources) -> str:
    """The display value at `path`; "" when the registry has nothing there."""
    root, *keys = path.split(".")
    node = getattr(sources, root)
    if node is None:
        return ""
    if root not in NOTICES:  # registry records wrap each value with its provenance
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


def is_partner_field(f: FormField) -> bool:
    return bool(f.prefill and f.prefill.startswith("partner."))


def withheld_fields(procedure: Procedure, sources: Sources | None) -> set[str]:
    """The prefilled fields whose values the applicant may not see yet (partner.* while
    `partner_shown` is False); every partner.* field when there are no sources."""
    if sources is not None and sources.partner_shown:
        return set()
    return {f.name for f in procedure.fields if is_partner_field(f)}


def prefilled_values(procedure: Procedure, sources: Sources) -> dict[str, str]:
    """Field name → locked value, for every prefilled field the applicant may see (withheld
    partner fields are left out: not rendered, not stored, not in the locked hash), except
    the `typed_when_absent` ones the registry has no value for: the citizen types those."""
    hidden = withheld_fields(procedure, sources)
    values = {}
    for f in procedure.fields:
        if f.prefill and f.name not in hidden:
            value = resolve(f.prefill, sources)
            if value or not f.typed_when_absent:
                values[f.name] = value
    return values


def is_typed(field: FormField, locked: dict[str, str]) -> bool:
    """Whether the citizen types `field` on this dossier: it is not prefilled, or it is
    `typed_when_absent` and the registry had no value for it (not among `locked`)."""
    return not field.prefill or (field.typed_when_absent and field.name not in locked)


def as_typed(procedure: Procedure, locked: dict[str, str]) -> dict[str, str]:
    """The locked values of `typed_when_absent` fields as a typed value is kept (a date as
    YYYY-MM-DD): the dossier holds one format for such a field whichever way it came."""
    values = {}
    for f in procedure.fields:
        value = locked.get(f.name)
        if f.typed_when_absent and value and f.type == "date":
            try:
                values[f.name] = datetime.strptime(value, "%d/%m/%Y").date().isoformat()
            except ValueError:
                values[f.name] = value  # the registry's own value, kept as it came
    return values


def notices_present(sources: Sources | None) -> frozenset[str]:
    """The electronic notices the registry gives this applicant ("birth_notice",
    "death_notice"): an upload `unless_notice` names one of them is not asked."""
    if sources is None:
        return frozenset()
    return frozenset(root for root in NOTICES if getattr(sources, root) is not None)


def notice_values(procedure: Procedure, sources: Sources) -> dict[str, str]:
    """The values the form takes from a notice (field name → value, empty ones left out):
    a person the notice names (the deceased) is named by them, not by what was typed."""
    values = {}
    for f in procedure.fields:
        if f.prefill and f.prefill.split(".")[0] in NOTICES:
            value = resolve(f.prefill, sources)
            if value:
                values[f.name] = value
    return values


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
    """How much of a procedure's form the registry fills for one dossier (a
    `typed_when_absent` field the registry has no value for counts as typed)."""
    values = prefilled_values(procedure, sources)  # withheld fields count as not found yet
    prefilled = sum(1 for f in procedure.fields if f.prefill and not is_typed(f, values))
    typed = sum(1 for f in procedure.fields if is_typed(f, values) and f.required and not f.default)
    return PrefillCount(prefilled, sum(1 for v in values.values() if v), typed)
