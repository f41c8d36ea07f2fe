"""The citizen's contact e-mail and mobile phone (`/ca-nhan/lien-he`), each confirmed by a
code sent to it (services/contact_points.py).

One page, one POST endpoint: the button pressed (`action`, "<channel>_<step>") says what to
do. Sending a code, first or again, is limited per citizen and channel (RATE_LIMITS
"contact_code", counted by Flask-Limiter's storage); a refusal is a message next to the
field, with what was typed kept.

The blueprint also brings `flask --app portal mail list|show`, the reader of the
development mail catcher's Maildir (portal/mail_catcher.py).
"""

from __future__ import annotations

import math
import time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from limits import parse_many

from portal.db import db
from portal.models import utcnow
from portal.services import contact_points
from portal.services.contact_points import CHANNELS, ContactError

bp = Blueprint("contact", __name__)
STEPS = ("send", "resend", "confirm", "remove")
FIELDS = ("email", "email_code", "phone", "phone_code")
TOO_OFTEN = "Bạn đã yêu cầu gửi mã quá nhiều lần. Vui lòng thử lại sau {minutes} phút."
SENT = {
    "email": "Đã gửi mã xác nhận đến {address}. Vui lòng kiểm tra hộp thư và nhập mã.",
    "phone": "Đã gửi mã xác nhận qua tin nhắn đến {address}. Vui lòng nhập mã.",
}
DONE = {
    "confirm": "Đã xác nhận {label}. Bạn sẽ nhận thông báo về hồ sơ qua kênh này.",
    "remove": "Đã xóa {label}. Bạn sẽ không nhận thông báo qua kênh này nữa.",
}


@bp.route("/ca-nhan/lien-he", methods=["GET", "POST"])
@login_required
def page():
    if request.method == "GET":
        return _page()
    channel, _, step = request.form.get("action", "").partition("_")
    if channel not in CHANNELS or step not in STEPS:
        abort(400)
    values = {name: request.form.get(name, "") for name in FIELDS}
    try:
        flashed = _do(channel, step, values)
    except ContactError as exc:
        return _page(400, errors={exc.field: exc.message}, values=values)
    except RateLimited as exc:
        field = channel if step == "send" else f"{channel}_code"
        message = TOO_OFTEN.format(minutes=exc.minutes)
        return _page(429, errors={field: message}, values=values)
    flash(flashed, "info")
    return redirect(url_for("contact.page") + f"#lien-he-{channel}")


def _do(channel: str, step: str, values: dict[str, str]) -> str:
    """The step's service call; the flash message of its success."""
    who, now, label = current_user.personal_id, utcnow(), contact_points.LABELS[channel].lower()
    keys = {"secret": current_app.secret_key, "portal_url": current_app.config["PORTAL_URL"]}
    if step == "send":
        contact_points.parse(channel, values[channel])  # a typo is not counted as a sending
        _count_sending(channel)
        point = contact_points.request_code(db.session, who, channel, values[channel], now, **keys)
    elif step == "resend":
        _count_sending(channel)
        point = contact_points.resend(db.session, who, channel, now, **keys)
    elif step == "confirm":
        code = values[f"{channel}_code"]
        contact_points.confirm(db.session, who, channel, code, now, secret=keys["secret"])
        return DONE["confirm"].format(label=label)
    else:
        contact_points.remove(db.session, who, channel, now)
        return DONE["remove"].format(label=label)
    return SENT[channel].format(address=contact_points.shown(channel, point.pending_address))


class RateLimited(Exception):
    def __init__(self, minutes: int) -> None:
        super().__init__(minutes)
        self.minutes = minutes


def _count_sending(channel: str) -> None:
    """Count one code sent to the citizen's `channel`; RateLimited when a window is full."""
    limiter = next(iter(current_app.extensions["limiter"]))
    if not limiter.enabled:
        return
    strategy = limiter.limiter
    items = parse_many(current_app.config["RATE_LIMITS"]["contact_code"])
    ids = ("contact_code", current_user.personal_id, channel)
    full = [item for item in items if not strategy.test(item, *ids)]
    if full:
        reset = max(strategy.get_window_stats(item, *ids).reset_time for item in full)
        raise RateLimited(max(1, math.ceil((reset - time.time()) / 60)))
    for item in items:
        strategy.hit(item, *ids)


def _page(status: int = 200, *, errors: dict | None = None, values: dict | None = None):
    now = utcnow()
    points = contact_points.points_of(db.session, current_user.personal_id)
    return (
        render_template(
            "portal/contact.html",
            points=points,
            waiting={c: contact_points.awaiting_code(p, now) for c, p in points.items()},
            shown=contact_points.shown,
            errors=errors or {},
            values=values or {},
        ),
        status,
    )


@bp.record_once
def _mail_commands(state) -> None:
    from portal.mail_catcher import mail_cli

    state.app.cli.add_command(mail_cli)
