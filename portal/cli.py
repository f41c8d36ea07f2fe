"""`flask --app portal seed`: offices for every commune and each province department."""

from __future__ import annotations

import click
from flask import Flask, current_app

from portal.db import db
from portal.services.offices import seed_offices


@click.command("seed")
def seed_command() -> None:
    """Create the offices (idempotent)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Seeding is for dev and test databases only.")
    with db.new_session() as session:
        created = seed_offices(session, current_app.extensions["catalogue"])
    click.echo(f"Offices created: {created}")


def register_cli(app: Flask) -> None:
    app.cli.add_command(seed_command)
