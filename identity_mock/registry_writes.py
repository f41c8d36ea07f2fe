"""Changes to the population registry made by a relying party (liên thông): a birth
registration creates the child, a marriage links both spouses, a death closes the record
(and its electronic death notice).

Plain functions over a session. Each write is keyed by the caller's `reference` (the
dossier code): a retried call returns the first result and writes nothing. The caller
commits (together with the audit row).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlmodel import Session, select

from common import divisions
from common import personal_id as pid
from identity_mock import text
from identity_mock.models import (
    BirthNotice,
    DeathNotice,
    Household,
    Person,
    PopulationWrite,
    Residence,
    utcnow,
)
from identity_mock.models.population import REGISTRY_SOURCE

_rng = random.SystemRandom()


class WriteRefused(ValueError):
    """The request cannot be applied; `status` is the HTTP status (400 or 409)."""

    def __init__(self, description: str, status: int = 400, subject_id: str | None = None):
        super().__init__(description)
        self.description = description
        self.status = status
        self.subject_id = subject_id


# --- helpers -----------------------------------------------------------------------------


def _optional_text(body: dict, name: str, *, max_length: int = 200) -> str | None:
    value = body.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise WriteRefused(f"The '{name}' field must be a string.")
    value = value.strip()
    if len(value) > max_length:
        raise WriteRefused(f"The '{name}' field is longer than {max_length} characters.")
    if text.has_control(value):
        raise WriteRefused(f"The '{name}' field contains control characters.")
    return value


def _text(body: dict, name: str, *, max_length: int = 200) -> str:
    value = _optional_text(body, name, max_length=max_length)
    if value is None:
        raise WriteRefused(f"The '{name}' field is required.")
    return value


def _date(body: dict, name: str) -> date:
    raw = _text(body, name, max_length=10)
    try:
        value = date.fromisoformat(raw)
    except ValueError as exc:
        raise WriteRefused(f"The '{name}' field must be a date (YYYY-MM-DD).") from exc
    if value > date.today():
        raise WriteRefused(f"The '{name}' field is in the future.")
    return value


def _optional_person_id(body: dict, name: str) -> str | None:
    value = _optional_text(body, name, max_length=12)
    if value is not None and not pid.is_valid(value):
        raise WriteRefused(
            f"The '{name}' field is not a well-formed personal identification number."
        )
    return value


def _person_id(body: dict, name: str) -> str:
    value = _optional_person_id(body, name)
    if value is None:
        raise WriteRefused(f"The '{name}' field is required.")
    return value


def _living(session: Session, personal_id: str, role: str) -> Person:
    person = session.get(Person, personal_id)
    if person is None:
        raise WriteRefused(f"No {role} with number {personal_id} in the registry.", 404)
    if person.died_on is not None:
        raise WriteRefused(f"The {role} {personal_id} is recorded as deceased.", 409, personal_id)
    return person


def _previous(session: Session, client_id: str, kind: str, reference: str) -> dict | None:
    row = session.exec(
        select(PopulationWrite).where(
            PopulationWrite.client_id == client_id,
            PopulationWrite.kind == kind,
            PopulationWrite.reference == reference,
        )
    ).first()
    return None if row is None else dict(row.result)


def _touch(person: Person, **changes) -> None:
    """Set fields, stamping each with the registry as source and now as update time."""
    now = utcnow()
    provenance = dict(person.provenance or {})
    for name, value in changes.items():
        setattr(person, name, value)
        provenance[name] = {
            "source": REGISTRY_SOURCE,
            "updated_at": now.isoformat(timespec="seconds"),
        }
    person.provenance = provenance  # a new dict, so the JSON column is marked dirty
    person.version += 1


def _open_residences(session: Session, personal_id: str) -> list[Residence]:
    return list(
        session.exec(
            select(Residence).where(
                Residence.personal_id == personal_id,
                Residence.ended_on.is_(None),  # type: ignore[union-attr]
            )
        ).all()
    )


def _new_personal_id(session: Session, province_code: int, sex: str, birth_year: int) -> str:
    while True:
        number = pid.generate(_rng, province_code, sex, birth_year)
        if session.get(Person, number) is None:
            return number


def _notice_and_parents(
    session: Session, number: str, mother_id: str | None, father_id: str | None
) -> tuple[BirthNotice, Person, str | None]:
    """The unregistered notice, the living mother, and the father's number if any."""
    notice = session.exec(select(BirthNotice).where(BirthNotice.number == number)).first()
    if notice is None:
        raise WriteRefused(f"No birth notice number {number}.", 404)
    if notice.registered_person_id is not None:
        raise WriteRefused(
            f"Birth notice {number} is already registered as {notice.registered_person_id}.",
            409,
            notice.registered_person_id,
        )
    if mother_id and mother_id != notice.mother_id:
        raise WriteRefused("The 'mother_id' does not match the birth notice.", 400, mother_id)
    if father_id and notice.father_id and father_id != notice.father_id:
        raise WriteRefused("The 'father_id' does not match the birth notice.", 400, father_id)
    mother = _living(session, notice.mother_id, "mother")
    father_id = notice.father_id or father_id
    if father_id and session.get(Person, father_id) is None:
        raise WriteRefused(f"No father with number {father_id} in the registry.", 404)
    return notice, mother, father_id


