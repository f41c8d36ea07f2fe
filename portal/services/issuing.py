"""What an approval issues: the dossier's own result document, and — once the population
registry has taken the write-back — the results of the procedures linked to it (liên thông,
e.g. a birth registration also yields the permanent-residence notice and the child's
health-insurance card). No Flask here.

The content is the procedure file's `[result]` spec (procedures/result_schema.py): sections
of rows, each row a label and a source — a form field, the registry's answer (the child's
personal ID once the birth is registered), the judicial-record statement, the office, the
number and date of the document, or a named rule (portal/services/result_rules.py). The
number is reserved first (per office, the spec's book and year), so the content can state
it. The signer's title is the issuing body's (procedures/authorities.toml, by the office's
kind), kept in the signed content. Signing and numbering are services.results.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path

from sqlmodel import Session

from common import divisions
from common import personal_id as pid
from portal.models import Dossier, Office, ResultDocument
from portal.services import prefill, result_rules, results
from portal.services.deadlines import to_local
from procedures import authorities
from procedures.authorities import Authority
from procedures.result_schema import ROLES, Result, Section, alternatives, placeholders

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
AUTHORITIES_FILE = Path(authorities.__file__).resolve().parent / "authorities.toml"


class ResultUnavailable(Exception):
    """The content needs a source that cannot answer now (the judicial-record database);
    the message is for the officer, in Vietnamese."""


JudicialReader = Callable[[str, int, bool], dict]  # (personal_id, form, bans) -> statement


@dataclass(frozen=True)
class Sources:
    """Where the content reads what the dossier does not hold: the judicial-record
    statement (registry.judicial_record with the portal's credentials)."""

    judicial_record: JudicialReader | None = None


# --- the context a spec is read in ---------------------------------------------------------


@dataclass
class Context:
    dossier: Dossier
    proc: object = None
    office: Office | None = None
    answer: dict = field(default_factory=dict)  # the registry's answer to the write-back
    judicial: dict | None = None
    number: str | None = None
    book_name: str | None = None
    issued_on: date | None = None
    roles: dict[str, str] = field(default_factory=dict)
    signer: str | None = None  # "name, title"

    @property
    def office_province(self) -> int | None:
        return self.office.province_code if self.office else None

    @property
    def data(self) -> dict:
        return self.dossier.data or {}


def shown(value) -> str:
    """A value as the document prints it: ISO dates dd/mm/yyyy, lists joined, yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, list):
        return ", ".join(shown(v) for v in value if v not in (None, ""))
    if isinstance(value, date):
        return result_rules.dmy(value)
    text = str(value).strip()
    if _ISO_DATE.match(text):
        parsed = result_rules.parse_date(text)
        return result_rules.dmy(parsed) if parsed else text
    return text


def _empty(value) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


def _path(data, dotted: str):
    for key in dotted.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def place_of(office: Office | None) -> str:
    """The commune or province an office is named after ("Phường Bến Thành")."""
    if office is None:
        return ""
    if office.ward_code is not None and office.ward_code in divisions.wards():
        return divisions.ward_name(office.ward_code)
    provinces = divisions.provinces()
    return provinces[office.province_code].name if office.province_code in provinces else ""


def _province_of(office: Office | None) -> str:
    if office is None or office.province_code not in divisions.provinces():
        return ""
    return divisions.province_name(office.province_code)


def _office_value(key: str, ctx: Context):
    if key == "name":
        return ctx.office.name if ctx.office else None
    return place_of(ctx.office) if key == "place" else _province_of(ctx.office)


def _issue_value(key: str, ctx: Context):
    if key == "year":
        return str(ctx.issued_on.year) if ctx.issued_on else None
    values = {"number": ctx.number, "date": ctx.issued_on, "book": ctx.book_name}
    return ctx.signer if key == "signer" else values[key]


def _dossier_value(key: str, ctx: Context):
    if key == "code":
        return ctx.dossier.code
    submitted = ctx.dossier.submitted_at
    return to_local(submitted).date() if submitted else None


def _rule_value(rest: str, ctx: Context):
    name, _, argument = rest.partition(":")
    raw = value_of(argument, ctx) if argument else None
    return result_rules.RULES[name](raw, ctx)


_KINDS: dict[str, Callable[[str, Context], object]] = {
    "field": lambda rest, ctx: ctx.data.get(rest),
    "registry": lambda rest, ctx: _path(ctx.answer, rest),
    "judicial": lambda rest, ctx: _path(ctx.judicial, rest) if ctx.judicial else None,
    "text": lambda rest, ctx: rest,
    "office": _office_value,
    "issue": _issue_value,
    "dossier": _dossier_value,
    "rule": _rule_value,
}


def _one(source: str, ctx: Context):
    for role, prefix in ctx.roles.items():
        source = source.replace("{" + role + "}", prefix)
    kind, _, rest = source.partition(":")
    return _KINDS[kind](rest, ctx)  # the schema refuses other kinds on load


def value_of(source: str, ctx: Context):
    """The first alternative of `source` that has a value (raw: dicts and lists kept)."""
    for part in alternatives(source):
        value = _one(part, ctx)
        if not _empty(value):
            return value
    return None


def _template(text: str, ctx: Context) -> str:
    """A paragraph or template row with its placeholders filled; "" when none had a
    value."""
    found = False

    def fill(match: re.Match) -> str:
        nonlocal found
        if match.group(1) in ROLES:
            return match.group(0)
        value = shown(value_of(match.group(1), ctx))
        found = found or bool(value)
        return value

    filled = _PLACEHOLDER.sub(fill, text)
    return " ".join(filled.split()) if found else ""


def _row_value(source: str, ctx: Context):
    return _template(source, ctx) if placeholders(source) else value_of(source, ctx)


def _applies(section: Section, ctx: Context) -> bool:
    if section.when is None:
        return True
    value = value_of(section.when, ctx)
    if _empty(value):
        return False
    return not section.equals or shown(value) in section.equals or str(value) in section.equals


def couple_roles(spec: Result, data: dict) -> dict[str, str]:
    """{"husband": prefix, "wife": prefix} of a marriage's two parties: by their `_sex`
    field, else by the sex digit of their personal ID; in form order when that cannot
    tell them apart (the eligibility rules have refused a couple of one sex)."""
    if spec.couple is None:
        return {}
    first, second = spec.couple.of

    def sex(prefix: str) -> str | None:
        stated = str(data.get(f"{prefix}_sex") or "").strip().casefold()
        if stated in ("nam", "nữ", "nu"):
            return "nam" if stated == "nam" else "nu"
        number = str(data.get(f"{prefix}_personal_id") or "").strip()
        return pid.parse(number).sex if pid.is_valid(number) else None

    if sex(first) == "nu" or sex(second) == "nam":
        return {"husband": second, "wife": first}
    return {"husband": first, "wife": second}


def build_content(spec: Result, ctx: Context) -> dict:
    """The document's body from its spec: label → text, a titled section → {label: text}
    (a paragraph under the label "")."""
    ctx.roles = couple_roles(spec, ctx.data)
    content: dict = {"Mã hồ sơ": ctx.dossier.code or ""}
    for section in spec.sections:
        if not _applies(section, ctx):
            continue
        rows: dict = {}
        if section.text is not None:
            paragraph = _template(section.text, ctx)
            if paragraph:
                rows[""] = paragraph
        for label, source in section.rows.items():
            value = _row_value(source, ctx)
            if isinstance(value, dict):
                rows.update({k: shown(v) for k, v in value.items() if not _empty(v)})
            elif not _empty(value) and shown(value):
                rows[label] = shown(value)
        if not rows:
            continue
        if section.title:
            content[section.title] = {**content.get(section.title, {}), **rows}
        else:
            content.update(rows)
    return content


# --- the dossier's data as the form labels it ------------------------------------------------


def field_rows(proc, dossier: Dossier) -> list[dict]:
    """The applicant's data as the procedure labels it, in form order; prefilled fields are
    marked (they come from the registry)."""
    if proc is None:
        return [
            {"label": k, "value": v, "prefilled": False}
            for k, v in dossier.data.items()
            if k != prefill.TYPED_KEY
        ]
    typed = set(dossier.data.get(prefill.TYPED_KEY) or ())  # the registry had no value
    rows = []
    for f in proc.fields:
        value = dossier.data.get(f.name)
        if value in (None, ""):
            continue
        from_registry = bool(f.prefill) and f.name not in typed
        rows.append({"label": f.label, "value": value, "prefilled": from_registry, "type": f.type})
    return rows


def _form_content(proc, dossier: Dossier) -> dict:
    """A result without a content spec: every filled field, in form order."""
    content: dict = {"Mã hồ sơ": dossier.code or ""}
    for row in field_rows(proc, dossier):
        value = row["value"]
        content[row["label"]] = shown(value) if row.get("type") == "date" else value
    return content


def flat(content: dict) -> dict:
    """Nested content as one level ("Chồng – Họ, chữ đệm và tên"), reserved keys left out:
    what the draft pages list."""
    rows: dict = {}
    for label, value in content.items():
        if str(label).startswith("_"):
            continue
        if isinstance(value, dict):
            for inner, text in value.items():
                rows[f"{label} – {inner}" if inner else label] = text
        else:
            rows[label] = value
    return rows


def main_content(proc, dossier: Dossier, office: Office | None = None) -> dict:
    """The draft of the dossier's own result, as the parties confirm it (one level of
    label → value): what the registry, the number and the date will add is not there yet."""
    spec = proc.result if proc is not None else None
    if spec is None or not spec.sections:
        return _form_content(proc, dossier)
    return flat(build_content(spec, Context(dossier, proc, office)))


# --- signing ----------------------------------------------------------------------------------


@cache
def _bodies() -> dict[str, Authority]:
    with AUTHORITIES_FILE.open("rb") as fh:
        return authorities.parse(tomllib.load(fh))


def signer_title(spec: Result, office: Office | None, catalogue=None, proc=None) -> str:
    """ "Chủ tịch Ủy ban nhân dân Phường Bến Thành": the issuing body's signer (the spec may
    name another), followed by the commune or province."""
    title = spec.signer_title
    if title is None:
        body = _bodies().get(office.kind) if office is not None else None
        if body is None and catalogue is not None and proc is not None:
            body = catalogue.authority(proc)
        title = body.signer_title if body else "Thủ trưởng cơ quan"
    place = place_of(office)
    return f"{title} {place}".strip() if place and place not in title else title


def book_of(spec: Result) -> str:
    return spec.book or results.kind_abbreviation(spec.kind)


def copies_of(spec: Result, dossier: Dossier) -> int:
    """How many documents to issue: the copies asked (1 to `max_copies`), else one."""
    if spec.copies_field is None:
        return 1
    try:
        asked = int(str((dossier.data or {}).get(spec.copies_field) or "1").strip())
    except ValueError:
        asked = 1
    return max(1, min(asked, spec.max_copies))


def judicial_form(spec: Result, dossier: Dossier) -> tuple[int, bool]:
    """(1 or 2, whether a phiếu 1 states the bans) from the dossier's answers."""
    assert spec.judicial is not None
    data = dossier.data or {}
    digits = re.findall(r"[12]", str(data.get(spec.judicial.form_field) or ""))
    form = int(digits[0]) if digits else 1
    asked = spec.judicial.bans_field and data.get(spec.judicial.bans_field)
    bans = str(asked or "").strip().casefold() in ("1", "true", "có", "yes", "on", "co")
    return form, bans or form == 2


