"""`flask --app identity_mock …` commands: `seed` (demo personas, synthetic citizens and the
configured clients) and `register-clients` (the configured clients only, any environment).

Neither registers the portal unless `PORTAL_URL` is set (seeds/clients.py)."""

from __future__ import annotations

import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from identity_mock.db import db
from seeds.clients import ClientConfigError, register_clients


def _register() -> list[str]:
    try:
        with db.new_session() as session:
            return register_clients(session, current_app.config)
    except ClientConfigError as exc:
        raise click.ClickException(str(exc)) from exc


@click.command("seed")
@with_appcontext
@click.option("--citizens", default=0, show_default=True, help="Synthetic citizens to add.")
@click.option("--seed", "seed_value", default=2025, show_default=True, help="Random seed.")
def seed_command(citizens: int, seed_value: int) -> None:
    """Load the demo personas (idempotent), register the configured clients and generate
    synthetic citizens."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Seeding is for dev and test databases only.")
    from seeds import personas

    with db.new_session() as session:
        count = personas.load(session, hash_method=current_app.config["PASSCODE_HASH_METHOD"])
    click.echo(f"Demo personas: {count}")
    registered = _register()
    click.echo(
        f"Clients registered: {', '.join(registered)}"
        if registered
        else "Clients: none registered (PORTAL_URL is not set)"
    )
    if citizens:
        from seeds.generate import generate_citizens

        started = time.perf_counter()
        stats = generate_citizens(db.engine, citizens, seed=seed_value, progress=True)
        elapsed = time.perf_counter() - started
        click.echo(
            f"Generated {stats['people']:,} citizens in {stats['households']:,} households "
            f"in {elapsed:.1f} s ({stats['people'] / elapsed:,.0f} citizens/s)"
        )


@click.command("register-clients")
@with_appcontext
def register_clients_command() -> None:
    """Create or update the relying parties named by the configuration (PORTAL_URL, and
    IDP_BASIC_CLIENT_SECRET outside production). Fails when PORTAL_URL is unset."""
    registered = _register()
    if not registered:
        raise click.ClickException("PORTAL_URL is not set: no client to register.")
    click.echo(f"Clients registered: {', '.join(registered)}")


def register_cli(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(register_clients_command)
