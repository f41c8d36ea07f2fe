"""The citizen's notifications: listing them (unread first) and marking them read.

The workflow writes a Notification for the applicant at every transition; this module only
reads them and sets read_at. No Flask here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, select

from portal.models import Dossier, Notification

LATEST = 20  # how many the dashboard shows


def list_for(
    session: Session, personal_id: str, limit: int = LATEST
) -> list[tuple[Notification, str | None]]:
    """The citizen's latest notifications, unread first, newest first, each with its
    dossier's code (for the link)."""
    rows = session.exec(
        select(Notification, Dossier.code)
        .join(Dossier, Dossier.id == Notification.dossier_id)
        .where(Notification.personal_id == personal_id)
        .order_by(
            Notification.read_at.is_not(None),  # type: ignore[union-attr]  # unread (False) first
            Notification.created_at.desc(),  # type: ignore[attr-defined]
            Notification.id.desc(),  # type: ignore[union-attr]
        )
        .limit(limit)
    ).all()
    return [(n, code) for n, code in rows]


def unread_count(session: Session, personal_id: str) -> int:
    return session.exec(
        select(func.count())
        .select_from(Notification)
        .where(Notification.personal_id == personal_id, Notification.read_at.is_(None))  # type: ignore[union-attr]
    ).one()


def mark_read(session: Session, personal_id: str, now: datetime) -> int:
    """Mark all the citizen's unread notifications read; returns how many. Commits."""
    changed = session.execute(
        update(Notification)
        .where(Notification.personal_id == personal_id, Notification.read_at.is_(None))  # type: ignore[union-attr]
        .values(read_at=now)
    ).rowcount
    session.commit()
    return changed
