"""Routing in two steps, both stored with the dossier with their reasons (DESIGN.md "Offices
and routing", REFERENCE-VN.md "2026 corrections"):

1. the competent body, fixed by the law through the procedure file's `routing.rule` (one
   function per rule below): the office that processes, decides and signs
   (Dossier.office_code, routing_reason);
2. the receiving point (Dossier.receiving_office_code, receiving_reason): by default the
   competent body's own one-stop desk, which an online dossier reaches directly; or, as the
   citizen chooses (tiếp nhận không phụ thuộc địa giới hành chính, Nghị định 118/2025/NĐ-CP),
   the TTPVHCC of a commune of the citizen's province or the province's TTPVHCC, which
   receives the dossier and forwards it to the competent body.

Where the registry's residence data cannot decide the competent body (two communes, none, a
person named in the dossier without residence on record), `competent_choice` says so in plain
Vietnamese and lists the bodies the law allows; the citizen chooses on the filing's "noi-nop"
step, and a choice outside them is refused with a message for that field. A person whose data
the applicant may not see yet (the other spouse before consenting) is routed by, but never
named: their commune is not shown. Plain functions over a session; no Flask.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from common import divisions
from portal.models import Office
from portal.services.offices import office_code
from procedures.authorities import Authority
from procedures.schema import Procedure

# Where the competent body is, for the procedure's page ("Cơ quan thực hiện").
RULE_TEXT = {
    "party_residence": "nơi thường trú hoặc tạm trú của người yêu cầu hoặc của một bên liên quan",
    "deceased_residence": "nơi cư trú cuối cùng của người đã mất",
    "address_field": "nơi có địa chỉ bạn đăng ký",
    "temporary_residence": "nơi bạn đã đăng ký tạm trú",
    "province_of_residence": "tỉnh, thành phố nơi bạn thường trú (nếu không có, nơi tạm trú)",
    "any_commune": "bất kỳ xã, phường nào (bạn chọn)",
}

# The fields of the filing's "noi-nop" step.
COMPETENT_FIELD, RECEIVING_FIELD = "co_quan", "noi_tiep_nhan"
DIRECT = ""  # the receiving point by default: the competent body's own one-stop desk
ONE_STOP_LAW = "Nghị định 118/2025/NĐ-CP"
KINDS = {"thuong_tru": "thường trú", "tam_tru": "tạm trú", "cuoi_cung": "cư trú cuối cùng"}
WARD_HINT = "Gõ tên xã, phường (kèm tỉnh, thành phố nếu trùng tên) hoặc mã xã, phường."
UNKNOWN_WARD = (
    "Không tìm thấy xã, phường “{text}” trong danh sách 3.321 xã, phường. Vui lòng gõ đúng tên "
    "(ví dụ: Phường Bến Thành) hoặc mã xã, phường."
)
SAME_NAME = (
    "Có {count} xã, phường mang tên “{text}”. Vui lòng ghi kèm tỉnh, thành phố (ví dụ: "
    "{example}) hoặc gõ mã xã, phường."
)


class RoutingError(ValueError):
    """The dossier cannot be routed as it stands; the message is for the citizen. `field`:
    the "noi-nop" field the message belongs next to (None: the dossier's data, e.g. an
    address, must change first)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Facts:
    """What routing reads: the applicant's registry record, the dossier's values (typed and
    locked), the registry records of the other people it names by personal ID (a person named
    but absent could not be read), and which of them the applicant may not see yet."""

    applicant: dict
    form: Mapping[str, object]
    records: Mapping[str, dict] = field(default_factory=dict)
    withheld: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Candidate:
    """One body the law allows (or one receiving point), as the citizen sees it."""

    key: str  # the form value: an office code, or an opaque key for a withheld person's
    office_code: str
    name: str  # what the citizen reads: the office's name (generic for a withheld person's)
    reason: str  # stored with the dossier when this is the decision
    note: str = ""  # shown after the name in a list: "nơi thường trú của bạn"
    group: str | None = None  # the list's group (receiving points: commune centres)
    short: str | None = None  # the option's text inside its group

    @property
    def label(self) -> str:
        text = self.short or self.name
        return f"{text} ({self.note})" if self.note else text


