"""Public statistics (thống kê): per office and per province, how many dossiers were
received, how many results came before / on / after the appointment date, the share of
full-process online dossiers, the average processing time in working days and the average
satisfaction score.

Plain functions over a session; every count is a SQL GROUP BY per office (a few thousand rows
at most), and provinces are rolled up from the office rows in Python.

Definitions (decisions are marked):

- Times are stored as UTC without a zone; a day is a Vietnam local day (UTC+7, no daylight
  saving), so the local date of a timestamp is the date of `timestamp + 7 hours`.
- Received: `received_at` within the period. Full-process rate: the share of those whose
  procedure's service level is "toan_trinh" (the codes are passed in, taken from the
  catalogue).
- Resolved: status "returned" or "rejected", resolved at `returned_at`, else `decided_at`
  (a rejection's answer is its result), within the period. Decision: resolved dossiers are
  counted in the period they were resolved in, not the one they were received in.
- Timeliness: local resolution date before / equal to / after `due_date`
  (`deadlines.timeliness`, done in SQL); the on-time rate is (before + on) / all three.
  A resolved dossier without a due date is left out of timeliness.
- Processing time: `deadlines.working_days_between(local received date, local resolution
  date)`, averaged. Computed exactly without a row per dossier: with W(d) the working-day
  ordinal of d, the sum over dossiers is Σ W(resolved) − Σ W(received), and both sums come
  from counts grouped by (office, local date).
- Satisfaction: ratings given (`Rating.created_at`) within the period, by the dossier's office.
- A rate or average over zero dossiers is None ("no data"), never a division by zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Date, case, cast, func, literal, select
from sqlalchemy.orm import Session

from portal.models import Dossier, Office
from portal.models.ratings import Rating
from portal.services.deadlines import is_working_day

VN_OFFSET = timedelta(hours=7)  # no daylight saving since 1975
VN_ZONE_NAME = "Asia/Ho_Chi_Minh"
RESOLVED_STATUSES = ("returned", "rejected")


@dataclass(frozen=True)
class StatsFilter:
    province_code: int | None = None
    date_from: date | None = None  # Vietnam local dates, both inclusive
    date_to: date | None = None


@dataclass
class Counts:
    """Additive numbers of one office or one province; rates and averages derive from them."""

    received: int = 0
    full_process: int = 0
    resolved: int = 0
    before_due: int = 0
    on_due: int = 0
    after_due: int = 0
    processing_days_total: int = 0
    processing_counted: int = 0
    rating_total: int = 0
    ratings: int = 0

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def timed(self) -> int:
        return self.before_due + self.on_due + self.after_due

    @property
    def on_time_rate(self) -> float | None:
        return ratio(self.before_due + self.on_due, self.timed)

    @property
    def full_process_rate(self) -> float | None:
        return ratio(self.full_process, self.received)

    @property
    def avg_processing_days(self) -> float | None:
        return ratio(self.processing_days_total, self.processing_counted)

    @property
    def avg_satisfaction(self) -> float | None:
        return ratio(self.rating_total, self.ratings)

    def as_dict(self) -> dict:
        return {
            "received": self.received,
            "full_process": self.full_process,
            "full_process_rate": _round(self.full_process_rate, 4),
            "resolved": self.resolved,
            "before_due": self.before_due,
            "on_due": self.on_due,
            "after_due": self.after_due,
            "on_time_rate": _round(self.on_time_rate, 4),
            "avg_processing_days": _round(self.avg_processing_days, 2),
            "ratings": self.ratings,
            "avg_satisfaction": _round(self.avg_satisfaction, 2),
        }


@dataclass
class OfficeStats:
    code: str
    name: str
    province_code: int
    counts: Counts = field(default_factory=Counts)


@dataclass
class ProvinceStats:
    code: int
    counts: Counts = field(default_factory=Counts)


@dataclass
class StatsReport:
    filter: StatsFilter
    total: Counts
    provinces: list[ProvinceStats]
    offices: list[OfficeStats]


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


# --- SQL helpers -------------------------------------------------------------------------


def local_date(column, dialect: str):
    """The Vietnam local date of a timestamp column, as a SQL expression. SQLite holds UTC
    without an offset; PostgreSQL a timestamptz, converted whatever the session time zone."""
    if dialect == "sqlite":
        return func.date(column, "+7 hours", type_=Date)
    return cast(func.timezone(VN_ZONE_NAME, column), Date)


def utc_bounds(f: StatsFilter) -> tuple[datetime | None, datetime | None]:
    """[start, end) as aware UTC datetimes covering the local days date_from … date_to."""

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=UTC) - VN_OFFSET

    start = midnight(f.date_from) if f.date_from else None
    end = midnight(f.date_to + timedelta(days=1)) if f.date_to else None
    return start, end


def _in_period(column, f: StatsFilter) -> list:
    start, end = utc_bounds(f)
    conditions = [column.is_not(None)]
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    return conditions


def _office_scope(f: StatsFilter) -> list:
    if f.province_code is None:
        return [Dossier.office_code.is_not(None)]
    offices = select(Office.code).where(Office.province_code == f.province_code)
    return [Dossier.office_code.in_(offices)]


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def working_day_ordinals(days: Iterable[date]) -> dict[date, int]:
    """W(d) for each day, so that working_days_between(a, b) == W(b) - W(a)."""
    wanted = sorted(set(days))
    if not wanted:
        return {}
    ordinals: dict[date, int] = {}
    count, day = 0, wanted[0]
    targets = iter(wanted)
    target = next(targets)
    while True:
        if day != wanted[0] and is_working_day(day):
            count += 1
        if day == target:
            ordinals[day] = count
            target = next(targets, None)
            if target is None:
                return ordinals
        day += timedelta(days=1)


# --- the report --------------------------------------------------------------------------


def compute(session: Session, f: StatsFilter, full_process_codes: Iterable[str]) -> StatsReport:
    dialect = session.get_bind().dialect.name
    codes = sorted(set(full_process_codes))
    per_office: dict[str, Counts] = {}

    def counts(code: str) -> Counts:
        return per_office.setdefault(code, Counts())

    # Received and full-process online.
    full = case((Dossier.procedure_code.in_(codes), 1), else_=0) if codes else literal(0)
    rows = session.execute(
        select(Dossier.office_code, func.count(), func.sum(full))
        .where(*_in_period(Dossier.received_at, f), *_office_scope(f))
        .group_by(Dossier.office_code)
    )
    for office, received, full_process in rows:
        c = counts(office)
        c.received, c.full_process = received, int(full_process or 0)

    # Resolved and timeliness.
    resolved_at = func.coalesce(Dossier.returned_at, Dossier.decided_at)
    resolved_on = local_date(resolved_at, dialect)
    resolved_scope = [
        Dossier.status.in_(RESOLVED_STATUSES),
        *_in_period(resolved_at, f),
        *_office_scope(f),
    ]

    def when(condition):
        return func.sum(case((condition, 1), else_=0))

    rows = session.execute(
        select(
            Dossier.office_code,
            func.count(),
            when(resolved_on < Dossier.due_date),
            when(resolved_on == Dossier.due_date),
            when(resolved_on > Dossier.due_date),
        )
        .where(*resolved_scope)
        .group_by(Dossier.office_code)
    )
    for office, resolved, before, on, after in rows:
        c = counts(office)
        c.resolved, c.before_due, c.on_due, c.after_due = (
            resolved,
            int(before or 0),
            int(on or 0),
            int(after or 0),
        )

    # Processing time: Σ W(resolved day) − Σ W(received day), per office.
    timed_scope = [*resolved_scope, Dossier.received_at.is_not(None)]
    grouped: dict[str, list[tuple[date, int, int]]] = {}
    for column, sign in ((resolved_on, 1), (local_date(Dossier.received_at, dialect), -1)):
        day = column.label("day")
        rows = session.execute(
            select(Dossier.office_code, day, func.count())
            .where(*timed_scope)
            .group_by(Dossier.office_code, day)
        )
        for office, value, n in rows:
            grouped.setdefault(office, []).append((_as_date(value), n, sign))
    ordinals = working_day_ordinals(d for items in grouped.values() for d, _, _ in items)
    for office, items in grouped.items():
        c = counts(office)
        c.processing_days_total = sum(sign * n * ordinals[d] for d, n, sign in items)
        c.processing_counted = sum(n for _, n, sign in items if sign > 0)

    # Satisfaction.
    rows = session.execute(
        select(Dossier.office_code, func.count(), func.sum(Rating.score))
        .join(Dossier, Dossier.id == Rating.dossier_id)
        .where(*_in_period(Rating.created_at, f), *_office_scope(f))
        .group_by(Dossier.office_code)
    )
    for office, n, total in rows:
        c = counts(office)
        c.ratings, c.rating_total = n, int(total or 0)

    return _assemble(session, f, per_office)


def _assemble(session: Session, f: StatsFilter, per_office: dict[str, Counts]) -> StatsReport:
    known = (
        {
            o.code: o
            for o in session.scalars(select(Office).where(Office.code.in_(list(per_office))))
        }
        if per_office
        else {}
    )
    offices: list[OfficeStats] = []
    provinces: dict[int, ProvinceStats] = {}
    total = Counts()
    for code, c in per_office.items():
        office = known.get(code)
        if office is None:  # a dossier routed to an office no longer listed: total only
            total.add(c)
            continue
        offices.append(OfficeStats(code, office.name, office.province_code, c))
        province = provinces.setdefault(office.province_code, ProvinceStats(office.province_code))
        province.counts.add(c)
        total.add(c)
    offices.sort(key=lambda o: (o.province_code, -o.counts.received, o.name))
    return StatsReport(
        filter=f,
        total=total,
        provinces=sorted(provinces.values(), key=lambda p: p.code),
        offices=offices,
    )


def provinces_with_offices(session: Session) -> list[int]:
    return list(
        session.scalars(select(Office.province_code).distinct().order_by(Office.province_code))
    )


def report_as_dict(report: StatsReport, province_name) -> dict:
    f = report.filter
    return {
        "filter": {
            "tinh": f.province_code,
            "tu_ngay": f.date_from.isoformat() if f.date_from else None,
            "den_ngay": f.date_to.isoformat() if f.date_to else None,
        },
        "total": report.total.as_dict(),
        "provinces": [
            {"code": p.code, "name": province_name(p.code), **p.counts.as_dict()}
            for p in report.provinces
        ],
        "offices": [
            {
                "code": o.code,
                "name": o.name,
                "province_code": o.province_code,
                **o.counts.as_dict(),
            }
            for o in report.offices
        ],
    }
