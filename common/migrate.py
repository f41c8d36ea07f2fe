"""Schema migrations (Alembic) of both apps, and the `flask --app APP db …` commands.

Each app has its own migration folder (`portal/migrations`, `identity_mock/migrations`),
its own metadata and its own version table, so the two can share one database (on
PostgreSQL, each in its own schema: the engine's search_path puts the version table
there too).

    flask --app portal db upgrade                  # apply pending migrations (make run/serve do)
    flask --app portal db current                  # the revision the database is at
    flask --app portal db revision -m "…" --autogenerate   # after a model change (developers)
    flask --app portal db check                    # fails when models and migrations differ

The `db` group is a Flask CLI plugin (entry point `flask.commands`): it reads the app's
settings without building the app, so it runs on an empty database (the provider's
start-up already reads its tables).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection, Engine

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class AppSchema:
    """Where one app's models and migrations live."""

    name: str  # the app's package, as in `flask --app NAME`
    registry: str  # "module:attribute" of its SQLModel registry
    version_table: str

    @property
    def models_package(self) -> str:
        return self.registry.split(":")[0].rsplit(".", 1)[0]

    @property
    def script_location(self) -> str:
        return str(ROOT / self.name / "migrations")

    def metadata(self) -> MetaData:
        """The app's metadata, every model module imported first."""
        package = importlib.import_module(self.models_package)
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(info.name)
        module, attr = self.registry.split(":")
        return getattr(importlib.import_module(module), attr).metadata

    def settings(self) -> dict[str, Any]:
        """DATABASE_URL/DATABASE_SCHEMA as the app would use them (env var chosen class)."""
        config = importlib.import_module(f"{self.name}.config")
        # Migrations need no secret: production's "secret required" check is the app's.
        return config.load({"SECRET_KEY": "not-used-by-migrations"})


APPS = {
    "portal": AppSchema("portal", "portal.models.base:portal_registry", "alembic_version_portal"),
    "identity_mock": AppSchema(
        "identity_mock", "identity_mock.models.base:idp_registry", "alembic_version_idp"
    ),
    "payment_mock": AppSchema(
        "payment_mock", "payment_mock.models.base:payment_registry", "alembic_version_payment"
    ),
}


def alembic_config(app: str, connection: Connection | None = None):
    """An Alembic Config for `app` (no alembic.ini), using `connection` when given."""
    from alembic.config import Config

    schema = APPS[app]
    cfg = Config()
    cfg.set_main_option("script_location", schema.script_location)
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    ruff = Path(sys.executable).with_name("ruff")
    if ruff.exists():  # new revisions come out formatted and lint-clean
        cfg.set_section_option("post_write_hooks", "hooks", "format, fix")
        for hook, options in (("format", "format -q"), ("fix", "check --fix -q")):
            cfg.set_section_option("post_write_hooks", f"{hook}.type", "exec")
            cfg.set_section_option("post_write_hooks", f"{hook}.executable", str(ruff))
            cfg.set_section_option(
                "post_write_hooks", f"{hook}.options", f"{options} REVISION_SCRIPT_FILENAME"
            )
    cfg.attributes["app"] = app
    cfg.attributes["connection"] = connection
    return cfg


def engine_for(settings: dict[str, Any]) -> Engine:
    """An engine on the database named by DATABASE_URL / DATABASE_SCHEMA settings."""
    from common.db import make_engine

    url = settings["DATABASE_URL"]
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return make_engine(url, schema=settings.get("DATABASE_SCHEMA"))


@contextmanager
def _connected(app: str, engine: Engine) -> Iterator[Any]:
    with engine.begin() as conn:
        yield alembic_config(app, conn)


def upgrade(app: str, engine: Engine, revision: str = "head") -> None:
    """Bring the database of `engine` to `revision` (head by default)."""
    from alembic import command

    with _connected(app, engine) as cfg:
        command.upgrade(cfg, revision)


def upgrade_database(app: str, settings: dict[str, Any], revision: str = "head") -> None:
    """Upgrade the database named by an app's DATABASE_URL / DATABASE_SCHEMA settings
    (what a script does before `create_app(settings)` on a fresh database)."""
    engine = engine_for(settings)
    try:
        upgrade(app, engine, revision)
    finally:
        engine.dispose()


def downgrade(app: str, engine: Engine, revision: str) -> None:
    from alembic import command

    with _connected(app, engine) as cfg:
        command.downgrade(cfg, revision)


