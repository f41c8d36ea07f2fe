"""The pure helpers of scripts/bench_portal.py: rounds, percentiles, ratios, seeded rows."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from procedures import load_catalogue
from scripts import bench_portal as bench


def test_share_splits_each_round_over_the_threads():
    # 10 submits, 3 threads of 2 citizens: rounds of 6 then 4
    first = [bench.share(10, 6, 3, t) for t in range(3)]
    second = [bench.share(4, 6, 3, t) for t in range(3)]
    assert first == [2, 2, 2]
    assert second == [2, 1, 1]
    assert bench.share(0, 6, 3, 0) == 0


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert bench.percentile(values, 0.5) == 51.0
    assert bench.percentile(values, 0.95) == 95.0
    assert bench.percentile([], 0.95) == 0.0


def _result(name: str, count: int, wall: float, app_cpu: float, idp_cpu: float = 0.0):
    app = "hello" if name == "hello" else "portal"
    goal = None if name == "hello" else bench.PAGE_GOAL
    return bench.Result(
        name, app, goal, latencies=[1.0] * count, wall=wall,
        server_cpu={app: app_cpu, "idp": idp_cpu},
    )  # fmt: skip


def test_ratios_by_rate_and_by_cpu():
    hello = _result("hello", 1000, 1.0, 0.5)
    page = _result("dashboard", 1000, 4.0, 1.5, 0.5)
    by_rate, by_cpu = bench.ratios(page, hello)
    assert by_rate == pytest.approx(0.25)
    assert by_cpu == pytest.approx(0.25)  # 0.5 ms against 2.0 ms
    assert bench.verdict(by_rate, bench.PAGE_GOAL) == "NOT met"
    assert bench.verdict(0.6, bench.PAGE_GOAL) == "met"
    assert "NOT met" in bench.row(page, hello)


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
    factory = bench.DossierFactory(catalogue, random.Random(1), now, "2.000635")
    owners = [("079095001234", 26743)] * 30 + [("001040056789", 4)] * 30
    rows = [r for chunk, _ in factory.chunks(iter(owners), 25) for r in chunk]
    assert [r["id"] for r in rows] == list(range(1, 61))
    codes = [r["code"] for r in rows if r["code"]]
    assert len(codes) == len(set(codes))
    drafts = [(r["applicant_id"], r["procedure_code"]) for r in rows if r["status"] == "draft"]
    assert len(drafts) == len(set(drafts)) and ("079095001234", "2.000635") not in drafts
    for r in rows:
        if r["status"] != "draft":
            assert r["office_code"] and r["code"].startswith(r["office_code"] + "-")
            assert r["submitted_at"] <= now and r["due_date"] and r["draft_key"] is None
        assert r["procedure_code"] in catalogue.procedures
    assert sum(factory.sequences.values()) == len(codes)
