"""Passcode sign-in and lockout, on an in-memory provider database."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session
from werkzeug.security import generate_password_hash

from common.db import make_engine
from identity_mock.accounts import LoginError, authenticate
from identity_mock.models import Account
from identity_mock.models.base import idp_registry

ID = "079095001234"
HASH = generate_password_hash("123456", method="pbkdf2:sha256:1000")


@pytest.fixture
def session():
    engine = make_engine("sqlite://")
    idp_registry.metadata.create_all(engine)
    with Session(engine) as s:
        s.add(Account(personal_id=ID, passcode_hash=HASH, level=2))
        s.commit()
        yield s


def _try(session, passcode, now, personal_id=ID):
    return authenticate(session, personal_id, passcode, now=now, max_attempts=5, lock_minutes=15)


NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_right_passcode(session):
    assert _try(session, "123456", NOW).personal_id == ID


@pytest.mark.parametrize("personal_id", ["079095009999", "12345", "999095001234"])
def test_unknown_or_malformed_id_gets_the_same_message(session, personal_id):
    with pytest.raises(LoginError, match="không đúng"):
        _try(session, "123456", NOW, personal_id)


def test_attempts_left_are_counted_down(session):
    for left in (4, 3, 2, 1):
        with pytest.raises(LoginError, match=f"còn {left} lần"):
            _try(session, "000000", NOW)


def test_fifth_failure_locks_then_unlocks_after_the_period(session):
    for _ in range(4):
        with pytest.raises(LoginError):
            _try(session, "000000", NOW)
    with pytest.raises(LoginError, match="tạm khóa 15 phút"):
        _try(session, "000000", NOW)
    with pytest.raises(LoginError, match="đang tạm khóa"):
        _try(session, "123456", NOW + timedelta(minutes=14))
    assert _try(session, "123456", NOW + timedelta(minutes=16)).personal_id == ID


def test_success_resets_the_counter(session):
    with pytest.raises(LoginError):
        _try(session, "000000", NOW)
    _try(session, "123456", NOW)
    with pytest.raises(LoginError, match="còn 4 lần"):
        _try(session, "000000", NOW)
