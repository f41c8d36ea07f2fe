"""Linked groups (liên thông) split by body: one dossier for the citizen, one part per body.

The law: Nghị định 63/2024/NĐ-CP on the two groups of linked procedures (amended by
NĐ 301/2026/NĐ-CP from 01/09/2026 [2nd]; Quyết định 296/QĐ-VPCP of 2024 only announced
them): group 1, đăng ký khai sinh + đăng ký thường trú + cấp thẻ BHYT cho trẻ em dưới 6
tuổi; group 2, đăng ký khai tử + xóa đăng ký thường trú + trợ cấp mai táng (at BHXH, or as
social-assistance funeral support at the UBND xã). The citizen files once; each body
receives, processes and decides its own part in its own queue and signs its own result.

The decision, as data in the procedure files (`[[linked]]`, procedures/link_schema.py):

- the dossier the citizen files is the group's **lead**; each linked procedure becomes a
  **part**: a Dossier with `group_id` = the lead's id, the lead's applicant, a code of the
  part's own office, that office chosen by the part's routing, its own workflow and result;
- a part **starts when its inputs exist**: once the lead's registry write-back is done (the
  birth is registered and the child has a personal ID; the death is recorded), with its data
  taken from the lead's form, the registry's answer to the write, the registry's record of
  the person the write concerns (the child, the deceased: their residence, their social
  insurance) and of the lead's applicant (the parent a newborn is registered with). `when`
  tests on that data choose the parts (a child to register at a parent's permanent
  residence; BHXH or the UBND xã for the funeral allowance);
- each part changes the registry itself when its own body approves it (services/writeback.py:
  the Công an registers the child's residence or removes the deceased's, BHXH issues the
  card); the lead's write changes only what its body decided;
- a part's fee is the fee rule's for its procedure (services/fees.decide_fee: online, on the
  day it starts, the person it concerns), stored with its steps like a filed dossier's;
- the parts are created by `start_parts`, in the transaction that marks the lead's write
  done (services/writeback.py): a retried or concurrent write-back task creates nothing
  twice, and a part already in the group is never created again;
- the lead's parties become parties of each part (the applicant as applicant, the others
  informed), so every party of the lead sees the parts and nobody else does; a part is a
  dossier of its office only, so each body's clerk sees only its own part (portal/access.py);
- the citizen sees one dossier: the lead's page lists the parts with their bodies and
  statuses and merges every timeline (`timeline`), and the group's status (`status_of`)
  stays open until every part has ended. A part's own page sends a party to the lead's.

Plain functions over a session; no Flask here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from common import divisions
from portal.models import Citizen, Dossier, DossierEvent, DossierParty, Notification, Office
from portal.models.dossiers import STATUS_LABELS, Status
from portal.models.results import ResultDocument
from portal.services import dossiers, fees, parties, workflow
from portal.services.deadlines import to_local
from portal.services.dossier_codes import new_code
from portal.services.offices import office_code
from procedures.link_schema import Link, LinkTest
from procedures.schema import Procedure

SYSTEM = "system"  # actor of the events that start a part (the task queue)
APPLICANT = "applicant"
INFORMED = "informed"


# --- the group's data ---------------------------------------------------------------------


@dataclass(frozen=True)
class Inputs:
    """What a part is made from: the lead's form data, the registry's answer to the lead's
    write-back, the registry's record of the person that write concerns and that of the
    lead's applicant (None when not read, or when the registry could not say)."""

    lead: dict
    registry: dict
    subject: dict | None = None
    applicant: dict | None = None


def _read_through(node: Any) -> Any:
    """A registry item {value, source, updated_at} read as its value."""
    if isinstance(node, dict) and "value" in node and "source" in node:
        return node["value"]
    return node


def value(inputs: Inputs, path: str) -> Any:
    """The value at a dotted path (`lead.x`, `registry.x`, `subject.x.y`), or None."""
    root, *keys = path.split(".")
    node: Any = {
        "lead": inputs.lead,
        "registry": inputs.registry,
        "subject": inputs.subject,
        "applicant": inputs.applicant,
    }[root]
    for key in keys:
        node = _read_through(node)
        node = node.get(key) if isinstance(node, dict) else None
        if node is None:
            return None
    return _read_through(node)


