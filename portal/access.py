"""Who may open a dossier, for the views: one check, used by every page and API that
reads or writes a dossier by its code. Anyone not entitled gets a 404, as if the dossier
did not exist (a 403 would confirm that the code is real)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from portal.db import db
from portal.models import Dossier, DossierFile
from portal.services import dossiers, offices, workflow


def party_dossier_or_404(code: str) -> Dossier:
    """The dossier if the signed-in citizen filed it or is one of its parties."""
    found = dossiers.by_code(db.session, code)
    if found is None or not dossiers.is_party(db.session, found, current_user.personal_id):
        abort(404)
    return found


def applicant_dossier_or_404(code: str) -> Dossier:
    """The dossier if the signed-in citizen filed it (what only the applicant may do, such as
    withdrawing); a party who did not file it is told it does not exist."""
    found = party_dossier_or_404(code)
    if found.applicant_id != current_user.personal_id:
        abort(404)
    return found


def party_file_or_404(token: str) -> DossierFile:
    """A file of a dossier the signed-in citizen filed or is a party to."""
    found = dossiers.file_by_token(db.session, token)
    if found is None or not dossiers.is_party(db.session, found[1], current_user.personal_id):
        abort(404)
    return found[0]


def office_file_or_404(token: str) -> DossierFile:
    """A file of a dossier that concerns the signed-in clerk's office."""
    actor = workflow.staff_actor(db.session, current_user.personal_id)
    found = dossiers.file_by_token(db.session, token) if actor is not None else None
    if actor is None or found is None or not offices.concerns(found[1], actor.office_code):
        abort(404)
    return found[0]


def office_dossier_or_404(code: str) -> tuple[Dossier, workflow.Actor]:
    """The dossier and the signed-in clerk, if the dossier concerns the clerk's office: the
    competent body's, or the receiving point's (a TTPVHCC that received or will receive it)."""
    actor = workflow.staff_actor(db.session, current_user.personal_id)
    found = dossiers.by_code(db.session, code) if actor is not None else None
    if actor is None or found is None or not offices.concerns(found, actor.office_code):
        abort(404)
    return found, actor


def readable_dossier_or_404(code: str) -> Dossier:
    """The dossier for one of its parties or for staff of an office it concerns."""
    found = dossiers.by_code(db.session, code)
    if found is None:
        abort(404)
    if not dossiers.is_party(db.session, found, current_user.personal_id):
        actor = workflow.staff_actor(db.session, current_user.personal_id)
        if actor is None or not offices.concerns(found, actor.office_code):
            abort(404)
    return found


View = Callable[..., Any]


def _loading(load: Callable[[str], Any]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapper(code: str, *args: Any, **kwargs: Any) -> Any:
            return view(load(code), *args, **kwargs)

        return wrapper

    return decorator


# Decorators for views routed with <code>: the view gets the loaded dossier instead.
party_dossier = _loading(party_dossier_or_404)
readable_dossier = _loading(readable_dossier_or_404)


def office_dossier(view: View) -> View:
    """For back-office views routed with <code>: the view gets (dossier, actor)."""

    @wraps(view)
    @login_required
    def wrapper(code: str, *args: Any, **kwargs: Any) -> Any:
        found, actor = office_dossier_or_404(code)
        return view(found, actor, *args, **kwargs)

    return wrapper
