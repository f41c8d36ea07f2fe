"""Public statistics: timeliness categories, rates over nothing, averages in working days
(across Tết), period and province filters, on SQLite or PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session

from portal.models import Dossier, Office
from portal.models.ratings import Rating
from portal.services import stats
from portal.services.deadlines import timeliness, working_days_between
from portal.services.stats import Counts, StatsFilter, working_day_ordinals
from tests.support.databases import portal_engine

BEN_THANH, SAI_GON, HA_NOI = "79.26743", "79.26740", "01.00004"
FULL = "1.001193"  # a toàn trình procedure in these tests
PARTIAL = "2.000000"


@pytest.fixture
def session(tmp_path):
    with portal_engine(tmp_path) as engine, Session(engine) as session:
        session.add_all(
            [
                Office(
                    code=BEN_THANH, name="UBND Phường Bến Thành", kind="commune", province_code=79
                ),
                Office(code=SAI_GON, name="UBND Phường Sài Gòn", kind="commune", province_code=79),
                Office(code=HA_NOI, name="UBND Phường Ba Đình", kind="commune", province_code=1),
            ]
        )
        session.commit()
        yield session


_serial = iter(range(1, 1_000_000))


def vn(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """A Vietnam local time as the aware UTC datetime the portal stores."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


def add(
    session,
    *,
    office=BEN_THANH,
    procedure=FULL,
    status="returned",
    received=None,
    due=None,
    returned=None,
    decided=None,
    score=None,
) -> Dossier:
    n = next(_serial)
    dossier = Dossier(
        code=f"{office}-S-{n:06d}",
        procedure_code=procedure,
        procedure_version=1,
        applicant_id=f"{n:012d}",
        draft_key=None,
        status=status,
        office_code=office,
        submitted_at=received,
        received_at=received,
        due_date=due,
        original_due_date=due,
        returned_at=returned,
        decided_at=decided,
    )
    session.add(dossier)
    session.flush()
    if score is not None:
        session.add(Rating(dossier_id=dossier.id, score=score, created_at=returned or decided))
    session.commit()
    return dossier


def compute(session, **kw):
    return stats.compute(session, StatsFilter(**kw), {FULL})


DUE = date(2026, 11, 26)  # a Thursday


@pytest.mark.parametrize(
    ("returned", "expected"),
    [
        (vn(date(2026, 11, 25), 16), "before_due"),
        (vn(date(2026, 11, 26), 0, 5), "on_due"),  # 00:05 local is still the 26th (UTC: 25th)
        (vn(date(2026, 11, 26), 23, 59), "on_due"),  # 23:59 local (UTC: 16:59 the same day)
        (vn(date(2026, 11, 27), 6, 30), "after_due"),  # UTC: 23:30 on the 26th
        (vn(date(2026, 12, 1)), "after_due"),
    ],
)
def test_timeliness_categories_use_the_vietnam_local_day(session, returned, expected):
    add(session, received=vn(date(2026, 11, 23)), due=DUE, returned=returned)
    total = compute(session).total
    got = {k: getattr(total, k) for k in ("before_due", "on_due", "after_due")}
    assert got == {k: int(k == expected) for k in got}
    # the same answer as deadlines.timeliness on the local date
    local_day = (returned + timedelta(hours=7)).date()
    assert {"truoc_han": "before_due", "dung_han": "on_due", "tre_han": "after_due"}[
        timeliness(local_day, DUE)
    ] == expected
    assert total.on_time_rate == (0.0 if expected == "after_due" else 1.0)


def test_a_rejection_is_resolved_at_its_decision(session):
    add(
        session,
        status="rejected",
        received=vn(date(2026, 11, 23)),
        due=DUE,
        decided=vn(date(2026, 11, 24)),
    )
    add(
        session,
        status="approved",
        received=vn(date(2026, 11, 23)),
        due=DUE,
        decided=vn(date(2026, 11, 24)),
    )  # approved, not yet returned: not resolved
    total = compute(session).total
    assert (total.received, total.resolved, total.before_due) == (2, 1, 1)


@pytest.mark.parametrize(
    "prop", ["on_time_rate", "full_process_rate", "avg_processing_days", "avg_satisfaction"]
)
def test_rates_over_zero_dossiers_are_none(session, prop):
    report = compute(session)
    assert getattr(report.total, prop) is None
    assert getattr(Counts(), prop) is None
    assert report.provinces == [] and report.offices == []
    assert stats.report_as_dict(report, str)["total"][prop] is None


def test_full_process_rate(session):
    for procedure in (FULL, FULL, FULL, PARTIAL):
        add(session, procedure=procedure, status="received", received=vn(date(2026, 11, 23)))
    add(session, procedure=FULL, status="submitted")  # not received: not counted
    total = compute(session).total
    assert (total.received, total.full_process, total.full_process_rate) == (4, 3, 0.75)
    assert stats.compute(session, StatsFilter(), set()).total.full_process_rate == 0.0


