"""Gap-free counters (dossier codes per office and day, result numbers per office and year).

One atomic UPDATE … RETURNING after an INSERT … ON CONFLICT DO NOTHING, in the caller's
transaction: two requests at the same instant never get the same number (SQLite serialises
writers; PostgreSQL locks the row).
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def take_next(session: Session, table, **key) -> int:
    """Reserve the next value of the counter row of `table` identified by `key`; the table
    has the key columns and an integer `last`."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(table).values(**key, last=0).on_conflict_do_nothing())
    return session.execute(
        update(table)
        .where(*(getattr(table, name) == value for name, value in key.items()))
        .values(last=table.last + 1)
        .returning(table.last)
    ).scalar_one()
