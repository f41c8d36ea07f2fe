"""Engine and per-request session handling shared by the portal and the identity provider.

Each app has its own SQLModel registry (its own tables) and its own database URL. On
PostgreSQL an optional schema keeps the two apps apart when they share one database, as
the test suite does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g
from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine


def make_engine(url: str, *, schema: str | None = None) -> Engine:
    """Create an engine for `url`; SQLite gets WAL and foreign keys, PostgreSQL a schema."""
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            poolclass=StaticPool if memory else None,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith(("postgresql://", "postgres://")):
        # psycopg 3, whatever SQLAlchemy's default driver for a bare scheme.
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    # Server options given in the URL (`?options=-csynchronous_commit%3Doff`) are kept
    # beside the schema's search path.
    parsed = make_url(url)
    options = [o for o in [parsed.query.get("options")] if isinstance(o, str)]
    if schema:
        options.append(f"-csearch_path={schema}")
    connect_args = {"options": " ".join(options)} if options else {}
    parsed = parsed.difference_update_query(["options"])
    engine = create_engine(parsed, connect_args=connect_args, pool_pre_ping=True)
    if schema:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    return engine


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


class Database:
    """Gives each request its own session (`db.session`) on the current app's engine.

    The engine lives in `app.extensions[key]`, so several apps in one process (the test
    suite's live servers, a benchmark) each keep their own database.
    """

    def __init__(self, metadata: MetaData, key: str) -> None:
        self.metadata = metadata
        self.key = key

    def init_app(self, app: Flask) -> None:
        app.extensions[self.key] = make_engine(
            app.config["DATABASE_URL"], schema=app.config.get("DATABASE_SCHEMA")
        )
        app.teardown_appcontext(self._close_session)

    @property
    def engine(self) -> Engine:
        return current_app.extensions[self.key]

    def create_all(self) -> None:
        """Every table at once, for throw-away test databases only: the apps' schema comes
        from their migrations (common/migrate.py)."""
        self.metadata.create_all(self.engine)

    def drop_all(self) -> None:
        self.metadata.drop_all(self.engine)

    @property
    def session(self) -> Session:
        attr = f"_session_{self.key}"
        if attr not in g:
            setattr(g, attr, Session(self.engine, expire_on_commit=False))
        return getattr(g, attr)

    @contextmanager
    def new_session(self) -> Iterator[Session]:
        """A session outside any request (CLI commands, seeding, background work)."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def is_reachable(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - any failure means "not reachable"
            return False

    def _close_session(self, _exc: BaseException | None) -> None:
        session = g.pop(f"_session_{self.key}", None)
        if session is not None:
            session.close()
