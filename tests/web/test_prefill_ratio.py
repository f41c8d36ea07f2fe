"""Once-only data, measured: for each procedure, how many form values the registry fills
for a real demo citizen versus how many inputs that citizen still has to type.

Run with `-s` to see the table. Targets: at least 75 % prefilled over the twelve procedures
the target was set on (80 % before naming another person took their name and birth date
besides their number: those inputs prove the applicant knows the person, so the registry need
not reveal anything; 77.7 % then; 81 % once a death is declared from the electronic death
notice), and at most 6 typed inputs for birth registration. The count is of the filed
dossier once every party consented (the marriage partner's data is read from the registry
after her confirmation, not typed); naming another person takes their number and name.

The 27-procedure catalogue stays near 64 %: its later procedures ask what no registry holds
(the contract and property to certify, the reason and dates of an absence, a removal or a
renewal, a lost register's office, date and number, the person under guardianship, the
content to correct, a phone number), so the whole catalogue has a floor, not the target.
"""

from __future__ import annotations

import pytest

from identity_mock.db import db as idp_db
from identity_mock.models import Person
from identity_mock.population import person_record
from portal.services import registry
from portal.services.filing import gather_sources
from portal.services.prefill import prefill_count
from procedures import load_catalogue

# The procedures the 75 % target was set on: life events and papers whose facts the
# registry holds.
TARGETED = {
    "1.000656", "1.000894", "3.000333", "1.001193", "1.004194", "1.004222", "1.004873",
    "1.004884", "1.014137", "2.000635", "2.000815", "2.000884",
}  # fmt: skip
CATALOGUE_FLOOR = 0.64  # measured 64.4 % (27 procedures, December 2026)

# procedure → (who files it, what they type that names another person)
SCENARIOS = {
    # Hân declares her father Sáu's death from the hospital's electronic death notice: the
    # notice names him, so she types nothing about him.
    "1.000656": ("079178055642", {}),
    "1.000894": (  # An and Lan
        "079095001234",
        {"partner_personal_id": "079302034567", "partner_full_name": "Đỗ Thị Lan"},
    ),
    "3.000333": ("079178112345", {}),  # Quỳnh
    "1.001193": ("052196007890", {}),  # Hoa, the newborn's mother
    "1.004194": ("079095001234", {}),
    "1.004222": ("079095001234", {}),
    "1.004873": ("079165067890", {}),  # Nga, divorced
    "1.004884": ("079165067890", {}),
    "1.014137": (  # Bảo and Huy
        "038088012345",
        {"child_personal_id": "001212045678", "child_stated_full_name": "Huy"},
    ),
    "2.000635": ("079093004567", {}),
    "2.000815": ("079095001234", {}),
    "2.000884": ("079095001234", {}),
    "2.001035": ("079095001234", {}),  # An sells a house
    "1.000689": ("079302034567", {}),  # Lan
    "1.001022": ("079095001234", {}),
    "1.001731": (  # Hân, for her father Sáu
        "079178055642",
        {"deceased_personal_id": "079049003311", "deceased_stated_full_name": "Huỳnh Văn Sáu"},
    ),
    "1.014177": (  # Hân, for her father Sáu (a pensioner: BHXH pays)
        "079178055642",
        {"deceased_personal_id": "079049003311", "deceased_stated_full_name": "Huỳnh Văn Sáu"},
    ),
    "1.002755": ("079095001234", {}),
    "1.003197": ("079095001234", {}),
    "1.003677": ("079095001234", {}),
    "1.004746": ("038088012345", {}),  # Bảo, married to Mai
    "1.004837": ("079165067890", {}),  # Nga
    "1.004859": ("079095001234", {}),
    "1.005461": ("001040056789", {}),  # Thọ, whose wife died in 2020
    "1.010028": ("079095001234", {}),
    "1.014061": ("001212045678", {}),  # Huy, 14
    "1.014063": ("079302034567", {}),  # Lan, 25 soon
}


def test_every_procedure_has_a_scenario():
    assert set(SCENARIOS) == set(load_catalogue().procedures)


def test_prefilled_share(idp_app, capsys):
    catalogue = load_catalogue()
    with idp_app.app_context(), idp_db.new_session() as session:

        def record(personal_id: str) -> dict:
            person = session.get(Person, personal_id)
            if person is None:
                raise registry.PersonNotFound(personal_id)
            return person_record(session, person)

        counts = {
            code: prefill_count(
                catalogue.get(code),
                gather_sources(catalogue.get(code), record(who), typed, record, consented=True),
            )
            for code, (who, typed) in sorted(SCENARIOS.items())
        }
    prefilled = sum(c.prefilled for c in counts.values())
    typed = sum(c.typed for c in counts.values())
    with capsys.disabled():
        print("\nprocedure  prefilled (registry had a value)  typed  share")
        for code, c in counts.items():
            found = f"({c.found:>2})"
            print(f"{code}   {c.prefilled:>9} {found:<24}{c.typed:>5}  {c.share:.0%}")
        print(f"overall    {prefilled:>9}                        {typed:>5}  "
              f"{prefilled / (prefilled + typed):.1%}")  # fmt: skip
    assert prefilled / (prefilled + typed) >= CATALOGUE_FLOOR
    targeted = [c for code, c in counts.items() if code in TARGETED]
    share = sum(c.prefilled for c in targeted) / sum(c.prefilled + c.typed for c in targeted)
    assert share >= 0.75, f"{share:.1%} over the targeted procedures"
    assert counts["1.001193"].typed <= 6
    for code, c in counts.items():  # the scenarios are real: the registry answers most fields
        assert c.found >= c.prefilled // 2, code


@pytest.mark.parametrize("code", ["1.000894", "1.001193"])
def test_headline_procedures_are_mostly_prefilled(code, idp_app):
    catalogue = load_catalogue()
    who, typed = SCENARIOS[code]
    with idp_app.app_context(), idp_db.new_session() as session:

        def record(personal_id: str) -> dict:
            return person_record(session, session.get(Person, personal_id))

        count = prefill_count(
            catalogue.get(code),
            gather_sources(catalogue.get(code), record(who), typed, record, consented=True),
        )
    assert count.share >= 0.75 and count.found == count.prefilled
