"""Browser set-up for the end-to-end tests: Debian's Chromium through pytest-playwright.

Both apps run as live servers (the session-scoped `live` fixture of tests/conftest.py);
every test gets a fresh browser context (pytest-playwright's `context`/`page`) in
Vietnamese, with a 10-second default timeout so a broken flow fails fast.

Headless runs use Debian's chromium-headless-shell when it is installed (`make chromium`
installs it; it is the build Playwright itself runs headless): a new context costs it a third
of the CPU the full browser's headless mode takes, a page load half (together most of what
the browser tests cost). `--headed` (debugging) and CHROMIUM=/path pick the full browser.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
import requests
from playwright.sync_api import BrowserContext, Page, expect

from seeds import personas
from tests.e2e.pages import ConsentPage, Dashboard, PortalHome, VneidLoginPage
from tests.support import flows

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
HEADLESS_SHELL = os.environ.get("CHROMIUM") or "/usr/lib/chromium/chromium-headless-shell"
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
    """pytest-playwright's launch options, pointed at the system Chromium (its headless shell
    for headless runs, when installed)."""
    args = {"headless": True, **browser_type_launch_args}  # --headed still works for debugging
    executable = HEADLESS_SHELL if args["headless"] and _runnable(HEADLESS_SHELL) else CHROMIUM
    if not _runnable(executable):
        pytest.skip(
            f"e2e tests need Chromium: no executable at {executable!r} "
            "(install Debian's chromium with `make chromium`, or set CHROMIUM=/path/to/chromium)"
        )
    return {**args, "executable_path": executable, "args": CHROMIUM_ARGS}


def _runnable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


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
def click_login(portal_url, idp_url) -> Callable[..., Dashboard]:
    """Log `page` in as a demo persona by clicking, from the portal home page through
    VNeID's login and consent pages to the dashboard (the tests of logging in)."""

    def login(page: Page, name: str) -> Dashboard:
        PortalHome(page, portal_url).open().start_login()
        VneidLoginPage(page, idp_url).expect_shown().pick_persona(name)
        ConsentPage(page, idp_url).expect_shown().allow()
        return Dashboard(page, portal_url).expect_loaded(name)

    return login


PERSONA_IDS = {p.full_name: p.personal_id for p in personas.personas()}


@pytest.fixture
def persona_login(portal_url, idp_url) -> Callable[..., Dashboard]:
    """Sign `page` in as a demo persona for a test that is about what comes after: the same
    login (portal, VNeID's persona pick and consent, the callback) over HTTP, its cookies (the
    portal's and VNeID's sessions) handed to the browser, which opens the dashboard. Three
    pages fewer for the browser to draw per sign-in; test_login clicks through it."""

    def login(page: Page, name: str) -> Dashboard:
        http = requests.Session()  # as this browser: the portal's session is bound to it
        http.headers["User-Agent"] = page.evaluate("navigator.userAgent")
        flow = flows.login(portal_url, idp_url, PERSONA_IDS[name], browser=http)
        assert flow.response.is_redirect, (name, flow.response.status_code)
        page.context.add_cookies(
            [
                {
                    "name": c.name,
                    "value": c.value or "",
                    "domain": c.domain,
                    "path": c.path or "/",
                    "httpOnly": c.has_nonstandard_attr("HttpOnly"),
                }
                for c in flow.browser.cookies
            ]
        )
        return Dashboard(page, portal_url).open().expect_loaded(name)

    return login


@pytest.fixture
def browser_of(new_context, persona_login):
    """A person's own browser (a fresh context), signed in at the portal through VNeID."""

    def open_as(name: str) -> Page:
        page = new_context().new_page()
        persona_login(page, name)
        return page

    return open_as