@dataclass(frozen=True)
class Choice:
    """A decision on the "noi-nop" step: the candidates the law allows, the one taken when the
    citizen chooses nothing (None: they must choose), and what the citizen is told."""

    field: str
    label: str
    candidates: tuple[Candidate, ...] = ()
    default: str | None = None
    notice: str | None = None  # why the citizen chooses (the data cannot decide)
    hint: str | None = None
    refusal: str = "Vui lòng chọn trong danh sách."
    # No candidates known: the citizen types a commune (name or code), whose `body` office is
    # competent; the reason is formatted with {office}, {ward}, {province}.
    typed: Authority | None = None
    typed_reason: str = ""

    @property
    def decided(self) -> Candidate | None:
        """The single body the law leaves, when there is nothing to choose."""
        if self.typed is None and len(self.candidates) == 1:
            return self.candidates[0]
        return None

    def candidate(self, key: str | None) -> Candidate | None:
        return next((c for c in self.candidates if c.key == key), None)

    @property
    def groups(self) -> list[tuple[str | None, list[Candidate]]]:
        """The candidates in their groups, in order (for the select's optgroups)."""
        grouped: dict[str | None, list[Candidate]] = {}
        for c in self.candidates:
            grouped.setdefault(c.group, []).append(c)
        return list(grouped.items())


@dataclass(frozen=True)
class RoutingDecision:
    office_code: str
    office_name: str
    reason: str
    # The receiving point; None: the competent office's own desk (the same as office_code).
    receiving_office_code: str | None = None
    receiving_office_name: str | None = None
    receiving_reason: str | None = None

    @property
    def forwarded(self) -> bool:
        """Received by another office (a TTPVHCC), which forwards the dossier."""
        return bool(self.receiving_office_code) and self.receiving_office_code != self.office_code


def offers_choice(procedure: Procedure) -> bool:
    """Every procedure has the "noi-nop" step: the receiving point is always the citizen's
    choice (NĐ 118/2025), and the competent body is where the data leaves one."""
    return True


# --- the people a dossier names and where they live ----------------------------------------


@dataclass(frozen=True)
class _Person:
    key: str  # the form field naming them ("applicant" for the applicant)
    who: str  # "bạn", "mẹ", "người kết hôn cùng"
    personal_id: str
    record: dict | None
    withheld: bool = False


def _value(record: dict | None, name: str) -> dict | None:
    item = (record or {}).get(name)
    return item.get("value") if isinstance(item, dict) else None


def residences(record: dict | None, *, last: bool = False) -> list[tuple[str, dict]]:
    """(kind, residence value) of a registry record: permanent, then temporary; with `last`
    (a deceased person) the registry's last residence when it states one."""
    if last and _value(record, "last_residence"):
        return [("cuoi_cung", _value(record, "last_residence") or {})]
    found = []
    for kind, name in (("thuong_tru", "permanent_residence"), ("tam_tru", "temporary_residence")):
        value = _value(record, name)
        if value and value.get("ward_code") in divisions.wards():
            found.append((kind, value))
    return found


def citizen_province(applicant: dict) -> int | None:
    """The province of the applicant's permanent residence, else of the temporary one."""
    found = residences(applicant)
    return int(found[0][1]["province_code"]) if found else None


def _who(procedure: Procedure, field_name: str, fallback: str) -> str:
    """ "mẹ" from the field "Số định danh cá nhân của mẹ"; else the party's label."""
    label = next((f.label for f in procedure.fields if f.name == field_name), "")
    found = re.match(r"(?i)^số định danh cá nhân của (.+)$", label.strip())
    if found:
        return found[1]
    return fallback[:1].lower() + fallback[1:]


def _people(procedure: Procedure, facts: Facts) -> list[_Person]:
    """The applicant, then each other person the parties and subject name (once each)."""
    me = str(_value(facts.applicant, "personal_id") or "")
    people = [_Person("applicant", "bạn", me, facts.applicant)]
    named: list[tuple[str, str]] = [(f, p.label) for p in procedure.parties for f in p.fields]
    typed = {f.name for f in procedure.fields if f.type == "personal_id"}
    named += [(f, "người được nêu trong hồ sơ") for f in procedure.subject.fields if f in typed]
    seen = {me}
    for name, label in named:
        personal_id = str(facts.form.get(name) or "").strip()
        if not personal_id or personal_id in seen:
            continue
        seen.add(personal_id)
        people.append(
            _Person(
                name,
                _who(procedure, name, label),
                personal_id,
                facts.records.get(personal_id),
                personal_id in facts.withheld,
            )
        )
    return people


# --- offices ---------------------------------------------------------------------------------