def holds(test: LinkTest, inputs: Inputs) -> bool:
    found = value(inputs, test.path)
    if test.present is not None:
        return bool(found not in (None, "", False, [], {})) is test.present
    if test.equals is not None:
        return found == test.equals
    if test.one_of:
        return found in test.one_of
    assert test.at_least is not None  # the schema asks for exactly one test
    return (
        isinstance(found, int | float) and not isinstance(found, bool) and (found >= test.at_least)
    )


def chosen(procedure: Procedure, inputs: Inputs) -> list[Link]:
    """The procedure's links whose tests hold; of the alternatives of a choice, the first."""
    taken: set[str] = set()
    found = []
    for link in procedure.linked:
        if link.choice and link.choice in taken:
            continue
        if all(holds(test, inputs) for test in link.when):
            found.append(link)
            if link.choice:
                taken.add(link.choice)
    return found


def reads_applicant(procedure: Procedure) -> bool:
    """Whether the procedure's links read the registry's record of the lead's applicant."""
    return any(
        link.routing == "applicant_residence"
        or any(
            p.startswith("applicant.") for p in [*link.data.values(), *(t.path for t in link.when)]
        )
        for link in procedure.linked
    )


def subject_id(answer: dict) -> str | None:
    """The person the lead's write concerns (the child created, the deceased): the number
    the registry answered with."""
    number = answer.get("personal_id") if isinstance(answer, dict) else None
    return number if isinstance(number, str) and number.isdigit() else None


def _shown(raw: Any) -> Any:
    """A value for a part's form data: numbers as text (like typed fields)."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    return raw


def part_data(link: Link, inputs: Inputs) -> dict:
    """The part's form data: each `data` source that has a value, the `values`, and the
    registry's answer to the lead's write (`registry`), which the part's result reads."""
    data = {}
    for name, source in link.data.items():
        found = value(inputs, source)
        if found not in (None, "", [], {}):
            data[name] = _shown(found)
    return {**data, **link.values, "registry": dict(inputs.registry)}


# --- where a part goes --------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    province: int
    ward: int | None
    why: str


def _residence(record: dict | None) -> dict | None:
    """A person's permanent residence: the open one, else the last one when it was a
    permanent one (the registry keeps the last readable once it has ended)."""
    if not record:
        return None
    current = _read_through(record.get("permanent_residence"))
    if isinstance(current, dict) and current.get("ward_code"):
        return current
    last = _read_through(record.get("last_residence"))
    if isinstance(last, dict) and last.get("ward_code") and last.get("kind") == "thuong_tru":
        return last
    return None


RESIDENCE_OF = {"subject_residence": "subject", "applicant_residence": "applicant"}


def _place(session: Session, link: Link, lead: Dossier, inputs: Inputs) -> Place | None:
    """Where the part goes: the commune of the permanent residence its routing names (the
    deceased's; the parent's a newborn is registered with), else the lead office's."""
    root = RESIDENCE_OF.get(link.routing)
    if root is not None:
        home = _residence(getattr(inputs, root))
        if home is not None and int(home["ward_code"]) in divisions.wards():
            ward = int(home["ward_code"])
            name = value(inputs, f"{root}.full_name") or "người được đăng ký"
            return Place(
                divisions.wards()[ward].province_code,
                ward,
                f"nơi thường trú của {name} (theo CSDLQG về dân cư)",
            )
    office = session.get(Office, lead.office_code) if lead.office_code else None
    if office is None:
        return None
    return Place(office.province_code, office.ward_code, f"cùng địa bàn với {office.name}")


def _office_of(session: Session, catalogue, part: Procedure, place: Place) -> Office | None:
    body = catalogue.authority(part)
    if body.level == "commune" and place.ward is None:
        return None
    return session.get(Office, office_code(body, province=place.province, ward=place.ward))


# --- starting the parts -------------------------------------------------------------------


def parts_of(session: Session, lead: Dossier) -> list[Dossier]:
    """The group's parts, in the order they were created."""
    return list(
        session.exec(
            select(Dossier).where(Dossier.group_id == lead.id).order_by(col(Dossier.id))
        ).all()
    )


