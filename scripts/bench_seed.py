"""Seeding for the portal benchmarks (scripts.bench_portal): the registry's citizens, and
the portal's offices, staff and dossiers (made by scripts.bench_rows).

The dossiers, their events and ratings go through one raw DBAPI connection (`BulkWriter`:
executemany on SQLite, COPY on PostgreSQL) with the tables' secondary indexes dropped until
the load ends, as `seeds.bulk_load` does for the citizens.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import JSON

from common import migrate
from scripts.bench_rows import DossierFactory, Spread, dossier_owners

CHUNK = 10_000  # dossier rows per batch


def json_text(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


# --- the registry -------------------------------------------------------------------------


def sample_residents(engine, want: int, exclude: set[str], rng) -> list[tuple[str, int]]:
    """About `want` random (personal ID, ward of permanent residence), shuffled."""
    from sqlalchemy import text

    where = "WHERE kind = 'thuong_tru'"
    with engine.connect() as conn:
        total = conn.execute(text(f"SELECT count(*) FROM pop_residence {where}")).scalar_one()
        rate = min(1.0, 1.2 * want / max(1, total))
        rows = conn.execution_options(stream_results=True).execute(
            text(f"SELECT personal_id, ward_code FROM pop_residence {where} ORDER BY id")
        )
        picked = [(p, w) for p, w in rows if rng.random() < rate and p not in exclude]
    rng.shuffle(picked)
    return picked[:want]


def adults(engine, ids: list[str]) -> list[str]:
    """Those of `ids` (kept in order) aged 18 or more: old enough for a level-2 account."""
    from sqlalchemy import bindparam, text

    if not ids:
        return []
    cutoff = (datetime.now() - timedelta(days=18 * 366)).date().isoformat()
    query = text(
        "SELECT personal_id FROM pop_person WHERE personal_id IN :ids AND birth_date <= :cut"
    ).bindparams(bindparam("ids", expanding=True))
    with engine.connect() as conn:
        found = set(conn.execute(query, {"ids": ids, "cut": cutoff}).scalars())
    return [pid for pid in ids if pid in found]


@dataclass
class Seeded:
    personas: list[tuple[str, int]]  # level-2 personas: (personal ID, ward)
    submitters: list[str]  # generated citizens with a level-2 account
    passcode: str
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        print(f"  {text}", flush=True)
        self.notes.append(text)


def seed_registry(
    config: dict, args: argparse.Namespace, rng, submitters: int
) -> tuple[Seeded, list]:
    """Personas, citizens and `submitters` accounts; returns them and the applicants."""
    from werkzeug.security import generate_password_hash

    from identity_mock import create_app
    from identity_mock.db import db
    from identity_mock.models import Account
    from seeds import personas
    from seeds.clients import register_clients
    from seeds.generate import generate_citizens

    data = personas.read()
    level2 = [(p["personal_id"], p["residence"]["ward"]) for p in data["persona"]
              if p.get("level", 2) >= 2]  # fmt: skip
    seeded = Seeded(level2, [], data["passcode"])
    migrate.upgrade_database("identity_mock", config)
    app = create_app(config)
    with app.app_context():
        with db.new_session() as session:
            personas.load(session)
            register_clients(session, app.config)
        started = time.perf_counter()
        stats = generate_citizens(db.engine, args.citizens, seed=args.seed)
        seeded.note(
            f"{stats['people']:,} citizens in {stats['households']:,} households "
            f"({time.perf_counter() - started:.1f} s)"
        )
        exclude = {p["personal_id"] for p in data["persona"]}
        sample = sample_residents(db.engine, args.dossiers // 2 + 4 * submitters, exclude, rng)
        seeded.submitters = adults(db.engine, [pid for pid, _ in sample[: 4 * submitters]])
        del seeded.submitters[submitters:]
        if len(seeded.submitters) < submitters:
            raise SystemExit("too few adult citizens: raise --citizens")
        chosen = set(seeded.submitters)
        sample = [entry for entry in sample if entry[0] not in chosen]
        passcode_hash = generate_password_hash(seeded.passcode)
        with db.new_session() as session:
            session.add_all(
                Account(personal_id=pid, passcode_hash=passcode_hash, level=2)
                for pid in seeded.submitters
            )
            session.commit()
        db.engine.dispose()
    return seeded, sample


# --- the portal ---------------------------------------------------------------------------


def seed_portal(
    config: dict, args: argparse.Namespace, seeded: Seeded, applicants, rng, spread: Spread
) -> None:
    """Offices and staff, then the dossiers, their events and ratings, and the daily code
    sequences."""
    from portal import create_app
    from portal.db import db
    from portal.models import utcnow
    from portal.services.offices import seed_offices
    from portal.services.staff import seed_staff

    migrate.upgrade_database("portal", config)
    app = create_app(config)
    with app.app_context():
        catalogue = app.extensions["catalogue"]
        with db.new_session() as session:
            offices = seed_offices(session, catalogue)
            seed_staff(session)
        started = time.perf_counter()
        factory = DossierFactory(catalogue, rng, utcnow(), args.procedure)
        owners = dossier_owners(seeded.personas, applicants, args.dossiers, rng, spread)
        indexing = write_dossiers(db.engine, factory, owners)
        seeded.note(
            f"{offices:,} offices, {factory.next_id - 1:,} dossiers "
            f"({len(factory.drafts):,} drafts), {factory.counts['events']:,} events, "
            f"{factory.counts['ratings']:,} ratings over {len(applicants):,} citizens and "
            f"{len(seeded.personas)} personas ({time.perf_counter() - started:.1f} s, of which "
            f"{indexing:.1f} s rebuilding indexes)"
        )
        db.engine.dispose()


def write_dossiers(engine, factory: DossierFactory, owners) -> float:
    """Every chunk of the factory, then the sequences; returns the seconds spent indexing."""
    from sqlalchemy import func, select

    from portal.models import Dossier, DossierEvent, DossierSequence
    from portal.models.ratings import Rating

    with engine.connect() as conn:
        factory.next_id = (conn.execute(select(func.max(Dossier.id))).scalar() or 0) + 1
    writer = BulkWriter(engine, [Dossier, DossierEvent, Rating, DossierSequence])
    try:
        for dossiers, events, ratings in factory.chunks(owners, CHUNK):
            writer.write(Dossier, dossiers)
            writer.write(DossierEvent, events)
            writer.write(Rating, ratings)
        writer.write(DossierSequence, [
            {"office_code": office, "day": day, "last": last}
            for (office, day), last in factory.sequences.items()
        ])  # fmt: skip
        writer.commit()
    finally:
        indexing = writer.close()
    return indexing


class BulkWriter:
    """Rows (dicts) of portal tables through one raw DBAPI connection: executemany on SQLite,
    COPY on PostgreSQL, values converted by the columns' own SQLAlchemy types. The tables'
    secondary indexes are dropped until `close`, which rebuilds them, as `seeds.bulk_load`'s
    Loader does for the citizens (it does the dropping and rebuilding here too), and on
    PostgreSQL vacuums and analyses the tables, as autovacuum would soon after a bulk load."""

    def __init__(self, engine, models: list) -> None:
        from seeds.bulk_load import Loader

        self.engine = engine
        self.dialect = engine.dialect
        self.sqlite = engine.dialect.name == "sqlite"
        self.tables = [m.__table__ for m in models]
        indexes = [ix for t in self.tables for ix in sorted(t.indexes, key=lambda i: i.name)]
        self.loader = Loader(engine, indexes)
        self.loader.begin()
        self.cursor = self.loader.cursor

    def converters(self, table, names: list[str]) -> list:
        """Each column's value as the driver would send it; JSON as text for COPY (psycopg 3's
        processor wraps it in an adapter object instead)."""
        types = [table.c[name].type for name in names]
        return [
            json_text
            if isinstance(t, JSON) and not self.sqlite
            else t.dialect_impl(self.dialect).bind_processor(self.dialect)
            for t in types
        ]

    def write(self, model, rows: list[dict]) -> None:
        if not rows:
            return
        table = model.__table__
        names = [name for name in rows[0] if name in table.c]
        convert = self.converters(table, names)

        def converted(row: dict) -> list:
            pairs = zip(convert, map(row.get, names), strict=True)
            return [v if f is None or v is None else f(v) for f, v in pairs]

        values = [converted(r) for r in rows]
        if self.sqlite:
            marks = ", ".join("?" * len(names))
            sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})"
            self.cursor.executemany(sql, values)
            return
        text = "".join(
            "\t".join("\\N" if v is None else str(v).translate(COPY_ESCAPES) for v in row) + "\n"
            for row in values
        )
        sql = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
        with self.cursor.copy(sql) as copy:  # psycopg 3
            copy.write(text)

    def commit(self) -> None:
        if not self.sqlite:  # ids were given explicitly
            self.cursor.execute(
                "SELECT setval(pg_get_serial_sequence('dossier', 'id'), max(id)) FROM dossier"
            )
        self.loader.commit()

    def close(self) -> float:
        """Roll back anything uncommitted, rebuild the indexes; the seconds it took."""
        started = time.perf_counter()
        self.loader.close()
        if not self.sqlite:
            with self.engine.connect() as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")  # for VACUUM
                for table in self.tables:
                    conn.exec_driver_sql(f"VACUUM ANALYZE {table.name}")
        return time.perf_counter() - started
