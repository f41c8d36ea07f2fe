"""Rate limits at VNeID: sign-in per address and per personal ID, /token, the population
API; a 429 is a Vietnamese page (JSON on machine endpoints) with Retry-After; counts live
in Redis when REDIS_URL is set, shared by every worker."""

from __future__ import annotations

import uuid

import pytest
import redis

from tests.support import oauth
from tests.support.redis_server import redis_url

RELAXED = "10000/minute"
NAMES = ("login_ip", "login_personal_id", "token", "population_api")


def _limits(**tight: str) -> dict[str, str]:
    return {name: tight.get(name, RELAXED) for name in NAMES}


@pytest.fixture
def build(tmp_path):
    apps = []

    def make(name: str = "idp", **overrides):
        app = oauth.build_provider(tmp_path / name, **overrides)
        apps.append(app)
        return app

    yield make
    for app in apps:
        oauth.discard_provider(app)


def _login(client, personal_id: str, passcode: str, addr: str = "127.0.0.1"):
    environ = {"REMOTE_ADDR": addr}
    page = client.get("/dang-nhap", environ_base=environ)
    token = oauth.csrf_tokens(page.get_data(as_text=True)).get("csrf_token", "")
    data = {"csrf_token": token, "personal_id": personal_id, "passcode": passcode}
    return client.post("/dang-nhap", data=data, environ_base=environ)


def _assert_vietnamese_429_page(resp) -> None:
    assert resp.status_code == 429
    assert "Quá nhiều yêu cầu" in resp.get_data(as_text=True)
    assert int(resp.headers["Retry-After"]) >= 1


def _assert_vietnamese_429_json(resp) -> None:
    assert resp.status_code == 429 and resp.is_json
    assert resp.get_json()["error_description"].startswith("Bạn đã gửi quá nhiều yêu cầu")
    assert int(resp.headers["Retry-After"]) >= 1


def test_sign_in_is_limited_per_address(build):
    client = build(RATE_LIMITS=_limits(login_ip="3/minute")).test_client()
    for personal_id in ("079095001234", "079199089012", "001190023456"):
        assert _login(client, personal_id, "000000").status_code == 400
    _assert_vietnamese_429_page(_login(client, "038088012345", "000000"))
    # Another address is not affected, and showing the form is never limited.
    assert _login(client, "038088012345", "000000", "198.51.100.7").status_code == 400
    assert client.get("/dang-nhap").status_code == 200


def test_sign_in_is_limited_per_personal_id_across_addresses(build):
    client = build(RATE_LIMITS=_limits(login_personal_id="2/minute")).test_client()
    target = "079302034567"
    assert _login(client, target, "000000", "203.0.113.1").status_code == 400
    assert _login(client, target, "000000", "203.0.113.2").status_code == 400
    _assert_vietnamese_429_page(_login(client, target, "000000", "203.0.113.3"))
    # Spaces do not make a new counter.
    _assert_vietnamese_429_page(_login(client, " 0793 0203 4567", "000000", "203.0.113.4"))
    assert _login(client, "079095001234", "000000", "203.0.113.5").status_code == 400


def test_successful_sign_ins_do_not_use_up_the_personal_id_limit(build):
    client = build(RATE_LIMITS=_limits(login_personal_id="2/minute")).test_client()
    for _ in range(4):
        assert _login(client, oauth.AN, oauth.PASSCODE).status_code == 302


def test_token_endpoint_is_limited(build):
    client = build(RATE_LIMITS=_limits(token="2/minute")).test_client()
    form = {"grant_type": "client_credentials"}
    for _ in range(2):
        assert client.post("/token", data=form).status_code == 401
    _assert_vietnamese_429_json(client.post("/token", data=form))


def test_population_api_is_limited(build):
    client = build(RATE_LIMITS=_limits(population_api="2/minute")).test_client()
    for _ in range(2):
        assert client.get("/api/population/me").status_code == 401
    resp = client.get(f"/api/population/people/{oauth.AN}")
    _assert_vietnamese_429_json(resp)


def test_counts_are_shared_through_redis(build):
    """Two providers (two gunicorn workers) on one Redis count together."""
    url, prefix = redis_url(5), f"test-vneid-{uuid.uuid4().hex}"
    settings = {
        "REDIS_URL": url,
        "RATELIMIT_KEY_PREFIX": prefix,
        "RATE_LIMITS": _limits(token="2/minute"),
    }
    first, second = build("a", **settings), build("b", **settings)
    form = {"grant_type": "client_credentials"}
    assert first.test_client().post("/token", data=form).status_code == 401
    assert second.test_client().post("/token", data=form).status_code == 401
    _assert_vietnamese_429_json(first.test_client().post("/token", data=form))
    _assert_vietnamese_429_json(second.test_client().post("/token", data=form))
    store = redis.Redis.from_url(url)
    keys = store.keys(f"*{prefix}*")
    assert keys
    store.delete(*keys)


def test_only_a_refusal_for_volume_says_when_to_retry(build):
    """Retry-After on any other answer (a 503 while the registry is down) would tell
    clients a wrong wait."""
    app = build(RATE_LIMITS=_limits(population_api="5/minute"))
    client = app.test_client()
    assert "Retry-After" not in client.get("/api/population/me").headers
    client.put("/test/switches", json={"active": ["population_5xx"]})
    down = client.get("/api/population/me")
    assert down.status_code == 503 and "Retry-After" not in down.headers
    assert "tạm thời không phản hồi" in down.get_json()["message"]
