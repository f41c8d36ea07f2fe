"""Relying parties are registered only from explicit configuration: never at start-up, never
from a default portal URL. `make run`'s sequence (db upgrade, seed, with PORTAL_URL set by
scripts/run.py) still registers the portal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

import identity_mock
from identity_mock.db import db as idp_db
from identity_mock.models import OAuthClient
from seeds.clients import PORTAL_CLIENT_ID, ClientConfigError, portal_url
from tests.support.apps import dispose
from tests.support.databases import create_tables, database_settings

ROOT = Path(__file__).resolve().parents[2]


def _clients(app) -> dict[str, OAuthClient]:
    with app.app_context(), idp_db.new_session() as session:
        return {c.client_id: c for c in session.exec(select(OAuthClient))}


@pytest.fixture
def dev_app(tmp_path):
    """A dev-mode provider on a migrated database, PORTAL_URL unset."""
    settings = database_settings(tmp_path, "idp")
    create_tables("identity_mock", settings, migrations=True)
    app = identity_mock.create_app(
        {"ENV_NAME": "dev", "INSTANCE_PATH": str(tmp_path), "PORTAL_URL": "", **settings}
    )
    yield app
    dispose(app)


def test_start_up_registers_no_client(dev_app):
    assert _clients(dev_app) == {}


def test_start_up_needs_no_table(tmp_path):
    """Building the app reads no table, so `flask --app identity_mock …` works on an empty
    database (as `db upgrade` must)."""
    settings = database_settings(tmp_path, "idp")
    app = identity_mock.create_app(
        {
            "ENV_NAME": "dev",
            "INSTANCE_PATH": str(tmp_path),
            "PORTAL_URL": "http://p.test",
            **settings,
        }
    )
    dispose(app)


def test_seed_without_portal_url_registers_no_portal(dev_app):
    result = dev_app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "none registered (PORTAL_URL is not set)" in result.output
    assert PORTAL_CLIENT_ID not in _clients(dev_app)


def test_register_clients_without_portal_url_fails(dev_app):
    result = dev_app.test_cli_runner().invoke(args=["register-clients"])
    assert result.exit_code != 0
    assert "PORTAL_URL is not set" in result.output
    assert _clients(dev_app) == {}


def test_register_clients_uses_the_configured_url(dev_app):
    dev_app.config["PORTAL_URL"] = "https://dichvucong.example/"
    result = dev_app.test_cli_runner().invoke(args=["register-clients"])
    assert result.exit_code == 0, result.output
    portal = _clients(dev_app)[PORTAL_CLIENT_ID]
    assert portal.redirect_uris == ["https://dichvucong.example/auth/callback"]
    assert portal.jwks_uri == "https://dichvucong.example/.well-known/jwks.json"


@pytest.mark.parametrize(
    "url", ["dichvucong.example", "javascript:alert(1)", "ftp://x.example", "http://x.example?a=1"]
)
def test_a_portal_url_that_is_no_http_base_url_is_refused(url):
    with pytest.raises(ClientConfigError):
        portal_url({"PORTAL_URL": url})


def test_production_never_registers_the_test_client(dev_app):
    dev_app.config.update(
        ENV_NAME="production", PORTAL_URL="https://p.example", BASIC_CLIENT_SECRET="s"
    )
    dev_app.test_cli_runner().invoke(args=["register-clients"])
    assert set(_clients(dev_app)) == {PORTAL_CLIENT_ID}


def _flask(tmp_path: Path, *args: str, portal: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PORTAL_URL", "IDP_ENV")}
    env.update(IDP_DATABASE_URL=f"sqlite:///{tmp_path}/idp.sqlite", IDP_INSTANCE_PATH=str(tmp_path))
    env.pop("IDP_DATABASE_SCHEMA", None)
    if portal is not None:
        env["PORTAL_URL"] = portal
    cmd = [sys.executable, "-m", "flask", "--app", "identity_mock", *args]
    return subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_make_run_sequence_registers_the_portal_only_when_told_its_url(tmp_path):
    """scripts/run.py: `db upgrade` then `seed`, PORTAL_URL set; without it, no portal."""
    up = _flask(tmp_path, "db", "upgrade", portal=None)
    assert up.returncode == 0, up.stderr
    unset = _flask(tmp_path, "seed", portal=None)
    assert unset.returncode == 0, unset.stderr
    assert "none registered" in unset.stdout
    told = _flask(tmp_path, "seed", portal="http://127.0.0.1:5000")
    assert told.returncode == 0, told.stderr
    assert f"Clients registered: {PORTAL_CLIENT_ID}" in told.stdout
