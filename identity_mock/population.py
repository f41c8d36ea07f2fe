"""Reads of the population registry, shaped for the API, and their audit trail.

Every value goes out as {value, source, updated_at} so a relying party can show where
each item came from and how fresh it is.

Besides the registry's own fields, a person's record carries what linked databases share:

* `birth_notices`: the unregistered giấy chứng sinh of the person's newborns (as a parent);
* `death_notices`: the unregistered electronic giấy báo tử of the person's spouse, parents
  and children (the relatives who may file the death online), each item
  {"number", "issuer", "issued_on", "deceased": {personal_id, full_name, birth_date, alive},
  "relation": "spouse" | "father" | "mother" | "child", "died_on", "died_at" ("HH:MM" or
  null), "place_of_death", "cause", "registered_on": null};
* `death_notice`: the person's own latest death notice (same value without "deceased" and
  "relation"; "registered_on" set once the death was registered), or null;
* `last_residence`: the residence the person last had, kept after death (the death ends a
  temporary residence, the Công an's removal the permanent one): the open permanent one,
  else the open temporary one, else the latest ended one (permanent before temporary); the
  value of `permanent_residence` plus "kind" ("thuong_tru" | "tam_tru") and "ended_on"
  (date or null); null when none;
* `social_insurance`: the person's standing with BHXH and who pays the funeral allowance
  (trợ cấp mai táng), {"status": "dang_dong" | "huong_luong_huu" | "bao_luu" |
  "khong_tham_gia", "status_label", "bhxh_number", "contribution_months", "since",
  "funeral_allowance": {"payer": "bhxh" | "ubnd_xa", "payer_label", "reason"}}
  (see `funeral_allowance`).
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, func, or_, select

from common import divisions
from identity_mock.models import (
    BirthNotice,
    DeathNotice,
    Household,
    Person,
    PopulationAudit,
    Residence,
    SocialInsurance,
)

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


def _death_notice_value(n: DeathNotice) -> dict:
    return {
        "number": n.number,
        "issuer": n.issuer,
        "issued_on": n.issued_on.isoformat(),
        "died_on": n.died_on.isoformat(),
        "died_at": n.died_at.strftime("%H:%M") if n.died_at else None,
        "place_of_death": n.place_of_death,
        "cause": n.cause,
        "registered_on": n.registered_on.isoformat() if n.registered_on else None,
    }


def _death_notices(session: Session, person: Person) -> list[dict]:
    """Unregistered death notices of the person's spouse, parents and children."""
    relation = {
        other: name
        for other, name in (
            (person.spouse_id, "spouse"),
            (person.father_id, "father"),
            (person.mother_id, "mother"),
        )
        if other
    }
    children = session.exec(
        select(Person.personal_id).where(
            or_(Person.father_id == person.personal_id, Person.mother_id == person.personal_id)
        )
    ).all()
    relation |= dict.fromkeys(children, "child")
    if not relation:
        return []
    notices = session.exec(
        select(DeathNotice)
        .where(
            col(DeathNotice.deceased_id).in_(list(relation)),
            DeathNotice.registered_on.is_(None),  # type: ignore[union-attr]
        )
        .order_by(col(DeathNotice.died_on), col(DeathNotice.id))
    ).all()
    people = {
        p.personal_id: p
        for p in session.exec(
            select(Person).where(col(Person.personal_id).in_([n.deceased_id for n in notices]))
        )
    }
    return [
        _item(
            {
                **_death_notice_value(n),
                "deceased": _brief(people.get(n.deceased_id)),
                "relation": relation[n.deceased_id],
            },
            n.source,
            n.updated_at,
        )
        for n in notices
    ]


def _own_death_notice(session: Session, person: Person) -> dict | None:
    notice = session.exec(
        select(DeathNotice)
        .where(DeathNotice.deceased_id == person.personal_id)
        .order_by(col(DeathNotice.issued_on).desc(), col(DeathNotice.id).desc())
    ).first()
    return (
        None
        if notice is None
        else _item(_death_notice_value(notice), notice.source, notice.updated_at)
    )


