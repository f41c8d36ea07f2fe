"""GET /ho-so/<code>/van-ban/<event id>.pdf: the letter a dossier event produced (Mẫu 02, 03
or 04), for the applicant and the staff of the dossier's office; anyone else, an unknown
dossier or an event without a letter gets a 404, as if it did not exist."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, url_for
from flask_login import current_user, login_required
from sqlmodel import select

from common.web import pdf_response
from portal.db import db
from portal.models import Dossier
from portal.services import notices, workflow

bp = Blueprint("notices", __name__)
bp.add_app_template_global(notices.letter_form)  # the timelines link each letter


def _readable_dossier(code: str) -> Dossier:
    """The dossier if the signed-in person is its applicant or staff of its office."""
    found = db.session.exec(select(Dossier).where(Dossier.code == code)).first()
    if found is None:
        abort(404)
    if found.applicant_id != current_user.personal_id:
        actor = workflow.staff_actor(db.session, current_user.personal_id)
        if actor is None or actor.office_code != found.office_code:
            abort(404)
    return found


@bp.get("/ho-so/<code>/van-ban/<int:event_id>.pdf")
@login_required
def letter_pdf(code: str, event_id: int):
    found = _readable_dossier(code)
    event = notices.letter_event(db.session, found, event_id)
    if event is None:
        abort(404)
    proc = current_app.extensions["catalogue"].get(found.procedure_code)
    letter = notices.build_letter(db.session, found, event, proc, current_app.config["PORTAL_URL"])
    return pdf_response(notices.letter_pdf(letter), letter.file_name, inline=True)


@bp.get("/ho-so/<code>/bo-sung")
@login_required
def supplement_address(code: str):
    """The address Mẫu 02 prints: the dossier page's supplement form (the form itself
    posts to the same address)."""
    return redirect(url_for("citizen.dossier", code=code) + "#bo-sung")
