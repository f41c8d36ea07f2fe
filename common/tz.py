"""Vietnam time, in one place for both apps.

Every stored moment is aware UTC (SQLModel's `UTCDateTime` column type hands them back
aware on SQLite and PostgreSQL alike), so converting is plain `astimezone`; a naive moment
is a programming error and is refused rather than guessed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo

ZONE_NAME = "Asia/Ho_Chi_Minh"
OFFSET = timedelta(hours=7)  # no daylight saving since 1975

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    VN_TZ: tzinfo = ZoneInfo(ZONE_NAME)
except ZoneInfoNotFoundError:  # no tz database on the host: the fixed offset is the same
    VN_TZ = timezone(OFFSET, "ICT")


def local(moment: datetime) -> datetime:
    """Vietnam local time of an aware moment."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: stored moments are aware UTC")
    return moment.astimezone(VN_TZ)


def today() -> date:
    """Today's date in Vietnam, whatever the server's time zone."""
    return datetime.now(VN_TZ).date()