def last_residence(session: Session, personal_id: str) -> Residence | None:
    """The residence the person last had (kept once every residence has ended after death):
    open before ended, then the latest ended; permanent before temporary."""
    rows = session.exec(select(Residence).where(Residence.personal_id == personal_id)).all()

    def rank(r: Residence) -> tuple:
        open_ = r.ended_on is None
        return (open_, r.ended_on or date.max, r.kind == "thuong_tru", r.registered_on, r.id or 0)

    return max(rows, key=rank, default=None)


def _last_residence(session: Session, person: Person) -> dict | None:
    res = last_residence(session, person.personal_id)
    if res is None:
        return None
    item = _residence(res)
    item["value"] |= {
        "kind": res.kind,
        "ended_on": res.ended_on.isoformat() if res.ended_on else None,
    }
    return item


SOCIAL_INSURANCE_STATUS = {
    "dang_dong": "Đang đóng bảo hiểm xã hội",
    "huong_luong_huu": "Đang hưởng lương hưu hoặc trợ cấp bảo hiểm xã hội hằng tháng",
    "bao_luu": "Đã dừng đóng, đang bảo lưu thời gian đóng bảo hiểm xã hội",
    "khong_tham_gia": "Không tham gia bảo hiểm xã hội",
}
# A kept contribution time gives the funeral allowance from this many months (Luật BHXH
# 2024, trợ cấp mai táng [?, secondary: 12 months under the 2014 law; not checked in the
# 2024 text]).
KEPT_MONTHS_FOR_FUNERAL = 12
SOCIAL_INSURANCE_SOURCE = SocialInsurance.model_fields["source"].default


def funeral_allowance(row: SocialInsurance | None) -> dict:
    """Who pays the funeral allowance when this person dies: BHXH for a contributor, a
    pensioner (or monthly-allowance holder) and a kept contribution time of at least
    KEPT_MONTHS_FOR_FUNERAL months [2nd]; otherwise the UBND xã, as social assistance
    (hỗ trợ chi phí mai táng, NĐ 20/2021/NĐ-CP điều 11), which pays only for the groups
    that decree lists: the portal must still check that."""
    status = row.status if row else "khong_tham_gia"
    if status in ("dang_dong", "huong_luong_huu") or (
        status == "bao_luu"
        and row is not None
        and row.contribution_months >= KEPT_MONTHS_FOR_FUNERAL
    ):
        return {
            "payer": "bhxh",
            "payer_label": "Cơ quan bảo hiểm xã hội",
            "reason": f"{SOCIAL_INSURANCE_STATUS[status]}: trợ cấp mai táng do cơ quan bảo hiểm "
            "xã hội chi trả (Luật Bảo hiểm xã hội 2024).",
        }
    return {
        "payer": "ubnd_xa",
        "payer_label": "UBND cấp xã (trợ giúp xã hội)",
        "reason": f"{SOCIAL_INSURANCE_STATUS[status]}: không thuộc diện hưởng trợ cấp mai táng "
        "của bảo hiểm xã hội; hỗ trợ chi phí mai táng do UBND cấp xã giải quyết nếu người chết "
        "thuộc diện trợ giúp xã hội (Nghị định 20/2021/NĐ-CP, điều 11).",
    }


def _social_insurance(session: Session, person: Person) -> dict:
    """No row: the insurance database has no record of the person, who never took part."""
    row = session.get(SocialInsurance, person.personal_id)
    status = row.status if row else "khong_tham_gia"
    value = {
        "status": status,
        "status_label": SOCIAL_INSURANCE_STATUS[status],
        "bhxh_number": row.bhxh_number if row else None,
        "contribution_months": row.contribution_months if row else 0,
        "since": row.since.isoformat() if row and row.since else None,
        "funeral_allowance": funeral_allowance(row),
    }
    if row is None:
        return _item(value, SOCIAL_INSURANCE_SOURCE, person.updated_at)
    return _item(value, row.source, row.updated_at)


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
        "death_notices": _death_notices(session, person),
        "death_notice": _own_death_notice(session, person),
        "last_residence": _last_residence(session, person),
        "social_insurance": _social_insurance(session, person),
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