def _offices(session: Session, codes: list[str]) -> dict[str, Office]:
    if not codes:
        return {}
    rows = session.exec(select(Office).where(col(Office.code).in_(codes))).all()
    return {o.code: o for o in rows}


def _office(session: Session, code: str) -> Office:
    office = session.get(Office, code)
    if office is None:
        raise RoutingError("Chưa có cơ quan tiếp nhận hồ sơ này trên Cổng. Vui lòng thử lại sau.")
    return office


def _ward_text(value: dict) -> str:
    ward, province = int(value["ward_code"]), int(value["province_code"])
    return f"{divisions.ward_name(ward)}, {divisions.province_name(province)}"


# --- typed communes --------------------------------------------------------------------------


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


PREFIXES = ("phường ", "xã ", "đặc khu ", "thị trấn ")
PROVINCE_PREFIXES = ("thành phố ", "tỉnh ", "tp. ", "tp ")


def _bare(name: str, prefixes: tuple[str, ...]) -> str:
    folded = _fold(name)
    for prefix in prefixes:
        if folded.startswith(prefix):
            return folded[len(prefix) :]
    return folded


def find_wards(text: str) -> list[divisions.Division]:
    """The communes a typed text names: a code ("26743"), a name ("Phường Bến Thành", also
    without "Phường"), optionally followed by ", <province>"; several when the name is shared
    and no province says which."""
    text = " ".join((text or "").split())
    if not text:
        return []
    code = re.fullmatch(r"(?:.*\()?(\d{1,5})\)?", text)
    if code:
        found = divisions.wards().get(int(code[1]))
        return [found] if found else []
    name, _, province = (part.strip() for part in text.partition(","))
    wanted = _fold(name)
    matches = [
        w
        for w in divisions.wards().values()
        if _fold(w.name) == wanted or _bare(w.name, PREFIXES) == wanted
    ]
    if province:
        bare = _bare(province, PROVINCE_PREFIXES)
        matches = [
            w
            for w in matches
            if _bare(divisions.province_name(w.province_code), PROVINCE_PREFIXES) == bare
        ]
    return sorted(matches, key=lambda w: (w.province_code, w.code))


def ward_problem(text: str) -> str | None:
    """What is wrong with a typed commune (none by that name), or None (one, or several the
    citizen chooses among on the "noi-nop" step)."""
    if not (text or "").strip():
        return None
    return None if find_wards(text) else UNKNOWN_WARD.format(text=" ".join(text.split()))


def _one_ward(text: str, field: str | None) -> divisions.Division:
    found = find_wards(text)
    clean = " ".join((text or "").split())
    if not found:
        raise RoutingError(UNKNOWN_WARD.format(text=clean), field)
    if len(found) > 1:
        example = f"{found[0].name}, {divisions.province_name(found[0].province_code)}"
        raise RoutingError(SAME_NAME.format(count=len(found), text=clean, example=example), field)
    return found[0]


# --- the competent body, one function per rule -------------------------------------------------

Rule = Callable[[Session, Procedure, Authority, Facts], Choice]
COMPETENT_LABEL = "Cơ quan giải quyết"
TYPED_LABEL = "Xã, phường của cơ quan giải quyết"


def _residence_candidates(
    session: Session, body: Authority, people: list[_Person], *, last: bool = False
) -> tuple[list[Candidate], list[_Person]]:
    """One candidate per office where one of `people` resides (their own office once), and
    the people without residence on record."""
    found: list[tuple[_Person, str, dict, str]] = []
    missing = []
    for person in people:
        places = residences(person.record, last=last)
        if not places:
            missing.append(person)
        for kind, value in places:
            code = office_code(body, province=value["province_code"], ward=value["ward_code"])
            found.append((person, kind, value, code))
    known = _offices(session, [code for *_, code in found])
    candidates: list[Candidate] = []
    for person, kind, value, code in found:
        office = known.get(code)
        if office is None:
            continue
        where = f"nơi {KINDS[kind]} của {person.who}"
        if person.withheld:  # routed by, never named: no commune, no office code in the page
            candidates.append(
                Candidate(
                    f"{person.key}.{kind}",
                    code,
                    f"{body.short} xã, phường {where}",
                    f"{body.short} cấp xã {where}, theo CSDLQG về dân cư.",
                    "tên cơ quan hiện sau khi người đó xác nhận",
                )
            )
        elif all(c.key != code for c in candidates):
            candidates.append(
                Candidate(
                    code,
                    code,
                    office.name,
                    f"{office.name}: {where} ({_ward_text(value)}), theo CSDLQG về dân cư.",
                    where,
                )
            )
    return candidates, missing


