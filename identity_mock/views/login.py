"""The provider's own pages: sign-in (ID + passcode, or a demo persona) and sign-out."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from sqlmodel import select

from common import personal_id as pid
from common.limits import client_ip
from identity_mock import sessions
from identity_mock.accounts import LoginError, authenticate
from identity_mock.db import db
from identity_mock.forms import LoginForm, PersonaForm
from identity_mock.models import Account, Person, utcnow

bp = Blueprint("login", __name__)


def signed_in_user() -> dict | None:
    """The person signed in at the provider (server-side session named by the cookie)."""
    return sessions.current()


def _sign_in(account: Account) -> None:
    pending = session.get("pending_authorize")
    sessions.start(account)  # a fresh session at every sign-in: no fixation
    if pending:
        session["pending_authorize"] = pending
        session["fresh_login_for"] = pending  # satisfies prompt=login for that request


def _after_sign_in():
    target = session.pop("pending_authorize", None)
    # Only paths of our own authorize endpoint: never an open redirect.
    if target and target.startswith("/authorize?"):
        return redirect(target)
    return redirect(url_for("login.signed_in"))


def _personas() -> list[tuple[str, str, str, int]]:
    """(personal ID, name, label, level) of the demo personas; seed data, read once."""
    if not current_app.config["DEV_PERSONAS"]:
        return []
    if "idp_personas" not in current_app.extensions:
        rows = db.session.exec(
            select(Account.personal_id, Person.full_name, Account.persona, Account.level)
            .where(Account.persona.is_not(None), Person.personal_id == Account.personal_id)  # type: ignore[union-attr]
            .order_by(Account.personal_id)
        ).all()
        current_app.extensions["idp_personas"] = [tuple(r) for r in rows]
    return current_app.extensions["idp_personas"]


@bp.route("/dang-nhap", methods=["GET", "POST"])
def sign_in():
    form = LoginForm()
    persona_form = PersonaForm(prefix="persona")
    error = None
    if request.method == "POST" and request.form.get("persona"):
        if current_app.config["DEV_PERSONAS"] and persona_form.validate_on_submit():
            chosen = request.form["persona"]
            account = db.session.get(Account, chosen) if pid.is_valid(chosen) else None
            if account and account.persona:
                _sign_in(account)
                return _after_sign_in()
        error = "Không đăng nhập được bằng tài khoản mẫu này."
    elif form.validate_on_submit():
        try:
            account = authenticate(
                db.session,
                form.personal_id.data,
                form.passcode.data,
                now=utcnow(),
                max_attempts=current_app.config["LOCKOUT_ATTEMPTS"],
                lock_minutes=current_app.config["LOCKOUT_MINUTES"],
                max_lock_minutes=current_app.config["LOCKOUT_MAX_MINUTES"],
                client=client_ip(),
                hash_method=current_app.config["PASSCODE_HASH_METHOD"],
            )
        except LoginError as exc:
            if exc.field:  # shown next to its field and linked from the summary
                form[exc.field].errors.append(exc.message)
            else:
                error = exc.message
        else:
            _sign_in(account)
            return _after_sign_in()
    status = 400 if request.method == "POST" else 200
    return (
        render_template(
            "identity/login.html",
            form=form,
            persona_form=persona_form,
            personas=_personas(),
            error=error,
        ),
        status,
    )


@bp.route("/da-dang-nhap")
def signed_in():
    user = signed_in_user()
    if user is None:
        return redirect(url_for("login.sign_in"))
    person = db.session.get(Person, user["personal_id"])
    return render_template("identity/signed_in.html", person=person, user=user)
