"""The shape of a procedure's `[[linked]]` entries: the procedures done together with it
(liên thông, NĐ 63/2024/NĐ-CP), each a part dossier of its own body
(portal/services/groups.py creates them).

The dossier the citizen files is the group's lead; each entry names a part:

- `code`: the part's procedure;
- `starts`: when the part is created; "lead_registered": once the lead's registry write-back
  is done (the birth is registered and the child has a personal ID; the death is recorded);
- `when`: tests on the group's data that must all hold for the part to exist (none: always);
- `choice`: entries sharing a choice are alternatives: the first whose `when` holds is the
  part, the others are not (the funeral allowance at BHXH or at the UBND xã);
- `routing`: where the part goes: "subject_residence", the commune (or province, for a
  province body) of the permanent residence of the person the lead's write concerns (the
  deceased), as the registry records it; "applicant_residence": that of the lead's
  applicant (the parent a newborn is registered with); "lead_office": the commune or
  province of the lead's own office;
- `data`: part field → source; `values`: part field → a fixed value (a select's option).

A part's fee is the fee rule's for its procedure (portal/services/fees.decide_fee, online, on
the day the part starts), stored with its steps like a filed dossier's.

A source is a dotted path: `lead.<field>` (the lead's form data), `registry.<key>` (the
registry's answer to the lead's write-back), `subject.<path>` (the registry's record of the
person the write concerns), `applicant.<path>` (the registry's record of the lead's
applicant); values given as {value, source, updated_at} are read through.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from procedures.base import Strict

LINK_ROOTS = ("lead", "registry", "subject", "applicant")
SOURCE = r"^(lead|registry|subject|applicant)(\.[a-z][a-z0-9_]*)+$"
PartRouting = Literal["subject_residence", "applicant_residence", "lead_office"]


class LinkTest(Strict):
    """One test on the group's data: exactly one of `equals`, `one_of`, `at_least`,
    `present` (true: the value is given and not false or empty; false: it is not)."""

    path: str = Field(pattern=SOURCE)
    equals: str | int | bool | None = None
    one_of: list[str] = []
    at_least: int | None = None
    present: bool | None = None

    @model_validator(mode="after")
    def _one_test(self) -> LinkTest:
        given = [
            self.equals is not None,
            bool(self.one_of),
            self.at_least is not None,
            self.present is not None,
        ]
        if sum(given) != 1:
            raise ValueError("give exactly one of equals, one_of, at_least, present")
        return self


class Link(Strict):
    code: str = Field(pattern=r"^\d\.\d{6}$")
    starts: Literal["lead_registered"] = "lead_registered"
    when: list[LinkTest] = []
    choice: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    routing: PartRouting = "subject_residence"
    data: dict[str, str] = {}  # part field -> source
    values: dict[str, str] = {}  # part field -> fixed value

    @field_validator("data")
    @classmethod
    def _sources(cls, value: dict[str, str]) -> dict[str, str]:
        wrong = [f"{k} = {v!r}" for k, v in value.items() if not re.match(SOURCE, v)]
        if wrong:
            raise ValueError(
                "sources must be lead.<field>, registry.<key>, subject.<path> or "
                f"applicant.<path>: {wrong}"
            )
        return value

    @model_validator(mode="after")
    def _fields_once(self) -> Link:
        both = set(self.data) & set(self.values)
        if both:
            raise ValueError(f"fields both in data and values: {sorted(both)}")
        return self

    def fields(self) -> set[str]:
        """The part's form fields this entry fills."""
        return set(self.data) | set(self.values)


def check_links(code: str, links: list[Link]) -> None:
    """The entries of one procedure file: no link to itself, each part once, and in a choice
    only the last alternative may go without `when` (the default)."""
    codes = [link.code for link in links]
    if code in codes:
        raise ValueError("a procedure cannot be linked to itself")
    twice = {c for c in codes if codes.count(c) > 1}
    if twice:
        raise ValueError(f"linked twice: {sorted(twice)}")
    choices: dict[str, list[Link]] = {}
    for link in links:
        if link.choice:
            choices.setdefault(link.choice, []).append(link)
    for name, alternatives in choices.items():
        if len(alternatives) < 2:
            raise ValueError(f"choice {name!r} has one procedure only")
        if any(not link.when for link in alternatives[:-1]):
            raise ValueError(f"choice {name!r}: only the last alternative may have no when")