def _nobody_lives_anywhere(body: Authority, who: str, *, deceased: bool = False) -> Choice:
    if deceased:
        notice = (
            "CSDLQG về dân cư không cho biết nơi cư trú cuối cùng của người đã chết, nên cổng "
            "chưa xác định được cơ quan giải quyết. Theo Luật Hộ tịch 2014 (điều 32), việc khai tử "
            "do UBND cấp xã nơi người đó cư trú cuối cùng thực hiện; nếu không xác định được thì "
            "UBND cấp xã nơi người đó chết. Vui lòng nhập xã, phường đó."
        )
    else:
        notice = (
            f"CSDLQG về dân cư chưa có nơi thường trú, tạm trú của {who}, nên cổng chưa xác định "
            f"được cơ quan giải quyết. Vui lòng nhập xã, phường nơi {who} đang sinh sống; "
            f"{body.short} xã, phường đó giải quyết hồ sơ."
        )
    return Choice(
        COMPETENT_FIELD,
        TYPED_LABEL,
        notice=notice,
        hint=WARD_HINT,
        typed=body,
        typed_reason="{office}: theo xã, phường bạn nhập ({ward}, {province}) vì CSDLQG về dân "
        "cư chưa có nơi cư trú để xác định cơ quan giải quyết.",
    )


def _listed_refusal(candidates: list[Candidate]) -> str:
    names = "; ".join(c.name for c in candidates)
    return f"Theo quy định, chỉ được chọn một trong các cơ quan sau: {names}."


def _party_residence(session: Session, proc: Procedure, body: Authority, facts: Facts) -> Choice:
    """The body of a commune where the applicant or a person the dossier names (a parent, the
    other spouse) has permanent or temporary residence: any of them (marriage: either party's,
    possibly in another province); the applicant's permanent residence by default."""
    people = _people(proc, facts)
    candidates, missing = _residence_candidates(session, body, people)
    if not candidates:
        who = "bạn" if len(people) == 1 else "bạn và những người được nêu trong hồ sơ"
        return _nobody_lives_anywhere(body, who)
    notices = []
    if missing:
        names = ", ".join(p.who for p in missing)
        notices.append(
            f"CSDLQG về dân cư chưa có nơi thường trú, tạm trú của {names}; cổng chỉ xác định "
            "cơ quan giải quyết theo nơi cư trú của những người còn lại."
        )
    if len(candidates) > 1:
        notices.append(
            f"Những người trong hồ sơ cư trú tại {len(candidates)} nơi khác nhau: pháp luật cho "
            f"phép {body.short} cấp xã nơi cư trú của bất kỳ ai trong số đó giải quyết. Vui lòng "
            "chọn nơi bạn muốn; mặc định là nơi đầu tiên trong danh sách."
        )
    return Choice(
        COMPETENT_FIELD,
        COMPETENT_LABEL,
        tuple(candidates),
        default=candidates[0].key,
        notice=" ".join(notices) or None,
        refusal=_listed_refusal(candidates),
    )


def _deceased_residence(session: Session, proc: Procedure, body: Authority, facts: Facts) -> Choice:
    """The body of the commune of the deceased's last residence (the registry's, or their
    permanent, else temporary residence); none on record: the commune the citizen names."""
    deceased_id = next(
        (str(facts.form.get(f) or "") for f in proc.subject.fields if facts.form.get(f)), ""
    )
    who = _who(proc, proc.subject.fields[0], "người đã chết") if proc.subject.fields else ""
    person = _Person(
        proc.subject.fields[0] if proc.subject.fields else "subject",
        who or "người đã chết",
        deceased_id,
        facts.records.get(deceased_id),
        deceased_id in facts.withheld,
    )
    candidates, _ = _residence_candidates(session, body, [person], last=True)
    if not candidates:
        return _nobody_lives_anywhere(body, person.who, deceased=True)
    notice = None
    if len(candidates) > 1:
        notice = (
            f"Người đã chết có cả nơi thường trú và nơi tạm trú: {body.short} cấp xã của một "
            "trong hai nơi giải quyết. Vui lòng chọn nơi người đó thực tế cư trú cuối cùng; mặc "
            "định là nơi thường trú."
        )
    return Choice(
        COMPETENT_FIELD,
        COMPETENT_LABEL,
        tuple(candidates),
        default=candidates[0].key,
        notice=notice,
        refusal=_listed_refusal(candidates),
    )


