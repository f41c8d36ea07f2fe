"""The Redis server of the machine (127.0.0.1:6379), for the tests that need one."""

from __future__ import annotations

import pytest
import redis


def redis_url(db: int) -> str:
    """The URL of database `db` (each test module its own number); skips when no server."""
    url = f"redis://127.0.0.1:6379/{db}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis server at 127.0.0.1:6379")
    return url
