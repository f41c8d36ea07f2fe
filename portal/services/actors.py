"""Who acted on a dossier, as a timeline names them: a staff member by name and office
("Trương Thị Hạnh — UBND Phường Bến Thành"), never by personal ID. Staff sign in through
VNeID like everyone, so their name is the citizen row's; one not signed in yet is named by
the office alone. One query for the events' people, one for their offices."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sql
from sqlmodel import Session, col

from portal.models import Citizen, DossierEvent, Office, Staff

NOT_STAFF = ("citizen", "system")


def staff_labels(session: Session, events: Iterable[DossierEvent]) -> dict[str, str]:
    """personal ID → "name — office" for every staff member who made one of `events`."""
    ids = {e.actor_id for e in events if e.actor_role not in NOT_STAFF and e.actor_id}
    if not ids:
        return {}
    rows = session.execute(
        sql.select(col(Staff.personal_id), col(Staff.office_code), col(Citizen.full_name))
        .outerjoin(Citizen, col(Citizen.personal_id) == col(Staff.personal_id))
        .where(col(Staff.personal_id).in_(ids))
    ).all()
    codes = {office for _, office, _ in rows}
    offices = dict(
        session.execute(
            sql.select(col(Office.code), col(Office.name)).where(col(Office.code).in_(codes))
        ).all()
    )
    labels = {}
    for personal_id, office_code, name in rows:
        office = offices.get(office_code, "")
        labels[personal_id] = f"{name} — {office}" if name and office else name or office
    return labels


def staff_label(labels: dict[str, str], event: DossierEvent, fallback: str = "Cán bộ") -> str:
    """The event's staff member as the timeline names them; never their personal ID (one no
    longer on the staff list: `fallback`)."""
    return labels.get(event.actor_id) or fallback
