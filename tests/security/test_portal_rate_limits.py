"""Rate limits of the portal (issue 9): the public verification page per address, submitting
a dossier per citizen, /api/v1 per address (one count over the whole API). A refusal is a
Vietnamese page, JSON on the API, with Retry-After. Limits are configuration (RATE_LIMITS);
TestConfig relaxes them, these tests set tight ones. The last test shares counts in Redis.

On the code before the issue nothing was limited: every request here got through.
"""

from __future__ import annotations

import uuid

import pytest
import redis

from portal.config import TestConfig
from tests.support import matrix
from tests.support.apps import dispose, make_portal
from tests.support.redis_server import redis_url

TIGHT = {"verify": "3/minute", "filing_submit": "2/minute", "api": "4/minute"}


def _portal(tmp_path, name: str, **overrides):
    settings = {"RATE_LIMITS": dict(TIGHT), "RATELIMIT_KEY_PREFIX": f"t-{uuid.uuid4().hex}"}
    return make_portal(
        tmp_path / name,
        issuer="http://127.0.0.1:9",
        portal_url="http://portal.test",
        **(settings | overrides),
    )


@pytest.fixture
def app(tmp_path):
    app = _portal(tmp_path, "limits")
    yield app
    dispose(app)


def _vietnamese_429(resp) -> None:
    assert resp.status_code == 429
    assert 1 <= int(resp.headers["Retry-After"]) <= 60


def test_the_verification_page_is_limited_per_address(app):
    client = app.test_client()
    answers = [client.get("/tra-cuu-ket-qua/KQ-KHONG-CO").status_code for _ in range(3)]
    assert answers == [404, 404, 404]
    refused = client.get("/tra-cuu-ket-qua?ma=KQ-KHONG-CO")  # the search form shares the count
    _vietnamese_429(refused)
    assert "Quá nhiều yêu cầu" in refused.get_data(as_text=True)
    other = {"REMOTE_ADDR": "203.0.113.9"}  # another address has its own count
    assert client.get("/tra-cuu-ket-qua/KQ-KHONG-CO", environ_base=other).status_code == 404


def test_the_api_answers_429_in_json_over_all_its_endpoints(app):
    client = app.test_client()
    paths = ["/api/v1/procedures", "/api/v1/procedures/1.001193", "/api/v1/ho-so", "/api/v1/stats"]
    assert [client.get(p).status_code < 429 for p in paths] == [True] * 4
    refused = client.get("/api/v1/procedures")
    _vietnamese_429(refused)
    assert refused.is_json
    assert refused.json["error_description"].startswith("Bạn đã gửi quá nhiều yêu cầu")
    assert "no-store" in refused.headers["Cache-Control"]


def test_submitting_is_limited_per_citizen(app, monkeypatch):
    an, token = matrix.client_for(app, matrix.ROLE["citizen_a"])
    lan, lan_token = matrix.client_for(app, matrix.ROLE["citizen_b"])
    path = "/nop-ho-so/2.000635/nop"
    # No draft: the portal answers 404, but each attempt counts.
    assert [an.post(path, data={"csrf_token": token}).status_code for _ in range(2)] == [404] * 2
    refused = an.post(path, data={"csrf_token": token})
    _vietnamese_429(refused)
    assert "Quá nhiều yêu cầu" in refused.get_data(as_text=True)
    assert lan.post(path, data={"csrf_token": lan_token}).status_code == 404  # her own count


def test_limits_are_configuration():
    for name in TIGHT:
        assert name in TestConfig.RATE_LIMITS
    assert all(int(v.split("/")[0]) >= 1000 for v in TestConfig.RATE_LIMITS.values())


def test_two_portal_processes_share_the_count_in_redis(tmp_path):
    url = redis_url(6)
    prefix = f"portal-test-{uuid.uuid4().hex}"
    first = _portal(tmp_path, "first", REDIS_URL=url, RATELIMIT_KEY_PREFIX=prefix)
    second = _portal(tmp_path, "second", REDIS_URL=url, RATELIMIT_KEY_PREFIX=prefix)
    try:
        assert first.config["RATELIMIT_STORAGE_URI"] == url
        answers = [
            app.test_client().get("/api/v1/procedures").status_code
            for app in (first, second, first, second)
        ]
        assert answers == [200] * 4
        _vietnamese_429(second.test_client().get("/api/v1/procedures"))
        _vietnamese_429(first.test_client().get("/api/v1/procedures"))
        assert redis.Redis.from_url(url).keys(f"*{prefix}*")  # the count lives in Redis
    finally:
        keys = redis.Redis.from_url(url).keys(f"*{prefix}*")
        if keys:
            redis.Redis.from_url(url).delete(*keys)
        dispose(first)
        dispose(second)
