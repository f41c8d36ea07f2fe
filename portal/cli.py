"""`flask --app portal seed`: offices for every commune and each province department,
and the demo staff. (Registry write-backs are retried by the task queue, portal/tasks.py.)"""

from __future__ import annotations

import click
from flask import Flask, current_app

from portal.db import db
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


def register_cli(app: Flask) -> None:
    app.cli.add_command(seed_command)
