"""The citizen's notifications: listing them (unread first) and marking them read.

The workflow writes a Notification for the applicant at every transition; this module only
reads them and sets read_at. No Flask here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from portal.models import Dossier, Notification

LATEST = 20  # how many the dashboard shows


def list_for(
    session: Session, personal_id: str, limit: int = LATEST
) -> list[tuple[Notification, str | None]]:
    """The citizen's latest notifications, unread first, newest first, each with its
    dossier's code (for the link); None for a notice about something else (feedback), whose
    `link` is the page."""
    rows = session.exec(
        select(Notification, Dossier.code)
        .join(Dossier, col(Dossier.id) == Notification.dossier_id, isouter=True)
        .where(Notification.personal_id == personal_id)
        .order_by(
            col(Notification.read_at).is_not(None),  # unread (False) first
            col(Notification.created_at).desc(),
            col(Notification.id).desc(),
        )
        .limit(limit)
    ).all()
    return [(n, code) for n, code in rows]


def unread_count(session: Session, personal_id: str) -> int:
    return session.exec(
        select(func.count())
        .select_from(Notification)
        .where(Notification.personal_id == personal_id, col(Notification.read_at).is_(None))
    ).one()


def mark_read(session: Session, personal_id: str, now: datetime) -> int:
    """Mark all the citizen's unread notifications read; returns how many. Commits."""
    changed = session.exec(
        update(Notification)
        .where(col(Notification.personal_id) == personal_id, col(Notification.read_at).is_(None))
        .values(read_at=now)
    ).rowcount
    session.commit()
    return changed
