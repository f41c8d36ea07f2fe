"""Working days in Vietnam: reception day, due dates, overdue checks, on-time statistics.

Plain functions, no Flask, no database. Public holidays, Tết and substituted days come from
the `holidays` package (`holidays.Vietnam`), which also knows weekend days made working
(e.g. Saturday 22 Aug 2026, worked in exchange for Monday 31 Aug 2026 off).

Counting rules (decisions where the texts are silent are marked):

- Times are Vietnam local time (Asia/Ho_Chi_Minh, UTC+7, no daylight saving). An aware
  datetime is converted; a naive one is taken as already local.
- A dossier received after 15:00 is transferred to the next working morning (NĐ 61/2018 as
  amended by NĐ 107/2021 [law]; kept by NĐ 118/2025, which replaced them [secondary]).
  Decision: "after 15:00" is strict, so 15:00:00 exactly still counts on that day and
  15:00:01 does not.
- A dossier received on a Saturday, Sunday or holiday that is not a working day counts from
  the next working day.
- The reception day is day 0: "N working days from reception" ends on the Nth working day
  AFTER the reception day. Decision, following Civil Code 2015 art. 147 (the first day of a
  period in days is not counted) and common practice of provincial systems [secondary].
- 0 working days ("immediately") is due on the reception day itself.
- After a supplement request, the time counts again from zero once the dossier is complete
  (NĐ 61/2018, kept by NĐ 118/2025 [secondary]): `restart_due_date`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal

import holidays

from common import tz
from common.tz import today

__all__ = ["today"]  # re-exported: deadlines.today() is the working calendar's today

CUTOFF = time(15, 0)  # received after this → counts from the next working day
WORKING_DAYS_PER_YEAR_MIN = 200  # a safe lower bound, to size the cached year range

Timeliness = Literal["truoc_han", "dung_han", "tre_han"]
TIMELINESS_LABELS: dict[str, str] = {
    "truoc_han": "Trước hạn",
    "dung_han": "Đúng hạn",
    "tre_han": "Trễ hạn",
}


@lru_cache(maxsize=64)
def _calendar(first_year: int, last_year: int) -> holidays.HolidayBase:
    """The Vietnamese holiday calendar for a year range, built once and never expanded."""
    return holidays.Vietnam(years=range(first_year, last_year + 1), expand=False)


def _calendar_around(a: date, b: date) -> holidays.HolidayBase:
    """A calendar covering both dates, plus one year either side for substituted days."""
    low, high = min(a, b), max(a, b)
    return _calendar(low.year - 1, high.year + 1)


def _calendar_for_shift(start: date, n: int) -> holidays.HolidayBase:
    """A calendar wide enough to move `n` working days from `start`."""
    span = abs(n) // WORKING_DAYS_PER_YEAR_MIN + 1
    if n >= 0:
        return _calendar(start.year - 1, start.year + span)
    return _calendar(start.year - span, start.year + 1)


def to_local(moment: datetime) -> datetime:
    """Vietnam local time of `moment`; a naive datetime is already local (the wall-clock
    times of the counting rules, e.g. "received at 15:01")."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment
    return tz.local(moment)


def is_working_day(day: date) -> bool:
    """True on a working day: Monday–Friday that is not a holiday, or a weekend workday."""
    return _calendar_around(day, day).is_working_day(day)


def add_working_days(start: date, n: int) -> date:
    """The nth working day after `start` (before it when n < 0); `start` itself when n == 0."""
    if n == 0:
        return start
    return _calendar_for_shift(start, n).get_nth_working_day(start, n)


def working_days_between(a: date, b: date) -> int:
    """Working days in (a, b]; negative (minus those in (b, a]) when b < a; 0 when equal."""
    if a == b:
        return 0
    low, high = min(a, b), max(a, b)
    count = _calendar_around(low, high).get_working_days_count(low + timedelta(days=1), high)
    return count if b > a else -count


def reception_day(received_at: datetime) -> date:
    """Day 0 of the processing clock: the local day received, or the next working day
    when received after 15:00 or on a day that is not a working day."""
    local = to_local(received_at)
    day = local.date()
    if is_working_day(day) and local.time() <= CUTOFF:
        return day
    return _next_working_day(day)


def _next_working_day(day: date) -> date:
    """The first working day strictly after `day`."""
    return add_working_days(day, 1)


def due_date(received_at: datetime, days: int, *, calendar: bool = False) -> date:
    """The appointment date: the Nth working day after the reception day (0 = that day).
    Counted in calendar days (`calendar`, e.g. the LLTP's 10 days), the Nth day after it,
    moved to the next working day when it is a day off (Bộ luật Dân sự 2015, điều 148)."""
    if days < 0:
        raise ValueError("days must be 0 or more")
    start = reception_day(received_at)
    if not calendar:
        return add_working_days(start, days)
    end = start + timedelta(days=days)
    return end if is_working_day(end) else _next_working_day(end)


def restart_due_date(resubmitted_at: datetime, days: int, *, calendar: bool = False) -> date:
    """The new due date after a supplement: the full time counts again from zero,
    from the moment the completed dossier is received back."""
    return due_date(resubmitted_at, days, calendar=calendar)


def is_overdue(due: date, today: date) -> bool:
    """True once the due date has passed (the due day itself is still on time)."""
    return today > due


def is_due_soon(due: date, today: date, within: int = 1) -> bool:
    """True when the due date is at most `within` working days away and not yet passed;
    a dossier due today is due soon."""
    if is_overdue(due, today):
        return False
    return working_days_between(today, due) <= within


def timeliness(returned_on: date, due: date) -> Timeliness:
    """On-time statistic of a returned result: earlier, same day or later than the due date."""
    if returned_on < due:
        return "truoc_han"
    if returned_on == due:
        return "dung_han"
    return "tre_han"
