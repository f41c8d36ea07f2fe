"""Bulk loading of generated citizens into SQLite or PostgreSQL.

`Loader` writes chunks of rows through one raw DBAPI connection (`executemany` on SQLite,
COPY on PostgreSQL) with the secondary indexes dropped until the load ends;
`chunk_stream` yields the chunks in order while worker processes generate the next ones.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import click
from sqlalchemy.engine import Engine
from sqlalchemy.schema import CreateIndex, DropIndex

from identity_mock.models.base import idp_registry
from identity_mock.models.population import REGISTRY_SOURCE

SNAPSHOT = "2026-11-23 00:00:00.000000"  # updated_at of every generated row
COMMIT_EVERY = 200_000  # people per transaction: every commit rewrites the dirtied pages
HOUSEHOLD_PREFIX = "G"  # "G" + 11 digits; the demo households look like "HCM-0001"

# (table, generated columns, nullable ones, constant columns)
TABLES = (
    ("pop_household", ("id", "head_id", "poor_household"), (),
     {"source": REGISTRY_SOURCE, "updated_at": SNAPSHOT}),
    ("pop_person", (
        "personal_id", "full_name", "birth_date", "sex", "ethnicity", "birth_province_code",
        "father_id", "mother_id", "spouse_id", "household_id", "relation_to_head",
        "marital_status", "id_card_issued_on", "id_card_expires_on", "meritorious_family",
        "disability", "health_insurance"),
     ("father_id", "mother_id", "spouse_id", "id_card_issued_on", "id_card_expires_on"),
     {"nationality": "Việt Nam", "source": REGISTRY_SOURCE, "updated_at": SNAPSHOT,
      "provenance": "{}", "version": 1}),
    ("pop_residence", ("personal_id", "province_code", "ward_code", "street", "registered_on"),
     (), {"kind": "thuong_tru", "source": REGISTRY_SOURCE, "updated_at": SNAPSHOT}),
)  # fmt: skip

Spec = TypeVar("Spec")  # what `chunk_stream` hands to `make_chunk`
Chunk = TypeVar("Chunk")


class Loader:
    """Writes chunks through one raw DBAPI connection: executemany on SQLite, COPY on
    PostgreSQL. Drops the secondary indexes for the load and rebuilds them in `close`."""

    def __init__(self, engine: Engine, indexes: list | None = None) -> None:
        """`indexes`: those to drop for the load (default: the citizens' tables')."""
        self.dialect = engine.dialect
        self.sqlite = engine.dialect.name == "sqlite"
        self.raw = engine.raw_connection()
        self.cursor = self.raw.cursor()
        if indexes is None:
            tables = idp_registry.metadata.tables
            indexes = sorted((ix for name in ("pop_person", "pop_residence")
                              for ix in tables[name].indexes), key=lambda ix: ix.name)  # fmt: skip
        self.indexes = indexes
        self.statements = [self.statement(*spec) for spec in TABLES]
        self.uncommitted = 0

    def statement(self, table: str, columns: tuple, nullable: tuple, constants: dict) -> tuple:
        """(SQL, constant tail of each COPY line): constants are SQL literals on SQLite."""
        names = ", ".join((*columns, *constants))
        if not self.sqlite:
            values = [f"{v}+00" if v == SNAPSHOT else v for v in constants.values()]  # UTC
            tail = "".join(f"\t{v}" for v in values) + "\n"
            return f"COPY {table} ({names}) FROM STDIN WITH (NULL '')", tail
        marks = ["nullif(?, '')" if c in nullable else "?" for c in columns]
        literals = [f"'{v}'" if isinstance(v, str) else str(v) for v in constants.values()]
        return f"INSERT INTO {table} ({names}) VALUES ({', '.join(marks + literals)})", ""

    def state(self) -> tuple[set[str], int]:
        """IDs already in pop_person, and the number after the last generated household."""
        self.cursor.execute("SELECT personal_id FROM pop_person")
        taken = {row[0] for row in self.cursor.fetchall()}
        self.cursor.execute(
            f"SELECT max(id) FROM pop_household WHERE id LIKE '{HOUSEHOLD_PREFIX}%'"
            f" AND length(id) = {len(HOUSEHOLD_PREFIX) + 11}"
        )
        (last,) = self.cursor.fetchone() or (None,)
        return taken, int(last[len(HOUSEHOLD_PREFIX) :]) + 1 if last else 1

    def begin(self) -> None:
        """Drop the secondary indexes; on SQLite, trade durability for speed until `close`."""
        if self.sqlite:
            self.cursor.execute("PRAGMA synchronous=OFF")
            self.cursor.execute("PRAGMA cache_size=-262144")  # 256 MiB
        for ix in self.indexes:
            self.cursor.execute(str(DropIndex(ix, if_exists=True).compile(dialect=self.dialect)))
        self.raw.commit()
        self.uncommitted = 0

    def write(self, households: list, people: list, residences: list) -> None:
        """Insert one chunk; commit every COMMIT_EVERY people."""
        chunk = (households, people, residences)
        for (sql, tail), rows in zip(self.statements, chunk, strict=True):
            if self.sqlite:
                self.cursor.executemany(sql, rows)
            else:  # COPY text format; no generated value holds a tab, newline or backslash
                data = "".join("\t".join(map(str, row)) + tail for row in rows)
                with self.cursor.copy(sql) as copy:  # psycopg 3
                    copy.write(data)
        self.uncommitted += len(people)
        if self.uncommitted >= COMMIT_EVERY:
            self.commit()

    def commit(self) -> None:
        self.raw.commit()
        self.uncommitted = 0

    def close(self) -> None:
        """Roll back anything uncommitted (a failed chunk), rebuild the indexes (with helper
        threads for SQLite's sorter), restore the connection's settings and release it."""
        self.raw.rollback()
        if self.sqlite:
            self.cursor.execute("PRAGMA threads=4")
        for ix in self.indexes:
            create = CreateIndex(ix, if_not_exists=True).compile(dialect=self.dialect)
            self.cursor.execute(str(create))
        self.raw.commit()
        if self.sqlite:
            self.cursor.execute("PRAGMA synchronous=NORMAL")
            self.cursor.execute("PRAGMA cache_size=-2000")
            self.cursor.execute("PRAGMA threads=0")
        self.cursor.close()
        self.raw.close()


def _workers(chunks: int) -> int:
    """Worker processes for generation: none for a single chunk or a single CPU."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return 0 if chunks < 2 or (cpus or 1) < 2 else min(cpus or 1, 4)


@contextmanager
def chunk_stream(
    make_chunk: Callable[[Spec], Chunk], specs: list[Spec], before_fork: Callable[[], object]
) -> Iterator[Iterator[Chunk]]:
    """`make_chunk` of each spec, in order, generated ahead by a process pool (bounded
    look-ahead); `before_fork` runs first, so that forked workers inherit what it builds."""
    workers = _workers(len(specs))
    if not workers:
        yield map(make_chunk, specs)
        return
    before_fork()
    with multiprocessing.get_context().Pool(workers, initializer=gc.disable) as pool:
        yield _ordered(pool, make_chunk, specs, workers + 1)


def _ordered(
    pool, make_chunk: Callable[[Spec], Chunk], specs: list[Spec], ahead: int
) -> Iterator[Chunk]:
    pending: deque = deque()
    for spec in specs:
        pending.append(pool.apply_async(make_chunk, (spec,)))
        if len(pending) > ahead:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


@contextmanager
def progress_bar(total: int, enabled: bool) -> Iterator[Callable[[int], None]]:
    if not enabled:
        yield lambda _count: None
        return
    with click.progressbar(length=total, label="Generating citizens", file=sys.stderr) as bar:
        yield bar.update
