"""Builders for the e-mail and SMS tests: contact points written straight into the
database, a clerk's transition that notifies the applicant, and the outbox rows."""

from __future__ import annotations

import re

from sqlmodel import select

from portal.db import db
from portal.models import ContactPoint, Dossier, OutboundMessage, utcnow
from portal.services import workflow

HANH = "079187090123"  # staff of 79.26743 with every role (seeded by the back-office portal)
CODE_IN_TEXT = re.compile(r"\b(\d{6})\b")


def confirm_contact(app, personal_id: str, *, email: str | None = None, phone: str | None = None):
    """Confirmed contact points for `personal_id`, as if the codes had been typed."""
    with app.app_context(), db.new_session() as session:
        for channel, address in (("email", email), ("phone", phone)):
            if address:
                point = session.get(ContactPoint, (personal_id, channel)) or ContactPoint(
                    personal_id=personal_id, channel=channel
                )
                point.address, point.confirmed_at = address, utcnow()
                session.add(point)
        session.commit()


def forget_contacts(app, personal_id: str) -> None:
    with app.app_context(), db.new_session() as session:
        for point in session.exec(
            select(ContactPoint).where(ContactPoint.personal_id == personal_id)
        ):
            session.delete(point)
        session.commit()


def act_as_clerk(
    app, code: str, action: str = "receive", *, note: str | None = None, clerk: str = HANH
) -> Dossier:
    """`action` on the dossier by a clerk of its office, through the workflow (the
    applicant and the parties are notified; the tasks run after the commit)."""
    with app.app_context(), db.new_session() as session:
        dossier = session.exec(select(Dossier).where(Dossier.code == code)).one()
        actor = workflow.staff_actor(session, clerk)
        assert actor is not None
        moved = workflow.apply(
            session,
            dossier,
            action,
            actor,
            expected_version=dossier.version,
            now=utcnow(),
            working_days=3 if action == "receive" else None,
            note=note,
        )
        session.expunge(moved)
        return moved


def outbox(app, **where) -> list[OutboundMessage]:
    """The outbox rows whose columns equal `where`, oldest first, detached."""
    with app.app_context(), db.new_session() as session:
        query = select(OutboundMessage)
        for name, value in where.items():
            query = query.where(getattr(OutboundMessage, name) == value)
        rows = list(session.exec(query.order_by(OutboundMessage.id)))  # type: ignore[arg-type]
        for row in rows:
            session.expunge(row)
        return rows


def code_in(text: str) -> str:
    """The 6-digit confirmation code a message carries."""
    found = CODE_IN_TEXT.search(text)
    assert found, text
    return found.group(1)
