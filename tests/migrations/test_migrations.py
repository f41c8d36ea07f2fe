"""The migrations of both apps (portal/migrations, identity_mock/migrations).

On the leg's database (SQLite, or a fresh PostgreSQL schema with TEST_DATABASE_URL):
an empty database upgraded to head matches the models exactly; a database at the
previous revision keeps every dossier, event and result through the upgrade; downgrade
and upgrade again works; the `flask … db` commands run on an empty database.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import MetaData, insert, inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from common import migrate
from portal.models import Dossier, DossierEvent, ResultDocument
from portal.services.results import next_number
from tests.support.databases import database_settings, drop_schema, on_postgres

ROOT = Path(__file__).resolve().parents[2]
APPS = sorted(migrate.APPS)
DOSSIERS = 3
EVENTS_PER_DOSSIER = 2


@pytest.fixture
def fresh(tmp_path) -> Iterator[tuple[dict, Engine]]:
    """Settings of and an engine on an empty database (own schema on PostgreSQL)."""
    settings = database_settings(tmp_path, "mig")
    engine = migrate.engine_for(settings)
    yield settings, engine
    engine.dispose()
    drop_schema(settings["DATABASE_SCHEMA"])


@pytest.mark.parametrize("app", APPS)
def test_empty_database_upgraded_to_head_matches_the_models(app, fresh):
    _, engine = fresh
    assert migrate.current(app, engine) is None
    migrate.upgrade(app, engine)
    assert migrate.current(app, engine) == migrate.revisions(app)[-1]
    diffs = migrate.differences(app, engine)
    assert diffs == [], (
        f"{app}: the models differ from the migrations; write one with "
        f'`make migration app={app} m="what changed"`: {diffs}'
    )


def test_each_app_keeps_its_own_version_table(fresh):
    _, engine = fresh
    for app in APPS:
        migrate.upgrade(app, engine)
    tables = set(inspect(engine).get_table_names())
    assert {"alembic_version_portal", "alembic_version_idp"} <= tables
    assert "alembic_version" not in tables
    assert {a: migrate.current(a, engine) for a in APPS} == {
        a: migrate.revisions(a)[-1] for a in APPS
    }


@pytest.mark.skipif(not on_postgres(), reason="PostgreSQL leg only")
def test_version_table_lives_in_the_apps_schema(fresh):
    settings, engine = fresh
    migrate.upgrade("portal", engine)
    names = inspect(engine).get_table_names(schema=settings["DATABASE_SCHEMA"])
    assert "alembic_version_portal" in names and "dossier" in names


def previous_revision(app: str) -> str:
    """The revision before head (the baseline while it is the only one)."""
    revs = migrate.revisions(app)
    return revs[-2] if len(revs) > 1 else revs[0]


def test_dossiers_events_and_results_survive_the_upgrade_from_the_previous_revision(fresh):
    _, engine = fresh
    migrate.upgrade("portal", engine, previous_revision("portal"))
    seed_at_current_revision(engine)
    migrate.upgrade("portal", engine)
    with Session(engine) as session:
        dossiers = session.exec(select(Dossier).order_by(Dossier.id)).all()
        events = session.exec(select(DossierEvent)).all()
        results = session.exec(select(ResultDocument)).all()
    assert [d.code for d in dossiers] == [f"D{n}" for n in range(DOSSIERS)]
    assert [d.data for d in dossiers] == [{"ho_ten": f"Nguyễn Văn {n}"} for n in range(DOSSIERS)]
    assert len(events) == DOSSIERS * EVENTS_PER_DOSSIER
    assert {e.dossier_id for e in events} == {d.id for d in dossiers}
    assert sorted(r.number for r in results) == [f"{n}/2026/TLKS" for n in range(DOSSIERS)]
    assert {r.dossier_id for r in results} == {d.id for d in dossiers}


# The revision before result numbers ran per book (554fdc49e78e added the book).
BEFORE_BOOKS = "1ef0df34eff0"


def test_result_books_continue_after_the_numbers_issued_before_the_upgrade(fresh):
    _, engine = fresh
    migrate.upgrade("portal", engine, BEFORE_BOOKS)
    seed_at_current_revision(engine)
    migrate.upgrade("portal", engine)
    with Session(engine) as session:
        results = session.exec(select(ResultDocument)).all()
        assert {r.book for r in results} == {"TLKS"}
        last = max(results, key=lambda r: int(r.number.split("/")[0]))
        following = next_number(session, last.office_code, "TLKS", 2026)
    assert following == int(last.number.split("/")[0]) + 1


@pytest.mark.parametrize("app", APPS)
def test_downgrade_to_base_and_upgrade_again(app, fresh):
    _, engine = fresh
    migrate.upgrade(app, engine)
    migrate.downgrade(app, engine, "base")
    assert migrate.current(app, engine) is None
    assert set(inspect(engine).get_table_names()) <= {migrate.APPS[app].version_table}
    migrate.upgrade(app, engine)
    assert migrate.differences(app, engine) == []


def seed_at_current_revision(engine: Engine) -> None:
    """Dossiers with events and results, written with Core against the tables as they are
    at the database's revision (reflected), so it works whatever the models say now."""
    meta = MetaData()
    meta.reflect(engine, only=["dossier", "dossier_event", "result_document"])
    with engine.begin() as conn:
        for n in range(DOSSIERS):
            dossier = {
                "code": f"D{n}",
                "status": "returned",
                "applicant_id": f"0790{n:08d}",
                "draft_key": None,
                "data": {"ho_ten": f"Nguyễn Văn {n}"},
            }
            row = conn.execute(
                insert(meta.tables["dossier"]).values(filled(meta.tables["dossier"], n, dossier))
            )
            dossier_id = row.inserted_primary_key[0]
            for k in range(EVENTS_PER_DOSSIER):
                event = {"dossier_id": dossier_id, "to_status": "received"}
                table = meta.tables["dossier_event"]
                conn.execute(insert(table).values(filled(table, n * 10 + k, event)))
            result = {"dossier_id": dossier_id, "number": f"{n}/2026/TLKS", "content": {}}
            table = meta.tables["result_document"]
            conn.execute(insert(table).values(filled(table, n, result)))


