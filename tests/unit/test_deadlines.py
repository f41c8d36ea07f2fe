"""Working days in Vietnam: reception day, due dates, overdue checks, statistics.

Holidays as `holidays.Vietnam` lists them: Tết 2026 = Mon 16 – Fri 20 Feb; Tết 2027 = Thu 4 –
Wed 10 Feb; 27 Apr 2026 (Hùng Kings, observed); 30 Apr – 1 May; 3 May 2027 (1 May observed);
Mon 31 Aug 2026 off in exchange for Saturday 22 Aug 2026 worked; 1–2 Sep 2026; 24 Nov
(Vietnam Cultural Day) from 2026 on, not in 2025.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from portal.services import deadlines as dl

TOKYO = timezone(timedelta(hours=9))


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0, ss: int = 0, tz=None) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=tz)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 13), True),  # Friday before Tết
        (date(2026, 2, 16), False),  # Tết 2026
        (date(2026, 2, 20), False),
        (date(2026, 2, 23), True),  # first working day after Tết
        (date(2027, 2, 3), True),
        (date(2027, 2, 4), False),  # Tết 2027
        (date(2027, 2, 10), False),
        (date(2027, 2, 11), True),
        (date(2026, 4, 27), False),  # Hùng Kings 2026 (Sunday), observed Monday
        (date(2026, 4, 30), False),
        (date(2026, 5, 1), False),
        (date(2027, 4, 30), False),
        (date(2027, 5, 3), False),  # 1 May 2027 is a Saturday, observed Monday
        (date(2027, 5, 4), True),
        (date(2026, 8, 22), True),  # Saturday worked in exchange for 31 Aug
        (date(2026, 8, 23), False),  # the Sunday after is still a weekend
        (date(2026, 8, 29), False),  # an ordinary Saturday
        (date(2026, 8, 31), False),  # substituted day off
        (date(2026, 9, 1), False),
        (date(2026, 9, 2), False),
        (date(2026, 9, 3), True),
        (date(2025, 11, 24), True),  # Vietnam Cultural Day is not a holiday in 2025
        (date(2026, 11, 24), False),  # … and is one from 2026
        (date(2027, 11, 24), False),
        (date(2026, 3, 7), False),  # Saturday
        (date(2026, 3, 8), False),  # Sunday
        (date(2026, 3, 9), True),
        (date(2027, 1, 1), False),
    ],
)
def test_is_working_day(day, working):
    assert dl.is_working_day(day) is working


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (at(2026, 3, 10, 14, 59), date(2026, 3, 10)),
        (at(2026, 3, 10, 15, 0), date(2026, 3, 10)),  # "after 15:00" is strict
        (at(2026, 3, 10, 15, 0, 1), date(2026, 3, 11)),
        (at(2026, 3, 10, 15, 1), date(2026, 3, 11)),
        (at(2026, 3, 10, 0, 0), date(2026, 3, 10)),
        (at(2026, 3, 6, 16, 30), date(2026, 3, 9)),  # Friday evening → Monday
        (at(2026, 3, 7, 9, 0), date(2026, 3, 9)),  # Saturday
        (at(2026, 3, 8, 16, 0), date(2026, 3, 9)),  # Sunday after 15:00: still Monday
        (at(2026, 2, 17, 9, 0), date(2026, 2, 23)),  # during Tết
        (at(2026, 2, 13, 15, 30), date(2026, 2, 23)),  # Friday before Tết, late
        (at(2026, 8, 22, 9, 0), date(2026, 8, 22)),  # working Saturday
        (at(2026, 8, 22, 15, 30), date(2026, 8, 24)),
        (at(2026, 8, 21, 15, 30), date(2026, 8, 22)),  # Friday late → working Saturday
        (at(2026, 8, 29, 9, 0), date(2026, 9, 3)),  # Saturday before 31 Aug – 2 Sep
        (at(2026, 8, 31, 9, 0), date(2026, 9, 3)),  # substituted day off
        (at(2026, 11, 24, 9, 0), date(2026, 11, 25)),  # Vietnam Cultural Day
        (at(2026, 12, 31, 15, 30), date(2027, 1, 4)),  # year boundary
        (at(2027, 4, 29, 15, 1), date(2027, 5, 4)),
    ],
)
def test_reception_day(received, expected):
    assert dl.reception_day(received) == expected


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (at(2026, 3, 10, 7, 59, tz=UTC), date(2026, 3, 10)),  # 14:59 in Hà Nội
        (at(2026, 3, 10, 8, 0, tz=UTC), date(2026, 3, 10)),  # 15:00
        (at(2026, 3, 10, 8, 1, tz=UTC), date(2026, 3, 11)),  # 15:01
        (at(2026, 3, 9, 20, 0, tz=UTC), date(2026, 3, 10)),  # already 03:00 on the 10th
        (at(2026, 3, 6, 18, 0, tz=UTC), date(2026, 3, 9)),  # 01:00 on Saturday
        (at(2026, 2, 13, 8, 30, tz=UTC), date(2026, 2, 23)),  # 15:30, before Tết
        (at(2026, 12, 31, 17, 30, tz=UTC), date(2027, 1, 4)),  # 00:30 on 1 Jan 2027
        (at(2026, 3, 10, 16, 30, tz=TOKYO), date(2026, 3, 10)),  # 14:30 in Hà Nội
    ],
)
def test_reception_day_converts_aware_times(received, expected):
    assert dl.reception_day(received) == expected


def test_to_local_keeps_naive_and_converts_aware():
    naive = at(2026, 3, 10, 14, 0)
    assert dl.to_local(naive) is naive
    local = dl.to_local(at(2026, 3, 10, 7, 0, tz=UTC))
    assert (local.hour, local.utcoffset()) == (14, timedelta(hours=7))


@pytest.mark.parametrize(
    ("received", "working_days", "expected"),
    [
        # ordinary weeks
        (at(2026, 3, 9), 1, date(2026, 3, 10)),
        (at(2026, 3, 9), 10, date(2026, 3, 23)),
        (at(2026, 3, 6), 1, date(2026, 3, 9)),  # Friday → Monday
        (at(2026, 3, 10, 14, 59), 1, date(2026, 3, 11)),
        (at(2026, 3, 10, 15, 0), 1, date(2026, 3, 11)),
        (at(2026, 3, 10, 15, 1), 1, date(2026, 3, 12)),
        # 0 working days: the reception day itself
        (at(2026, 3, 10, 9), 0, date(2026, 3, 10)),
        (at(2026, 3, 10, 15, 1), 0, date(2026, 3, 11)),
        (at(2026, 3, 7), 0, date(2026, 3, 9)),  # Saturday
        (at(2026, 2, 17), 0, date(2026, 2, 23)),  # Tết
        # Tết 2026
        (at(2026, 2, 13), 1, date(2026, 2, 23)),
        (at(2026, 2, 12), 3, date(2026, 2, 24)),
        (at(2026, 2, 14), 5, date(2026, 3, 2)),  # Saturday before Tết
        (at(2026, 2, 13, 16, 0), 0, date(2026, 2, 23)),
        # Tết 2027
        (at(2027, 2, 3), 1, date(2027, 2, 11)),
        (at(2027, 2, 3, 15, 30), 2, date(2027, 2, 15)),
        # 30/4 – 1/5
        (at(2026, 4, 24), 1, date(2026, 4, 28)),  # 27 Apr observed Hùng Kings
        (at(2026, 4, 29), 1, date(2026, 5, 4)),
        (at(2027, 4, 29), 1, date(2027, 5, 4)),  # 3 May 2027 observed
        (at(2027, 4, 29, 15, 1), 0, date(2027, 5, 4)),
        # 2/9 2026 and the Saturday swap
        (at(2026, 8, 21), 1, date(2026, 8, 22)),
        (at(2026, 8, 21, 15, 30), 0, date(2026, 8, 22)),
        (at(2026, 8, 22), 0, date(2026, 8, 22)),
        (at(2026, 8, 22, 15, 30), 1, date(2026, 8, 25)),
        (at(2026, 8, 28), 1, date(2026, 9, 3)),
        (at(2026, 8, 20), 3, date(2026, 8, 24)),  # Fri 21, Sat 22, Mon 24
        # Vietnam Cultural Day
        (at(2026, 11, 23), 1, date(2026, 11, 25)),
        (at(2025, 11, 21), 1, date(2025, 11, 24)),  # 2025: 24 Nov is an ordinary Monday
        # year boundary
        (at(2025, 12, 31), 1, date(2026, 1, 2)),
        (at(2026, 12, 31), 1, date(2027, 1, 4)),
        (at(2026, 12, 31, 15, 30), 0, date(2027, 1, 4)),
        (at(2026, 12, 24), 6, date(2027, 1, 4)),  # 25, 28, 29, 30, 31, then 4 Jan
        # from UTC
        (at(2026, 3, 10, 8, 1, tz=UTC), 1, date(2026, 3, 12)),
        (at(2026, 2, 13, 2, 0, tz=UTC), 1, date(2026, 2, 23)),
    ],
)
def test_due_date(received, working_days, expected):
    assert dl.due_date(received, working_days) == expected


def test_due_date_refuses_negative_time():
    with pytest.raises(ValueError):
        dl.due_date(at(2026, 3, 10), -1)


def test_restart_counts_the_full_time_again_from_resubmission():
    first_due = dl.due_date(at(2026, 3, 2), 5)
    assert first_due == date(2026, 3, 9)
    # returned for supplement, completed on Friday 6 Mar after 15:00: 5 days from Monday 9
    assert dl.restart_due_date(at(2026, 3, 6, 16, 0), 5) == date(2026, 3, 16)
    assert dl.restart_due_date(at(2026, 2, 12, 9, 0), 3) == dl.due_date(at(2026, 2, 12, 9), 3)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 3, 9), 0, date(2026, 3, 9)),
        (date(2026, 3, 7), 0, date(2026, 3, 7)),  # adding nothing moves nothing
        (date(2026, 3, 7), 1, date(2026, 3, 9)),
        (date(2026, 3, 9), 5, date(2026, 3, 16)),
        (date(2026, 2, 13), 1, date(2026, 2, 23)),
        (date(2026, 2, 23), -1, date(2026, 2, 13)),
        (date(2026, 9, 3), -1, date(2026, 8, 28)),
        (date(2026, 8, 24), -1, date(2026, 8, 22)),  # the working Saturday
        (date(2027, 1, 4), -1, date(2026, 12, 31)),
        (date(2026, 1, 2), 249, date(2027, 1, 4)),  # a whole year of working days
        (date(2027, 1, 4), -249, date(2026, 1, 2)),
    ],
)
def test_add_working_days(start, n, expected):
    assert dl.add_working_days(start, n) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (date(2026, 3, 9), date(2026, 3, 9), 0),
        (date(2026, 3, 9), date(2026, 3, 10), 1),
        (date(2026, 3, 9), date(2026, 3, 16), 5),
        (date(2026, 3, 7), date(2026, 3, 8), 0),  # a weekend
        (date(2026, 3, 6), date(2026, 3, 8), 0),
        (date(2026, 3, 6), date(2026, 3, 9), 1),
        (date(2026, 2, 13), date(2026, 2, 23), 1),  # over Tết
        (date(2026, 8, 21), date(2026, 9, 3), 7),  # Sat 22 counts, 31 Aug – 2 Sep do not
        (date(2026, 12, 31), date(2027, 1, 4), 1),
        (date(2025, 12, 31), date(2026, 12, 31), 249),  # working days in 2026
    ],
)
def test_working_days_between_is_antisymmetric(a, b, expected):
    assert dl.working_days_between(a, b) == expected
    assert dl.working_days_between(b, a) == -expected


@pytest.mark.parametrize("start", [date(2026, 2, 12), date(2026, 8, 21), date(2026, 12, 30)])
@pytest.mark.parametrize("n", [1, 2, 5, 10, 30])
def test_add_then_count_round_trips_from_a_working_day(start, n):
    assert dl.working_days_between(start, dl.add_working_days(start, n)) == n
    assert dl.working_days_between(dl.add_working_days(start, -n), start) == n


@pytest.mark.parametrize(
    ("due", "today", "within", "soon", "overdue"),
    [
        (date(2026, 3, 11), date(2026, 3, 11), 1, True, False),  # due today
        (date(2026, 3, 11), date(2026, 3, 10), 1, True, False),
        (date(2026, 3, 12), date(2026, 3, 10), 1, False, False),
        (date(2026, 3, 12), date(2026, 3, 10), 2, True, False),
        (date(2026, 3, 11), date(2026, 3, 12), 1, False, True),
        (date(2026, 3, 11), date(2026, 3, 11), 0, True, False),
        (date(2026, 3, 12), date(2026, 3, 11), 0, False, False),
        (date(2026, 2, 23), date(2026, 2, 13), 1, True, False),  # Tết is no working time
        (date(2026, 3, 9), date(2026, 3, 7), 1, True, False),  # Saturday, due Monday
        (date(2026, 3, 20), date(2026, 3, 9), 1, False, False),
    ],
)
def test_due_soon_and_overdue(due, today, within, soon, overdue):
    assert dl.is_due_soon(due, today, within) is soon
    assert dl.is_overdue(due, today) is overdue


@pytest.mark.parametrize(
    ("returned", "due", "code", "label"),
    [
        (date(2026, 3, 10), date(2026, 3, 11), "truoc_han", "Trước hạn"),
        (date(2026, 3, 11), date(2026, 3, 11), "dung_han", "Đúng hạn"),
        (date(2026, 3, 12), date(2026, 3, 11), "tre_han", "Trễ hạn"),
        (date(2027, 1, 2), date(2026, 12, 31), "tre_han", "Trễ hạn"),
    ],
)
def test_timeliness(returned, due, code, label):
    assert dl.timeliness(returned, due) == code
    assert dl.TIMELINESS_LABELS[code] == label


def test_calendar_is_cached_per_year_range():
    assert dl._calendar(2025, 2027) is dl._calendar(2025, 2027)
    assert dl._calendar(2025, 2027) is not dl._calendar(2026, 2028)
