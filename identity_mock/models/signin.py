"""Sign-in state kept on the server: failed-passcode counters and signed-in sessions.

Times are whole seconds since the epoch (BigInteger), so the counters' lock arithmetic is
plain SQL on SQLite and PostgreSQL alike.
"""

from sqlalchemy import BigInteger, Column
from sqlmodel import Field

from identity_mock.models.base import IdpModel


class LoginThrottle(IdpModel, table=True):
    """Failed passcodes for one personal ID from one client address (see
    `identity_mock.accounts` for the lock rule). Any personal ID gets a row, whether or
    not it has an account, so the answers never tell the two apart."""

    __tablename__ = "idp_login_throttle"

    personal_id: str = Field(primary_key=True, max_length=12)
    client: str = Field(primary_key=True, max_length=64)
    failures: int = 0  # attempts used in the current round (reserved before the check)
    lock_seconds: int  # how long the next lock lasts: doubles at each lock, capped
    locked_until: int | None = Field(default=None, sa_column=Column(BigInteger))
    updated_at: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))


class SignInSession(IdpModel, table=True):
    """A signed-in VNeID session. The browser's cookie holds a random token; this row is
    keyed by its SHA-256, so the table alone cannot be replayed as cookies. Signing out
    deletes the row, and a copied cookie then means nothing."""

    __tablename__ = "idp_session"

    id: str = Field(primary_key=True, max_length=64)
    personal_id: str = Field(index=True, max_length=12)
    level: int
    auth_time: int = Field(sa_column=Column(BigInteger, nullable=False))
    expires_at: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
