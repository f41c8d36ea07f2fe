"""The back-office scenario of scripts.bench_portal (`--scenario backoffice`): clerks of two
busy offices of Hồ Chí Minh City at work on a portal of 1,000,000 dossiers.

Seeding spreads the dossiers so that one province holds a fifth of them (HCMC: 200,000 of
1,000,000, over its communes and its province bodies), sends part of those to Phường
Bến Thành (the citizen's choice of commune) and adds a backlog of dossiers submitted over
the last days there, one for each transition to measure. The clerks are the demo personas
of `seed_staff`: Hạnh (079187090123, 79.26743, every role) and Hương (079184306218,
79.cong-an, the city police that issues the Phiếu LLTP). Each client thread has its own
signed-in browser for each of them.

    queue          GET /can-bo                  Hạnh: the default tab (to receive)
    queue/overdue  GET /can-bo?tab=qua-han      Hạnh: the overdue tab
    queue/dept     GET /can-bo?tab=qua-han      Hương: the province body's overdue tab
    dossier        GET /can-bo/ho-so/<code>     Hạnh: a different dossier of the office
                                                each request
    receive        POST /can-bo/ho-so/<code>/receive  Hạnh: one transition per request, a
                                                different backlog dossier each time, with
                                                the browser's CSRF token and its version
    stats          GET /thong-ke                the public statistics, whole country
    stats/api      GET /api/v1/stats?tinh=79&tu_ngay=<1 January>  HCMC, this year

Targets: queue and dossier pages at least 50 % of hello's requests/s with p99 < 100 ms.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import requests

from scripts.bench_rows import Spread
from scripts.bench_support import (
    PAGE_GOAL,
    BenchError,
    Meter,
    Result,
    hello_target,
    hidden_fields,
    location,
    measure_gets,
    sign_in,
    timed_get,
)

PROVINCE, BUSY_WARD = 79, 26743  # Hồ Chí Minh City, Phường Bến Thành
PROVINCE_SHARE = 0.2  # of all dossiers
BUSY_SHARE = 0.08  # of the province's dossiers, filed at Bến Thành
HANH, HUONG = "079187090123", "079184306218"
COMMUNE_OFFICE, DEPARTMENT_OFFICE = "79.26743", "79.cong-an"
P99_LIMIT = 100.0  # ms, for the queue and dossier pages
OVERDUE_TAB = "qua-han"
LEGEND = (
    "\n  queue/dept: Sở Tư pháp; the other queue, dossier and receive targets: UBND phường"
    "\n  Bến Thành. stats: /thong-ke, whole country; stats/api: /api/v1/stats, HCMC this year."
)


def spread(args) -> Spread:
    """Where the scenario's dossiers go; the backlog covers every receive (warm-up too)."""
    return Spread(PROVINCE, PROVINCE_SHARE, BUSY_WARD, BUSY_SHARE, args.warmup + args.requests)


@dataclass
class Desk:
    """A clerk at work: one signed-in browser per client thread, with its CSRF token."""

    browsers: list[requests.Session]
    tokens: list[str]


@dataclass
class Office:
    """What the benchmark knows of an office's dossiers, read after seeding."""

    codes: list[str]  # every filed dossier, shuffled
    waiting: list[tuple[str, int]]  # (code, version) of the submitted ones


def office_dossiers(engine, office: str, rng: random.Random) -> Office:
    """The office's dossier codes, and the submitted ones with their version."""
    from sqlalchemy import text

    query = text(
        "SELECT code, status, version FROM dossier WHERE office_code = :office"
        " AND code IS NOT NULL ORDER BY id"
    )
    with engine.connect() as conn:
        rows = conn.execute(query, {"office": office}).all()
    codes = [code for code, _, _ in rows]
    rng.shuffle(codes)
    return Office(codes, [(code, version) for code, status, version in rows
                          if status == "submitted"])  # fmt: skip


def desk(args, urls: dict[str, str], personal_id: str, code: str) -> Desk:
    """`--threads` browsers of one clerk, each signed in (one at a time, as make_clients
    explains) with the CSRF token of a dossier page."""
    portal = urls["portal"]
    browsers = [sign_in(portal, urls["idp"], personal_id, None) for _ in range(args.threads)]
    tokens = []
    for browser in browsers:
        page = browser.get(f"{portal}/can-bo/ho-so/{code}", timeout=60)
        tokens.append(hidden_fields(page, f"dossier page of {personal_id}").get("csrf_token", ""))
    return Desk(browsers, tokens)