def start_parts(
    session: Session,
    lead: Dossier,
    procedure: Procedure,
    catalogue,
    inputs: Inputs,
    now: datetime,
) -> tuple[list[tuple[Dossier, str, str]], list[str]]:
    """Create the parts of the lead's group whose tests hold and that the group does not
    have yet (flushed, not committed: the caller commits with the lead's write marked done).
    Returns ([(part, procedure name, office name)], names of the procedures no office could
    be found for)."""
    assert lead.id is not None  # loaded from the database
    have = {d.procedure_code for d in parts_of(session, lead)}
    created, unplaced = [], []
    for link in chosen(procedure, inputs):
        part_proc = catalogue.get(link.code)
        if link.code in have or part_proc is None:
            continue
        place = _place(session, link, lead, inputs)
        office = _office_of(session, catalogue, part_proc, place) if place else None
        if office is None or place is None:
            unplaced.append(part_proc.name)
            continue
        where = Where(office, place, tuple(catalogue.policies))
        part = _new_part(session, lead, link, part_proc, where, inputs, now)
        created.append((part, part_proc.name, office.name))
    return created, unplaced


def started_message(created: list[tuple[Dossier, str, str]], unplaced: list[str]) -> str:
    """The sentence for the lead's timeline: where each part went."""
    text = ""
    if created:
        rows = [f"{name} đến {office} (mã hồ sơ {part.code})" for part, name, office in created]
        text += " Đã chuyển hồ sơ liên thông: " + "; ".join(rows) + "."
    if unplaced:
        text += (
            " Chưa xác định được cơ quan giải quyết hồ sơ liên thông "
            + "; ".join(unplaced)
            + ": cán bộ vui lòng hướng dẫn người nộp."
        )
    return text


@dataclass(frozen=True)
class Where:
    """A part's office, why it goes there, and the fee policies its fee is decided under."""

    office: Office
    place: Place
    policies: tuple = ()


def _date(raw: Any) -> date | None:
    try:
        return date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def part_fee(
    session: Session,
    lead: Dossier,
    part_proc: Procedure,
    office: Office,
    data: dict,
    inputs: Inputs,
    policies,
    now: datetime,
) -> fees.FeeDecision:
    """The part's fee by the fee rule of its procedure: online (the lead was filed online),
    on the day the part starts, in the province of the part's office, for the person the
    part concerns as the registry records them (a newborn: the child exemption of the
    residence fee) and the lead's VNeID level."""
    filer = session.get(Citizen, lead.applicant_id)
    facts = fees.ApplicantFacts(
        province_code=office.province_code,
        meritorious_family=bool(value(inputs, "subject.meritorious_family")),
        poor_household=bool(value(inputs, "subject.household.poor_household")),
        disability=bool(value(inputs, "subject.disability")),
        birth_date=_date(
            value(inputs, "subject.birth_date") or value(inputs, "registry.birth_date")
        ),
        birth_date_of_child=_date(value(inputs, "registry.birth_date")),
        death_date=_date(value(inputs, "registry.died_on")),
        vneid_level=filer.level if filer else None,
        declared=fees.declared_from_form(part_proc, data),
    )
    return fees.decide_fee(
        part_proc,
        policies,
        facts,
        online=True,
        on=to_local(now).date(),
        **fees.units_from_form(part_proc, data),
    )


