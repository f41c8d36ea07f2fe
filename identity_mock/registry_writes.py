"""Changes to the population registry made by a relying party (liên thông), each by the body
that decided it: a birth registration creates the child (the UBND xã), a marriage links both
spouses, a death closes the record (and its electronic death notice); a permanent-residence
registration puts a person in a household at an address and a removal ends it (the Công an
xã); a health-insurance card is issued to a child under 6 (BHXH).

The linked groups of NĐ 63/2024/NĐ-CP are split the same way: the birth write creates the
person only (personal ID, parents, birth data), and the Công an's registration of the
child's permanent residence and BHXH's card follow as writes of their own; the death write
closes the record and leaves the permanent residence to the Công an's removal (xóa đăng ký
thường trú, its CT08 notice).

A birth is registered from the health system's electronic birth notice (`birth_notice_number`:
birth date, sex and parents from it) or, without one, from what the parents declared with a
paper birth notice or a witness statement (`proof`): the birth date, sex and place of birth,
and each parent's number with their name (and birth date), which must be the registry's.

Plain functions over a session. Each write is keyed by the caller's `reference` (the
dossier code): a retried call returns the first result and writes nothing. The caller
commits (together with the audit row). A refused write raises WriteRefused with an English
description (what clients act on) and a Vietnamese message (for people).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlmodel import Session, select

from common import divisions
from common import personal_id as pid
from identity_mock import population
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
from identity_mock.population_schemas import (
    PROOFS,
    SEXES,
    BirthBody,
    CardBody,
    DeathBody,
    MarriageBody,
    RemovalBody,
    ResidenceBody,
    WriteBody,
    explain,
)

_rng = random.SystemRandom()
PERMANENT = "thuong_tru"
HEAD = "Chủ hộ"
ADULT_AGE = 18  # a household head has full civil capacity (Luật Cư trú 2020, điều 10)
CARD_AGE = 6  # the card of this write: children under 6 (Luật BHYT, điều 12)
# Relation to the household head a registration derives when none is given.
_RELATIONS = {"parent": "Con", "grandparent": "Cháu", "husband": "Vợ", "wife": "Chồng"}


class WriteRefused(ValueError):
    """The request cannot be applied; `status` is the HTTP status (400, 404 or 409),
    `description` English, `message` Vietnamese (empty: the status's own)."""

    def __init__(
        self,
        description: str,
        status: int = 400,
        subject_id: str | None = None,
        message: str = "",
    ):
        super().__init__(description)
        self.description = description
        self.status = status
        self.subject_id = subject_id
        self.message = message


# --- helpers -----------------------------------------------------------------------------


T = TypeVar("T")


def _required(value: T | None, name: str) -> T:
    """A field the write needs in this case (the model leaves it optional)."""
    if value is None:
        raise WriteRefused(f"The '{name}' field is required.", message=f"Thiếu trường '{name}'.")
    return value


def _living(session: Session, personal_id: str, role: str) -> Person:
    person = session.get(Person, personal_id)
    if person is None:
        raise WriteRefused(
            f"No {role} with number {personal_id} in the registry.",
            404,
            message="Không có người mang số định danh cá nhân này trong CSDLQG về dân cư.",
        )
    if person.died_on is not None:
        raise WriteRefused(
            f"The {role} {personal_id} is recorded as deceased.",
            409,
            personal_id,
            message=f"Người mang số định danh cá nhân {personal_id} đã được ghi nhận là đã chết.",
        )
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


def _permanent(session: Session, personal_id: str) -> Residence | None:
    return next((r for r in _open_residences(session, personal_id) if r.kind == PERMANENT), None)


def _address(res: Residence) -> str:
    return divisions.full_address(res.street, res.ward_code, res.province_code)


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _new_personal_id(session: Session, province_code: int, sex: str, birth_year: int) -> str:
    while True:
        number = pid.generate(_rng, province_code, sex, birth_year)
        if session.get(Person, number) is None:
            return number


def _person_facts(person: Person) -> dict:
    return {
        "personal_id": person.personal_id,
        "full_name": person.full_name,
        "birth_date": person.birth_date.isoformat(),
        "sex": person.sex,
    }


# --- births --------------------------------------------------------------------------------


def _notice_and_parents(
    session: Session, number: str, mother_id: str | None, father_id: str | None
) -> tuple[BirthNotice, Person, str | None]:
    """The unregistered notice, the living mother, and the father's number if any."""
    notice = session.exec(select(BirthNotice).where(BirthNotice.number == number)).first()
    if notice is None:
        raise WriteRefused(
            f"No birth notice number {number}.",
            404,
            message=f"Không có giấy chứng sinh điện tử số {number}.",
        )
    if notice.registered_person_id is not None:
        raise WriteRefused(
            f"Birth notice {number} is already registered as {notice.registered_person_id}.",
            409,
            notice.registered_person_id,
            message=f"Giấy chứng sinh số {number} đã được dùng để đăng ký khai sinh.",
        )
    if mother_id and mother_id != notice.mother_id:
        raise WriteRefused(
            "The 'mother_id' does not match the birth notice.",
            400,
            mother_id,
            message="Số định danh cá nhân của mẹ không khớp với giấy chứng sinh.",
        )
    if father_id and notice.father_id and father_id != notice.father_id:
        raise WriteRefused(
            "The 'father_id' does not match the birth notice.",
            400,
            father_id,
            message="Số định danh cá nhân của cha không khớp với giấy chứng sinh.",
        )
    mother = _living(session, notice.mother_id, "mother")
    father_id = notice.father_id or father_id
    if father_id and session.get(Person, father_id) is None:
        raise WriteRefused(
            f"No father with number {father_id} in the registry.",
            404,
            message="Không có người cha mang số định danh cá nhân này trong CSDLQG về dân cư.",
        )
    return notice, mother, father_id


def _declared_parent(session: Session, body: BirthBody, role: str, born: date) -> Person | None:
    """A parent named without a birth notice: their number with the name (and birth date)
    the registry holds for it; the mother living."""
    number, name, birth = (
        (body.mother_id, body.mother_full_name, body.mother_birth_date)
        if role == "mother"
        else (body.father_id, body.father_full_name, body.father_birth_date)
    )
    if number is None:
        if name or birth:
            raise WriteRefused(
                f"The '{role}_full_name' is given without the '{role}_id'.",
                message="Đã khai họ tên nhưng thiếu số định danh cá nhân của "
                + ("mẹ." if role == "mother" else "cha."),
            )
        return None
    vi = "mẹ" if role == "mother" else "cha"
    if name is None:
        raise WriteRefused(
            f"The '{role}_full_name' field is required with the '{role}_id'.",
            message=f"Thiếu họ, chữ đệm và tên của {vi}.",
        )
    person = session.get(Person, number)
    if not population.matches(person, name, birth):
        raise WriteRefused(
            f"The {role}'s name or birth date does not match the number {number}.",
            400,
            number,
            message=f"Họ tên hoặc ngày sinh của {vi} không khớp với số định danh cá nhân "
            "trong CSDLQG về dân cư.",
        )
    assert person is not None  # matched
    if role == "mother" and person.died_on is not None:
        raise WriteRefused(
            f"The mother {number} is recorded as deceased.",
            409,
            number,
            message="Người mẹ đã được ghi nhận là đã chết.",
        )
    if person.birth_date >= born:
        raise WriteRefused(
            f"The {role} {number} was born after the child.",
            400,
            number,
            message=f"Ngày sinh của {vi} không trước ngày sinh của trẻ.",
        )
    return person


@dataclass(frozen=True)
class _Birth:
    """The birth as the registry takes it: from the electronic notice, or declared."""

    born: date
    sex: str
    place: str
    parent: Person  # the parent whose ID gives the province when the office's is not given
    mother_id: str | None
    father_id: str | None
    notice: BirthNotice | None = None
    proof: str | None = None
    proof_number: str | None = None


def _from_notice(session: Session, body: BirthBody, number: str) -> _Birth:
    """The birth of an electronic notice; a father it does not name is named as declared
    (his number with his name, which must be the registry's)."""
    notice, mother, father_id = _notice_and_parents(session, number, body.mother_id, body.father_id)
    if notice.father_id is None and father_id is not None:
        _declared_parent(session, body, "father", notice.birth_date)
    return _Birth(
        notice.birth_date,
        notice.sex,
        notice.hospital,
        mother,
        mother.personal_id,
        father_id,
        notice=notice,
    )


def _declared_birth(session: Session, body: BirthBody) -> _Birth:
    """What the parents declared without an electronic birth notice, checked: the birth
    date, sex and place, the proof that stands in for the notice, the parents."""
    born = _required(body.birth_date, "birth_date")
    if body.sex is None:
        raise WriteRefused(
            "The 'sex' field must be 'nam' or 'nu'.",
            message="Giới tính của trẻ phải là Nam hoặc Nữ.",
        )
    sex = SEXES[body.sex]
    place = _required(body.birth_place, "birth_place")
    proof = _required(body.proof, "proof")
    proof_number = body.proof_number
    mother = _declared_parent(session, body, "mother", born)
    father = _declared_parent(session, body, "father", born)
    if mother is None and father is None:
        raise WriteRefused(
            "A birth without a birth notice names the mother or the father.",
            message="Khai sinh không có giấy chứng sinh điện tử phải có thông tin cha hoặc mẹ.",
        )
    for parent, sex in ((mother, "nu"), (father, "nam")):
        if parent is not None and parent.sex != sex:
            raise WriteRefused(
                "The sex of a parent does not fit the role given.",
                400,
                parent.personal_id,
                message="Giới tính của cha hoặc mẹ trong CSDLQG về dân cư không phù hợp.",
            )
    if mother is not None:
        notice = session.exec(
            select(BirthNotice).where(
                BirthNotice.mother_id == mother.personal_id,
                BirthNotice.birth_date == born,
                BirthNotice.registered_person_id.is_(None),  # type: ignore[union-attr]
            )
        ).first()
        if notice is not None:
            raise WriteRefused(
                f"The birth has an electronic birth notice, {notice.number}: register from it.",
                409,
                mother.personal_id,
                message="Việc sinh này có giấy chứng sinh điện tử của cơ sở y tế; đăng ký khai "
                "sinh theo giấy chứng sinh điện tử.",
            )
    parent = mother or father
    assert parent is not None  # one is named
    return _Birth(
        born,
        sex,
        place,
        parent,
        mother.personal_id if mother else None,
        father.personal_id if father else None,
        proof=proof,
        proof_number=proof_number,
    )


def _birth_province(session: Session, parent: Person, registered_in: int | None) -> int:
    """The province code of the child's personal ID: that of the province where the birth
    is registered (`registration_province_code`), else the province in the parent's own ID;
    when that birth was registered abroad (a country code), the province of the parent's
    current residence: a birth registered in Viet Nam never takes a country code."""
    if registered_in is not None and registered_in in pid.PROVINCE_CODES:
        return registered_in
    own = pid.parse(parent.personal_id).province_code
    if own is not None:
        return own
    residences = sorted(
        _open_residences(session, parent.personal_id), key=lambda r: r.kind != PERMANENT
    )
    for residence in residences:
        if residence.province_code in pid.PROVINCE_CODES:
            return residence.province_code
    raise WriteRefused(
        f"{parent.personal_id} has no residence in Viet Nam to take the province of the "
        "child's personal ID from.",
        409,
        parent.personal_id,
        message="Không xác định được tỉnh đăng ký khai sinh để cấp số định danh cá nhân.",
    )


def register_birth(session: Session, body: BirthBody) -> tuple[str, dict]:
    """Create the child: (child's id, result). From the electronic birth notice
    `birth_notice_number` (birth date, sex and parents from it), or, without one, from the
    declared `birth_date`, `sex`, `birth_place`, `proof` (+ `proof_number`) and the parents
    (`mother_id` / `father_id` with `*_full_name`, `*_birth_date`). The child gets a personal
    ID of `registration_province_code` (the registering office's province) and the parents;
    no household, residence or card: those are the Công an's and BHXH's writes."""
    full_name = body.full_name
    ethnicity = body.ethnicity or "Kinh"
    registered_in = body.registration_province_code
    number = body.birth_notice_number
    birth = _from_notice(session, body, number) if number else _declared_birth(session, body)
    if birth.notice is None and birth.mother_id:
        twin = select(Person).where(
            Person.mother_id == birth.mother_id,
            Person.birth_date == birth.born,
            Person.full_name == full_name,
        )
        if session.exec(twin).first() is not None:
            raise WriteRefused(
                f"A child {full_name} of {birth.mother_id} born on {birth.born} is already "
                "registered.",
                409,
                birth.mother_id,
                message="Trẻ có cùng họ tên, ngày sinh và mẹ đã được đăng ký khai sinh.",
            )
    province = _birth_province(session, birth.parent, registered_in)
    child_id = _new_personal_id(session, province, birth.sex, birth.born.year)
    session.add(
        Person(
            personal_id=child_id,
            full_name=full_name,
            birth_date=birth.born,
            sex=birth.sex,
            ethnicity=ethnicity,
            birth_province_code=province,
            mother_id=birth.mother_id,
            father_id=birth.father_id,
        )
    )
    if birth.notice is not None:
        birth.notice.registered_person_id = child_id
        birth.notice.updated_at = utcnow()
        session.add(birth.notice)
    result = {
        "personal_id": child_id,
        "full_name": full_name,
        "birth_date": birth.born.isoformat(),
        "sex": birth.sex,
        "ethnicity": ethnicity,
        "birth_place": birth.place,
        "mother_id": birth.mother_id,
        "father_id": birth.father_id,
        "birth_notice_number": number,
        # Without an electronic notice: what the parents declared, and what stood in for it.
        "declared": birth.notice is None,
        "proof": birth.proof,
        "proof_label": PROOFS.get(birth.proof or ""),
        "proof_number": birth.proof_number,
    }
    return child_id, result


# --- permanent residence (Công an xã) ------------------------------------------------------


def _relation(person: Person, head: Person) -> str | None:
    """What `person` is to the household head, as the registry's links say, or None."""
    if head.personal_id in (person.mother_id, person.father_id):
        return _RELATIONS["parent"]
    if person.spouse_id == head.personal_id and person.marital_status == "ket_hon":
        return _RELATIONS["husband" if head.sex == "nam" else "wife"]
    if person.personal_id in (head.mother_id, head.father_id):
        return "Cha" if person.sex == "nam" else "Mẹ"
    return None


def _grandchild(session: Session, person: Person, head: Person) -> bool:
    for parent_id in (person.mother_id, person.father_id):
        parent = session.get(Person, parent_id) if parent_id else None
        if parent is not None and head.personal_id in (parent.mother_id, parent.father_id):
            return True
    return False


def _new_household(session: Session, head_id: str) -> Household:
    household = Household(id="HK-" + uuid.uuid4().hex[:12].upper(), head_id=head_id)
    session.add(household)
    return household


@dataclass
class _Home:
    """Where a registration puts the person: the address, the household (None: a new one
    the person heads) and the relation to its head."""

    ward_code: int
    street: str
    province_code: int
    household: Household | None
    relation: str


def _into_household(
    session: Session, person: Person, head_id: str, ward_code: int | None, relation: str | None
) -> _Home:
    """The household of `head_id` at the head's permanent residence (in `ward_code` when
    given); the relation given, else the registry's links say it."""
    head = _living(session, head_id, "household head")
    home = _permanent(session, head_id)
    household = session.get(Household, head.household_id) if head.household_id else None
    if home is None or household is None or household.head_id != head_id:
        raise WriteRefused(
            f"{head_id} is not the head of a household with a permanent residence.",
            409,
            head_id,
            message="Người được khai là chủ hộ không phải là chủ hộ có nơi thường trú trong "
            "CSDLQG về dân cư.",
        )
    if ward_code is not None and home.ward_code != ward_code:
        raise WriteRefused(
            f"The household of {head_id} is not in ward {ward_code}.",
            409,
            head_id,
            message="Hộ gia đình của chủ hộ đã khai không ở xã, phường nơi đăng ký thường trú.",
        )
    relation = relation or _relation(person, head)
    if relation is None and _grandchild(session, person, head):
        relation = _RELATIONS["grandparent"]
    if relation is None:
        raise WriteRefused(
            "The 'relation_to_head' field is required: the registry does not link the "
            "person to the household head.",
            message="Thiếu quan hệ với chủ hộ.",
        )
    return _Home(home.ward_code, home.street, home.province_code, household, relation)


def _own_household(person: Person, ward_code: int | None, street: str | None) -> _Home:
    """A new household the person heads at `ward_code`, `street`: an adult only."""
    if ward_code is None or street is None:
        raise WriteRefused(
            "The 'ward_code' and 'street' fields are required without a household head.",
            message="Thiếu địa chỉ nơi đăng ký thường trú (xã, phường và số nhà, đường).",
        )
    if _age(person.birth_date, date.today()) < ADULT_AGE:
        raise WriteRefused(
            f"{person.personal_id} is under {ADULT_AGE}: a household head has full civil "
            "capacity; name the head of the household the person joins.",
            409,
            person.personal_id,
            message="Người chưa thành niên không thể là chủ hộ; vui lòng khai chủ hộ của hộ "
            "gia đình mà người này nhập vào.",
        )
    return _Home(ward_code, street, divisions.wards()[ward_code].province_code, None, HEAD)


def _head_named(body: ResidenceBody, personal_id: str) -> tuple[str | None, str | None]:
    """(household head's number, relation): None and "Chủ hộ" when the person heads it."""
    head_id, relation = body.household_head_id, body.relation_to_head
    if relation in ("Là chủ hộ", HEAD) or head_id == personal_id:
        if head_id not in (None, personal_id):
            raise WriteRefused(
                "The person is said to be the household head, and another head is named.",
                400,
                personal_id,
                message="Đã khai là chủ hộ nhưng lại khai chủ hộ là người khác.",
            )
        return None, HEAD
    return head_id, relation


def register_residence(session: Session, body: ResidenceBody) -> tuple[str, dict]:
    """Register `personal_id`'s permanent residence: (their id, result). Into the household
    of `household_head_id` (at the head's permanent residence, which must be in `ward_code`
    when it is given; `relation_to_head` given, or derived from the registry's links: a
    child of the head "Con", a grandchild "Cháu"…), or, without a head, at `ward_code` and
    `street` as the head of a new household (an adult only). A permanent residence the
    person had ends today: they moved (Luật Cư trú 2020, điều 24 khoản 1 điểm e)."""
    personal_id, ward_code, street = body.personal_id, body.ward_code, body.street
    head_id, relation = _head_named(body, personal_id)
    person = _living(session, personal_id, "person")
    if head_id is not None:
        home = _into_household(session, person, head_id, ward_code, relation)
    else:
        home = _own_household(person, ward_code, street)
    current = _permanent(session, personal_id)
    if current is not None and (
        (current.ward_code, population.comparable_name(current.street))
        == (home.ward_code, population.comparable_name(home.street))
        and (home.household is None or person.household_id == home.household.id)
    ):
        raise WriteRefused(
            f"{personal_id} is already permanently registered at this address.",
            409,
            personal_id,
            message="Người này đã đăng ký thường trú tại địa chỉ này.",
        )
    household = home.household or _new_household(session, personal_id)
    today = date.today()
    previous = None
    if current is not None:
        previous = _address(current)
        current.ended_on = max(today, current.registered_on)
        current.updated_at = utcnow()
        session.add(current)
    residence = Residence(
        personal_id=personal_id,
        kind=PERMANENT,
        province_code=home.province_code,
        ward_code=home.ward_code,
        street=home.street,
        registered_on=today,
    )
    session.add(residence)
    _touch(person, household_id=household.id, relation_to_head=home.relation)
    session.add(person)
    result = {
        **_person_facts(person),
        "permanent_residence": True,
        "residence_address": _address(residence),
        "ward_code": home.ward_code,
        "province_code": home.province_code,
        "street": home.street,
        "registered_on": today.isoformat(),
        "household_id": household.id,
        "household_head_id": household.head_id,
        "relation_to_head": home.relation,
        "previous_residence": previous,
    }
    return personal_id, result


def remove_residence(session: Session, body: RemovalBody) -> tuple[str, dict]:
    """Remove `personal_id`'s permanent residence (xóa đăng ký thường trú, Luật Cư trú 2020,
    điều 24): it ends on `event_date` (the death, the departure; default today) and the
    person leaves the household (a head leaves it without one until the household names
    another). Also for the deceased: the death write leaves this to the Công an."""
    personal_id, reason, event = body.personal_id, body.reason, body.event_date
    person = session.get(Person, personal_id)
    if person is None:
        raise WriteRefused(
            f"No person with number {personal_id} in the registry.",
            404,
            message="Không có người mang số định danh cá nhân này trong CSDLQG về dân cư.",
        )
    home = _permanent(session, personal_id)
    if home is None:
        raise WriteRefused(
            f"{personal_id} has no permanent residence to remove.",
            409,
            personal_id,
            message="Người này không có nơi thường trú để xóa đăng ký.",
        )
    ended = max(event or date.today(), home.registered_on)
    home.ended_on = ended
    home.updated_at = utcnow()
    session.add(home)
    household_id = person.household_id
    household = session.get(Household, household_id) if household_id else None
    if household is not None and household.head_id == personal_id:
        household.head_id = None
        household.updated_at = utcnow()
        session.add(household)
    _touch(person, household_id=None, relation_to_head=None)
    session.add(person)
    result = {
        **_person_facts(person),
        "alive": person.died_on is None,
        "removed_residence": _address(home),
        "ward_code": home.ward_code,
        "province_code": home.province_code,
        "ended_on": ended.isoformat(),
        "reason": reason,
        "household_id": household_id,
        "permanent_residence": False,
    }
    return personal_id, result


# --- the health-insurance card of a child under 6 (BHXH) -----------------------------------


SCHOOL_YEAR_OPENS = (9, 5)  # the national opening day of the school year [secondary]
CARD_UNTIL_BEFORE_SCHOOL = (9, 30)


def card_valid_until(birth: date) -> date:
    """The last day of a child's card (Luật BHYT, điều 16): the day the child is 72 months
    old, or 30/09 of that year when that day comes before the school year opens; the same
    rule as the portal's result (portal/services/result_rules.card_valid_until)."""
    try:
        grown = birth.replace(year=birth.year + CARD_AGE)
    except ValueError:  # born on 29 February: 28 February, 72 months later
        grown = date(birth.year + CARD_AGE, 2, 28)
    if grown < date(grown.year, *SCHOOL_YEAR_OPENS):
        return date(grown.year, *CARD_UNTIL_BEFORE_SCHOOL)
    return grown


def card_of(personal_id: str, province_code: int, birth_date: date) -> dict:
    """The card of a child under 6 (Luật BHYT, điều 12 and 16): object code TE, benefit
    level 1, the province, the last 10 digits of the personal ID [card layout after
    QĐ 1351/QĐ-BHXH, unverified]; valid from birth (`card_valid_until`)."""
    return {
        "health_insurance_number": f"TE1{province_code:02d}{personal_id[-10:]}",
        "health_insurance_group": "Trẻ em dưới 6 tuổi",
        "health_insurance_valid_from": birth_date.isoformat(),
        "health_insurance_valid_until": card_valid_until(birth_date).isoformat(),
    }


def issue_health_card(session: Session, body: CardBody) -> tuple[str, dict]:
    """Issue the health-insurance card of the child `personal_id` (under 6, without one) by
    the BHXH of `province_code` (default: the province of the child's permanent residence,
    else of their personal ID); `primary_care_facility` as chosen (nơi đăng ký khám bệnh,
    chữa bệnh ban đầu)."""
    personal_id, province = body.personal_id, body.province_code
    facility = body.primary_care_facility
    child = _living(session, personal_id, "child")
    if _age(child.birth_date, date.today()) >= CARD_AGE:
        raise WriteRefused(
            f"{personal_id} is {CARD_AGE} or older: this card is for children under {CARD_AGE}.",
            409,
            personal_id,
            message="Trẻ đã đủ 6 tuổi: không thuộc diện cấp thẻ BHYT trẻ em dưới 6 tuổi.",
        )
    if child.health_insurance:
        raise WriteRefused(
            f"{personal_id} already has a health-insurance card.",
            409,
            personal_id,
            message="Trẻ đã được cấp thẻ bảo hiểm y tế.",
        )
    if province is None:
        home = _permanent(session, personal_id)
        province = home.province_code if home else pid.parse(personal_id).province_code
    if province is None:
        raise WriteRefused(
            "The 'province_code' field is required for a child without a residence in Viet Nam.",
            message="Thiếu tỉnh, thành phố của cơ quan bảo hiểm xã hội cấp thẻ.",
        )
    _touch(child, health_insurance=True)
    session.add(child)
    result = {
        **_person_facts(child),
        "health_insurance": True,
        **card_of(personal_id, province, child.birth_date),
        "primary_care_facility": facility,
    }
    return personal_id, result


# --- marriages and deaths ------------------------------------------------------------------


def register_marriage(session: Session, body: MarriageBody) -> tuple[str, dict]:
    """Both parties become married to each other: (first party's id, result)."""
    first_id, second_id = body.person_id, body.partner_id
    if first_id == second_id:
        raise WriteRefused(
            "A person cannot marry themselves.",
            400,
            first_id,
            message="Hai bên kết hôn phải là hai người khác nhau.",
        )
    first = _living(session, first_id, "person")
    second = _living(session, second_id, "partner")
    for person, other in ((first, second), (second, first)):
        if person.marital_status == "ket_hon" and person.spouse_id != other.personal_id:
            raise WriteRefused(
                f"{person.personal_id} is already married.",
                409,
                person.personal_id,
                message="Một bên đang có vợ hoặc chồng.",
            )
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
            f"No unregistered death notice number {number} for {personal_id}.",
            400,
            personal_id,
            message=f"Không có giấy báo tử điện tử số {number} chưa đăng ký của người này.",
        )
    return named


