"""common/proxy.py: forwarded addresses are believed only from configured proxies."""

from __future__ import annotations

import pytest
from flask import Flask, request

from common.proxy import trust_proxies


def app_with(proxies: int) -> Flask:
    app = Flask(__name__)
    app.config["TRUSTED_PROXIES"] = proxies

    @app.get("/ip")
    def ip():
        return request.remote_addr or ""

    trust_proxies(app)
    return app


@pytest.mark.parametrize(("proxies", "seen"), [(0, "127.0.0.1"), (1, "203.0.113.7")])
def test_the_forwarded_address_counts_only_behind_a_trusted_proxy(proxies, seen):
    client = app_with(proxies).test_client()
    resp = client.get("/ip", headers={"X-Forwarded-For": "203.0.113.7"})
    assert resp.get_data(as_text=True) == seen
