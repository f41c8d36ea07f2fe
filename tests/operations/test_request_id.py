"""One citizen's action can be followed across both apps: the portal's calls to the
provider carry the portal request's id, which the provider logs as its own."""

from __future__ import annotations

import logging

import pytest

from common import logs
from portal.services import registry
from tests.support.apps import running_apps

OFFICER = "079187090123"


@pytest.fixture(scope="module")
def live_apps(tmp_path_factory):
    with running_apps(tmp_path_factory.mktemp("request-id")) as apps:
        yield apps


def provider_request_ids(caplog, path: str) -> list[str]:
    return [
        r.request_id
        for r in caplog.records
        if r.name == logs.ACCESS_LOGGER and getattr(r, "path", "").startswith(path)
    ]


def test_a_registry_read_carries_the_portal_request_id(live_apps, caplog):
    portal_app = live_apps.portal_app
    with caplog.at_level(logging.INFO, logger=logs.ACCESS_LOGGER):
        with portal_app.test_request_context("/", headers={logs.HEADER: "trace-registry-1"}):
            portal_app.preprocess_request()
            token = portal_app.extensions["vneid"].service_token()
            registry.lookup(live_apps.idp_url, token, OFFICER, purpose="Kiểm thử", actor=OFFICER)
    assert "trace-registry-1" in provider_request_ids(caplog, "/api/population/people/")
    assert "trace-registry-1" in provider_request_ids(caplog, "/token")


def test_calls_outside_a_request_get_the_provider_own_id(live_apps, caplog):
    portal_app = live_apps.portal_app
    with caplog.at_level(logging.INFO, logger=logs.ACCESS_LOGGER), portal_app.app_context():
        token = portal_app.extensions["vneid"].service_token()
        registry.lookup(live_apps.idp_url, token, OFFICER, purpose="Kiểm thử", actor=OFFICER)
    [rid] = provider_request_ids(caplog, "/api/population/people/")
    assert len(rid) == 32
