"""The helpers of the portal benchmark (scripts/bench_portal.py, bench_rows, bench_seed,
bench_support, bench_backoffice): rounds, percentiles, ratios and verdicts, the seeded rows
and where they go, the bulk writer on both databases, and the back office's transitions."""

from __future__ import annotations

import random
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import inspect, select
from sqlmodel import Session

from common import divisions
from portal.models import Dossier, DossierEvent, DossierSequence
from portal.models.ratings import Rating
from procedures import load_catalogue
from scripts import bench_backoffice as backoffice
from scripts import bench_portal as bench
from scripts import bench_rows
from scripts import bench_seed as seed
from scripts import bench_support as support
from tests.support.databases import portal_engine

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
BEN_THANH = 26743


@pytest.fixture
def engine(tmp_path):
    with portal_engine(tmp_path) as engine:  # every portal table, ratings included
        yield engine


def test_share_splits_each_round_over_the_threads():
    # 10 submits, 3 threads of 2 citizens: rounds of 6 then 4
    first = [bench.share(10, 6, 3, t) for t in range(3)]
    second = [bench.share(4, 6, 3, t) for t in range(3)]
    assert first == [2, 2, 2]
    assert second == [2, 1, 1]
    assert bench.share(0, 6, 3, 0) == 0


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert support.percentile(values, 0.5) == 51.0
    assert support.percentile(values, 0.95) == 95.0
    assert support.percentile([], 0.95) == 0.0


def _result(name: str, count: int, wall: float, app_cpu: float, idp_cpu: float = 0.0):
    app = "hello" if name == "hello" else "portal"
    goal = None if name == "hello" else support.PAGE_GOAL
    return support.Result(
        name, app, goal, latencies=[1.0] * count, wall=wall,
        server_cpu={app: app_cpu, "idp": idp_cpu},
    )  # fmt: skip


def test_ratios_by_rate_and_by_cpu():
    hello = _result("hello", 1000, 1.0, 0.5)
    page = _result("dashboard", 1000, 4.0, 1.5, 0.5)
    by_rate, by_cpu = support.ratios(page, hello)
    assert by_rate == pytest.approx(0.25)
    assert by_cpu == pytest.approx(0.25)  # 0.5 ms against 2.0 ms
    assert support.verdict(by_rate, support.PAGE_GOAL) == "NOT met"
    assert support.verdict(0.6, support.PAGE_GOAL) == "met"
    assert "NOT met" in support.row(page, hello)


def test_filing_steps_of_the_default_procedure_fill_its_typed_fields():
    proc = load_catalogue().get("2.000635")
    assert bench.filing_steps(proc) == {
        "yeu-cau": {"record_type": "Trích lục khai sinh", "copies": "1"}
    }


def test_filing_steps_refuse_a_procedure_with_eligibility_rules():
    with pytest.raises(SystemExit):
        bench.filing_steps(load_catalogue().get("1.000894"))


def test_seeded_dossiers_are_consistent():
    catalogue = load_catalogue()
    now = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    factory = bench_rows.DossierFactory(catalogue, random.Random(1), now, "2.000635")
    owners = [("079095001234", 26743, None)] * 30 + [("001040056789", 4, None)] * 30
    rows = [r for chunk, _, _ in factory.chunks(iter(owners), 25) for r in chunk]
    assert [r["id"] for r in rows] == list(range(1, 61))
    codes = [r["code"] for r in rows if r["code"]]
    assert len(codes) == len(set(codes))
    drafts = [(r["applicant_id"], r["procedure_code"]) for r in rows if r["status"] == "draft"]
    assert len(drafts) == len(set(drafts)) and ("079095001234", "2.000635") not in drafts
    for r in rows:
        if r["status"] != "draft":
            assert r["office_code"] and r["code"].startswith(r["office_code"] + "-")
            assert r["submitted_at"] <= now and r["draft_key"] is None
            # the appointment is given at reception
            assert bool(r["due_date"]) == (r["received_at"] is not None)
            assert r["original_due_date"] == r["due_date"]
        assert r["procedure_code"] in catalogue.procedures
    assert sum(factory.sequences.values()) == len(codes)


# --- verdicts and the report -------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratio", "p99", "expected"),
    [
        (0.6, 40.0, "met"),
        (0.4, 40.0, "NOT met (req/s)"),
        (0.6, 100.0, "NOT met (p99)"),  # the limit is strict
        (0.4, 250.0, "NOT met (req/s, p99)"),
        (None, None, "NOT met (req/s, p99)"),  # nothing measured
    ],
)
def test_verdict_checks_the_ratio_and_the_p99(ratio, p99, expected):
    assert support.verdict(ratio, support.PAGE_GOAL, p99, backoffice.P99_LIMIT) == expected


def test_verdict_without_goals():
    assert support.verdict(0.1, None) == "–"
    assert support.verdict(0.1, None, 500.0, None) == "–"


