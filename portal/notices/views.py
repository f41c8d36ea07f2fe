"""GET /ho-so/<code>/van-ban/<event id>.pdf: the letter a dossier event produced (Mẫu 02, 03
or 04), for the dossier's parties and the staff of its office; anyone else, an unknown
dossier or an event without a letter gets a 404, as if it did not exist."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, url_for
from flask_login import login_required

from common.web import pdf_response
from portal import access
from portal.db import db
from portal.models import Dossier
from portal.services import notices, offices

bp = Blueprint("notices", __name__)


@bp.app_template_global("letter_form")
def letter_form(event, dossier: Dossier | None = None):
    """For the timelines, which link each letter: its form, numbered as the dossier's
    competent body numbers it (CT05 at Công an, Mẫu 02 elsewhere)."""
    forms = offices.forms_of(db.session, dossier) if dossier is not None else None
    return notices.letter_form(event, forms)


@bp.get("/ho-so/<code>/van-ban/<int:event_id>.pdf")
@access.readable_dossier
def letter_pdf(found: Dossier, event_id: int):
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
