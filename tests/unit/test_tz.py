"""common/tz.py: stored moments (aware UTC) in Vietnam time; a naive one is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlmodel import Session, select

from common import tz
from portal.models import Citizen
from tests.support.databases import portal_engine


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        (datetime(2026, 11, 23, 16, 59, tzinfo=UTC), datetime(2026, 11, 23, 23, 59)),
        (datetime(2026, 11, 23, 17, 0, tzinfo=UTC), datetime(2026, 11, 24, 0, 0)),  # next day
        (datetime(2026, 12, 31, 17, 30, tzinfo=UTC), datetime(2027, 1, 1, 0, 30)),  # new year
        (datetime(2026, 1, 1, 8, tzinfo=timezone(timedelta(hours=9))), datetime(2026, 1, 1, 6)),
    ],
)
def test_local_is_vietnam_time(stored, expected):
    assert tz.local(stored).replace(tzinfo=None) == expected
    assert tz.local(stored).utcoffset() == timedelta(hours=7)


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError, match="naive"):
        tz.local(datetime(2026, 11, 23, 9))


def test_stored_moments_come_back_aware(tmp_path):
    """Why no naive branch is left: the column type hands back aware UTC, on SQLite too."""
    with portal_engine(tmp_path) as engine, Session(engine) as session:
        session.add(Citizen(personal_id="079093004567", full_name="Trần Văn Hùng", level=2))
        session.commit()
        session.expire_all()
        found = session.exec(select(Citizen)).one()
        assert found.first_login_at.utcoffset() == timedelta(0)