def test_row_shows_the_p99_and_both_targets():
    hello = _result("hello", 1000, 1.0, 0.5)
    page = support.Result(
        "queue", "portal", support.PAGE_GOAL, latencies=[10.0] * 98 + [150.0] * 2, wall=0.1,
        server_cpu={"portal": 0.1, "idp": 0.0}, p99_limit=backoffice.P99_LIMIT,
    )  # fmt: skip
    line = support.row(page, hello)
    assert "150.0" in line and ">= 50%, p99 < 100" in line and "NOT met (p99)" in line
    assert support.goal_text(hello) == "–"


def test_drive_spreads_the_work_and_keeps_failures():
    result = support.Result("x", "portal", None)
    seen: list[int] = []
    lock = threading.Lock()

    def work(thread: int, i: int) -> float:
        with lock:
            seen.append(i)
        if i == 3:
            raise support.BenchError("boom")
        return float(i)

    support.drive(result, support.Meter({}), 3, 10, work)
    assert sorted(seen) == list(range(10))
    assert len(result.latencies) == 9 and result.errors == ["BenchError: boom"]
    assert result.wall > 0 and result.server_cpu == {}


def test_parse_args_sizes_follow_the_scenario():
    assert bench.parse_args([]).dossiers == 200_000
    args = bench.parse_args(["--scenario", "backoffice"])
    assert (args.dossiers, args.stats_requests) == (1_000_000, 40)
    assert bench.parse_args(["--scenario", "backoffice", "--dossiers", "500"]).dossiers == 500
    assert bench.describe(args).startswith("backoffice: gunicorn gthread x2")


# --- where the dossiers go ---------------------------------------------------------------


def _applicants(count: int, rng: random.Random) -> list[tuple[str, int]]:
    wards = sorted(divisions.wards())
    return [(f"{n:012d}", rng.choice(wards)) for n in range(count)]


def test_owners_follow_the_spread():
    rng = random.Random(7)
    applicants = _applicants(3000, rng)
    spread = bench_rows.Spread(79, 0.2, BEN_THANH, 0.1, backlog=50)
    personas = [("079095001234", 26743), ("001040056789", 4)]
    owners = list(bench_rows.dossier_owners(personas, applicants, 5000, rng, spread))
    assert len(owners) == 5000
    assert owners[:40] == [("079095001234", 26743, None)] * 40
    assert owners[-50:] == [(pid, BEN_THANH, "submitted") for pid, _, _ in owners[-50:]]
    random_part = owners[80:-50]
    wards = divisions.wards()
    in_province = [w for _, w, _ in random_part if wards[w].province_code == 79]
    assert 0.17 < len(in_province) / len(random_part) < 0.23
    busy = in_province.count(BEN_THANH) / len(in_province)
    assert 0.07 < busy < 0.15  # 10 %, plus its own residents
    assert all(status is None for *_, status in random_part)


def test_default_spread_sends_every_dossier_home():
    rng = random.Random(3)
    applicants = _applicants(200, rng)
    owners = list(bench_rows.dossier_owners([], applicants, 300, rng))
    homes = dict(applicants)
    assert all(homes[pid] == ward and status is None for pid, ward, status in owners)


def test_pick_is_weighted():
    pick = bench_rows.Pick([("a", 1), ("b", 0), ("c", 3)])
    rng = random.Random(1)
    counts = Counter(pick(rng) for _ in range(4000))
    assert counts["b"] == 0 and 2.5 < counts["c"] / counts["a"] < 3.5


# --- the rows -----------------------------------------------------------------------------


def _factory(seed_value: int = 1) -> bench_rows.DossierFactory:
    return bench_rows.DossierFactory(load_catalogue(), random.Random(seed_value), NOW, "2.000635")


def _rows(factory, owners) -> tuple[list, list, list]:
    dossiers, events, ratings = [], [], []
    for d, e, r in factory.chunks(iter(owners), 100):
        dossiers += d
        events += e
        ratings += r
    return dossiers, events, ratings


def test_backlog_dossiers_wait_at_the_busy_commune():
    dossiers, events, _ = _rows(_factory(), [("079095001234", BEN_THANH, "submitted")] * 20)
    catalogue = load_catalogue()
    for row in dossiers:
        assert row["status"] == "submitted" and row["office_code"] == "79.26743"
        assert catalogue.get(row["procedure_code"]).level == "commune"
        assert NOW - timedelta(days=bench_rows.BACKLOG_DAYS) <= row["submitted_at"] <= NOW
        assert row["received_at"] is None and row["due_date"] is None and row["version"] == 2
    assert [e["to_status"] for e in events] == ["submitted"] * 20