def filled(table, n: int, given: dict) -> dict:
    """`given`, plus a value for every other required column (unique per `n`)."""
    values = dict(given)
    for col in table.columns:
        if col.name in values or col.nullable or col.server_default is not None:
            continue
        if col.primary_key and col.autoincrement in (True, "auto"):
            continue
        values[col.name] = sample_value(col, n)
    return values


def sample_value(col, n: int):
    try:
        kind = col.type.python_type
    except NotImplementedError:
        kind = str
    if kind is bool:
        return False
    if kind is int:
        return n + 1
    if kind is datetime:
        return datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    if kind is date:
        return date(2026, 11, 23)
    if kind in (dict, list):
        return kind()
    length = getattr(col.type, "length", None) or 64
    return f"{col.name[:3]}{n}"[:length]


@pytest.mark.parametrize(
    ("app", "env_var"), [("portal", "DATABASE_URL"), ("identity_mock", "IDP_DATABASE_URL")]
)
def test_flask_db_commands_build_an_empty_database(app, env_var, tmp_path):
    """`flask --app APP db upgrade` then `db current`, as `make run` does (SQLite file)."""
    env = {
        **os.environ,
        env_var: f"sqlite:///{tmp_path}/cli.sqlite",
        "PORTAL_ENV": "test",
        "IDP_ENV": "test",
        "PORTAL_INSTANCE_PATH": str(tmp_path),
        "IDP_INSTANCE_PATH": str(tmp_path),
    }
    head = migrate.revisions(app)[-1]
    flask = [sys.executable, "-m", "flask", "--app", app, "db"]
    up = subprocess.run([*flask, "upgrade"], env=env, cwd=ROOT, capture_output=True, text=True)
    assert up.returncode == 0, up.stderr
    assert f"empty -> {head}" in up.stdout
    now = subprocess.run([*flask, "current"], env=env, cwd=ROOT, capture_output=True, text=True)
    assert now.returncode == 0 and f"{head} (head)" in now.stdout, now.stderr
