"""Signed-in VNeID sessions, kept on the server.

Signing in stores a `SignInSession` row keyed by the SHA-256 of a fresh random token and
puts only the token in the (signed) cookie session. Who is signed in is read from the row,
so signing out, which deletes it, ends the session for every copy of the cookie. Rows
expire after `SIGN_IN_LIFETIME` seconds; expired rows are swept at each sign-in.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from flask import current_app, g, session
from sqlmodel import col, delete

from identity_mock.db import db
from identity_mock.models import Account, SignInSession

TOKEN_KEY = "sid"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(account: Account) -> None:
    """A new signed-in session for `account`, replacing this browser's previous one (and
    its cookie session: no fixation)."""
    end()
    now = int(time.time())
    token = secrets.token_urlsafe(32)
    db.session.exec(delete(SignInSession).where(col(SignInSession.expires_at) < now))
    db.session.add(
        SignInSession(
            id=_digest(token),
            personal_id=account.personal_id,
            level=account.level,
            auth_time=now,
            expires_at=now + current_app.config["SIGN_IN_LIFETIME"],
        )
    )
    db.session.commit()
    session[TOKEN_KEY] = token
    g.pop("vneid_user", None)


def current() -> dict | None:
    """{personal_id, level, auth_time} of the signed-in person, or None."""
    if "vneid_user" not in g:
        g.vneid_user = _lookup(session.get(TOKEN_KEY))
    return g.vneid_user


def _lookup(token: object) -> dict | None:
    if not isinstance(token, str):
        return None
    row = db.session.get(SignInSession, _digest(token))
    if row is None or row.expires_at <= time.time():
        return None
    return {"personal_id": row.personal_id, "level": row.level, "auth_time": row.auth_time}


def end() -> None:
    """Sign out: delete the server-side session and clear the cookie session."""
    token = session.get(TOKEN_KEY)
    if isinstance(token, str):
        db.session.exec(delete(SignInSession).where(col(SignInSession.id) == _digest(token)))
        db.session.commit()
    session.clear()
    g.pop("vneid_user", None)