def test_timelines_ratings_and_times_are_consistent():
    owners = [(f"{n:012d}", 26743 if n % 2 else 4, None) for n in range(1500)]
    factory = _factory(5)
    dossiers, events, ratings = _rows(factory, owners)
    by_dossier: dict[int, list] = {}
    for event in events:
        by_dossier.setdefault(event["dossier_id"], []).append(event)
    statuses = Counter(row["status"] for row in dossiers)
    assert {"draft", "submitted", "processing", "returned", "rejected"} <= set(statuses)
    for row in dossiers:
        timeline = by_dossier.get(row["id"], [])
        if row["status"] == "draft":
            assert timeline == [] and row["code"] is None
            continue
        assert [e["from_status"] for e in timeline[1:]] == [e["to_status"] for e in timeline[:-1]]
        assert timeline[0]["from_status"] == "draft" and timeline[-1]["to_status"] == row["status"]
        assert [e["at"] for e in timeline] == sorted(e["at"] for e in timeline)
        assert row["version"] == 1 + len(timeline) and row["updated_at"] == timeline[-1]["at"]
        assert all(e["at"] <= NOW for e in timeline)
        if row["status"] in ("returned", "rejected", "approved"):
            assert row["received_at"] <= row["decided_at"] <= NOW
        if row["status"] == "returned":
            assert row["decided_at"] <= row["returned_at"]
        if row["status"] == "supplement_requested":
            assert row["paused_at"] >= row["received_at"]
    returned = {row["id"]: row for row in dossiers if row["status"] == "returned"}
    assert ratings and len({r["dossier_id"] for r in ratings}) == len(ratings)
    for rating in ratings:
        assert 1 <= rating["score"] <= 5
        assert returned[rating["dossier_id"]]["returned_at"] <= rating["created_at"] <= NOW
    assert factory.counts == Counter(events=len(events), ratings=len(ratings))


def test_bulk_writer_round_trips_through_the_orm(engine):
    owners = [(f"{n:012d}", 26743 if n % 3 else 4, None) for n in range(300)]
    owners += [("079095001234", BEN_THANH, "submitted")] * 5
    factory = _factory(9)
    seed.write_dossiers(engine, factory, iter(owners))
    rows, events, ratings = _rows(_factory(9), owners)
    with Session(engine) as session:
        stored = session.scalars(select(Dossier).order_by(Dossier.id)).all()
        assert len(stored) == len(rows) == factory.next_id - 1
        for row, dossier in zip(rows, stored, strict=True):
            assert dossier.code == row["code"] and dossier.status == row["status"]
            assert dossier.data == row["data"] and dossier.extended is False
            assert dossier.due_date == row["due_date"]
            if row["received_at"]:
                assert dossier.received_at.astimezone(UTC) == row["received_at"]
        assert len(session.scalars(select(DossierEvent)).all()) == len(events)
        assert len(session.scalars(select(Rating)).all()) == len(ratings)
        sequences = session.scalars(select(DossierSequence)).all()
        assert sum(s.last for s in sequences) == sum(1 for r in rows if r["code"])
        session.add(Dossier(procedure_code="2.000635", procedure_version=1,
                            applicant_id="001099000001"))  # fmt: skip
        session.commit()  # the id sequence follows the explicit ids
    names = {ix["name"] for ix in inspect(engine).get_indexes("dossier")}
    assert {ix.name for ix in Dossier.__table__.indexes} <= names


# --- the back office ----------------------------------------------------------------------


class _Browser:
    """Answers every POST as the portal does after a transition: 303 to the dossier page."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict]] = []

    def post(self, url: str, data: dict, **_kw):
        self.posts.append((url, data))
        page = url.rsplit("/", 1)[0]
        return SimpleNamespace(status_code=303, url=url, headers={"Location": page})


def test_receiver_posts_each_waiting_dossier_once_with_its_version_and_token():
    browsers = [_Browser(), _Browser()]
    desk = backoffice.Desk(browsers, ["t0", "t1"])
    waiting = [(f"79.26743-261123-{n:04d}", 2) for n in range(1, 41)]
    work = backoffice.receiver("http://portal", desk, waiting)
    result = support.Result("receive", "portal", None)
    support.drive(result, None, 2, 40, work)
    assert result.errors == [] and len(result.latencies) == 40
    posted = [(url, data) for b in browsers for url, data in b.posts]
    assert sorted(url for url, _ in posted) == sorted(
        f"http://portal/can-bo/ho-so/{code}/receive" for code, _ in waiting
    )
    assert {data["version"] for _, data in posted} == {"2"}
    assert {data["csrf_token"] for _, data in browsers[1].posts} <= {"t1"}


def test_receiver_reports_a_refusal():
    class Refusing(_Browser):
        def post(self, url, data, **_kw):
            return SimpleNamespace(status_code=409, url=url, headers={})

    work = backoffice.receiver("http://portal", backoffice.Desk([Refusing()], ["t"]), [("c", 2)])
    with pytest.raises(support.BenchError, match="HTTP 409"):
        work(0, 0)


def test_office_dossiers_lists_the_office_and_its_waiting_ones(engine):
    owners = [("079095001234", BEN_THANH, "submitted")] * 6
    owners += [(f"{n:012d}", 4, None) for n in range(50)]
    seed.write_dossiers(engine, _factory(2), iter(owners))
    office = backoffice.office_dossiers(engine, "79.26743", random.Random(1))
    assert len(office.codes) == 6 and sorted(office.codes) == sorted(c for c, _ in office.waiting)
    assert {version for _, version in office.waiting} == {2}
