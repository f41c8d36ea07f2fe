"""common/limits.py on a bare Flask app: configured limits, a Vietnamese 429 page or JSON with
Retry-After, memory storage by default and Redis when REDIS_URL is set."""

from __future__ import annotations

import uuid

import redis
from flask import Flask, request
from jinja2 import DictLoader

from common import limits
from tests.support.redis_server import redis_url

TEMPLATE = "error.html"


def make_app(rate: str, storage_url: str = "", prefix: str = "") -> Flask:
    app = Flask(__name__)
    app.jinja_loader = DictLoader({TEMPLATE: "<h1>{{ title }}</h1><p>{{ message }}</p>"})
    app.config.update(RATE_LIMITS={"ping": rate}, REDIS_URL=storage_url)
    app.config["RATELIMIT_KEY_PREFIX"] = prefix
    limiter = limits.make_limiter()
    limits.init_limiter(app, limiter, TEMPLATE, lambda: request.path.startswith("/api/"))

    @app.get("/ping")
    @app.get("/api/ping")
    @limiter.limit(limits.limit("ping"))
    def ping():
        return "pong"

    return app


def test_the_limit_refuses_with_a_vietnamese_page_and_retry_after():
    client = make_app("2/minute").test_client()
    assert [client.get("/ping").status_code for _ in range(2)] == [200, 200]
    refused = client.get("/ping")
    assert refused.status_code == 429
    assert "Quá nhiều yêu cầu" in refused.get_data(as_text=True)
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_apis_are_refused_in_json():
    client = make_app("1/minute").test_client()
    client.get("/api/ping")
    refused = client.get("/api/ping")
    assert refused.status_code == 429 and refused.is_json
    assert refused.json["error_description"].startswith("Bạn đã gửi quá nhiều yêu cầu")
    assert int(refused.headers["Retry-After"]) >= 1


def test_limits_are_configuration_read_per_request():
    app = make_app("1/minute")
    client = app.test_client()
    client.get("/ping")
    assert client.get("/ping").status_code == 429
    app.config["RATE_LIMITS"]["ping"] = "100/minute"
    assert client.get("/ping").status_code == 200


def test_redis_storage_is_shared_between_app_processes():
    url = redis_url(3)
    prefix = f"test-{uuid.uuid4().hex}"  # a fresh key space per run
    first, second = make_app("2/minute", url, prefix), make_app("2/minute", url, prefix)
    assert first.test_client().get("/ping").status_code == 200
    assert second.test_client().get("/ping").status_code == 200
    assert first.test_client().get("/ping").status_code == 429
    assert second.test_client().get("/ping").status_code == 429
    assert redis.Redis.from_url(url).keys(f"*{prefix}*")  # the count lives in Redis