def _new_part(
    session: Session,
    lead: Dossier,
    link: Link,
    part_proc: Procedure,
    where: Where,
    inputs: Inputs,
    now: datetime,
) -> Dossier:
    office, place = where.office, where.place
    data = part_data(link, inputs)
    # The part holds its life event (a child's card, a deceased's residence) like a filed
    # dossier, unless an open dossier filed apart holds it already (then it takes no lock;
    # a filing at the same instant fails the transaction, and the retry sees it).
    key = parties.subject_key(
        part_proc, data, str(data.get("applicant_personal_id") or lead.applicant_id)
    )
    lock = None if parties.holder(session, part_proc.code, key) else key
    fee = part_fee(session, lead, part_proc, office, data, inputs, where.policies, now)
    part = Dossier(
        code=new_code(session, office.code, to_local(now).date()),
        procedure_code=part_proc.code,
        procedure_version=part_proc.version,
        applicant_id=lead.applicant_id,
        draft_key=None,
        status=Status.SUBMITTED,
        office_code=office.code,
        routing_reason=f"Hồ sơ liên thông với hồ sơ {lead.code}: {office.name}, {place.why}.",
        group_id=lead.id,
        data=data,
        fee_amount=fee.amount,
        fee_rule=fee.rule,
        fee_reason=fee.reason,
        fee_steps=fee.steps_json(),
        subject_key=key,
        open_key=lock,
        submitted_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(part)
    session.flush()
    assert part.id is not None  # flushed
    for row in dossiers.parties_of(session, lead):
        session.add(
            DossierParty(
                dossier_id=part.id,
                personal_id=row.personal_id,
                full_name=row.full_name,
                role=row.role,
                consent=APPLICANT if row.consent == APPLICANT else INFORMED,
            )
        )
    note = f"Hồ sơ liên thông từ hồ sơ {lead.code}, chuyển đến {office.name}."
    session.add(
        DossierEvent(
            dossier_id=part.id,
            at=now,
            actor_id=SYSTEM,
            actor_role=SYSTEM,
            from_status=None,
            to_status=Status.SUBMITTED,
            note=note,
        )
    )
    _notify(session, lead, part, part_proc, office, now)
    session.flush()
    return part


def _notify(
    session: Session,
    lead: Dossier,
    part: Dossier,
    part_proc: Procedure,
    office: Office,
    now: datetime,
) -> None:
    """Tell the lead's parties where the part went (the notice links to the lead)."""
    from portal import tasks  # the task queue imports this module through the write-back

    assert lead.id is not None
    text = (
        f"Hồ sơ {lead.code}: hồ sơ liên thông “{part_proc.name}” đã được chuyển đến "
        f"{office.name} (mã hồ sơ {part.code})."
    )
    for personal_id in sorted({lead.applicant_id} | _party_ids(session, lead)):
        notification = Notification(
            personal_id=personal_id, dossier_id=lead.id, created_at=now, text=text
        )
        session.add(notification)
        session.flush()
        tasks.after_commit(session, tasks.deliver_notification, notification.id)


def _party_ids(session: Session, dossier: Dossier) -> set[str]:
    return {p.personal_id for p in dossiers.parties_of(session, dossier)}


# --- the citizen's one dossier ------------------------------------------------------------


def lead_of(session: Session, dossier: Dossier) -> Dossier:
    """The dossier the citizen filed: the lead of a part, else the dossier itself."""
    if dossier.group_id is None:
        return dossier
    return session.get(Dossier, dossier.group_id) or dossier


RESULT_STATUSES = (Status.APPROVED, Status.RETURNED)
# A part whose office waits for the citizen on the part's own page.
CITIZEN_TURN = (
    Status.SUPPLEMENT_REQUESTED,
    Status.AWAITING_CONFIRMATION,
    Status.AWAITING_APPEARANCE,
)


def needs_citizen(dossier: Dossier) -> bool:
    return dossier.status in CITIZEN_TURN


@dataclass(frozen=True)
class Member:
    """One dossier of the group, as the citizen sees it."""

    dossier: Dossier
    procedure_name: str
    office_name: str
    is_lead: bool
    documents: list[ResultDocument]

    @property
    def ended(self) -> bool:
        return self.dossier.status in workflow.ENDED

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.dossier.status, self.dossier.status)

    @property
    def needs_citizen(self) -> bool:
        return needs_citizen(self.dossier)


@dataclass(frozen=True)
class Step:
    """One event of the merged timeline, labelled with the body whose dossier it is on."""

    event: DossierEvent
    dossier: Dossier
    body: str  # the office's name


@dataclass(frozen=True)
class Group:
    lead: Dossier
    members: list[Member]  # the lead first, then the parts in the order they started
    status: str  # the group's status, open until every part has ended
    ended: bool

    @property
    def parts(self) -> list[Member]:
        return [m for m in self.members if not m.is_lead]


