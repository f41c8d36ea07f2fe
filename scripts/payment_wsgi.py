"""WSGI entry of the payment gateway: `gunicorn scripts.payment_wsgi:app`.

Same as `payment_mock:create_app()`, plus configuration overrides read as a JSON object
from `PAYMENT_APP_CONFIG` (e.g. `{"RECORD_CALLS": false}`).
"""

from __future__ import annotations

import json
import os

from payment_mock import create_app

app = create_app(json.loads(os.environ.get("PAYMENT_APP_CONFIG") or "{}") or None)
