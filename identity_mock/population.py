"""Reads of the population registry, shaped for the API, and their audit trail.

Every value goes out as {value, source, updated_at} so a relying party can show where
each item came from and how fresh it is.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, func, or_, select

from common import divisions
from identity_mock.models import BirthNotice, Household, Person, PopulationAudit, Residence

MARITAL_STATUS = {
    "doc_than": "Chưa kết hôn",
    "ket_hon": "Đã kết hôn",
    "ly_hon": "Đã ly hôn",
    "goa": "Góa",
}
SEX = {"nam": "Nam", "nu": "Nữ"}


def _item(value, source: str, updated_at) -> dict:
    if isinstance(value, date):
        value = value.isoformat()
    stamp = updated_at if isinstance(updated_at, str) else updated_at.isoformat(timespec="seconds")
    return {"value": value, "source": source, "updated_at": stamp}


def _field(person: Person, name: str, value=None) -> dict:
    source, updated = person.provenance_of(name)
    return _item(getattr(person, name) if value is None else value, source, updated)


def _brief(person: Person | None) -> dict | None:
    return None if person is None else _summary(person)


def _summary(person: Person) -> dict:
    return {
        "personal_id": person.personal_id,
        "full_name": person.full_name,
        "birth_date": person.birth_date.isoformat(),
        "alive": person.died_on is None,
    }


def _residence(res: Residence) -> dict:
    return _item(
        {
            "street": res.street,
            "ward_code": res.ward_code,
            "ward_name": divisions.ward_name(res.ward_code),
            "province_code": res.province_code,
            "province_name": divisions.province_name(res.province_code),
            "full": divisions.full_address(res.street, res.ward_code, res.province_code),
            "registered_on": res.registered_on.isoformat(),
        },
        res.source,
        res.updated_at,
    )


def _household(session: Session, person: Person) -> dict | None:
    if not person.household_id:
        return None
    household = session.get(Household, person.household_id)
    if household is None:
        return None
    members = session.exec(
        select(Person)
        .where(Person.household_id == person.household_id)
        .order_by(col(Person.birth_date))
    ).all()
    value = {
        "id": household.id,
        "head_id": household.head_id,
        "poor_household": household.poor_household,
        "members": [{**_summary(m), "relation_to_head": m.relation_to_head} for m in members],
    }
    return _item(value, household.source, household.updated_at)


def _relatives(session: Session, person: Person) -> dict:
    ids = [person.father_id, person.mother_id, person.spouse_id]
    wanted = [i for i in ids if i]
    found = {
        p.personal_id: p
        for p in session.exec(select(Person).where(col(Person.personal_id).in_(wanted)))
    }
    children = session.exec(
        select(Person)
        .where(or_(Person.father_id == person.personal_id, Person.mother_id == person.personal_id))
        .order_by(col(Person.birth_date))
    ).all()
    return {
        "father": _field(person, "father_id", _brief(found.get(person.father_id or ""))),
        "mother": _field(person, "mother_id", _brief(found.get(person.mother_id or ""))),
        "spouse": _field(person, "spouse_id", _brief(found.get(person.spouse_id or ""))),
        "children": _item([_brief(c) for c in children], person.source, person.updated_at),
    }


def _birth_notices(session: Session, person: Person) -> list[dict]:
    notices = session.exec(
        select(BirthNotice).where(
            or_(
                BirthNotice.mother_id == person.personal_id,
                BirthNotice.father_id == person.personal_id,
            ),
            BirthNotice.registered_person_id.is_(None),  # type: ignore[union-attr]
        )
    ).all()
    return [
        _item(
            {
                "number": n.number,
                "hospital": n.hospital,
                "birth_date": n.birth_date.isoformat(),
                "sex": n.sex,
                "weight_grams": n.weight_grams,
                "mother_id": n.mother_id,
                "father_id": n.father_id,
            },
            n.source,
            n.updated_at,
        )
        for n in notices
    ]


def person_record(session: Session, person: Person) -> dict:
    """Everything the registry holds about `person`, each value with its provenance."""
    residences = session.exec(
        select(Residence).where(
            Residence.personal_id == person.personal_id,
            Residence.ended_on.is_(None),  # type: ignore[union-attr]
        )
    ).all()
    by_kind = {r.kind: _residence(r) for r in residences}
    return {
        "personal_id": _field(person, "personal_id"),
        "full_name": _field(person, "full_name"),
        "birth_date": _field(person, "birth_date"),
        "sex": _field(person, "sex", SEX[person.sex]),
        "ethnicity": _field(person, "ethnicity"),
        "nationality": _field(person, "nationality"),
        "permanent_residence": by_kind.get("thuong_tru"),
        "temporary_residence": by_kind.get("tam_tru"),
        "marital_status": _field(person, "marital_status", MARITAL_STATUS[person.marital_status]),
        **_relatives(session, person),
        "household": _household(session, person),
        "id_card": _field(
            person,
            "id_card_expires_on",
            {
                "issued_on": person.id_card_issued_on and person.id_card_issued_on.isoformat(),
                "expires_on": person.id_card_expires_on and person.id_card_expires_on.isoformat(),
            },
        ),
        "meritorious_family": _field(person, "meritorious_family"),
        "disability": _field(person, "disability"),
        "health_insurance": _field(person, "health_insurance"),
        "died_on": _field(person, "died_on"),
        "birth_notices": _birth_notices(session, person),
    }


def comparable_name(name: str) -> str:
    """A name as a match check compares it: Unicode NFC, case folded, runs of whitespace as
    one space, no leading or trailing space. Diacritics stay significant ("Lan" is not
    "Lân")."""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())
    return " ".join(folded.split())


def matches(person: Person | None, full_name: str, birth_date: date | None = None) -> bool:
    """Whether the typed name (and birth date, when given) are those of `person`; False for
    nobody, so a caller cannot tell an unknown number from a wrong name."""
    if person is None:
        return False
    if comparable_name(full_name) != comparable_name(person.full_name):
        return False
    return birth_date is None or birth_date == person.birth_date


MATCH_MISSES_ALLOWED = 5  # wrong answers about one person by one actor…
MATCH_MISS_WINDOW = timedelta(hours=24)  # …within this window, before checks are refused


def match_misses(
    session: Session, client_id: str, actor_id: str | None, subject_id: str, now: datetime
) -> int:
    """How many match checks about `subject_id` by this client and actor came out wrong in
    the last MATCH_MISS_WINDOW: the cap keeps anyone from guessing a name by trying."""
    query = select(func.count()).where(
        PopulationAudit.client_id == client_id,
        PopulationAudit.subject_id == subject_id,
        PopulationAudit.endpoint == "match",
        PopulationAudit.outcome == "no_match",
        PopulationAudit.at >= now - MATCH_MISS_WINDOW,
    )
    if actor_id is not None:
        query = query.where(PopulationAudit.actor_id == actor_id)
    return session.exec(query).one()


def audit(
    session: Session,
    *,
    client_id: str,
    actor_id: str | None,
    subject_id: str,
    purpose: str,
    endpoint: str,
    outcome: str,
    commit: bool = True,
) -> None:
    """Write one audit row for a read (or a write) of population data."""
    session.add(
        PopulationAudit(
            client_id=client_id,
            actor_id=actor_id,
            subject_id=subject_id,
            purpose=purpose,
            endpoint=endpoint,
            outcome=outcome,
        )
    )
    if commit:
        session.commit()