def register_death(session: Session, body: DeathBody) -> tuple[str, dict]:
    """Close the deceased's record: died_on set, a spouse widowed, the death notice
    (`death_notice_number`, optional; without it every unregistered one of the deceased)
    marked registered. The permanent residence stays until the Công an removes it
    (`remove_residence`); a temporary one ends with the death."""
    personal_id, died_on = body.personal_id, body.died_on
    notice_number = body.death_notice_number
    person = _living(session, personal_id, "deceased")
    if died_on < person.birth_date:
        raise WriteRefused(
            "The 'died_on' date is before the birth date.",
            400,
            personal_id,
            message="Ngày chết trước ngày sinh của người được khai tử.",
        )
    notices = _death_notices_to_close(session, personal_id, notice_number)
    for notice in notices:
        notice.registered_on = date.today()
        notice.updated_at = utcnow()
        session.add(notice)
    ended = 0
    for residence in _open_residences(session, personal_id):
        if residence.kind == PERMANENT:
            continue
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
    home = _permanent(session, personal_id)
    result = {
        "personal_id": personal_id,
        "full_name": person.full_name,
        "died_on": died_on.isoformat(),
        "residences_ended": ended,
        # Left to the Công an xã (xóa đăng ký thường trú): the address, or None.
        "permanent_residence": _address(home) if home else None,
        "death_notices_registered": [n.number for n in notices],
    }
    return personal_id, result


