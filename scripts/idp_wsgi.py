"""WSGI entry of the provider for `scripts.bench_idp`: `gunicorn scripts.idp_wsgi:app`.

Same as `identity_mock:create_app()`, plus configuration overrides read as a JSON object
from `BENCH_IDP_CONFIG` (e.g. `{"TEST_SWITCHES": false}` to bench without call recording).
"""

from __future__ import annotations

import json
import os

from identity_mock import create_app

app = create_app(json.loads(os.environ.get("BENCH_IDP_CONFIG") or "{}") or None)
