"""Contract test: the loaded catalogue says what the national records say.

Each procedure of the independent reference table (tests/unit/catalogue_reference.py, written
from the national portal's 2026 records and never read from the TOML files) is compared with
the catalogue as the loader builds it: code, name, competent body, level, routing rule,
processing time and its counting, service level, and the fee figures.
"""

from __future__ import annotations

import re
import unicodedata

import pytest

from procedures.loader import load_catalogue
from tests.unit.catalogue_reference import REFERENCE, RETIRED, Fees

CATALOGUE = load_catalogue()
CODES = sorted(REFERENCE)


def _proc(code: str):
    proc = CATALOGUE.get(code)
    assert proc is not None, f"{code} ({REFERENCE[code]['name']}) is not in the catalogue"
    return proc


def test_the_catalogue_has_at_least_25_procedures():
    assert len(CATALOGUE.procedures) >= 25


def test_every_reference_procedure_is_in_the_catalogue():
    assert sorted(set(REFERENCE) - set(CATALOGUE.procedures)) == []


def test_codes_that_do_not_exist_are_gone():
    for retired, current in RETIRED.items():
        assert retired not in CATALOGUE.procedures
        assert current in CATALOGUE.procedures


def _folded(name: str) -> str:
    """A name for comparing with the record's: NFC, case folded, without "Thủ tục" and
    parentheses."""
    name = unicodedata.normalize("NFC", name).casefold()
    name = re.sub(r"\([^)]*\)", "", name)
    name = re.sub(r"^thủ tục\s+", "", name.strip())
    return " ".join(name.split())


@pytest.mark.parametrize("code", CODES)
def test_name(code):
    row, proc = REFERENCE[code], _proc(code)
    assert proc.name == row["name"]
    # The portal's name is the official one, shortened or narrowed to what the portal offers.
    shown, official = _folded(proc.name), _folded(row["official_name"])
    assert official.startswith(shown) or shown.startswith(official), (shown, official)


@pytest.mark.parametrize("code", CODES)
def test_competent_body_and_level(code):
    row, proc = REFERENCE[code], _proc(code)
    assert proc.authority == row["authority"]
    assert CATALOGUE.level(proc) == row["level"]


@pytest.mark.parametrize("code", CODES)
def test_routing_rule(code):
    row, proc = REFERENCE[code], _proc(code)
    assert proc.routing.rule == row["routing"]
    if row["routing"] == "address_field":  # the ward of the new (temporary, property) address
        field = next(f for f in proc.fields if f.name == proc.routing.field)
        assert field.required and not field.prefill


@pytest.mark.parametrize("code", CODES)
def test_processing_time(code):
    row, proc = REFERENCE[code], _proc(code)
    assert (proc.processing.days, proc.processing.counting) == (row["days"], row["counting"])


@pytest.mark.parametrize("code", [c for c in CODES if REFERENCE[c]["service_level"]])
def test_service_level(code):
    assert _proc(code).service_level == REFERENCE[code]["service_level"]


# --- fees ---------------------------------------------------------------------------------
# The [fees] section is being reshaped (a schedule per pricing, setter, reductions); the
# readers below accept both the flat shape (base, unit, per_field, exemptions) and the
# scheduled one (kind, setter, schedule, reductions), so the contract does not depend on it.


def _schedule(fees):
    return getattr(fees, "schedule", None)


def _pricing(fees) -> str | None:
    schedule = _schedule(fees)
    return getattr(schedule, "pricing", None)


def _free(fees) -> bool:
    if getattr(fees, "kind", None) == "none":
        return True
    if hasattr(fees, "base"):
        return fees.base == 0
    schedule = _schedule(fees)
    return schedule is None or getattr(schedule, "counter", None) == 0


def _free_on_time(fees, rule: str) -> bool:
    rules = [
        (r.rule, getattr(r, "percent", 100))
        for r in [*getattr(fees, "reductions", []), *getattr(fees, "exemptions", [])]
    ]
    return _free(fees) or (rule, 100) in rules


def _counter(fees) -> int | None:
    if hasattr(fees, "base"):
        return fees.base
    schedule = _schedule(fees)
    if _pricing(fees) == "flat":
        return schedule.counter
    if _pricing(fees) in ("per_unit", "per_request"):
        return schedule.amount
    return None


@pytest.mark.parametrize("code", CODES)
def test_fee_figures(code):
    ref: Fees = REFERENCE[code]["fees"]
    fees = _proc(code).fees
    setter = getattr(fees, "setter", None)  # scheduled shape only
    if ref["set_by"] == "law":
        if "free_when" in ref:
            assert _free_on_time(fees, ref["free_when"]), fees
        else:
            assert _free(fees), fees
        return
    if ref["set_by"] == "provincial":
        # No national figure: whatever amount the file carries is the council's, not ours.
        assert setter in (None, "province")
        assert fees.confidence != "law"
        return
    assert setter in (None, "national")
    _check_national(ref, fees)


def _check_national(ref: Fees, fees) -> None:
    """The Ministry of Finance's figures, whatever the schedule's shape."""
    if "counter" in ref:
        assert _counter(fees) == ref["counter"]
    if "online" in ref and _pricing(fees) == "flat":
        assert _schedule(fees).online == ref["online"]
    if "per_case" in ref:
        assert _counter(fees) == ref["per_case"]
    if "per_copy" in ref:
        assert _counter(fees) == ref["per_copy"]
        if hasattr(fees, "per_field"):
            assert fees.per_field, "a per-copy fee multiplies by the copies field"
    if "per_page" in ref:
        first, then = ref["per_page"]
        if _pricing(fees) == "per_page":
            schedule = _schedule(fees)
            assert (schedule.first_page_amount, schedule.next_page_amount) == (first, then)
            assert schedule.cap_per_copy == ref["cap_per_copy"]
        else:
            assert fees.base == first
    if "third_copy_surcharge" in ref and _pricing(fees) == "per_request":
        schedule = _schedule(fees)
        extra = (schedule.included_copies, schedule.extra_copy_amount)
        assert extra == (2, ref["third_copy_surcharge"])