# endpoint -> (write kind, kept in PopulationWrite.kind; its body; the write)
WRITES: dict[str, tuple[str, type[WriteBody], Any]] = {
    "births": ("birth", BirthBody, register_birth),
    "marriages": ("marriage", MarriageBody, register_marriage),
    "deaths": ("death", DeathBody, register_death),
    "residences": ("residence", ResidenceBody, register_residence),
    "residence-removals": ("deregistration", RemovalBody, remove_residence),
    "health-insurance-cards": ("health_card", CardBody, issue_health_card),
}


def parse(kind: str, body: Mapping[str, Any]) -> WriteBody:
    """The body of a `kind` write, checked by its model; WriteRefused naming the field."""
    model = WRITES[kind][1]
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        description, message = explain(exc, model)
        raise WriteRefused(description, message=message) from None


def apply(
    session: Session, client_id: str, kind: str, body: WriteBody | Mapping[str, Any]
) -> tuple[dict, bool]:
    """Apply one write, once per (client, kind, reference): (result, created). A replayed
    reference returns the first result and changes nothing. `body` is the write's model
    (WRITES), or a mapping checked against it."""
    name, model, register = WRITES[kind]
    checked = body if isinstance(body, model) else parse(kind, body)  # type: ignore[arg-type]
    reference = checked.reference
    previous = _previous(session, client_id, name, reference)
    if previous is not None:
        return previous, False
    subject_id, result = register(session, checked)
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
