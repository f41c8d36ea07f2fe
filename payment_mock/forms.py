"""The payment page's form (Flask-WTF: CSRF token included)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice

from payment_mock.models import Method

METHOD_LABELS = {
    Method.CARD: "Thẻ ngân hàng",
    Method.APP: "Ứng dụng ngân hàng",
    Method.QR: "Mã QR",
}
OUTCOMES = ("paid", "failed", "cancelled")  # the buttons' values (name "outcome")


class PayForm(FlaskForm):
    # Checked by the view: only paying needs a method (cancelling does not).
    method = RadioField(
        "Phương thức thanh toán",
        choices=[SelectChoice(m.value, label) for m, label in METHOD_LABELS.items()],
        validate_choice=False,
    )
