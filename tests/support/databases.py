"""Which database the suite runs on: SQLite files by default, PostgreSQL schemas when
TEST_DATABASE_URL points at a server (each app gets its own throw-away schema)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from common import migrate
from common.db import make_engine
from portal.models.base import portal_registry

PG_URL = os.environ.get("TEST_DATABASE_URL", "")


def on_postgres() -> bool:
    return PG_URL.startswith("postgresql")


def database_settings(tmp: Path, app: str) -> dict:
    """DATABASE_URL / DATABASE_SCHEMA settings for one app instance."""
    if on_postgres():
        return {"DATABASE_URL": PG_URL, "DATABASE_SCHEMA": f"t_{app}_{uuid.uuid4().hex[:10]}"}
    return {"DATABASE_URL": f"sqlite:///{tmp}/{app}.sqlite", "DATABASE_SCHEMA": None}


def create_tables(app: str, settings: dict, *, migrations: bool = False) -> None:
    """Give a fresh database of `app` ("portal" or "identity_mock") its tables: from the
    models (create_all: fast, for the many per-test apps) or by running the real
    migrations (the session's live servers, so every run exercises them)."""
    if migrations:
        migrate.upgrade_database(app, settings)
        return
    engine = migrate.engine_for(settings)
    try:
        migrate.APPS[app].metadata().create_all(engine)
    finally:
        engine.dispose()


def drop_schema(schema: str | None) -> None:
    if on_postgres() and schema:
        engine = make_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


@contextmanager
def portal_engine(tmp: Path) -> Iterator[Engine]:
    """An engine on a fresh portal database with every table (an SQLite file, or its own
    PostgreSQL schema), disposed of and dropped afterwards."""
    settings = database_settings(tmp, "portal")
    engine = make_engine(settings["DATABASE_URL"], schema=settings["DATABASE_SCHEMA"])
    portal_registry.metadata.create_all(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        drop_schema(settings["DATABASE_SCHEMA"])