def _home_of(
    session: Session, parent_id: str, with_residence: bool
) -> tuple[Residence | None, Household | None]:
    """The parent's permanent residence (when the child is registered there) and household."""
    home = None
    if with_residence:
        home = next(
            (r for r in _open_residences(session, parent_id) if r.kind == "thuong_tru"), None
        )
        if home is None:
            raise WriteRefused(
                f"{parent_id} has no permanent residence to register the child at.",
                409,
                parent_id,
            )
    parent = session.get(Person, parent_id)
    if parent is None:
        raise WriteRefused(f"No parent with number {parent_id} in the registry.", 404)
    household = session.get(Household, parent.household_id) if parent.household_id else None
    return home, household


def _birth_province(session: Session, home: Residence | None, mother: Person) -> int:
    """The province code of the child's personal ID: that of the residence the child is
    registered at, else the province in the mother's own ID; when the mother's birth was
    registered abroad (a country code), the province of her current residence: a birth
    registered in Viet Nam never takes a country code."""
    if home is not None and home.province_code in pid.PROVINCE_CODES:
        return home.province_code
    own = pid.parse(mother.personal_id).province_code
    if own is not None:
        return own
    residences = sorted(
        _open_residences(session, mother.personal_id), key=lambda r: r.kind != "thuong_tru"
    )
    for residence in residences:
        if residence.province_code in pid.PROVINCE_CODES:
            return residence.province_code
    raise WriteRefused(
        f"{mother.personal_id} has no residence in Viet Nam to take the province of the "
        "child's personal ID from.",
        409,
        mother.personal_id,
    )


# --- writes ------------------------------------------------------------------------------


def register_birth(session: Session, body: dict) -> tuple[str, dict]:
    """Create the child of a birth notice: (child's id, result). The notice gives birth date,
    sex and parents; the child joins the household and permanent residence of
    `residence_of` (the parent who applied) when given."""
    number = _text(body, "birth_notice_number", max_length=64)
    full_name = _text(body, "full_name", max_length=100)
    ethnicity = _optional_text(body, "ethnicity", max_length=40) or "Kinh"
    mother_id = _optional_person_id(body, "mother_id")
    father_id = _optional_person_id(body, "father_id")
    residence_of = _optional_person_id(body, "residence_of")
    health_insurance = body.get("health_insurance", False)
    if not isinstance(health_insurance, bool):
        raise WriteRefused("The 'health_insurance' field must be true or false.")

    notice, mother, father_id = _notice_and_parents(session, number, mother_id, father_id)
    parent_ids = {mother.personal_id, father_id} - {None}
    if residence_of and residence_of not in parent_ids:
        raise WriteRefused("The 'residence_of' person must be the mother or the father.")
    home, household = _home_of(session, residence_of or mother.personal_id, bool(residence_of))

    province = _birth_province(session, home, mother)
    child_id = _new_personal_id(session, province, notice.sex, notice.birth_date.year)
    child = Person(
        personal_id=child_id,
        full_name=full_name,
        birth_date=notice.birth_date,
        sex=notice.sex,
        ethnicity=ethnicity,
        birth_province_code=province,
        mother_id=mother.personal_id,
        father_id=father_id,
        household_id=household.id if household else None,
        relation_to_head=(
            None if household is None else "Con" if household.head_id in parent_ids else "Cháu"
        ),
        health_insurance=health_insurance,
    )
    session.add(child)
    if home is not None:
        session.add(
            Residence(
                personal_id=child_id,
                kind="thuong_tru",
                province_code=home.province_code,
                ward_code=home.ward_code,
                street=home.street,
                registered_on=date.today(),
            )
        )
    notice.registered_person_id = child_id
    notice.updated_at = utcnow()
    session.add(notice)
    result = {
        "personal_id": child_id,
        "full_name": full_name,
        "birth_date": notice.birth_date.isoformat(),
        "sex": notice.sex,
        "mother_id": mother.personal_id,
        "father_id": father_id,
        "household_id": child.household_id,
        "permanent_residence": home is not None,
        "residence_address": (
            divisions.full_address(home.street, home.ward_code, home.province_code)
            if home
            else None
        ),
        "health_insurance": health_insurance,
        **(card_of(child_id, province, child.birth_date) if health_insurance else {}),
        "birth_notice_number": number,
    }
    return child_id, result


