"""The citizen's feedback pages (phản ánh, kiến nghị): /phan-anh lists what they sent and
sends a new one; /phan-anh/<code> shows one with the office's answer. Only the sender sees it."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.auth.views import sign_in_again
from portal.db import db
from portal.models import Office, utcnow
from portal.services import deadlines, registry, stats
from portal.services import feedback as service
from portal.services.routing import residences

bp = Blueprint("feedback", __name__)
RESIDENCE_PURPOSE = "Gửi phản ánh, kiến nghị: xác định cơ quan nơi cư trú"
NO_RESIDENCE = (
    "Chưa lấy được nơi cư trú của bạn từ CSDLQG về dân cư nên chưa chọn được cơ quan nhận "
    "phản ánh chung. Bạn vẫn gửi được phản ánh, kiến nghị về một hồ sơ của mình."
)


@bp.app_template_global("feedback_stats")
def feedback_stats(f: stats.StatsFilter) -> list[stats.FeedbackCounts]:
    """For /thong-ke (templates/portal/feedback/_stats.html): feedback per office."""
    return stats.feedback_counts(db.session, f)


class _SignInAgain(Exception):
    pass


def _offices() -> tuple[list[Office], str | None]:
    """The offices of the citizen's place of residence (general feedback), or none and why."""
    try:
        record = registry.my_record(
            current_app.config["OIDC_ISSUER"], current_user.access_token, purpose=RESIDENCE_PURPOSE
        )
    except registry.RegistryAuthExpired as exc:
        raise _SignInAgain from exc
    except registry.RegistryError as exc:
        current_app.logger.warning("registry unavailable for feedback: %s", exc)
        return [], NO_RESIDENCE
    found = residences(record)
    ward = int(found[0][1]["ward_code"]) if found else None
    offices = service.offices_near(db.session, ward)
    return offices, None if offices else NO_RESIDENCE


def _page(
    offices: tuple[list[Office], str | None],
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
):
    return render_template(
        "portal/feedback/index.html",
        sent=service.of_citizen(db.session, current_user.personal_id),
        dossiers=service.dossiers_of(db.session, current_user.personal_id),
        offices=offices[0],
        office_problem=offices[1],
        rules=service.rules(),
        category_label=service.category_label,
        errors=errors or {},
        values=values or {"ho_so": request.args.get("ho_so", "")},
        content_max=service.CONTENT_MAX,
        today=deadlines.today(),
        is_overdue=service.is_overdue,
    ), (400 if errors else 200)


@bp.route("/phan-anh", methods=["GET", "POST"])
@login_required
def index():
    try:
        offices = _offices()
    except _SignInAgain:
        return sign_in_again(url_for("feedback.index"))
    return _page(offices) if request.method == "GET" else _send(offices)


def _send(offices: tuple[list[Office], str | None]):
    values = {
        name: request.form.get(name, "")
        for name in (service.CATEGORY, service.CONTENT, service.DOSSIER, service.OFFICE)
    }
    try:
        item = service.send(
            db.session,
            personal_id=current_user.personal_id,
            category=values[service.CATEGORY],
            content=values[service.CONTENT],
            dossier_code=values[service.DOSSIER] or None,
            office_code=values[service.OFFICE] or None,
            allowed_offices=offices[0],
            now=utcnow(),
        )
    except service.FeedbackError as exc:
        return _page(offices, exc.errors, values)
    flash(
        f"Đã gửi phản ánh, kiến nghị {item.code}. Cơ quan trả lời chậm nhất ngày "
        f"{item.due_date:%d/%m/%Y}.",
        "info",
    )
    return redirect(url_for("feedback.detail", code=item.code))


@bp.get("/phan-anh/<code>")
@login_required
def detail(code: str):
    item = service.for_citizen(db.session, current_user.personal_id, code)
    if item is None:
        abort(404)
    return render_template(
        "portal/feedback/detail.html",
        item=item,
        office=db.session.get(Office, item.office_code),
        dossier_code=service.dossier_code(db.session, item),
        category=service.category_label(item.category),
        overdue=service.is_overdue(item, deadlines.today()),
    )
