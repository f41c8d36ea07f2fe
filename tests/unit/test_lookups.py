"""Rules behind "lookups reveal nothing before entitlement": the registry's match rule, the
masking of personal IDs on the public verification page, the procedure file's settings for
naming another person, and what the portal withholds."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from pydantic import ValidationError

import procedures
from identity_mock.models import Person
from identity_mock.population import comparable_name, matches
from portal.services import filing, prefill, results
from procedures.schema import Procedure

LAN = Person(
    personal_id="079302034567",
    full_name="Đỗ Thị Lan",
    birth_date=date(2002, 1, 15),
    sex="nu",
    birth_province_code=79,
)
DECOMPOSED = unicodedata.normalize("NFD", "Đỗ Thị Lan")


@pytest.mark.parametrize(
    ("typed", "birth", "expected"),
    [
        ("Đỗ Thị Lan", None, True),  # right
        ("Đỗ Thị Lan", date(2002, 1, 15), True),  # right, with the birth date
        ("Đỗ Thị Lân", None, False),  # wrong name
        ("Nguyễn Thị Lan", None, False),
        ("Đỗ Thị", None, False),
        ("Đỗ Thị Lan", date(2002, 1, 16), False),  # wrong birth date
        ("Đỗ Thị Lan", date(2001, 1, 15), False),
        ("đỗ thị lan", None, True),  # case
        ("ĐỖ THỊ LAN", None, True),
        ("  Đỗ   Thị\tLan  ", None, True),  # whitespace
        ("Đỗ Thị\u00a0Lan", None, True),  # a no-break space from a copied text
        (DECOMPOSED, None, True),  # NFD from some keyboards: NFC first
        ("Do Thi Lan", None, False),  # diacritics are significant
        ("Đô Thị Lan", None, False),
        ("Dỗ Thị Lan", None, False),  # Đ is not D
        ("Đỗ Thi Lan", None, False),
    ],
)
def test_match_rule(typed, birth, expected):
    assert matches(LAN, typed, birth) is expected


def test_nobody_never_matches():
    assert matches(None, "Đỗ Thị Lan") is False


def test_comparable_name():
    assert comparable_name("  ĐỖ  thị LAN ") == "đỗ thị lan"
    assert comparable_name(DECOMPOSED) == comparable_name("Đỗ Thị Lan")


# --- the public verification page ----------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "masked"),
    [("079302034567", "079*******67"), ("001040056789", "001*******89"), ("1234", "****")],
)
def test_personal_ids_are_masked_first_three_last_two(number, masked):
    assert results.mask_personal_id(number) == masked


# --- procedure files ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalogue():
    return procedures.load_catalogue()


@pytest.mark.parametrize(
    ("code", "name", "birth", "details"),
    [
        ("1.000894", "partner_full_name", "partner_birth_date", "after_consent"),
        ("1.000656", "deceased_stated_full_name", None, "relatives"),
        ("1.014137", "child_stated_full_name", None, "relatives"),
    ],
)
def test_naming_another_person_takes_their_name(catalogue, code, name, birth, details):
    proc = catalogue.get(code)
    assert (proc.partner_name_field, proc.partner_birth_date_field) == (name, birth)
    assert proc.partner_details == details
    step = {f.name: f.step for f in proc.fields}
    assert step[name] == step[proc.partner_field]  # asked together with the number


def _marriage(catalogue, **changes) -> dict:
    data = catalogue.get("1.000894").model_dump()
    return {**data, **changes}


@pytest.mark.parametrize(
    "changes",
    [
        {"partner_name_field": None},  # a number alone names nobody
        {"partner_name_field": "applicant_full_name"},  # prefilled, not typed
        {"partner_birth_date_field": "partner_full_name"},  # not a date
        {"partner_relations": ["child"]},  # relations are for partner_details = "relatives"
        {"partner_field": None},  # a name without a number
    ],
)
def test_the_schema_refuses_an_incomplete_naming(catalogue, changes):
    with pytest.raises(ValidationError):
        Procedure.model_validate(_marriage(catalogue, **changes))


# --- what the portal withholds ----------------------------------------------------------------


def _item(value) -> dict:
    return {"value": value, "source": "CSDLQG về dân cư", "updated_at": "2025-01-01T00:00:00"}


def _record(personal_id: str, name: str, **links) -> dict:
    record = {
        "personal_id": _item(personal_id),
        "full_name": _item(name),
        "birth_date": _item("1968-06-15"),
        "sex": _item("Nam"),
        "ethnicity": _item("Kinh"),
        "nationality": _item("Việt Nam"),
        "permanent_residence": _item({"full": "15 Tôn Đức Thắng, Phường Đống Đa, Hà Nội"}),
        "marital_status": _item("Chưa kết hôn"),
        "died_on": _item(None),
        "spouse": _item(None),
        "children": _item([]),
    }
    for key in ("father", "mother"):
        record[key] = _item({"personal_id": links[key]} if key in links else None)
    return record


THO = _record("001040056789", "Hoàng Văn Thọ")
MINH = _record("001068004321", "Hoàng Văn Minh", father="001040056789")
BE = _record("079181000777", "Nguyễn Thị Bé")
RECORDS = {r["personal_id"]["value"]: r for r in (THO, MINH, BE)}


def _sources(proc, form, *, answer: bool = True):
    def match(personal_id, name, birth):
        return answer

    return filing.gather_sources(proc, THO, form, RECORDS.__getitem__, match=match)


def test_death_details_are_shown_to_a_relative_only(catalogue):
    death = catalogue.get("1.000656")
    son = {"deceased_personal_id": MINH["personal_id"]["value"], "deceased_stated_full_name": "x"}
    shown = prefill.prefilled_values(death, _sources(death, son))
    assert shown["deceased_residence"].startswith("15 Tôn Đức Thắng")
    stranger = {**son, "deceased_personal_id": BE["personal_id"]["value"]}
    sources = _sources(death, stranger)
    assert sources.partner is BE  # read for the checks, server-side
    hidden = prefill.prefilled_values(death, sources)
    assert not {"deceased_full_name", "deceased_residence"} & set(hidden)
    assert prefill.withheld_fields(death, sources) >= {"deceased_full_name", "deceased_sex"}


def test_a_wrong_name_reads_nothing(catalogue):
    death = catalogue.get("1.000656")
    form = {"deceased_personal_id": MINH["personal_id"]["value"], "deceased_stated_full_name": "y"}

    def lookup(personal_id):
        raise AssertionError("no record may be read before the name matches")

    with pytest.raises(filing.FilingError) as refused:
        filing.gather_sources(death, THO, form, lookup, match=lambda *a: False)
    assert "không khớp" in refused.value.messages[0]


def test_marriage_details_wait_for_consent(catalogue):
    marriage = catalogue.get("1.000894")
    form = {
        "partner_personal_id": BE["personal_id"]["value"],
        "partner_full_name": "Nguyễn Thị Bé",
        "partner_birth_date": "1968-06-15",
    }
    before = _sources(marriage, form)
    assert before.partner is BE and not before.partner_shown
    assert not any(
        name.startswith("partner_") for name in prefill.prefilled_values(marriage, before)
    )
    after = filing.gather_sources(
        marriage, THO, form, RECORDS.__getitem__, match=lambda *a: True, consented=True
    )
    assert prefill.prefilled_values(marriage, after)["partner_ethnicity"] == "Kinh"