def _judicial(spec: Result, dossier: Dossier, sources: Sources | None) -> dict | None:
    if spec.judicial is None:
        return None
    reader = sources.judicial_record if sources else None
    if reader is None:
        raise ResultUnavailable(
            "Chưa kết nối được CSDL lý lịch tư pháp: không thể lập phiếu lý lịch tư pháp."
        )
    person = str((dossier.data or {}).get(spec.judicial.person_field) or dossier.applicant_id)
    form, bans = judicial_form(spec, dossier)
    try:
        return reader(person.strip(), form, bans)
    except Exception as exc:  # noqa: BLE001 - any failure of the database is an outage here
        raise ResultUnavailable(
            "CSDL lý lịch tư pháp tạm thời không phản hồi; vui lòng phê duyệt lại sau ít phút."
        ) from exc


def _issue(
    session: Session,
    dossier: Dossier,
    proc,
    spec: Result,
    *,
    office_code: str,
    signer_id: str,
    signer_name: str,
    now: datetime,
    key_folder: Path,
    answer: dict | None = None,
    judicial: dict | None = None,
    content: dict | None = None,
    catalogue=None,
) -> ResultDocument:
    """Reserve the number in the spec's book, build the content that states it, sign."""
    office = session.get(Office, office_code)
    book = book_of(spec)
    moment = results.whole_second(now)
    issued_on = to_local(moment).date()
    number = results.reserve_number(session, office_code, book, issued_on.year)
    title = signer_title(spec, office, catalogue, proc)
    if content is None:
        book_name = f"{spec.book_name} năm {issued_on.year}" if spec.book_name else None
        ctx = Context(dossier, proc, office, answer or {}, judicial, number, book_name, issued_on)
        ctx.signer = f"{signer_name}, {title}"
        content = build_content(spec, ctx) if spec.sections else _form_content(proc, dossier)
    content = {**content, results.SIGNATURE_KEY: {"title": title, "place": place_of(office)}}
    return results.issue(
        session,
        dossier,
        kind=spec.kind,
        title=spec.name,
        content=content,
        office_code=office_code,
        signer_id=signer_id,
        signer_name=signer_name,
        now=moment,
        key_folder=key_folder,
        number=number,
        book=book,
    )


