"""Mock national payment gateway (Cổng thanh toán quốc gia): orders created by the
merchant (the portal), a payment page, signed returns and server-to-server IPNs, status
queries and refunds (docs/payment-gateway.md)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFProtect

from common import health
from common.proxy import trust_proxies
from common.web import add_security_headers, has_control, make_app, register_error_pages
from payment_mock import config as config_module
from payment_mock import formatting, limits, misbehaviour
from payment_mock.db import db
from payment_mock.ipn import Notifier
from payment_mock.models import CallRecord

csrf = CSRFProtect()
RECORDED = ("api.",)
DOWN = (
    "Cổng thanh toán tạm ngừng hoạt động",
    "Cổng thanh toán đang bảo trì. Giao dịch của bạn chưa được thực hiện; vui lòng thử lại sau.",
)
ALWAYS_UP = ("/test/", "/healthz", "/static/", "/openapi.json")


def create_app(config: dict | None = None) -> Flask:
    """Build the gateway. `config` overrides the class chosen by PAYMENT_ENV."""
    app = make_app(__name__, config_module.load(config))
    if not app.config["MERCHANT_SECRET"]:
        raise ValueError("PAYMENT_SECRET must be set outside dev and test")
    # The payment form ends in a redirect to the merchant, which a browser checks against
    # form-action: the merchant's origin, and no other, besides the gateway's own.
    merchant = urlsplit(app.config.get("MERCHANT_URL") or "")
    origins = [f"{merchant.scheme}://{merchant.netloc}"] if merchant.netloc else []
    app.config.setdefault("CSP_FORM_ACTION", origins)
    app.extensions["payment_notifier"] = Notifier(app)

    db.init_app(app)
    csrf.init_app(app)
    formatting.init_app(app)
    from payment_mock.views import api, pay, testing

    app.register_blueprint(api.bp)
    app.register_blueprint(pay.bp)
    csrf.exempt(api.bp)  # authenticated by the merchant's signature, not a cookie
    if app.config["TEST_SWITCHES"]:
        app.register_blueprint(testing.bp)
        csrf.exempt(testing.bp)
    app.add_url_rule("/openapi.json", "openapi", _openapi)
    _register_hooks(app)
    limits.init_app(app, _wants_json)
    trust_proxies(app)
    health.init_app(app, db, "payment_mock")  # /healthz, JSON logs; tables: migrations
    return app


def _openapi():
    from payment_mock.api_spec import spec

    return jsonify(spec.spec)


def _register_hooks(app: Flask) -> None:
    @app.before_request
    def refuse_when_down():
        """The `down` switch: every page and API answers 503 (test endpoints excepted)."""
        if not app.config["TEST_SWITCHES"] or request.path.startswith(ALWAYS_UP):
            return None
        if "down" not in misbehaviour.active(db.session):
            return None
        if _wants_json():
            return jsonify(error="unavailable", error_description=DOWN[0]), 503
        page = render_template("payment/error.html", status=503, title=DOWN[0], message=DOWN[1])
        return page, 503, {"Retry-After": "60"}

    @app.after_request
    def record_call(response):
        if app.config["RECORD_CALLS"] and (request.endpoint or "").startswith(RECORDED):
            with db.new_session() as session:
                session.add(
                    CallRecord(
                        kind="api",
                        method=request.method[:8],
                        endpoint=request.endpoint or "",
                        status=response.status_code,
                        order_id=_path_order_id(),
                    )
                )
                session.commit()
        return add_security_headers(response)

    register_error_pages(app, "payment/error.html", _wants_json)


def _path_order_id() -> str | None:
    value = (request.view_args or {}).get("order_id")
    return value[:64] if isinstance(value, str) and value and not has_control(value) else None


def _wants_json() -> bool:
    """Machine endpoints answer errors in JSON; people get a Vietnamese page."""
    return request.path.startswith(("/api/", "/test/", "/openapi.json"))
