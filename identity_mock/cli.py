"""`flask --app identity_mock seed`: demo personas, and optionally N synthetic citizens."""

from __future__ import annotations

import time

import click
from flask import Flask, current_app

from identity_mock.db import db


@click.command("seed")
@click.option("--citizens", default=0, show_default=True, help="Synthetic citizens to add.")
@click.option("--seed", "seed_value", default=2025, show_default=True, help="Random seed.")
def seed_command(citizens: int, seed_value: int) -> None:
    """Load the demo personas (idempotent) and generate synthetic citizens."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Seeding is for dev and test databases only.")
    from seeds import personas

    with db.new_session() as session:
        count = personas.load(session)
    click.echo(f"Demo personas: {count}")
    if citizens:
        from seeds.generate import generate_citizens

        started = time.perf_counter()
        stats = generate_citizens(db.engine, citizens, seed=seed_value, progress=True)
        elapsed = time.perf_counter() - started
        click.echo(
            f"Generated {stats['people']:,} citizens in {stats['households']:,} households "
            f"in {elapsed:.1f} s ({stats['people'] / elapsed:,.0f} citizens/s)"
        )


def register_cli(app: Flask) -> None:
    app.cli.add_command(seed_command)
