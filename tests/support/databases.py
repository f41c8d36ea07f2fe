"""Which database the suite runs on: SQLite files by default, PostgreSQL schemas when
TEST_DATABASE_URL points at a server (each app gets its own throw-away schema)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from sqlalchemy import text

from common.db import make_engine

PG_URL = os.environ.get("TEST_DATABASE_URL", "")


def on_postgres() -> bool:
    return PG_URL.startswith("postgresql")


def database_settings(tmp: Path, app: str) -> dict:
    """DATABASE_URL / DATABASE_SCHEMA settings for one app instance."""
    if on_postgres():
        return {"DATABASE_URL": PG_URL, "DATABASE_SCHEMA": f"t_{app}_{uuid.uuid4().hex[:10]}"}
    return {"DATABASE_URL": f"sqlite:///{tmp}/{app}.sqlite", "DATABASE_SCHEMA": None}


def drop_schema(schema: str | None) -> None:
    if on_postgres() and schema:
        engine = make_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()
