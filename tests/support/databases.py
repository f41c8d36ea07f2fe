"""Which database the suite runs on: SQLite files by default, PostgreSQL schemas when
TEST_DATABASE_URL points at a server (each app instance gets its own throw-away schema).

Building a database from the models and seeding it (the provider's personas, the portal's
10,000 offices) costs up to a second; hundreds of tests need one each. So each process
builds one *template* per app and seed, the first time it is asked for, and every test
gets a copy: a file copy on SQLite. On PostgreSQL, where creating and dropping tables is
what costs (a file per table and index), a schema is created once by one script (the DDL
and the template's rows, server-side) and then recycled: when its test is done its rows
are deleted, the template's copied back, its sequences reset, and it is renamed for the
next test asking for the same template. A schema whose tables changed is dropped instead.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import MetaData, create_mock_engine, func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from common import migrate
from common.db import make_engine
from portal.models.base import portal_registry

PG_URL = os.environ.get("TEST_DATABASE_URL", "")

Seed = Callable[[Session], object]  # writes rows; the template commits them


def on_postgres() -> bool:
    return PG_URL.startswith("postgresql")


def database_settings(tmp: Path, app: str) -> dict:
    """DATABASE_URL / DATABASE_SCHEMA settings for one app instance."""
    if on_postgres():
        return {"DATABASE_URL": PG_URL, "DATABASE_SCHEMA": f"t_{app}_{uuid.uuid4().hex[:10]}"}
    return {"DATABASE_URL": f"sqlite:///{tmp}/{app}.sqlite", "DATABASE_SCHEMA": None}


def create_tables(
    app: str, settings: dict, *, migrations: bool = False, seed: Seed | None = None
) -> None:
    """Give a fresh database of `app` ("portal" or "identity_mock") its tables and the rows
    `seed` writes: by running the real migrations (the session's live servers, so every run
    exercises them), or as a copy of this process's template built from the models."""
    if migrations:
        migrate.upgrade_database(app, settings)
        if seed is not None:
            _seed(settings, seed)
        return
    _template(app, seed).copy_to(settings)


