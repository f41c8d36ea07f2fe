"""The signed-in citizen as Flask-Login sees them: a view of one LoginSession row."""

from functools import cached_property

from flask_login import UserMixin

from portal.db import db
from portal.models import LoginSession, Staff


class CurrentCitizen(UserMixin):
    def __init__(self, login: LoginSession) -> None:
        self.session_id = login.id
        self.personal_id = login.personal_id
        self.full_name = login.full_name
        self.level = login.level
        self.access_token = login.access_token
        self.id_token = login.id_token

    def get_id(self) -> str:
        return self.session_id

    @cached_property
    def is_staff(self) -> bool:
        """Whether the citizen also works in an office (asked only by pages that show it)."""
        return db.session.get(Staff, self.personal_id) is not None