def _address_field(session: Session, proc: Procedure, body: Authority, facts: Facts) -> Choice:
    """The body of the commune the form's address names (the new permanent residence, the
    temporary one), typed by name or code; a shared name: the citizen picks the province."""
    name = proc.routing.field or ""
    label = next((f.label for f in proc.fields if f.name == name), name)
    text = " ".join(str(facts.form.get(name) or "").split())
    if not text:
        raise RoutingError(f"Vui lòng khai mục “{label}” để xác định cơ quan giải quyết.")
    found = find_wards(text)
    if not found:
        raise RoutingError(UNKNOWN_WARD.format(text=text))
    codes = [office_code(body, province=w.province_code, ward=w.code) for w in found]
    known = _offices(session, codes)
    candidates = [
        Candidate(
            code,
            code,
            known[code].name,
            f"{known[code].name}: {body.short} cấp xã nơi có địa chỉ bạn khai ở mục “{label}” "
            f"({w.name}, {divisions.province_name(w.province_code)}).",
            divisions.province_name(w.province_code),
        )
        for w, code in zip(found, codes, strict=True)
        if code in known
    ]
    if not candidates:
        raise RoutingError("Chưa có cơ quan tiếp nhận hồ sơ này trên Cổng. Vui lòng thử lại sau.")
    if len(candidates) == 1:
        return Choice(COMPETENT_FIELD, COMPETENT_LABEL, (candidates[0],))
    return Choice(
        COMPETENT_FIELD,
        COMPETENT_LABEL,
        tuple(candidates),
        notice=(
            f"Có {len(candidates)} xã, phường mang tên “{text}”. Vui lòng chọn đúng nơi có địa "
            f"chỉ bạn khai; {body.short} xã, phường đó giải quyết hồ sơ."
        ),
        refusal=_listed_refusal(candidates),
    )


NO_TEMPORARY_RESIDENCE = (
    "CSDLQG về dân cư chưa có nơi tạm trú của bạn. Thủ tục “{procedure}” do {body} cấp xã nơi "
    "bạn đã đăng ký tạm trú giải quyết, nên cổng chưa xác định được cơ quan giải quyết. Nếu bạn "
    "chưa đăng ký tạm trú, vui lòng làm thủ tục Đăng ký tạm trú; nếu đã đăng ký, vui lòng liên "
    "hệ {body} xã, phường nơi bạn tạm trú để cập nhật thông tin."
)


def _temporary_residence(
    session: Session, proc: Procedure, body: Authority, facts: Facts
) -> Choice:
    """The body of the commune of the applicant's registered temporary residence: the one
    that registered it extends or removes it (Luật Cư trú 2020, điều 28, 29), never the
    commune of the permanent residence. None on record: the dossier cannot be routed, and the
    citizen is told why on the "noi-nop" step (no body the law allows to choose from)."""
    found = [value for kind, value in residences(facts.applicant) if kind == "tam_tru"]
    if not found:
        raise RoutingError(NO_TEMPORARY_RESIDENCE.format(procedure=proc.name, body=body.short))
    value = found[0]
    office = _office(
        session, office_code(body, province=value["province_code"], ward=value["ward_code"])
    )
    reason = (
        f"{office.name}: nơi bạn đã đăng ký tạm trú ({_ward_text(value)}), theo CSDLQG về dân "
        f"cư; {body.short} cấp xã đã đăng ký tạm trú giải quyết (Luật Cư trú 2020)."
    )
    only = Candidate(office.code, office.code, office.name, reason, "nơi tạm trú của bạn")
    return Choice(COMPETENT_FIELD, COMPETENT_LABEL, (only,), refusal=_listed_refusal([only]))


