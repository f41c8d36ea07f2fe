"""Public statistics (thống kê): per office and per province, how many dossiers were
received, how many results came before / on / after the appointment date, the share of
full-process online dossiers, the average processing time in working days and the average
satisfaction score.

Plain functions over a session; every count is a SQL GROUP BY per office (a few thousand rows
at most), and provinces are rolled up from the office rows in Python. At national scale
(a million dossiers) the counts take one pass over the covering index `ix_dossier_stats`,
in office order, plus one over the ratings (see `_dossier_counts`, `_rating_counts`).

Definitions (decisions are marked):

- Times are stored as UTC without a zone; a day is a Vietnam local day (UTC+7, no daylight
  saving), so the local date of a timestamp is the date of `timestamp + 7 hours`.
- Received: `received_at` within the period. Full-process rate: the share of those whose
  procedure's service level is "toan_trinh" (the codes are passed in, taken from the
  catalogue).
- Resolved: status "returned" or "rejected", resolved at `returned_at`, else `decided_at`
  (a rejection's answer is its result), within the period. Decision: resolved dossiers are
  counted in the period they were resolved in, not the one they were received in.
- Timeliness: local resolution date before / equal to / after `original_due_date` (the
  appointment given at reception: an apology's new date does not make a late dossier on time)
  (`deadlines.timeliness`, done in SQL); the on-time rate is (before + on) / all three.
  A resolved dossier without a due date is left out of timeliness.
- Processing time: `deadlines.working_days_between(local received date, local resolution
  date)`, averaged. Computed exactly without a row per dossier: with W(d) the working-day
  ordinal of d, the sum over dossiers is Σ W(resolved) − Σ W(received), summed per office
  in SQL by joining both local days to a calendar table of W (`_calendar`).
- Satisfaction: ratings given (`Rating.created_at`) within the period, by the dossier's office.
- A rate or average over zero dossiers is None ("no data"), never a division by zero.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from sqlalchemy import (
    JSON,
    Date,
    Integer,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session
from sqlmodel import col

from common import tz
from portal.models import Dossier, DossierEvent, Office
from portal.models.payments import Payment, PaymentStatus
from portal.models.ratings import Rating
from portal.models.results import ResultDocument
from portal.models.reuse import ReusedDocument
from portal.services.deadlines import is_working_day, today
from portal.services.ratings import satisfaction_share
from procedures.service_index import ServiceIndex

RESOLVED_STATUSES = ("returned", "rejected")
COUNTED_IN_SQL = ("received", "full_process", "resolved", "before_due", "on_due", "after_due",
                  "processing_days_total", "processing_counted")  # fmt: skip


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
    return cast(func.timezone(tz.ZONE_NAME, column), Date)


def utc_bounds(f: StatsFilter) -> tuple[datetime | None, datetime | None]:
    """[start, end) as aware UTC datetimes covering the local days date_from … date_to."""

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=UTC) - tz.OFFSET

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
        return [col(Dossier.office_code).is_not(None)]
    return [col(Dossier.office_code).in_(select(col(Office.code)).where(*_province(f)))]


def _province(f: StatsFilter) -> list:
    return [Office.province_code == f.province_code]


def working_day_ordinals(days: Iterable[date]) -> dict[date, int]:
    """W(d) for each day, so that working_days_between(a, b) == W(b) - W(a)."""
    wanted = sorted(set(days))
    if not wanted:
        return {}
    ordinals: dict[date, int] = {}
    count, day = 0, wanted[0]
    targets = iter(wanted)
    target: date | None = next(targets)
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
    per_office: dict[str, Counts] = {}
    _dossier_counts(session, f, sorted(set(full_process_codes)), per_office)
    _rating_counts(session, f, per_office)
    return _assemble(session, f, per_office)


def _dossier_counts(
    session: Session, f: StatsFilter, codes: list[str], per_office: dict[str, Counts]
) -> None:
    """Received, full-process, resolved, timeliness and processing time of every office, in
    one pass over the dossiers in scope (received or resolved in the period).

    Each resolved dossier's local resolution day, and each timed one's reception day, is
    joined to a calendar of working-day ordinals (`_calendar`): its day gives the
    timeliness and W(resolved) − W(received) the processing time, summed in SQL. The
    calendar spans whole years; when a dossier falls outside it, the pass runs again over
    the years it reaches (remembered for the next reports)."""
    dialect = session.get_bind().dialect.name
    received = and_(*_in_period(Dossier.received_at, f))
    resolved_at = func.coalesce(Dossier.returned_at, Dossier.decided_at)
    resolved = and_(col(Dossier.status).in_(RESOLVED_STATUSES), *_in_period(resolved_at, f))
    timed = and_(resolved, col(Dossier.received_at).is_not(None))
    full = and_(received, col(Dossier.procedure_code).in_(codes)) if codes else false()

    def office_rows() -> Sequence[Row[Any]]:
        calendar = _calendar(dialect, *_calendar_years())
        done, start = calendar.alias("done"), calendar.alias("start")  # resolution, reception
        query = (
            select(
                col(Dossier.office_code).label("office"),
                _count(received).label("received"),
                _count(full).label("full_process"),
                _count(resolved).label("resolved"),
                _count(done.c.day < Dossier.original_due_date).label("before_due"),
                _count(done.c.day == Dossier.original_due_date).label("on_due"),
                _count(done.c.day > Dossier.original_due_date).label("after_due"),
                func.sum(done.c.w - start.c.w).label("processing_days_total"),
                _count(timed).label("processing_counted"),
                func.count(done.c.day).label("resolved_inside"),  # the calendar
                func.count(start.c.day).label("timed_inside"),
            )
            .outerjoin(done, and_(resolved, done.c.day == local_date(resolved_at, dialect)))
            .outerjoin(
                start,
                and_(
                    done.c.day.is_not(None),
                    start.c.day == local_date(Dossier.received_at, dialect),
                ),
            )
            .where(*_office_scope(f), or_(received, resolved))
            .group_by(Dossier.office_code)
        )
        return session.execute(query).all()

    rows = office_rows()
    if any(r.resolved_inside < r.resolved or r.timed_inside < r.processing_counted for r in rows):
        first_and_last = select(
            func.min(case((resolved, resolved_at))),
            func.max(case((resolved, resolved_at))),
            func.min(case((timed, Dossier.received_at))),
            func.max(case((timed, Dossier.received_at))),
        ).where(*_office_scope(f), resolved)
        moments = [m for m in session.execute(first_and_last).one() if m is not None]
        _widen_calendar(min(moments), max(moments))
        rows = office_rows()
    for row in rows:
        c = per_office.setdefault(row.office, Counts())
        for name in COUNTED_IN_SQL:
            setattr(c, name, int(getattr(row, name) or 0))


def _count(condition):
    return func.sum(case((condition, 1), else_=0))


_years_reached: set[int] = set()  # local years of dossiers outside the default span


def _calendar_years() -> tuple[int, int]:
    """The years the calendar covers: the last two, this one and the next, and any year a
    resolved dossier has reached in this process."""
    year = today().year
    years = {year - 2, year + 1, *_years_reached}
    return min(years), max(years)


def _widen_calendar(first, last) -> None:
    """Cover the local days of the earliest reception and the latest resolution."""
    _years_reached.update((_local_year(first), _local_year(last)))


def _local_year(moment) -> int:
    if isinstance(moment, str):  # as SQLite may hand back an aggregate of timestamps
        moment = datetime.fromisoformat(moment)
    return tz.local(moment).year


def _calendar(dialect: str, first_year: int, last_year: int):
    """A table (day, w) of the working-day ordinal W of every day of the years, for SQL to
    join on, from a JSON object passed as one parameter (json_each on SQLite, json_each_text
    on PostgreSQL). A CTE joined twice: SQLite materialises it once, with an automatic
    index on day; PostgreSQL hashes it."""
    document = _calendar_json(first_year, last_year)
    if dialect == "sqlite":
        rows = func.json_each(document).table_valued("key", "value")
        return select(rows.c.key.label("day"), rows.c.value.label("w")).cte("calendar")
    rows = func.json_each_text(cast(literal(document), JSON)).table_valued("key", "value")
    day, w = cast(rows.c.key, Date), cast(rows.c.value, Integer)
    return select(day.label("day"), w.label("w")).cte("calendar")


@lru_cache(maxsize=8)
def _calendar_json(first_year: int, last_year: int) -> str:
    first, last = date(first_year, 1, 1), date(last_year, 12, 31)
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return json.dumps({day.isoformat(): w for day, w in working_day_ordinals(days).items()})


def _rating_counts(session: Session, f: StatsFilter, per_office: dict[str, Counts]) -> None:
    """Satisfaction: ratings given in the period, by the dossier's office. The ratings are
    read first and each one's office looked up by the dossier's id (a join lets SQLite
    start from an office index instead, probing the ratings once for every dossier); the
    province filter applies to the grouped offices."""
    office = select(col(Dossier.office_code)).where(col(Dossier.id) == Rating.dossier_id)
    rows = session.execute(
        select(office.scalar_subquery().label("office"), func.count(), func.sum(Rating.score))
        .where(*_in_period(Rating.created_at, f))
        .group_by("office")
    )
    wanted = None
    if f.province_code is not None:
        wanted = set(session.scalars(select(col(Office.code)).where(*_province(f))))
    for code, n, total in rows:
        if code is not None and (wanted is None or code in wanted):
            c = per_office.setdefault(code, Counts())
            c.ratings, c.rating_total = n, int(total or 0)


def _assemble(session: Session, f: StatsFilter, per_office: dict[str, Counts]) -> StatsReport:
    # every office as plain rows: a few thousand, cheaper than ORM objects or a long IN list
    known = {}
    if per_office:
        known = {
            code: (name, province)
            for code, name, province in session.execute(
                select(col(Office.code), col(Office.name), col(Office.province_code))
            )
        }
    offices: list[OfficeStats] = []
    provinces: dict[int, ProvinceStats] = {}
    total = Counts()
    for code, c in per_office.items():
        office = known.get(code)
        if office is None:  # a dossier routed to an office no longer listed: total only
            total.add(c)
            continue
        name, province_code = office
        offices.append(OfficeStats(code, name, province_code, c))
        province = provinces.setdefault(province_code, ProvinceStats(province_code))
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
        session.scalars(
            select(col(Office.province_code)).distinct().order_by(col(Office.province_code))
        )
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


# --- the national service index (QĐ 766/QĐ-TTg) ----------------------------------------------
#
# The groups, their points and the indicators are data (procedures/service_index.toml); each
# indicator's measure is a share from 0 to 1 of additive counts per office, rolled up to the
# province, the body (the office's kind) and the country like the counts above:
#
# - procedures_complete: the catalogue's procedures of the office's body whose facts are all
#   known (none marked "unverified"), over the body's procedures (`procedures_by_body`, from
#   the catalogue); a province adds its offices' (procedure × office pairs).
# - dossiers_tracked: received in the period with a code and a reception step on their
#   timeline, over received.
# - on_time: (before + on the original due date) / resolved with a due date (as above).
# - online_end_to_end: received of a toàn trình procedure / received (as above).
# - paid_online: received with a fee above 0 đồng and a payment the gateway confirmed (paid,
#   or refunded after), over received with a fee above 0.
# - satisfaction: the mean over the ratings given in the period of ratings.satisfaction_share
#   (the answers' points over their maximum; an old score-only rating is (score − 1) / 4);
#   read row by row, one small row per rating.
# - results_electronic: returned in the period with a signed result document, over returned.
# - documents_reused: received reusing a document of the citizen's data store, over received.
#
# A group's points: its points × Σ(indicator points × share) / Σ(indicator points), over the
# indicators with data; None when none has. The total, out of 100: 100 × Σ group points /
# Σ the points of the groups with data (a body with no fee dossiers is judged on the rest);
# None when no group has data.


@dataclass
class IndexCounts:
    """Additive numbers behind the index's measures, of one office or a roll-up."""

    procedures: int = 0
    procedures_complete: int = 0
    received: int = 0
    tracked: int = 0
    timed: int = 0
    on_time: int = 0
    full_process: int = 0
    fee_dossiers: int = 0
    paid_online: int = 0
    ratings: int = 0
    satisfaction_total: float = 0.0
    returned: int = 0
    returned_electronic: int = 0
    reused: int = 0

    def add(self, other: IndexCounts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def share(self, measure: str) -> float | None:
        part, whole = {
            "procedures_complete": (self.procedures_complete, self.procedures),
            "dossiers_tracked": (self.tracked, self.received),
            "on_time": (self.on_time, self.timed),
            "online_end_to_end": (self.full_process, self.received),
            "paid_online": (self.paid_online, self.fee_dossiers),
            "satisfaction": (self.satisfaction_total, self.ratings),
            "results_electronic": (self.returned_electronic, self.returned),
            "documents_reused": (self.reused, self.received),
        }[measure]
        return ratio(part, whole)


@dataclass(frozen=True)
class GroupScore:
    key: str
    name: str
    max_points: int
    points: float | None  # None: no indicator of the group has data in scope


@dataclass
class IndexScores:
    counts: IndexCounts
    groups: list[GroupScore]
    total: float | None  # out of 100, over the groups with data

    def as_dict(self) -> dict:
        return {
            "total": _round(self.total, 2),
            "groups": [
                {
                    "key": g.key,
                    "name": g.name,
                    "max_points": g.max_points,
                    "points": _round(g.points, 2),
                }
                for g in self.groups
            ],
        }


@dataclass
class IndexOffice:
    code: str
    name: str
    province_code: int
    body: str  # the office's kind, a body of procedures/authorities.toml
    scores: IndexScores


@dataclass
class ServiceIndexReport:
    total: IndexScores
    provinces: list[tuple[int, IndexScores]]
    offices: list[IndexOffice]
    bodies: list[tuple[str, IndexScores]]


def index_scores(index: ServiceIndex, counts: IndexCounts) -> IndexScores:
    """The groups' points and the total of one unit's counts (the rules above)."""
    groups = []
    for group in index.groups:
        weighted = [
            (i.points, share)
            for i in group.indicators
            if (share := counts.share(i.measure)) is not None
        ]
        points = None
        if weighted:
            got = sum(p * share for p, share in weighted)
            points = group.points * got / sum(p for p, _ in weighted)
        groups.append(GroupScore(group.key, group.name, group.points, points))
    scored = [g for g in groups if g.points is not None]
    total = None
    if scored:
        total = 100 * sum(g.points or 0 for g in scored) / sum(g.max_points for g in scored)
    return IndexScores(counts, groups, total)


def service_index(
    session: Session,
    report: StatsReport,
    index: ServiceIndex,
    procedures_by_body: Mapping[str, tuple[int, int]],
) -> ServiceIndexReport:
    """The index of every office of `report` (same filter, same offices), of their provinces,
    of each body and of the country. `procedures_by_body`: body key → (procedures in the
    catalogue, of which complete)."""
    f = report.filter
    per_office: dict[str, IndexCounts] = {}
    for office in report.offices:
        c = office.counts
        per_office[office.code] = IndexCounts(
            received=c.received,
            timed=c.timed,
            on_time=c.before_due + c.on_due,
            full_process=c.full_process,
        )
    _index_dossier_counts(session, f, per_office)
    _index_rating_counts(session, f, index, per_office)
    kinds: dict[str, str] = {}
    if per_office:
        query = select(col(Office.code), col(Office.kind)).where(
            col(Office.code).in_(sorted(per_office))
        )
        kinds = {row[0]: row[1] for row in session.execute(query)}
    total = IndexCounts()
    provinces: dict[int, IndexCounts] = {}
    bodies: dict[str, IndexCounts] = {}
    offices = []
    for office in report.offices:
        ic = per_office[office.code]
        kind = kinds.get(office.code, "")
        ic.procedures, ic.procedures_complete = procedures_by_body.get(kind, (0, 0))
        offices.append(
            IndexOffice(
                office.code, office.name, office.province_code, kind, index_scores(index, ic)
            )
        )
        provinces.setdefault(office.province_code, IndexCounts()).add(ic)
        bodies.setdefault(kind, IndexCounts()).add(ic)
        total.add(ic)
    return ServiceIndexReport(
        total=index_scores(index, total),
        provinces=[(k, index_scores(index, provinces[k])) for k in sorted(provinces)],
        offices=offices,
        bodies=[(k, index_scores(index, bodies[k])) for k in sorted(bodies)],
    )


def procedures_by_body(procedures: Iterable[BaseModel]) -> dict[str, tuple[int, int]]:
    """body key → (procedures of the catalogue it decides, of which every fact is known:
    no `confidence` anywhere in the procedure's data says "unverified")."""
    out: dict[str, tuple[int, int]] = {}
    for proc in procedures:
        body = str(getattr(proc, "authority", ""))
        total, complete = out.get(body, (0, 0))
        out[body] = (total + 1, complete + (not _has_unverified(proc)))
    return out


def _has_unverified(value: object) -> bool:
    if isinstance(value, BaseModel):
        if getattr(value, "confidence", None) == "unverified":
            return True
        return any(_has_unverified(getattr(value, name)) for name in type(value).model_fields)
    if isinstance(value, list | tuple):
        return any(_has_unverified(v) for v in value)
    if isinstance(value, dict):
        return any(_has_unverified(v) for v in value.values())
    return False


def _index_dossier_counts(
    session: Session, f: StatsFilter, per_office: dict[str, IndexCounts]
) -> None:
    """Tracked, fee and paid online, returned and returned electronically, reused: one
    GROUP BY office over the dossiers in scope, each test an EXISTS on its own table."""
    if not per_office:
        return
    received = and_(*_in_period(Dossier.received_at, f))
    returned = and_(col(Dossier.status) == "returned", *_in_period(Dossier.returned_at, f))
    reception = exists().where(
        col(DossierEvent.dossier_id) == Dossier.id,
        or_(col(DossierEvent.action) == "receive", col(DossierEvent.to_status) == "received"),
    )
    fee = col(Dossier.fee_amount) > 0
    paid = exists().where(
        col(Payment.dossier_id) == Dossier.id,
        col(Payment.status).in_((PaymentStatus.PAID, PaymentStatus.REFUNDED)),
    )
    electronic = exists().where(col(ResultDocument.dossier_id) == Dossier.id)
    reused = exists().where(col(ReusedDocument.dossier_id) == Dossier.id)
    rows = session.execute(
        select(
            col(Dossier.office_code),
            _count(and_(received, col(Dossier.code).is_not(None), reception)),
            _count(and_(received, fee)),
            _count(and_(received, fee, paid)),
            _count(returned),
            _count(and_(returned, electronic)),
            _count(and_(received, reused)),
        )
        .where(*_office_scope(f), or_(received, returned))
        .group_by(Dossier.office_code)
    )
    for code, tracked, fees, paid_online, n_returned, n_electronic, n_reused in rows:
        c = per_office.get(code)
        if c is not None:
            c.tracked, c.fee_dossiers, c.paid_online = int(tracked), int(fees), int(paid_online)
            c.returned, c.returned_electronic = int(n_returned), int(n_electronic)
            c.reused = int(n_reused or 0)


def _index_rating_counts(
    session: Session, f: StatsFilter, index: ServiceIndex, per_office: dict[str, IndexCounts]
) -> None:
    """Satisfaction: each rating given in the period, by the dossier's office, its answers
    read in Python (JSON whose meaning is the index's data)."""
    if not per_office:
        return
    office = select(col(Dossier.office_code)).where(col(Dossier.id) == Rating.dossier_id)
    rows = session.execute(
        select(office.scalar_subquery(), col(Rating.answers), col(Rating.score)).where(
            *_in_period(Rating.created_at, f)
        )
    )
    shares: dict[tuple, float] = {}  # a few answer combinations repeat over many ratings
    for code, answers, score in rows:
        c = per_office.get(code)
        if c is not None:
            key = (tuple(sorted(answers.items())) if answers else None, score)
            share = shares.get(key)
            if share is None:
                share = shares[key] = satisfaction_share(index, answers, score)
            c.ratings += 1
            c.satisfaction_total += share


def service_index_as_dict(
    report: ServiceIndexReport,
    province_name: Callable[[int], str],
    body_name: Callable[[str], str],
) -> dict:
    """The index's numbers for the JSON API (the same the page shows)."""
    return {
        "total": report.total.as_dict(),
        "provinces": [
            {"code": code, "name": province_name(code), **scores.as_dict()}
            for code, scores in report.provinces
        ],
        "offices": [
            {
                "code": o.code,
                "name": o.name,
                "province_code": o.province_code,
                "body": o.body,
                **o.scores.as_dict(),
            }
            for o in report.offices
        ],
        "bodies": [
            {"key": key, "name": body_name(key), **scores.as_dict()}
            for key, scores in report.bodies
        ],
    }


# --- feedback (phản ánh, kiến nghị) ----------------------------------------------------


@dataclass(frozen=True)
class FeedbackCounts:
    """One office's feedback: received in the period, answered, answered by the due date."""

    code: str
    name: str
    received: int
    answered: int
    on_time: int

    @property
    def on_time_rate(self) -> float | None:
        return ratio(self.on_time, self.answered)


def feedback_counts(session: Session, f: StatsFilter) -> list[FeedbackCounts]:
    """Per office, the feedback received (`created_at`) in the period, how many of those are
    answered and how many were answered by their due date (local answer date ≤ due date).
    Decision: counted in the period received, so the three numbers describe the same rows."""
    from portal.models.feedback import Feedback  # the channel's table, beside the dossiers'

    dialect = session.get_bind().dialect.name
    answered = col(Feedback.answered_at).is_not(None)
    on_time = and_(answered, local_date(Feedback.answered_at, dialect) <= Feedback.due_date)
    query = (
        select(
            col(Office.code),
            col(Office.name),
            func.count(),
            _count(answered),
            _count(on_time),
        )
        .join(Office, col(Office.code) == Feedback.office_code)
        .where(*_in_period(col(Feedback.created_at), f))
        .group_by(col(Office.code), col(Office.name))
        .order_by(col(Office.name))
    )
    if f.province_code is not None:
        query = query.where(*_province(f))
    return [FeedbackCounts(*row) for row in session.execute(query)]
