"""Load the demo personas of personas.toml into the population registry and VNeID, with the
linked databases' rows: birth and death notices, social insurance, judicial records."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, select

from identity_mock.accounts import DEFAULT_METHOD, hash_passcode
from identity_mock.models import (
    Account,
    BirthNotice,
    BusinessBan,
    Conviction,
    DeathNotice,
    Household,
    Person,
    Residence,
    SocialInsurance,
    utcnow,
)

PERSONAS_FILE = Path(__file__).with_name("personas.toml")
PERSON_FIELDS = ("meritorious_family", "disability", "health_insurance")


@dataclass(frozen=True)
class Persona:
    personal_id: str
    full_name: str
    label: str
    flows: str
    level: int
    staff: dict | None


def read(path: Path = PERSONAS_FILE) -> dict:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def personas(path: Path = PERSONAS_FILE) -> list[Persona]:
    """The demo personas, for the run command's listing and for tests."""
    return [
        Persona(
            p["personal_id"],
            p["full_name"],
            p["label"],
            p["flows"],
            p.get("level", 2),
            p.get("staff"),
        )
        for p in read(path)["persona"]
    ]


def _person(entry: dict, now: datetime) -> Person:
    provenance = {}
    flags = {}
    for name in PERSON_FIELDS:
        value = entry.get(name, False)
        if isinstance(value, dict):
            provenance[name] = {
                "source": value["source"],
                "updated_at": value["updated_at"].isoformat(),
            }
            value = value["value"]
        flags[name] = value
    card = entry.get("id_card", {})
    return Person(
        personal_id=entry["personal_id"],
        full_name=entry["full_name"],
        birth_date=entry["birth_date"],
        sex=entry["sex"],
        birth_province_code=int(entry["personal_id"][:3]),
        father_id=entry.get("father"),
        mother_id=entry.get("mother"),
        spouse_id=entry.get("spouse"),
        household_id=entry.get("household"),
        relation_to_head=entry.get("relation_to_head"),
        marital_status=entry.get("marital_status", "doc_than"),
        id_card_issued_on=card.get("issued_on"),
        id_card_expires_on=card.get("expires_on"),
        died_on=entry.get("died_on"),
        updated_at=now,
        provenance=provenance,
        **flags,
    )


def _residence(session: Session, personal_id: str, res: dict, now: datetime) -> None:
    existing = session.exec(
        select(Residence).where(
            Residence.personal_id == personal_id, Residence.kind == "thuong_tru"
        )
    ).first()
    values = {
        "province_code": res["province"],
        "ward_code": res["ward"],
        "street": res["street"],
        "registered_on": res["since"],
        "updated_at": now,
    }
    if existing is None:
        session.add(Residence(personal_id=personal_id, kind="thuong_tru", **values))
    else:
        session.add(existing.sqlmodel_update(values))


def load(session: Session, path: Path = PERSONAS_FILE, *, hash_method: str = DEFAULT_METHOD) -> int:
    """Create or update every household, person, account and birth notice; return #personas.
    `hash_method`: the provider's PASSCODE_HASH_METHOD."""
    data = read(path)
    now = utcnow().replace(microsecond=0)
    passcode_hash = hash_passcode(data["passcode"], hash_method)
    for h in data["household"]:
        session.merge(
            Household(
                id=h["id"],
                head_id=h["head"],
                poor_household=h.get("poor_household", False),
                **({"source": h["source"]} if "source" in h else {}),
                updated_at=now,
            )
        )
    for entry in data["persona"] + data.get("person", []):
        session.merge(_person(entry, now))
        _residence(session, entry["personal_id"], entry["residence"], now)
    for p in data["persona"]:
        account = session.get(Account, p["personal_id"])
        if account is None:
            account = Account(personal_id=p["personal_id"], passcode_hash=passcode_hash)
        account.level = p.get("level", 2)
        account.persona = p["label"]
        session.add(account)
    for n in data.get("birth_notice", []):
        existing = session.exec(
            select(BirthNotice).where(BirthNotice.number == n["number"])
        ).first()
        if existing is None:
            session.add(BirthNotice(**n, updated_at=now))
    _linked_records(session, data, now)
    session.commit()
    return len(data["persona"])


def _linked_records(session: Session, data: dict, now: datetime) -> None:
    """Death notices (added once: a registered one keeps its registration), social-insurance
    standing, convictions and bankruptcy bans (created or updated by their numbers)."""
    for n in data.get("death_notice", []):
        found = session.exec(select(DeathNotice).where(DeathNotice.number == n["number"])).first()
        if found is None:
            session.add(DeathNotice(**n, updated_at=now))
    for row in data.get("social_insurance", []):
        session.merge(SocialInsurance(**row, updated_at=now))
    for row in data.get("conviction", []):
        conviction = session.exec(
            select(Conviction).where(
                Conviction.personal_id == row["personal_id"],
                Conviction.judgment_number == row["judgment_number"],
            )
        ).first()
        session.add((conviction or Conviction(**row)).sqlmodel_update({**row, "updated_at": now}))
    for row in data.get("business_ban", []):
        ban = session.exec(
            select(BusinessBan).where(
                BusinessBan.personal_id == row["personal_id"],
                BusinessBan.decision_number == row["decision_number"],
            )
        ).first()
        session.add((ban or BusinessBan(**row)).sqlmodel_update({**row, "updated_at": now}))
