"""Signed-in sessions: opened after a verified VNeID login, closed at logout or expiry."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlmodel import Session

from portal.models import Citizen, LoginSession, utcnow


def open_session(
    session: Session,
    *,
    personal_id: str,
    full_name: str,
    level: int,
    access_token: str,
    id_token: str,
    hours: int,
) -> LoginSession:
    """Record the citizen (first or repeat visit) and a new login session."""
    now = utcnow()
    citizen = session.get(Citizen, personal_id) or Citizen(
        personal_id=personal_id, full_name=full_name, level=level, first_login_at=now
    )
    citizen.full_name, citizen.level, citizen.last_login_at = full_name, level, now
    login = LoginSession(
        id=secrets.token_urlsafe(32),
        personal_id=personal_id,
        full_name=full_name,
        level=level,
        access_token=access_token,
        id_token=id_token,
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    session.add_all([citizen, login])
    session.commit()
    return login


def load_session(
    session: Session, session_id: str, now: datetime | None = None
) -> LoginSession | None:
    """The live session with this id, or None when unknown or expired."""
    login = session.get(LoginSession, session_id)
    if login is None:
        return None
    return login if login.expires_at > (now or utcnow()) else None


def close_session(session: Session, session_id: str) -> None:
    login = session.get(LoginSession, session_id)
    if login is not None:
        session.delete(login)
        session.commit()