def issue_main(
    session: Session,
    dossier: Dossier,
    proc,
    *,
    signer_id: str,
    signer_name: str,
    now: datetime,
    key_folder: Path,
    registry_answer: dict | None = None,
    sources: Sources | None = None,
    catalogue=None,
) -> ResultDocument:
    """Sign the dossier's own result (flushed; committed with the approval) by the dossier's
    office, the competent body. `registry_answer`: the registry's answer to the write-back
    (the child's personal ID…). A spec with `copies_field` issues one document per copy
    asked, each with its own number; the first is returned (the others follow it in
    `results.of_dossier`). Raises ResultUnavailable when a source cannot answer (nothing
    issued)."""
    assert dossier.office_code is not None  # routed at submit
    spec = proc.result
    judicial = _judicial(spec, dossier, sources)
    if registry_answer is None:  # a linked part keeps its lead's answer (services/groups.py)
        registry_answer = (dossier.data or {}).get("registry") if dossier.group_id else None
    issued = [
        _issue(
            session,
            dossier,
            proc,
            spec,
            office_code=dossier.office_code,
            signer_id=signer_id,
            signer_name=signer_name,
            now=now,
            key_folder=key_folder,
            answer=registry_answer,
            judicial=judicial,
            catalogue=catalogue,
        )
        for _ in range(copies_of(spec, dossier))
    ]
    return issued[0]