def current(app: str, engine: Engine) -> str | None:
    """The revision the database is at (None when it has no version table yet)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": APPS[app].version_table})
        return ctx.get_current_revision()


def revisions(app: str) -> list[str]:
    """Every revision of `app`, oldest first (a single line of history)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(app))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def differences(app: str, engine: Engine) -> list:
    """What autogenerate would add to match the models (empty when they agree)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts=_context_options(app, conn))
        return compare_metadata(ctx, APPS[app].metadata())


def _context_options(app: str, conn: Connection) -> dict[str, Any]:
    return {
        "target_metadata": APPS[app].metadata(),
        "version_table": APPS[app].version_table,
        "render_as_batch": conn.dialect.name == "sqlite",
        "compare_type": True,
        "render_item": _render_item,
    }


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write SQLModel's column types as their plain SQLAlchemy equivalents, so migrations
    do not depend on sqlmodel's type classes."""
    from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

    if type_ != "type":
        return False
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


def run_env() -> None:
    """The body of each app's migrations/env.py (online mode only)."""
    from alembic import context

    cfg = context.config
    app = cfg.attributes.get("app") or Path(cfg.get_main_option("script_location", "")).parent.name
    if context.is_offline_mode():
        raise click.ClickException("Offline (--sql) migrations are not supported.")
    conn = cfg.attributes.get("connection")
    if conn is not None:
        _run(context, app, conn)
        return
    engine = engine_for(APPS[app].settings())
    try:
        with engine.begin() as conn:
            _run(context, app, conn)
    finally:
        engine.dispose()


def _run(context: Any, app: str, conn: Connection) -> None:
    context.configure(connection=conn, **_context_options(app, conn))
    with context.begin_transaction():
        context.run_migrations()


# --- flask --app APP db … ------------------------------------------------------------------


def _app_name() -> str:
    from flask.cli import ScriptInfo

    info = click.get_current_context().find_object(ScriptInfo)
    path = (info.app_import_path if info else None) or ""
    name = path.split(":")[0].split(".")[0]
    if name not in APPS:
        raise click.UsageError(f"`db` needs --app {' or --app '.join(APPS)}, not {path!r}")
    return name


@contextmanager
def _app_database() -> Iterator[tuple[str, Engine]]:
    app = _app_name()
    engine = engine_for(APPS[app].settings())
    try:
        yield app, engine
    finally:
        engine.dispose()


@click.group("db")
def db_cli() -> None:
    """Database migrations (Alembic) of the app named by --app."""


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade_command(revision: str) -> None:
    """Apply the migrations up to REVISION (default: head)."""
    with _app_database() as (app, engine):
        before = current(app, engine)
        upgrade(app, engine, revision)
        click.echo(f"{app}: {before or 'empty'} -> {current(app, engine)}")


@db_cli.command("downgrade")
@click.argument("revision")
def downgrade_command(revision: str) -> None:
    """Undo migrations down to REVISION (e.g. -1 or base)."""
    with _app_database() as (app, engine):
        downgrade(app, engine, revision)
        click.echo(f"{app}: now at {current(app, engine) or 'base'}")


@db_cli.command("current")
def current_command() -> None:
    """Print the revision the database is at, and whether it is the head."""
    with _app_database() as (app, engine):
        rev, head = current(app, engine), revisions(app)[-1]
        state = "head" if rev == head else f"behind head {head}"
        click.echo(f"{app}: {rev or 'empty'} ({state})")


@db_cli.command("history")
def history_command() -> None:
    """List the revisions, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(_app_name()))
    for rev in reversed(list(script.walk_revisions())):
        click.echo(f"{rev.revision}  {rev.doc}")


@db_cli.command("check")
def check_command() -> None:
    """Fail when the models differ from the database at head (a migration is missing)."""
    with _app_database() as (app, engine):
        upgrade(app, engine)
        diffs = differences(app, engine)
    if diffs:
        for diff in diffs:
            click.echo(f"  {diff}")
        raise click.ClickException(f"{app}: the models differ from the migrations")
    click.echo(f"{app}: models and migrations agree")


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes.")
@click.option("--autogenerate/--empty", default=True, show_default=True)
def revision_command(message: str, autogenerate: bool) -> None:
    """Write a new migration (autogenerated from the models against the database at head)."""
    from alembic import command

    with _app_database() as (app, engine):
        upgrade(app, engine)
        with _connected(app, engine) as cfg:
            command.revision(cfg, message=message, autogenerate=autogenerate)
