"""The shape of a procedure's `[result]` section: the document its approval issues, with its
legal content as data.

The content is a list of sections (`[[result.sections]]`), each with an optional title and
either rows (label → source) or a paragraph (`text`, with `{source}` placeholders). A
source says where a value comes from:

- `field:NAME` — a field of the dossier's form (dates shown dd/mm/yyyy);
- `registry:KEY` — the population registry's answer to the write-back (the child's
  personal ID once the birth is registered, the residence, the health-insurance card…);
- `judicial:PATH` — the judicial-record statement (Phiếu LLTP), a dotted path into the
  registry's answer (`criminal_record.statement`, `person.full_name`);
- `office:name|place|province` — the issuing office, the commune or province it is named
  after ("Phường Bến Thành"), its province;
- `issue:number|date|book|year|signer` — the document's number, issuing date, register,
  year, and the signer ("Trương Thị Hạnh, Chủ tịch Ủy ban nhân dân Phường Bến Thành");
- `dossier:code|submitted_on` — the dossier;
- `text:LITERAL` — a fixed text;
- `rule:NAME:SOURCE` — a value computed by a named rule (RULES) from another source, e.g.
  `rule:bhyt_valid_until:field:child_birth_date`.

`a || b` takes the first source that gives a value; a row without a value is left out. A
row may also be a template like a paragraph ("{office:place}, {office:province}").
`{husband}` and `{wife}` in a source stand for the field prefixes of the two parties of a
marriage (`[result.couple]`), chosen by sex. The rules are implemented by
portal/services/result_rules.py (a test checks both lists agree).
"""

from __future__ import annotations

import re

from pydantic import Field, model_validator

from procedures.base import Confidence, Strict

SOURCE_KINDS = ("field", "registry", "judicial", "office", "issue", "dossier", "text", "rule")
KEYS = {
    "office": ("name", "place", "province"),
    "issue": ("number", "date", "book", "year", "signer"),
    "dossier": ("code", "submitted_on"),
}
# Named rules: each takes the value of its argument source (or nothing) and the context.
RULES = {
    "date_in_words": "a date written in words (ngày … tháng … năm …)",
    "year": "the year of a date",
    "bhyt_valid_until": "a child's card: 72 months of age, or 30/09 when 6 before school",
    "bhyt_card_number": "a child's card number from the personal ID and the province",
    "ward_name": "a ward's code (or name) as the ward and province",
    "address": "the address of fields <prefix>_street and <prefix>_ward_code",
    "convictions": "the criminal-record entries of a Phiếu LLTP, one row each",
    "bans": "the bankruptcy bans of a Phiếu LLTP, one row each",
    "sex_of_id": "the sex written in a personal ID",
}
ROLES = ("husband", "wife")
_NAME = re.compile(r"^[a-z][a-z0-9_.]*$")
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def alternatives(source: str) -> list[str]:
    return [part.strip() for part in source.split("||")]


def _check_one(source: str) -> None:
    kind, _, rest = source.partition(":")
    if kind not in SOURCE_KINDS or (not rest and kind != "text"):
        raise ValueError(
            f"source {source!r}: expected one of {', '.join(k + ':' for k in SOURCE_KINDS)}"
        )
    if kind in KEYS and rest not in KEYS[kind]:
        raise ValueError(f"source {source!r}: {kind} has {', '.join(KEYS[kind])}")
    if kind in ("field", "registry", "judicial"):
        name = rest.replace("{husband}", "x").replace("{wife}", "x")
        if not _NAME.match(name):
            raise ValueError(f"source {source!r}: not a field or key name")
    if kind == "rule":
        name, _, argument = rest.partition(":")
        if name not in RULES:
            raise ValueError(f"source {source!r}: unknown rule {name!r} ({', '.join(RULES)})")
        if argument:
            check_source(argument)


def check_source(source: str) -> str:
    """Raise ValueError naming the problem when `source` is not a valid source."""
    for part in alternatives(source):
        _check_one(part)
    return source


def placeholders(text: str) -> list[str]:
    """The `{source}` placeholders of a paragraph or a template row (role names are not
    placeholders, and a template cannot use them)."""
    return [p for p in _PLACEHOLDER.findall(text) if p not in ROLES]


def sources_of(value: str) -> list[str]:
    """The sources a row reads: its placeholders when it is a template, else itself."""
    return placeholders(value) or [value]