def _province_of_residence(
    session: Session, proc: Procedure, body: Authority, facts: Facts
) -> Choice:
    """The province body where the applicant has permanent residence, else temporary; none on
    record: the province the citizen chooses."""
    found = residences(facts.applicant)
    if found:
        kind, value = found[0]
        office = _office(session, office_code(body, province=value["province_code"]))
        province = divisions.province_name(value["province_code"])
        where = "nơi bạn thường trú" if kind == "thuong_tru" else "nơi bạn tạm trú"
        if kind == "tam_tru":
            where += " (bạn không có nơi thường trú)"
        reason = f"Thủ tục do {office.name} giải quyết, {where} ({province})."
        only = Candidate(office.code, office.code, office.name, reason)
        return Choice(COMPETENT_FIELD, COMPETENT_LABEL, (only,))
    rows = session.exec(select(Office).where(Office.kind == body.key).order_by(Office.name)).all()
    candidates = tuple(
        Candidate(
            o.code,
            o.code,
            o.name,
            f"Thủ tục do {o.name} giải quyết, theo tỉnh, thành phố bạn chọn (CSDLQG về dân cư "
            "chưa có nơi thường trú, tạm trú của bạn).",
        )
        for o in rows
    )
    return Choice(
        COMPETENT_FIELD,
        COMPETENT_LABEL,
        candidates,
        notice=(
            "CSDLQG về dân cư chưa có nơi thường trú, tạm trú của bạn, nên cổng chưa xác định "
            f"được {body.short} nơi giải quyết. Vui lòng chọn tỉnh, thành phố nơi bạn đang sinh "
            "sống."
        ),
        refusal="Vui lòng chọn một cơ quan trong danh sách.",
    )


def _any_commune(session: Session, proc: Procedure, body: Authority, facts: Facts) -> Choice:
    """Any commune's body (chứng thực, bản sao trích lục): one of the citizen's province,
    their commune of residence by default."""
    found = residences(facts.applicant)
    if not found:
        return Choice(
            COMPETENT_FIELD,
            TYPED_LABEL,
            hint=f"Thủ tục được giải quyết tại bất kỳ {body.short} xã, phường nào. {WARD_HINT}",
            typed=body,
            typed_reason="{office}: theo lựa chọn của bạn ({ward}, {province}); thủ tục được giải "
            "quyết tại bất kỳ xã, phường nào.",
        )
    kind, home = found[0]
    province = int(home["province_code"])
    province_name = divisions.province_name(province)
    rows = session.exec(
        select(Office).where(Office.kind == body.key, Office.province_code == province)
    ).all()
    home_code = office_code(body, province=province, ward=home["ward_code"])
    where = "nơi thường trú" if kind == "thuong_tru" else "nơi tạm trú"
    candidates = []
    for o in sorted(rows, key=lambda o: (o.code != home_code, o.name)):
        ward = divisions.ward_name(o.ward_code) if o.ward_code else o.name  # the list: wards
        if o.code == home_code:
            reason = f"Xã/phường {where} của bạn (theo CSDLQG về dân cư)."
            candidates.append(Candidate(o.code, o.code, o.name, reason, where, short=ward))
        else:
            reason = (
                f"Theo lựa chọn của bạn: một xã/phường của {province_name} (thủ tục được giải "
                "quyết tại bất kỳ xã, phường nào, không phụ thuộc địa giới hành chính)."
            )
            candidates.append(Candidate(o.code, o.code, o.name, reason, short=ward))
    return Choice(
        COMPETENT_FIELD,
        COMPETENT_LABEL,
        tuple(candidates),
        default=home_code,
        hint=(
            f"Mặc định là {body.short} xã, phường {where} của bạn "
            f"({divisions.ward_name(home['ward_code'])}). Bạn có thể chọn xã, phường khác của "
            f"{province_name}."
        ),
        refusal=f"Chỉ được chọn xã/phường thuộc {province_name}, nơi bạn cư trú.",
    )


RULES: dict[str, Rule] = {
    "party_residence": _party_residence,
    "deceased_residence": _deceased_residence,
    "address_field": _address_field,
    "temporary_residence": _temporary_residence,
    "province_of_residence": _province_of_residence,
    "any_commune": _any_commune,
}


def competent_choice(
    session: Session, procedure: Procedure, body: Authority, facts: Facts
) -> Choice:
    """The bodies the law allows for this dossier and what the citizen is told; raises
    RoutingError when the dossier's own data (an address) must change first."""
    return RULES[procedure.routing.rule](session, procedure, body, facts)


