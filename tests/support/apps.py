"""Build the apps for tests and run them as live servers on free ports."""

from __future__ import annotations

import functools
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from joserfc.jwk import RSAKey
from sqlmodel import Session
from werkzeug.serving import make_server

import identity_mock
import portal
import seeds.clients
from common import keys
from identity_mock.config import TestConfig
from identity_mock.db import db as idp_db
from portal.services.offices import seed_offices
from portal.services.staff import seed_staff
from procedures import load_catalogue
from seeds import personas
from seeds.clients import register_clients
from tests.support import startup  # noqa: F401 - start-up work once per process
from tests.support.databases import Seed, create_tables, database_settings, drop_schema
from tests.support.payment import dispose_payment, make_payment

BASIC_SECRET = "bi-mat-cua-ung-dung-thu-nghiem"

# The test client's secret is hashed (scrypt, a tenth of a second) for every provider built;
# the same secret gets the same salted hash for the whole run. Checking it is unchanged.
seeds.clients.generate_password_hash = functools.cache(seeds.clients.generate_password_hash)  # type: ignore[assignment]


_real_load_or_create_rsa_key = keys.load_or_create_rsa_key
_rsa_keys: dict[str, tuple[bytes, RSAKey]] = {}


def _shared_rsa_key(path: Path) -> RSAKey:
    """Each app's RSA key (the provider's signing key, the portal's client key), generated
    and imported once per process and per file name (~80 ms each), then written into every
    new instance folder as the app would: the provider's and the portal's stay distinct."""
    if path.name not in _rsa_keys:
        key = _real_load_or_create_rsa_key(path)
        _rsa_keys[path.name] = (path.read_bytes(), key)
    elif not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_rsa_keys[path.name][0])
        path.chmod(0o600)
    return _rsa_keys[path.name][1]


identity_mock.load_or_create_rsa_key = _shared_rsa_key  # type: ignore[attr-defined]
portal.load_or_create_rsa_key = _shared_rsa_key  # type: ignore[attr-defined]


def demo_personas(session: Session) -> int:
    """The personas, their passcodes hashed as the test provider checks them."""
    return personas.load(session, hash_method=TestConfig.PASSCODE_HASH_METHOD)


def offices_and_staff(session: Session) -> None:
    """Every commune's and province department's office, and the demo staff."""
    seed_offices(session, load_catalogue())
    seed_staff(session)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_idp(tmp: Path, *, issuer: str, portal_url: str, migrations: bool = False, **overrides):
    """A provider (test mode) with the demo personas, on a fresh database whose tables come
    from the models (a copy of the process's template), or from the migrations when
    `migrations`; its clients registered from `portal_url`."""
    db = database_settings(tmp, "idp")
    create_tables("identity_mock", db, migrations=migrations, seed=demo_personas)
    app = identity_mock.create_app(
        {
            "ENV_NAME": "test",
            "INSTANCE_PATH": str(tmp / "idp"),
            "DATABASE_URL": db["DATABASE_URL"],
            "DATABASE_SCHEMA": db["DATABASE_SCHEMA"],
            "ISSUER": issuer,
            "PORTAL_URL": portal_url,
            "BASIC_CLIENT_SECRET": BASIC_SECRET,
            **overrides,
        }
    )
    with app.app_context(), idp_db.new_session() as session:
        register_clients(session, app.config)
    return app


def make_portal(
    tmp: Path,
    *,
    issuer: str,
    portal_url: str,
    seed: bool | Seed = False,
    migrations: bool = False,
    **overrides,
):
    """A portal (test mode) on a fresh database (tables as for `make_idp`) with the rows
    `seed` writes: True for every office and the demo staff."""
    db = database_settings(tmp, "portal")
    rows = offices_and_staff if seed is True else seed or None
    create_tables("portal", db, migrations=migrations, seed=rows)
    app = portal.create_app(
        {
            "ENV_NAME": "test",
            "INSTANCE_PATH": str(tmp / "portal"),
            "DATABASE_URL": db["DATABASE_URL"],
            "DATABASE_SCHEMA": db["DATABASE_SCHEMA"],
            "OIDC_ISSUER": issuer,
            "PORTAL_URL": portal_url,
            **overrides,
        }
    )
    return app


def dispose(app) -> None:
    """Close the app's engine and drop its PostgreSQL schema, if any."""
    for ext in ("idp_db", "portal_db"):
        engine = app.extensions.get(ext)
        if engine is not None:
            engine.dispose()
    drop_schema(app.config.get("DATABASE_SCHEMA"))


class LiveServer:
    def __init__(self, app, port: int) -> None:
        self.server = make_server("127.0.0.1", port, app, threaded=True)
        # Polled every 50 ms for shutdown (werkzeug's default, 0.5 s, is waited on at the end
        # of every test that runs its own servers).
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()


@dataclass
class LiveApps:
    idp_url: str
    portal_url: str
    idp_app: object
    portal_app: object
    payment_url: str = ""
    payment_app: object = None


def start_live(tmp: Path, *, migrations: bool = False) -> tuple[LiveApps, list[LiveServer]]:
    idp_port, portal_port, payment_port = free_port(), free_port(), free_port()
    idp_url, portal_url = f"http://127.0.0.1:{idp_port}", f"http://127.0.0.1:{portal_port}"
    payment_url = f"http://127.0.0.1:{payment_port}"
    idp_app = make_idp(tmp, issuer=idp_url, portal_url=portal_url, migrations=migrations)
    payment_app = make_payment(
        tmp, merchant_url=portal_url, public_url=payment_url, migrations=migrations
    )
    portal_app = make_portal(
        tmp,
        issuer=idp_url,
        portal_url=portal_url,
        seed=True,
        migrations=migrations,
        PAYMENT_URL=payment_url,
    )
    servers = [
        LiveServer(idp_app, idp_port),
        LiveServer(payment_app, payment_port),
        LiveServer(portal_app, portal_port),
    ]
    for s in servers:
        s.start()
    apps = LiveApps(idp_url, portal_url, idp_app, portal_app, payment_url, payment_app)
    return apps, servers


@contextmanager
def running_apps(tmp: Path, *, migrations: bool = False) -> Iterator[LiveApps]:
    """The apps (provider, payment gateway, portal) served for the `with` block, then
    stopped and their databases dropped; their tables from the real migrations when
    `migrations` (the session's apps), else copied from the templates (the apps a module
    or a test starts for itself)."""
    apps, servers = start_live(tmp, migrations=migrations)
    try:
        yield apps
    finally:
        for s in servers:
            s.stop()
        dispose(apps.idp_app)
        dispose(apps.portal_app)
        dispose_payment(apps.payment_app)
