"""Dossier codes: `<office code>-<yymmdd>-<4-digit daily sequence>` (Circular 01/2018/TT-VPCP).

The sequence is per office and day, taken with one atomic UPDATE … RETURNING, so two
dossiers submitted at the same instant never share a number (SQLite serialises writers;
PostgreSQL locks the row).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from portal.models import DossierSequence


def next_number(session: Session, office_code: str, day: date) -> int:
    """Reserve the next number of `office_code` on `day` (in the caller's transaction)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(DossierSequence)
        .values(office_code=office_code, day=day, last=0)
        .on_conflict_do_nothing()
    )
    return session.execute(
        update(DossierSequence)
        .where(DossierSequence.office_code == office_code, DossierSequence.day == day)
        .values(last=DossierSequence.last + 1)
        .returning(DossierSequence.last)
    ).scalar_one()


def format_code(office_code: str, day: date, number: int) -> str:
    return f"{office_code}-{day:%y%m%d}-{number:04d}"


def new_code(session: Session, office_code: str, day: date) -> str:
    return format_code(office_code, day, next_number(session, office_code, day))