def fields_of(source: str) -> set[str]:
    """The form fields a source reads (roles expanded to both prefixes)."""
    found = set()
    for part in alternatives(source):
        kind, _, rest = part.partition(":")
        if kind == "field":
            names = {rest}
            for role in ROLES:
                names = {n.replace("{" + role + "}", "@") for n in names}
            found |= names
        elif kind == "rule":
            _, _, argument = rest.partition(":")
            if argument:
                found |= fields_of(argument)
    return found


class Section(Strict):
    """A part of the document: a titled block of rows, or a paragraph."""

    title: str = ""
    rows: dict[str, str] = {}  # label -> source
    text: str | None = None  # a paragraph with {source} placeholders
    # Shown only when this source has a value (and, with `equals`, that value).
    when: str | None = None
    equals: list[str] = []

    @model_validator(mode="after")
    def _valid(self) -> Section:
        if bool(self.rows) == (self.text is not None):
            raise ValueError("a section has either rows or text")
        if self.text is not None and not self.title:
            raise ValueError("a text section needs a title")
        for value in self.rows.values():
            for source in sources_of(value):
                check_source(source)
        for source in placeholders(self.text or ""):
            check_source(source)
        if self.when is not None:
            check_source(self.when)
        elif self.equals:
            raise ValueError("equals needs when")
        return self

    def sources(self) -> list[str]:
        found = [s for value in self.rows.values() for s in sources_of(value)]
        found += placeholders(self.text or "")
        return found + ([self.when] if self.when else [])


class Couple(Strict):
    """The two parties of a marriage, by their field prefixes ("applicant", "partner"): the
    husband and the wife are told apart by the `<prefix>_sex` field, else by the sex digit
    of `<prefix>_personal_id`."""

    of: list[str] = Field(min_length=2, max_length=2)


class Judicial(Strict):
    """What the Phiếu LLTP asks the judicial-record database: the form (the digit in the
    value of `form_field`, "Phiếu số 1" → 1) and, for a phiếu 1, whether to state the bans
    (`bans_field` holding a yes)."""

    form_field: str
    bans_field: str | None = None
    person_field: str = "applicant_personal_id"


class Result(Strict):
    name: str
    kind: str = Field(pattern=r"^[a-z_]+$")
    # The register the number belongs to ("KS" sổ đăng ký khai sinh): numbers run per
    # issuing office, book and year. Without it, the kind's initials.
    book: str | None = Field(default=None, pattern=r"^[A-Z0-9-]{1,16}$")
    book_name: str | None = None  # "Sổ đăng ký khai sinh"
    signer_title: str | None = None  # instead of the body's (procedures/authorities.toml)
    # One document per copy asked, each with its own number (Phiếu LLTP).
    copies_field: str | None = None
    max_copies: int = Field(default=10, ge=1)
    couple: Couple | None = None
    judicial: Judicial | None = None
    sections: list[Section] = []
    confidence: Confidence = "secondary"  # of the content's legal layout

    @model_validator(mode="after")
    def _coherent(self) -> Result:
        uses_roles = any(
            "{" + role + "}" in s for sec in self.sections for s in sec.sources() for role in ROLES
        )
        if uses_roles and self.couple is None:
            raise ValueError("{husband}/{wife} need [result.couple]")
        uses_judicial = any(
            part.partition(":")[0] == "judicial" or ":judicial:" in part
            for sec in self.sections
            for s in sec.sources()
            for part in alternatives(s)
        )
        if uses_judicial and self.judicial is None:
            raise ValueError("judicial: sources need [result.judicial]")
        return self

    def field_names(self) -> set[str]:
        """The form fields the content reads, for the procedure to check ("@" stands for a
        couple's prefix)."""
        names: set[str] = set()
        for section in self.sections:
            for source in section.sources():
                names |= fields_of(source)
        for name in (self.copies_field,):
            if name:
                names.add(name)
        if self.judicial:
            names |= {self.judicial.form_field, self.judicial.person_field}
            if self.judicial.bans_field:
                names.add(self.judicial.bans_field)
        if self.couple:
            expanded = set()
            for name in names:
                if "@" in name:
                    expanded |= {name.replace("@", prefix) for prefix in self.couple.of}
                else:
                    expanded.add(name)
            names = expanded
        return names

    def check_fields(self, form_fields: set[str]) -> None:
        """Raise ValueError naming the fields the content reads that the form lacks (a
        couple's `_sex` fields are optional: the personal ID tells)."""
        missing = self.field_names() - form_fields
        if self.couple:
            missing -= {f"{prefix}_sex" for prefix in self.couple.of}
        if missing:
            raise ValueError(f"result reads fields the form does not have: {sorted(missing)}")
