"""Browser set-up for the end-to-end tests: Debian's Chromium through pytest-playwright.

Both apps run as live servers (the session-scoped `live` fixture of tests/conftest.py);
every test gets a fresh browser context (pytest-playwright's `context`/`page`) in
Vietnamese, with a 10-second default timeout so a broken flow fails fast.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.pages import ConsentPage, Dashboard, PortalHome, VneidLoginPage

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 10_000

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright's launch options, pointed at the system Chromium."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(
            f"e2e tests need Chromium: no executable at {CHROMIUM!r} "
            "(install Debian's chromium with `make chromium`, or set CHROMIUM=/path/to/chromium)"
        )
    return {
        "headless": True,
        **browser_type_launch_args,  # --headed still works for debugging
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "locale": "vi-VN"}


@pytest.fixture
def new_context(new_context) -> Callable[..., BrowserContext]:
    """pytest-playwright's context factory (closed after the test), with our timeouts."""

    def make(**kwargs) -> BrowserContext:
        context = new_context(**kwargs)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        return context

    return make


@pytest.fixture(autouse=True)
def _provider_behaves(browser_type_launch_args, idp_control):
    """Every e2e test starts (and leaves) the provider with no misbehaviour switch on.

    (Asking for the launch options first skips before the live apps start when there is
    no Chromium.)
    """
    yield


@pytest.fixture
def portal_url(live) -> str:
    return live.portal_url


@pytest.fixture
def idp_url(live) -> str:
    return live.idp_url


@pytest.fixture
def persona_login(portal_url, idp_url) -> Callable[..., Dashboard]:
    """Log `page` in as a demo persona, from the portal home page to the dashboard."""

    def login(page: Page, name: str) -> Dashboard:
        PortalHome(page, portal_url).open().start_login()
        VneidLoginPage(page, idp_url).expect_shown().pick_persona(name)
        ConsentPage(page, idp_url).expect_shown().allow()
        return Dashboard(page, portal_url).expect_loaded(name)

    return login


@pytest.fixture
def browser_of(new_context, persona_login):
    """A person's own browser (a fresh context), signed in at the portal through VNeID."""

    def open_as(name: str) -> Page:
        page = new_context().new_page()
        persona_login(page, name)
        return page

    return open_as
