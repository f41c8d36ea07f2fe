"""Fixtures shared by every test layer.

The suite runs on SQLite by default; with TEST_DATABASE_URL pointing at PostgreSQL each
app instance gets its own schema there (dropped afterwards).
"""

from __future__ import annotations

import pytest

# A bench the workflow test modules load as a plugin: its asserts are pytest's too.
pytest.register_assert_rewrite("tests.support.workflow")

from tests.support import legs  # noqa: E402
from tests.support.apps import dispose, make_idp, make_portal, running_apps  # noqa: E402
from tests.support.databases import PG_URL, on_postgres  # noqa: E402
from tests.support.switches import MockControl  # noqa: E402


def pytest_addoption(parser):
    legs.addoption(parser)


def pytest_configure(config):
    legs.configure(config)


def pytest_report_header(config):
    where = f"PostgreSQL ({PG_URL})" if on_postgres() else "SQLite"
    lines = [f"database leg: {where}"]
    if free := legs.sql_free_ids(config):
        lines.append(f"not run again: {len(free)} tests that ran no SQL on the SQLite leg")
    return lines


def pytest_collection_modifyitems(config, items):
    legs.deselect(config, items)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    legs.before_teardown_report(item, call.when)
    yield


@pytest.fixture
def idp_app(tmp_path):
    """A fresh provider (test mode) with the demo personas; the portal is not running."""
    app = make_idp(tmp_path, issuer="http://idp.test", portal_url="http://portal.test")
    yield app
    dispose(app)


@pytest.fixture
def idp_client(idp_app):
    return idp_app.test_client()


@pytest.fixture
def portal_app(tmp_path):
    app = make_portal(tmp_path, issuer="http://127.0.0.1:9", portal_url="http://portal.test")
    yield app
    dispose(app)


@pytest.fixture
def portal_client(portal_app):
    return portal_app.test_client()


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    """Both apps as live servers on free ports, for the whole session; their databases
    built by the real migrations (so every run exercises them)."""
    with running_apps(tmp_path_factory.mktemp("live"), migrations=True) as apps:
        yield apps


@pytest.fixture
def idp_control(live):
    """Misbehaviour switches and the call record of the live provider, reset around a test."""
    control = MockControl(live.idp_url)
    control.reset()
    yield control
    control.reset()