@contextmanager
def module_database(tmp: Path) -> Iterator[Engine]:
    """An engine on a portal database built from the models, for a module whose tests each
    start from `emptied(engine)` (building a database per test costs more than the tests)."""
    settings = database_settings(tmp, "portal")
    engine = make_engine(settings["DATABASE_URL"], schema=settings["DATABASE_SCHEMA"])
    portal_registry.metadata.create_all(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        drop_schema(settings["DATABASE_SCHEMA"])


def emptied(engine: Engine) -> Engine:
    """Every portal table of `engine` emptied, children first."""
    with engine.begin() as conn:
        for table in reversed(portal_registry.metadata.sorted_tables):
            conn.execute(table.delete())
    return engine


def drop_schema(schema: str | None) -> None:
    """Done with `schema`: recycled for its template's next copy, or dropped."""
    if not (on_postgres() and schema):
        return
    template = _handed_out.pop(schema, None)
    if template is not None and template.recycle(schema):
        return
    _run(None, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@contextmanager
def portal_engine(tmp: Path) -> Iterator[Engine]:
    """An engine on a fresh portal database with every table (an SQLite file, or its own
    PostgreSQL schema), disposed of and dropped afterwards."""
    settings = database_settings(tmp, "portal")
    create_tables("portal", settings)
    engine = make_engine(settings["DATABASE_URL"], schema=settings["DATABASE_SCHEMA"])
    try:
        yield engine
    finally:
        engine.dispose()
        drop_schema(settings["DATABASE_SCHEMA"])


# --- templates ------------------------------------------------------------------------------


def _seed(settings: dict, seed: Seed) -> None:
    engine = migrate.engine_for(settings)
    try:
        with Session(engine) as session:
            seed(session)
            session.commit()
    finally:
        engine.dispose()


def _seed_name(seed: Seed | None) -> str:
    if seed is None:
        return "empty"
    return f"{seed.__module__}.{seed.__qualname__}"  # a module-level function: one per rule


@dataclass
class Template:
    app: str
    settings: dict  # where the template lives
    tables: int = 0
    clone_script: str = ""  # PostgreSQL: run with the new schema first on the search path
    reset_script: str = ""  # PostgreSQL: back to the template's rows, same search path
    free: list[str] = field(default_factory=list)  # recycled schemas, ready to hand out

    def copy_to(self, settings: dict) -> None:
        if not on_postgres():
            target = Path(settings["DATABASE_URL"].removeprefix("sqlite:///"))
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.settings["DATABASE_URL"].removeprefix("sqlite:///"), target)
            return
        schema = settings["DATABASE_SCHEMA"]
        if self.free:
            _run(None, f'ALTER SCHEMA "{self.free.pop()}" RENAME TO "{schema}"')
        else:
            _run(None, f'CREATE SCHEMA "{schema}"; SET search_path TO "{schema}";\n'
                 + self.clone_script)  # fmt: skip
        _handed_out[schema] = self

    def recycle(self, schema: str) -> bool:
        """Give `schema` the template's rows again and keep it for the next copy; False
        (the caller drops it) when its tables are not the template's or it is in use."""
        spare = f"t_spare_{uuid.uuid4().hex[:10]}"
        check = (
            "DO $$ BEGIN IF (SELECT count(*) FROM pg_tables WHERE schemaname = current_schema())"
            f" <> {self.tables} THEN RAISE EXCEPTION 'tables changed'; END IF; END $$"
        )
        try:
            _run(schema, f"SET LOCAL lock_timeout = '2s'; {check};\n{self.reset_script};\n"
                 f'ALTER SCHEMA "{schema}" RENAME TO "{spare}"')  # fmt: skip
        except Exception:  # noqa: BLE001 - whatever went wrong, a dropped schema is clean
            return False
        self.free.append(spare)
        return True


@functools.cache
def _server() -> Engine:
    """This process's connections to the PostgreSQL server, for creating and dropping."""
    return make_engine(PG_URL)


def _run(schema: str | None, script: str) -> None:
    """Run several statements in one transaction, with `schema` on the search path."""
    raw = _server().raw_connection()  # the driver's own execute: several statements
    try:
        with raw.cursor() as cur:
            cur.execute(f'SET search_path TO "{schema}"' if schema else "RESET search_path")
            cur.execute(script)
        raw.commit()
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()  # back to the pool


_templates: dict[tuple[str, str], Template] = {}
_handed_out: dict[str, Template] = {}  # schema given to a test → its template
_folder: list[Path] = []


def _drop_spares() -> None:
    for template in _templates.values():
        while template.free:
            spare = template.free.pop()
            _run(None, f'DROP SCHEMA IF EXISTS "{spare}" CASCADE')


def _template(app: str, seed: Seed | None) -> Template:
    key = (app, _seed_name(seed))
    if key not in _templates:
        if not _folder:
            _folder.append(Path(tempfile.mkdtemp(prefix="db-templates-")))
            atexit.register(shutil.rmtree, _folder[0], ignore_errors=True)
        settings = database_settings(_folder[0], f"tmpl_{app}_{len(_templates)}")
        metadata = migrate.APPS[app].metadata()
        engine = migrate.engine_for(settings)
        try:
            metadata.create_all(engine)
            if seed is not None:
                with Session(engine) as session:
                    seed(session)
                    session.commit()
            template = Template(app, settings, len(metadata.tables))
            if settings["DATABASE_SCHEMA"]:
                _pg_scripts(template, metadata, engine)
        finally:
            engine.dispose()
        if settings["DATABASE_SCHEMA"]:
            if not _templates:
                atexit.register(_drop_spares)
            atexit.register(_run, None, f'DROP SCHEMA "{settings["DATABASE_SCHEMA"]}" CASCADE')
        _templates[key] = template
    return _templates[key]


def _pg_scripts(template: Template, metadata: MetaData, engine: Engine) -> None:
    """The clone script: the DDL of every table (as create_all emits it, unqualified: it
    lands in the first schema of the search path), then the template's rows; the reset
    script: every row deleted, the template's rows back. Both end with every id sequence
    just past the rows."""
    schema = template.settings["DATABASE_SCHEMA"]
    ddl: list[str] = []
    mock = create_mock_engine(
        engine.url, lambda sql, *_a, **_k: ddl.append(str(sql.compile(dialect=mock.dialect)))
    )
    metadata.create_all(mock, checkfirst=False)
    rows: list[str] = []
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            if conn.execute(select(func.count()).select_from(table)).scalar():
                columns = ", ".join(f'"{c.name}"' for c in table.columns)
                rows.append(
                    f'INSERT INTO "{table.name}" ({columns}) '
                    f'SELECT {columns} FROM "{schema}"."{table.name}"'
                )
    sequences = [
        f"SELECT setval(pg_get_serial_sequence('\"{t.name}\"', '{t.autoincrement_column.name}'),"
        f' coalesce(max("{t.autoincrement_column.name}"), 0) + 1, false) FROM "{t.name}"'
        for t in metadata.sorted_tables
        if t.autoincrement_column is not None
    ]
    deletes = [f'DELETE FROM "{t.name}"' for t in reversed(metadata.sorted_tables)]
    template.clone_script = ";\n".join(ddl + rows + sequences)
    template.reset_script = ";\n".join(deletes + rows + sequences)
