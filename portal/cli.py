"""`flask --app portal seed`: offices for every commune and each province department,
and the demo staff. `flask --app portal retry-writebacks`: write to the population registry
the approved results it has not taken yet (run it from cron)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from portal.db import db
from portal.models import utcnow
from portal.services import results, writeback
from portal.services.offices import seed_offices
from portal.services.staff import seed_staff


@click.command("seed")
def seed_command() -> None:
    """Create the offices and the demo staff (idempotent)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Seeding is for dev and test databases only.")
    with db.new_session() as session:
        created = seed_offices(session, current_app.extensions["catalogue"])
        staff = seed_staff(session)
    click.echo(f"Offices created: {created}; staff seeded: {staff}")


SYSTEM_ACTOR = "system"


@click.command("retry-writebacks")
@with_appcontext
@click.option("--limit", default=100, show_default=True, help="Dossiers to try in one run.")
def retry_writebacks_command(limit: int) -> None:
    """Retry the write-back of approved dossiers still waiting for the registry."""
    catalogue = current_app.extensions["catalogue"]
    target = writeback.Registry(
        current_app.config["OIDC_ISSUER"], current_app.extensions["vneid"].service_token
    )
    done = failed = 0
    with db.new_session() as session:
        for dossier in writeback.pending(session, limit):
            outcome = writeback.sync(
                session,
                dossier,
                catalogue.get(dossier.procedure_code),
                catalogue,
                target,
                actor_id=SYSTEM_ACTOR,
                actor_role=SYSTEM_ACTOR,
                now=utcnow(),
                key_folder=results.key_folder(current_app.instance_path),
            )
            if outcome and outcome[1] == "warn":
                failed += 1
                click.echo(f"{dossier.code}: {outcome[0]}")
            else:
                done += 1
    click.echo(f"Written back: {done}; still waiting: {failed}")


def register_cli(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(retry_writebacks_command)