def check_queue(resp: requests.Response) -> None:
    if b'href="/can-bo/ho-so/' not in resp.content:
        raise BenchError("queue: no dossier listed")


def receiver(portal: str, clerk: Desk, waiting: list[tuple[str, int]]):
    """work(thread, i): receive the next backlog dossier (never the same one twice)."""
    pending = iter(waiting)

    def work(thread: int, _i: int) -> float:
        code, version = next(pending)
        url = f"{portal}/can-bo/ho-so/{code}"
        data = {"csrf_token": clerk.tokens[thread], "version": str(version)}
        started = time.perf_counter()
        resp = clerk.browsers[thread].post(
            url + "/receive", data=data, allow_redirects=False, timeout=60
        )
        elapsed = (time.perf_counter() - started) * 1000
        location(resp, f"receive {code}", url)
        return elapsed

    return work


def targets(args, urls: dict[str, str], hanh: Desk, huong: Desk, office: Office) -> list:
    """(Result, work, requests or None for --requests) of each back-office target."""
    from portal.services.deadlines import today

    portal = urls["portal"]
    codes = office.codes
    year = today().replace(month=1, day=1).isoformat()

    def page(name: str, goal: float | None, limit: float | None):
        return Result(name, "portal", goal, p99_limit=limit)

    def get(clerk: Desk | None, path: str, check=None):
        if clerk is None:
            return lambda t, i: timed_get(anonymous[t], portal + path, check)
        return lambda t, i: timed_get(clerk.browsers[t], portal + path, check)

    anonymous = [requests.Session() for _ in range(args.threads)]
    return [
        (page("queue", PAGE_GOAL, P99_LIMIT), get(hanh, "/can-bo", check_queue), None),
        (page("queue/overdue", PAGE_GOAL, P99_LIMIT),
         get(hanh, f"/can-bo?tab={OVERDUE_TAB}", check_queue), None),
        (page("queue/dept", PAGE_GOAL, P99_LIMIT),
         get(huong, f"/can-bo?tab={OVERDUE_TAB}", check_queue), None),
        (page("dossier", PAGE_GOAL, P99_LIMIT),
         lambda t, i: timed_get(hanh.browsers[t],
                                f"{portal}/can-bo/ho-so/{codes[i % len(codes)]}"), None),
        (page("receive", None, None), receiver(portal, hanh, office.waiting), None),
        (page("stats", None, None), get(None, "/thong-ke"), args.stats_requests),
        (page("stats/api", None, None),
         get(None, f"/api/v1/stats?tinh={PROVINCE}&tu_ngay={year}"), args.stats_requests),
    ]  # fmt: skip


def measure(args, urls, portal_config: dict, masters: dict) -> list[Result]:
    """hello, every back-office target in turn, then hello again."""
    from common.db import make_engine

    rng = random.Random(args.seed)
    engine = make_engine(portal_config["DATABASE_URL"], schema=portal_config["DATABASE_SCHEMA"])
    office = office_dossiers(engine, COMMUNE_OFFICE, rng)
    department = office_dossiers(engine, DEPARTMENT_OFFICE, rng)
    engine.dispose()
    wanted = args.warmup + args.requests
    if len(office.waiting) < wanted or not department.codes:
        raise BenchError(f"{COMMUNE_OFFICE}: {len(office.waiting)} submitted dossiers "
                         f"({wanted} wanted), {DEPARTMENT_OFFICE}: {len(department.codes)} "
                         "dossiers; raise --dossiers")  # fmt: skip
    print("signing the clerks in ...", flush=True)
    hanh = desk(args, urls, HANH, office.codes[0])
    huong = desk(args, urls, HUONG, department.codes[0])
    meter = Meter(masters)
    results = [measure_gets(args, meter, *hello_target(urls, args.threads, "hello"))]
    for result, work, count in targets(args, urls, hanh, huong, office):
        warmup = None if count is None else min(args.warmup, args.threads)
        results.append(measure_gets(args, meter, result, work, count, warmup))
    results.append(measure_gets(args, meter, *hello_target(urls, args.threads, "hello/end")))
    return results