def status_of(lead: Dossier, parts: list[Dossier]) -> tuple[str, bool]:
    """The group's status and whether it has ended: the lead's own until the parts start;
    then open ("Đang giải quyết liên thông") until every dossier of the group has ended."""
    if not parts:
        return STATUS_LABELS.get(lead.status, lead.status), lead.status in workflow.ENDED
    members = [lead, *parts]
    done = [d for d in members if d.status in workflow.ENDED]
    if len(done) < len(members):
        return (
            f"Đang giải quyết liên thông ({len(done)}/{len(members)} cơ quan đã xong)",
            False,
        )
    if all(d.status == Status.RETURNED for d in members):
        return STATUS_LABELS[Status.RETURNED], True
    return "Đã giải quyết xong (có phần không được giải quyết)", True


def _names(session: Session, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = session.exec(select(Office).where(col(Office.code).in_(codes))).all()
    return {o.code: o.name for o in rows}


def _documents(session: Session, dossier: Dossier) -> list[ResultDocument]:
    if dossier.status not in RESULT_STATUSES or dossier.id is None:
        return []
    from portal.services import results

    return results.of_dossier(session, dossier.id)


def group_of(session: Session, dossier: Dossier, procedure: Callable[[str], Any]) -> Group:
    """The group the dossier belongs to (a dossier without parts is a group of one);
    `procedure`: code → procedure, for the names."""
    lead = lead_of(session, dossier)
    parts = parts_of(session, lead)
    names = _names(session, {d.office_code for d in [lead, *parts] if d.office_code})
    members = []
    for member in [lead, *parts]:
        proc = procedure(member.procedure_code)
        members.append(
            Member(
                member,
                proc.name if proc else member.procedure_code,
                names.get(member.office_code or "", member.office_code or ""),
                member.id == lead.id,
                _documents(session, member),
            )
        )
    status, ended = status_of(lead, parts)
    return Group(lead, members, status, ended)


def timeline(session: Session, group: Group) -> list[Step]:
    """Every event of the group's dossiers in the order they happened, each labelled with
    its body."""
    by_id = {m.dossier.id: m for m in group.members}
    events = session.exec(
        select(DossierEvent)
        .where(col(DossierEvent.dossier_id).in_(list(by_id)))
        .order_by(col(DossierEvent.at), col(DossierEvent.id))
    ).all()
    return [Step(e, by_id[e.dossier_id].dossier, by_id[e.dossier_id].office_name) for e in events]


def of_person(session: Session, personal_id: str, *, limit: int = 50) -> list[Dossier]:
    """The dossiers a person filed or is a party to, parts left out (they show in their
    lead), most recently changed first."""
    query = (
        select(Dossier)
        .where(dossiers.concerning(personal_id), col(Dossier.group_id).is_(None))
        .order_by(col(Dossier.updated_at).desc())
        .limit(limit)
    )
    return list(session.exec(query).all())


@dataclass(frozen=True)
class Summary:
    """A lead's line on the dashboard: the group's status and each part's."""

    status: str
    parts: list[tuple[str, str]]  # (office name, status label)


def summaries(session: Session, leads: list[Dossier]) -> dict[int, Summary]:
    """Lead id → its group's summary, for the leads that have parts (one query each for
    the parts and their offices)."""
    ids = [d.id for d in leads if d.id is not None]
    if not ids:
        return {}
    found = session.exec(
        select(Dossier).where(col(Dossier.group_id).in_(ids)).order_by(col(Dossier.id))
    ).all()
    by_lead: dict[int, list[Dossier]] = {}
    for part in found:
        assert part.group_id is not None  # selected on it
        by_lead.setdefault(part.group_id, []).append(part)
    names = _names(session, {p.office_code for p in found if p.office_code})
    out = {}
    for lead in leads:
        if lead.id not in by_lead:
            continue
        group_parts = by_lead[lead.id]
        status, _ = status_of(lead, group_parts)
        out[lead.id] = Summary(
            status,
            [
                (names.get(p.office_code or "", p.office_code or ""), STATUS_LABELS[p.status])
                for p in group_parts
            ],
        )
    return out
