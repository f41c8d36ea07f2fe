"""The payment page the citizen is sent to: the order, a choice of method, and three
outcomes to simulate (pay, fail, cancel). Its answer is a signed redirect to the
merchant's return URL; the IPN goes to the merchant first."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import segno
from flask import Blueprint, abort, current_app, redirect, render_template, request
from markupsafe import Markup

from payment_mock import misbehaviour, orders
from payment_mock.db import db
from payment_mock.forms import OUTCOMES, PayForm
from payment_mock.models import Method, Order, OrderStatus

bp = Blueprint("pay", __name__)
TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what secrets.token_urlsafe gives
METHOD_REQUIRED = "Chọn phương thức thanh toán."


def _order(token: str) -> Order:
    order = orders.by_token(db.session, token) if TOKEN.fullmatch(token) else None
    if order is None:
        abort(404)
    return order


def return_url(order: Order) -> str:
    """The merchant's return URL with the signed outcome of `order` in its query."""
    fields = orders.signed_outcome(order, current_app.config["MERCHANT_SECRET"])
    separator = "&" if "?" in order.return_url else "?"
    return f"{order.return_url}{separator}{urlencode(fields)}"


def _qr_svg(order: Order) -> Markup:
    content = f"CTTQG|{order.merchant}|{order.order_id}|{order.amount}|{order.currency}"
    svg = segno.make(content, error="m").svg_inline(scale=4, omitsize=False)
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="Mã QR thanh toán" ', 1))


def _page(order: Order, form: PayForm, error: str | None = None, status: int = 200):
    return (
        render_template(
            "payment/pay.html",
            order=order,
            form=form,
            error=error,
            qr=_qr_svg(order),
            merchant_name=current_app.config["MERCHANT_NAME"],
        ),
        status,
    )


@bp.get("/thanh-toan/<token>")
def show(token: str):
    order = _order(token)
    if order.status != OrderStatus.PENDING:
        return render_template(
            "payment/settled.html",
            order=order,
            back=return_url(order),
            merchant_name=current_app.config["MERCHANT_NAME"],
        )
    return _page(order, PayForm())


@bp.post("/thanh-toan/<token>")
def submit(token: str):
    order = _order(token)
    form = PayForm()
    if not form.validate_on_submit():  # only the CSRF token is validated here
        abort(400)
    if order.status != OrderStatus.PENDING:  # a second tab, a replayed form
        return redirect(return_url(order), 303)
    outcome = request.form.get("outcome")
    method = form.method.data if form.method.data in {m.value for m in Method} else None
    if outcome not in OUTCOMES:
        abort(400)
    if outcome != "cancelled" and method is None:
        return _page(order, form, METHOD_REQUIRED, 400)
    if orders.settle(db.session, order, OrderStatus(outcome), Method(method) if method else None):
        switches = misbehaviour.active(db.session) if current_app.config["TEST_SWITCHES"] else set()
        message = orders.signed_outcome(order, current_app.config["MERCHANT_SECRET"])
        current_app.extensions["payment_notifier"].notify(order.ipn_url, message, switches)
    return redirect(return_url(order), 303)
