"""WSGI entries for `scripts.bench_portal`: the portal, and a bare Flask "hello" app.

    gunicorn 'scripts.portal_wsgi:portal_app()'   # portal.create_app(BENCH_PORTAL_CONFIG)
    gunicorn 'scripts.portal_wsgi:hello_app()'    # GET / answers "hello", nothing else

`BENCH_PORTAL_CONFIG` is a JSON object of configuration overrides (instance folder,
database, issuer, portal URL), the same the benchmark used to seed the database.
"""

from __future__ import annotations

import json
import os

from flask import Flask


def portal_app() -> Flask:
    from portal import create_app

    return create_app(json.loads(os.environ.get("BENCH_PORTAL_CONFIG") or "{}") or None)


def hello_app() -> Flask:
    """The baseline: Flask routing a request to a view that returns a constant."""
    app = Flask(__name__)

    @app.get("/")
    def hello() -> str:
        return "hello"

    return app
