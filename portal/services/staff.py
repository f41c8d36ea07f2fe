"""Staff accounts seeded from the demo personas (seeds/personas.toml `staff` entries).

A staff entry with `one_person_office = true` marks its office as a one-person office: its
only officer may process and sign the same dossier (the approval's event records it)."""

from __future__ import annotations

from sqlmodel import Session

from portal.models import ROLE_LABELS, Office, Staff
from portal.services.offices import commune_office_code, province_office_code
from seeds import personas


def office_code_of(spec: str) -> str:
    """The routing's office code for a personas.toml office: "ward:26743" → "79.26743"
    (province from the divisions), "ward:26743:ca" → "79.26743.ca" (a commune body by its
    suffix), "province:79:so-tu-phap" → "79.so-tu-phap"."""
    kind, _, rest = spec.partition(":")
    if kind == "ward":
        ward, _, suffix = rest.partition(":")
        return commune_office_code(int(ward), suffix)
    if kind == "province":
        province, _, suffix = rest.partition(":")
        return province_office_code(int(province), suffix)
    raise ValueError(f"unknown office kind in {spec!r}")


def seed_staff(session: Session) -> int:
    """Create or update a Staff row for every persona with a `staff` entry; idempotent.
    Returns the number of staff seeded."""
    count = 0
    for persona in personas.personas():
        if not persona.staff:
            continue
        roles = persona.staff["roles"]
        unknown = set(roles) - set(ROLE_LABELS)
        if unknown:
            raise ValueError(f"unknown staff roles for {persona.personal_id}: {sorted(unknown)}")
        office_code = office_code_of(persona.staff["office"])
        session.merge(
            Staff(personal_id=persona.personal_id, office_code=office_code, roles=",".join(roles))
        )
        office = session.get(Office, office_code)
        if office is not None:
            office.one_person = bool(persona.staff.get("one_person_office"))
        count += 1
    session.commit()
    return count