def _pick(choice: Choice, chosen: str | None, session: Session) -> Candidate:
    """The citizen's choice among `choice` (or its default); RoutingError for the field."""
    text = (chosen or "").strip()
    if choice.typed is not None:
        if not text:
            raise RoutingError(
                f"Vui lòng nhập {choice.label[0].lower() + choice.label[1:]}.", choice.field
            )
        ward = _one_ward(text, choice.field)
        office = _office(
            session, office_code(choice.typed, province=ward.province_code, ward=ward.code)
        )
        reason = choice.typed_reason.format(
            office=office.name,
            ward=ward.name,
            province=divisions.province_name(ward.province_code),
        )
        return Candidate(office.code, office.code, office.name, reason)
    key = text if text else choice.default
    if key is None and choice.decided:
        key = choice.decided.key
    if key is None:
        raise RoutingError("Vui lòng chọn cơ quan giải quyết trong danh sách.", choice.field)
    found = choice.candidate(key)
    if found is None:
        raise RoutingError(choice.refusal, choice.field)
    return found


# --- the receiving point -----------------------------------------------------------------------

RECEIVING_LABEL = "Nơi tiếp nhận hồ sơ"
COMMUNE_CENTRES = "Trung tâm Phục vụ hành chính công cấp xã"


def receiving_choice(
    session: Session, bodies: Mapping[str, Authority], facts: Facts, competent: Candidate
) -> Choice:
    """The receiving points: the competent body's own desk (default), the TTPVHCC of the
    citizen's province and of each of its communes."""
    office = session.get(Office, competent.office_code)
    province = citizen_province(facts.applicant) or (office.province_code if office else None)
    direct = Candidate(
        DIRECT,
        competent.office_code,
        f"Bộ phận một cửa của {competent.name}",
        f"Nộp trực tuyến: hồ sơ được gửi thẳng đến bộ phận một cửa của {competent.name}.",
        short="Bộ phận một cửa của cơ quan giải quyết (hồ sơ trực tuyến được gửi thẳng)",
    )
    centres = [b for b in bodies.values() if b.receives_only]
    if province is None or not centres:
        return Choice(RECEIVING_FIELD, RECEIVING_LABEL, (direct,), default=DIRECT)
    province_name = divisions.province_name(province)
    rows = session.exec(
        select(Office).where(
            col(Office.kind).in_([b.key for b in centres]), Office.province_code == province
        )
    ).all()
    levels = {b.key: b.level for b in centres}
    options = [direct]
    for o in sorted(rows, key=lambda o: (levels.get(o.kind) != "province", o.name)):
        commune = levels.get(o.kind) == "commune"
        options.append(
            Candidate(
                o.code,
                o.code,
                o.name,
                f"Theo lựa chọn của bạn: {o.name} tiếp nhận hồ sơ và chuyển đến "
                f"{competent.name} giải quyết (tiếp nhận không phụ thuộc địa giới hành chính, "
                f"{ONE_STOP_LAW}).",
                group=COMMUNE_CENTRES if commune and o.ward_code else None,
                short=divisions.ward_name(o.ward_code) if commune and o.ward_code else None,
            )
        )
    return Choice(
        RECEIVING_FIELD,
        RECEIVING_LABEL,
        tuple(options),
        default=DIRECT,
        hint=(
            "Hồ sơ nộp trực tuyến được gửi thẳng đến cơ quan giải quyết. Nếu muốn, bạn có thể "
            f"chọn một Trung tâm Phục vụ hành chính công của {province_name} tiếp nhận hồ sơ "
            f"(không phụ thuộc địa giới hành chính, {ONE_STOP_LAW}); trung tâm chuyển hồ sơ "
            "đến cơ quan giải quyết."
        ),
        refusal=(
            f"Chỉ được chọn Trung tâm Phục vụ hành chính công của {province_name} hoặc bộ phận "
            "một cửa của cơ quan giải quyết."
        ),
    )


def route(
    session: Session,
    procedure: Procedure,
    bodies: Mapping[str, Authority],
    facts: Facts,
    *,
    competent: str | None = None,
    receiving: str | None = None,
) -> RoutingDecision:
    """Both decisions for a dossier: the competent body (the law's, or the citizen's
    `competent` choice among those the law allows) and the receiving point (`receiving`: a
    TTPVHCC's office code; empty: the competent body's own desk). RoutingError says what to
    change, for a field of the "noi-nop" step or for the dossier."""
    body = bodies[procedure.authority]
    decided = _pick(competent_choice(session, procedure, body, facts), competent, session)
    point = _pick(receiving_choice(session, bodies, facts, decided), receiving or DIRECT, session)
    return RoutingDecision(
        decided.office_code,
        decided.name,
        decided.reason,
        point.office_code,
        point.name,
        point.reason,
    )
