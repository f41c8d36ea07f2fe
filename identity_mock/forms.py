"""Forms of the provider's pages (Flask-WTF: every form carries a CSRF token)."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Regexp, ValidationError

from common import personal_id as pid


def _structure(_form, field) -> None:
    try:
        pid.parse(field.data)
    except pid.PersonalIdError as exc:
        raise ValidationError(str(exc)) from exc


class LoginForm(FlaskForm):
    personal_id = StringField(
        "Số định danh cá nhân",
        validators=[
            DataRequired("Vui lòng nhập số định danh cá nhân."),
            _structure,
        ],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )
    passcode = PasswordField(
        "Mật mã (passcode)",
        validators=[
            DataRequired("Vui lòng nhập mật mã."),
            Regexp(r"^[0-9]{6}$", message="Mật mã gồm đúng 6 chữ số."),
        ],
    )


class PersonaForm(FlaskForm):
    """The dev-mode persona picker: one button per demo persona."""


class ConsentForm(FlaskForm):
    """Allow or deny; the decision comes from the button pressed."""