@pytest.mark.parametrize(
    ("received", "returned", "days"),
    [
        (date(2026, 2, 11), date(2026, 2, 25), 5),  # across Tết Bính Ngọ (14–22 Feb 2026)
        (date(2026, 2, 13), date(2026, 2, 23), 1),  # Friday before Tết → first day back
        (date(2026, 11, 23), date(2026, 11, 23), 0),  # the same day
        (date(2026, 11, 20), date(2026, 11, 23), 1),  # Friday → Monday
        (date(2026, 4, 24), date(2026, 5, 4), 3),  # Giỗ Tổ (Sun 26/4, off Mon 27/4), 30/4, 1/5
    ],
)
def test_processing_time_counts_working_days(session, received, returned, days):
    assert working_days_between(received, returned) == days
    add(session, received=vn(received), due=returned, returned=vn(returned, 10))
    assert compute(session).total.avg_processing_days == days


def test_average_processing_time_across_offices_and_provinces(session):
    add(
        session,
        received=vn(date(2026, 2, 11)),
        due=date(2026, 3, 1),
        returned=vn(date(2026, 2, 25)),
    )  # 5
    add(
        session,
        received=vn(date(2026, 2, 12)),
        due=date(2026, 3, 1),
        returned=vn(date(2026, 2, 24)),
    )  # 12 → 13, 23, 24: 3
    add(
        session,
        office=SAI_GON,
        received=vn(date(2026, 12, 7)),
        due=date(2026, 12, 14),
        returned=vn(date(2026, 12, 14)),
    )  # Monday → Monday: 5
    add(
        session,
        office=HA_NOI,
        received=vn(date(2026, 11, 23)),
        due=date(2026, 12, 1),
        returned=vn(date(2026, 11, 25)),
    )  # 24 Nov is Ngày Văn hóa Việt Nam, a day off: 1
    report = compute(session)
    by_office = {o.code: o.counts.avg_processing_days for o in report.offices}
    assert by_office == {BEN_THANH: 4, SAI_GON: 5, HA_NOI: 1}
    by_province = {p.code: p.counts.avg_processing_days for p in report.provinces}
    assert by_province == {79: 13 / 3, 1: 1}
    assert report.total.avg_processing_days == 14 / 4


def test_satisfaction_and_province_filter(session):
    add(session, received=vn(date(2026, 11, 23)), due=DUE, returned=vn(date(2026, 11, 24)), score=5)
    add(
        session,
        office=SAI_GON,
        received=vn(date(2026, 11, 23)),
        due=DUE,
        returned=vn(date(2026, 11, 27)),
        score=2,
    )
    add(
        session,
        office=HA_NOI,
        received=vn(date(2026, 11, 23)),
        due=DUE,
        returned=vn(date(2026, 11, 26)),
        score=1,
    )
    hcm = compute(session, province_code=79)
    assert [p.code for p in hcm.provinces] == [79]
    assert {o.code for o in hcm.offices} == {BEN_THANH, SAI_GON}
    assert (hcm.total.ratings, hcm.total.avg_satisfaction) == (2, 3.5)
    assert (hcm.total.before_due, hcm.total.after_due, hcm.total.on_time_rate) == (1, 1, 0.5)
    everyone = compute(session)
    assert everyone.total.avg_satisfaction == pytest.approx(8 / 3)
    assert [p.code for p in everyone.provinces] == [1, 79]
    assert stats.provinces_with_offices(session) == [1, 79]


def test_period_filter_uses_local_days(session):
    # received 06:30 local on 1 Dec = 23:30 UTC on 30 Nov: belongs to December
    add(session, status="received", received=vn(date(2026, 12, 1), 6, 30))
    add(session, status="received", received=vn(date(2026, 11, 30), 23, 0))
    add(
        session,
        status="returned",
        received=vn(date(2026, 11, 2)),
        due=date(2026, 11, 9),
        returned=vn(date(2026, 12, 2)),
    )  # received in November, resolved in December
    december = compute(session, date_from=date(2026, 12, 1), date_to=date(2026, 12, 31))
    assert (december.total.received, december.total.resolved, december.total.after_due) == (1, 1, 1)
    november = compute(session, date_from=date(2026, 11, 1), date_to=date(2026, 11, 30))
    assert (november.total.received, november.total.resolved) == (2, 0)
    assert compute(session, date_to=date(2026, 11, 29)).total.received == 1


def test_working_day_ordinals_match_working_days_between():
    days = [date(2026, 2, 11), date(2026, 2, 25), date(2026, 2, 14), date(2026, 5, 4)]
    w = working_day_ordinals(days)
    for a in days:
        for b in days:
            assert w[b] - w[a] == working_days_between(a, b)
    assert working_day_ordinals([]) == {}


def test_processing_time_outside_the_default_calendar_years(session, monkeypatch):
    # The SQL calendar covers the last two years to the next one; older (or later) days
    # widen it and the pass runs again, with the same exact answer.
    monkeypatch.setattr(stats, "_years_reached", set())
    received, returned = date(2015, 2, 13), date(2015, 2, 26)  # Tết Ất Mùi: 16–20 Feb 2015
    add(session, received=vn(received), due=returned, returned=vn(returned, 10))
    add(session, office=HA_NOI, received=vn(date(2026, 11, 23)), returned=vn(date(2031, 1, 6)))
    by_office = {o.code: o.counts for o in compute(session).offices}
    assert by_office[BEN_THANH].avg_processing_days == working_days_between(received, returned)
    assert by_office[HA_NOI].avg_processing_days == working_days_between(
        date(2026, 11, 23), date(2031, 1, 6)
    )
    assert by_office[BEN_THANH].before_due == 0 and by_office[BEN_THANH].on_due == 1
    assert {2015, 2031} <= stats._years_reached
