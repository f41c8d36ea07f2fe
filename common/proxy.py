"""Behind a reverse proxy: trust its X-Forwarded-For / -Proto, so per-address rate limits
and sign-in locks see the citizen's address (not the proxy's) and URLs keep https.

`TRUSTED_PROXIES` (environment, default 0) is how many proxies stand in front of the app;
0 trusts no forwarded header at all, so a client cannot pick its own address.
"""

from __future__ import annotations

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def trust_proxies(app: Flask) -> None:
    count = int(app.config.get("TRUSTED_PROXIES", os.environ.get("TRUSTED_PROXIES", "0")) or 0)
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]
