"""Citizens known to the portal and their signed-in sessions."""

from datetime import datetime

from sqlmodel import Field

from portal.models.base import PortalModel, utcnow


class Citizen(PortalModel, table=True):
    """A person who has signed in at least once. Registry data is fetched, not copied."""

    __tablename__ = "citizen"

    personal_id: str = Field(primary_key=True, max_length=12)
    full_name: str
    level: int
    first_login_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime = Field(default_factory=utcnow)


class LoginSession(PortalModel, table=True):
    """One sign-in through VNeID. The cookie holds only this row's random id."""

    __tablename__ = "login_session"

    id: str = Field(primary_key=True)
    personal_id: str = Field(index=True, max_length=12)
    full_name: str
    level: int
    access_token: str
    id_token: str
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