def card_of(personal_id: str, province_code: int, birth_date: date) -> dict:
    """The card of a child under 6 (Luật BHYT, điều 12 and 16): object code TE, benefit
    level 1, the province, the last 10 digits of the personal ID; valid from birth to the
    day before the sixth birthday [card layout after QĐ 1351/QĐ-BHXH, unverified]."""
    try:
        sixth = birth_date.replace(year=birth_date.year + 6)
    except ValueError:  # born on 29 February
        sixth = date(birth_date.year + 6, 3, 1)
    return {
        "health_insurance_number": f"TE1{province_code:02d}{personal_id[-10:]}",
        "health_insurance_group": "Trẻ em dưới 6 tuổi",
        "health_insurance_valid_from": birth_date.isoformat(),
        "health_insurance_valid_until": (sixth - timedelta(days=1)).isoformat(),
    }


def register_marriage(session: Session, body: dict) -> tuple[str, dict]:
    """Both parties become married to each other: (first party's id, result)."""
    first_id = _person_id(body, "person_id")
    second_id = _person_id(body, "partner_id")
    if first_id == second_id:
        raise WriteRefused("A person cannot marry themselves.", 400, first_id)
    first = _living(session, first_id, "person")
    second = _living(session, second_id, "partner")
    for person, other in ((first, second), (second, first)):
        if person.marital_status == "ket_hon" and person.spouse_id != other.personal_id:
            raise WriteRefused(f"{person.personal_id} is already married.", 409, person.personal_id)
    for person, other in ((first, second), (second, first)):
        _touch(person, marital_status="ket_hon", spouse_id=other.personal_id)
        session.add(person)
    result = {"personal_ids": [first_id, second_id], "marital_status": "ket_hon"}
    return first_id, result


def _death_notices_to_close(
    session: Session, personal_id: str, number: str | None
) -> list[DeathNotice]:
    """The deceased's unregistered death notices (the one named, when `number` is given)."""
    query = select(DeathNotice).where(
        DeathNotice.deceased_id == personal_id,
        DeathNotice.registered_on.is_(None),  # type: ignore[union-attr]
    )
    notices = list(session.exec(query).all())
    if number is None:
        return notices
    named = [n for n in notices if n.number == number]
    if not named:
        raise WriteRefused(
            f"No unregistered death notice number {number} for {personal_id}.", 400, personal_id
        )
    return named


def register_death(session: Session, body: dict) -> tuple[str, dict]:
    """Close the deceased's record: died_on set, residences ended (still readable as the
    last residence), a spouse widowed, the death notice (`death_notice_number`, optional;
    without it every unregistered one of the deceased) marked registered."""
    personal_id = _person_id(body, "personal_id")
    died_on = _date(body, "died_on")
    notice_number = _optional_text(body, "death_notice_number", max_length=64)
    person = _living(session, personal_id, "deceased")
    if died_on < person.birth_date:
        raise WriteRefused("The 'died_on' date is before the birth date.", 400, personal_id)
    notices = _death_notices_to_close(session, personal_id, notice_number)
    for notice in notices:
        notice.registered_on = date.today()
        notice.updated_at = utcnow()
        session.add(notice)
    ended = 0
    for residence in _open_residences(session, personal_id):
        residence.ended_on = max(died_on, residence.registered_on)
        residence.updated_at = utcnow()
        session.add(residence)
        ended += 1
    _touch(person, died_on=died_on)
    session.add(person)
    spouse = session.get(Person, person.spouse_id) if person.spouse_id else None
    if spouse is not None and spouse.spouse_id == personal_id and spouse.died_on is None:
        _touch(spouse, marital_status="goa")
        session.add(spouse)
    result = {
        "personal_id": personal_id,
        "died_on": died_on.isoformat(),
        "residences_ended": ended,
        "death_notices_registered": [n.number for n in notices],
    }
    return personal_id, result


WRITES = {"births": ("birth", register_birth), "marriages": ("marriage", register_marriage),
          "deaths": ("death", register_death)}  # fmt: skip


def apply(session: Session, client_id: str, kind: str, body: dict) -> tuple[dict, bool]:
    """Apply one write, once per (client, kind, reference): (result, created). A replayed
    reference returns the first result and changes nothing."""
    name, register = WRITES[kind]
    reference = _text(body, "reference", max_length=64)
    previous = _previous(session, client_id, name, reference)
    if previous is not None:
        return previous, False
    subject_id, result = register(session, body)
    session.add(
        PopulationWrite(
            client_id=client_id,
            kind=name,
            reference=reference,
            subject_id=subject_id,
            result=result,
        )
    )
    return result, True
