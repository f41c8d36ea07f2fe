"""Benchmark the portal under gunicorn, next to a bare Flask app, at national scale.

`python -m scripts.bench_portal [--scenario portal|backoffice] [--citizens 1000000]
[--dossiers N] [--requests 1000] [--threads 4] [--workers 2] [--database-url postgresql://...]`
creates a throw-away instance folder per app, each with its own SQLite database (with
`--database-url`, each app gets its own throw-away schema on that PostgreSQL server
instead), and seeds (scripts.bench_seed, scripts.bench_rows):

* the mock VNeID and population registry: the demo personas, N synthetic citizens
  (`seeds.generate`, as `flask --app identity_mock seed --citizens N` does) and a level-2
  VNeID account (passcode of personas.toml) for the few citizens who will file dossiers;
* the portal: the offices (`seed_offices`), the staff personas (`seed_staff`) and M
  dossiers spread over a sample of those citizens, with statuses, codes, offices, fees, due
  dates, timelines and ratings as filing and the clerks would have left them, and the
  matching daily code sequences; every level-2 persona owns 40 of them, so the dashboard
  lists real rows. The time each part took is printed with the results.

It then starts three gunicorns on free loopback ports, each with `--workers` workers: the
provider (`scripts.idp_wsgi`), the portal and a bare Flask app that answers "hello"
(`scripts.portal_wsgi`), and measures one target after the other from `--threads` client
threads, each with its own keep-alive `requests.Session`, after `--warmup` unmeasured
requests. "hello" (GET / on the bare app: the baseline) is measured first and again last,
as "hello/end".

Scenario "portal" (`make bench-portal`; 200,000 dossiers by default), the citizen's side:

    catalogue  GET /thu-tuc              the public list of procedures
    procedure  GET /thu-tuc/<code>       each procedure's page in turn
    dashboard  GET /ca-nhan              signed in as a level-2 persona through the real OIDC
                                         flow; reads the registry over HTTP, lists 40 dossiers
    submit     POST /nop-ho-so/<code>/nop  reads the registry again, checks, routes, prices,
                                         numbers and records a new dossier (`--procedure`)

A citizen has at most one draft per procedure, so each client thread signs in
`--submit-batch` generated citizens. Every round, each thread first prepares one fresh
draft per citizen (unmeasured: open the draft, post the typed step, read the summary and its
`locked_hash`), then all threads submit together; only these submit windows are timed, so
req/s is submits over the summed window time and the percentiles are of the submit POST.

Scenario "backoffice" (`make bench-backoffice`; 1,000,000 dossiers by default), the
clerks' side: the queue, dossier and transition pages of two busy HCMC offices and the
public statistics, as scripts.bench_backoffice describes (`--stats-requests` for the
statistics, which read every dossier of the period).

The table gives, per target: requests, errors, req/s, p50, p95 and p99 in ms; the CPU ms
per request of the load generator, of the app's gunicorn workers (hello or portal) and of
the provider's (registry API), which unlike req/s do not depend on what else the machine
runs; the share of all cores other processes used meanwhile (with PostgreSQL, the database
server counts there); the ratio to the faster hello run by req/s (the target's measure) and
by server CPU per request (the req/s ratio the servers would reach with the cores to
themselves); the target (pages >= 50 %, submit >= 25 %; back-office pages also p99 < 100
ms) and whether it is met. It exits 1 if any request failed or answered unexpectedly.

The load generator and the three apps share the machine's cores, and a Python client
spends more CPU per request than the bare app does, so "hello" is bounded by the client and
the req/s ratios of cheap pages flatter them; the CPU ratio does not. Keep the machine
otherwise idle. Quick runs: `--citizens 20000 --dossiers 5000 --requests 200`, and
`--scenario backoffice --citizens 20000 --dossiers 20000 --requests 200`.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import math
import random
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests

from scripts import bench_backoffice
from scripts.bench_idp import provider_env
from scripts.bench_rows import Spread, typed_value
from scripts.bench_seed import Seeded, seed_portal, seed_registry
from scripts.bench_support import (
    PAGE_GOAL,
    BenchError,
    Meter,
    Result,
    Server,
    app_env,
    drop_schemas,
    failure,
    free_ports,
    hello_target,
    hidden_fields,
    location,
    measure_gets,
    report,
    sign_in,
    start_server,
    stop_servers,
    timed_get,
    wait_ready,
)

SUBMIT_GOAL = 0.25  # share of the bare app's requests/s
REGISTRY_PROBLEM = "Chưa lấy được dữ liệu từ CSDLQG".encode()
DEFAULT_DOSSIERS = {"portal": 200_000, "backoffice": 1_000_000}


# --- the portal scenario ------------------------------------------------------------------


def filing_steps(proc) -> dict[str, dict[str, str]]:
    """Step -> typed values to post, for a procedure the benchmark can file unattended."""
    if proc.eligibility or proc.partner_field or any(c.source == "upload" for c in proc.components):
        raise SystemExit(
            f"{proc.code}: pick a procedure without eligibility rules, partner or uploads"
        )
    steps: dict[str, dict[str, str]] = {}
    for f in proc.fields:
        if f.prefill:
            continue
        value = typed_value(f)
        if value is None and f.required:
            raise SystemExit(f"{proc.code}: field {f.name} needs another person's ID")
        steps.setdefault(f.step, {})[f.name] = value or ""
    return steps


def share(remaining: int, per_round: int, threads: int, thread: int) -> int:
    """How many of this round's submits thread `thread` makes."""
    total = max(0, min(per_round, remaining))
    return total // threads + (1 if thread < total % threads else 0)


@dataclass
class Filer:
    """A signed-in citizen who files the benchmark's procedure again and again."""

    browser: requests.Session
    base: str  # portal URL + /nop-ho-so/<code>
    steps: dict[str, dict[str, str]]
    csrf: str = ""
    locked_hash: str = ""

    def begin(self) -> None:
        """Open a first draft, to get the form's CSRF token."""
        resp = self.browser.get(self.base, allow_redirects=False, timeout=30)
        page = self.browser.get(location(resp, "start", self.base + "/"), timeout=30)
        self.csrf = hidden_fields(page, "first step").get("csrf_token", "")

    def prepare(self) -> None:
        """A fresh draft, its typed steps posted, and the summary's hidden fields."""
        resp = self.browser.get(self.base, allow_redirects=False, timeout=30)
        location(resp, "start", self.base + "/")
        for step, values in self.steps.items():
            data = {"csrf_token": self.csrf, **values}
            resp = self.browser.post(f"{self.base}/{step}", data=data, allow_redirects=False,
                                     timeout=30)  # fmt: skip
            location(resp, f"step {step}", self.base + "/")
        hidden = hidden_fields(self.browser.get(f"{self.base}/xem-lai", timeout=30), "summary")
        if "locked_hash" not in hidden:
            raise BenchError("summary: no locked_hash (problems or missing fields?)")
        self.csrf, self.locked_hash = hidden["csrf_token"], hidden["locked_hash"]

    def submit(self) -> float:
        """POST /nop-ho-so/<code>/nop; its time in ms."""
        data = {"csrf_token": self.csrf, "locked_hash": self.locked_hash}
        started = time.perf_counter()
        resp = self.browser.post(self.base + "/nop", data=data, allow_redirects=False, timeout=30)
        elapsed = (time.perf_counter() - started) * 1000
        location(resp, "submit", self.base.split("/nop-ho-so/")[0] + "/ho-so/")
        return elapsed


def check_dashboard(resp: requests.Response) -> None:
    if REGISTRY_PROBLEM in resp.content:
        raise BenchError("dashboard: the registry could not be read")
    if b'href="/ho-so/' not in resp.content:
        raise BenchError("dashboard: no dossier listed")


class SubmitRounds:
    """Rounds: every thread prepares a fresh draft per citizen, then all submit together;
    only the submit windows (barrier to barrier) go to the meter."""

    def __init__(self, result: Result, meter: Meter | None, filers: list[list[Filer]]) -> None:
        self.result, self.filers = result, filers
        threads = len(filers)
        if meter:
            meter.result = result
        self.start = threading.Barrier(threads, action=meter and meter.start, timeout=600)
        self.end = threading.Barrier(threads, action=meter and meter.stop, timeout=600)

    def run(self, count: int) -> None:
        workers = [
            threading.Thread(target=self.loop, args=(t, count)) for t in range(len(self.filers))
        ]
        for w in workers:
            w.start()
        for w in workers:
            w.join()

    def attempt(self, call: Callable) -> tuple[bool, float | None]:
        try:
            return True, call()
        except (BenchError, requests.RequestException, KeyError) as exc:
            self.result.errors.append(failure(exc))
            return False, None

    def loop(self, thread: int, count: int) -> None:
        threads, batch = len(self.filers), len(self.filers[0])
        per_round = threads * batch
        try:
            for r in range(math.ceil(count / per_round)):
                mine = self.filers[thread][
                    : share(count - r * per_round, per_round, threads, thread)
                ]
                ready = [f for f in mine if self.attempt(f.prepare)[0]]
                self.start.wait()
                for filer in ready:
                    ok, ms = self.attempt(filer.submit)
                    if ok:
                        self.result.latencies.append(ms)
                self.end.wait()
        except threading.BrokenBarrierError as exc:
            self.result.errors.append(failure(exc))


@dataclass
class Clients:
    anonymous: list[requests.Session]  # one per thread
    dashboard: list[requests.Session]  # signed-in personas, one per thread
    filers: list[list[Filer]]  # per thread, --submit-batch signed-in citizens


def make_clients(args, urls: dict[str, str], seeded: Seeded, steps) -> Clients:
    """Sign everybody in, one at a time, then open a first draft for each filer.

    One at a time: a login's callback holds a portal thread while the provider fetches the
    portal's JWKS, and gunicorn's gthread worker may queue that fetch behind callbacks on
    the same worker; a few concurrent logins then wait for each other until time-out."""
    portal, idp = urls["portal"], urls["idp"]
    personas = [seeded.personas[t % len(seeded.personas)][0] for t in range(args.threads)]
    dashboard = [sign_in(portal, idp, p, None) for p in personas]
    base = f"{portal}/nop-ho-so/{args.procedure}"
    filers = [Filer(sign_in(portal, idp, p, seeded.passcode), base, steps)
              for p in seeded.submitters]  # fmt: skip
    with concurrent.futures.ThreadPoolExecutor(args.threads) as pool:
        list(pool.map(Filer.begin, filers))
    batch = args.submit_batch
    return Clients(
        anonymous=[requests.Session() for _ in range(args.threads)],
        dashboard=dashboard,
        filers=[filers[t * batch : (t + 1) * batch] for t in range(args.threads)],
    )


def targets(urls: dict[str, str], clients: Clients, codes: list[str]) -> list:
    """Results to fill and work(thread, i) -> ms of the GET targets, in order."""
    portal = urls["portal"]
    anon, signed = clients.anonymous, clients.dashboard
    return [
        (Result("catalogue", "portal", PAGE_GOAL),
         lambda t, i: timed_get(anon[t], portal + "/thu-tuc")),
        (Result("procedure", "portal", PAGE_GOAL),
         lambda t, i: timed_get(anon[t], f"{portal}/thu-tuc/{codes[i % len(codes)]}")),
        (Result("dashboard", "portal", PAGE_GOAL),
         lambda t, i: timed_get(signed[t], portal + "/ca-nhan", check_dashboard)),
    ]  # fmt: skip


def measure(args, urls, clients: Clients, codes: list[str], masters: dict) -> list[Result]:
    """hello, each GET target, then submit, then "hello" again (the load may change)."""
    meter = Meter(masters)
    results = [measure_gets(args, meter, *hello_target(urls, args.threads))]
    for result, work in targets(urls, clients, codes):
        results.append(measure_gets(args, meter, result, work))
    print("  measuring submit ...", flush=True)
    result = Result("submit", "portal", SUBMIT_GOAL)
    SubmitRounds(result, None, clients.filers).run(
        min(args.warmup, len(clients.filers) * args.submit_batch)
    )
    result.latencies.clear()
    SubmitRounds(result, meter, clients.filers).run(args.requests)
    results.append(result)
    results.append(measure_gets(args, meter, *hello_target(urls, args.threads, "hello/end")))
    return results


# --- command line -------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.bench_portal",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--scenario", choices=["portal", "backoffice"], default="portal",
        help="the citizen's side (default) or the clerks' side")  # fmt: skip
    add("--citizens", type=int, default=1_000_000, help="synthetic citizens (1,000,000)")
    add("--dossiers", type=int, default=None,
        help="dossiers in the portal (portal: 200,000; backoffice: 1,000,000)")  # fmt: skip
    add("--requests", type=int, default=1000, help="measured requests per target (1000)")
    add("--stats-requests", type=int, default=40,
        help="measured requests per statistics target (backoffice, 40)")  # fmt: skip
    add("--warmup", type=int, default=50, help="unmeasured requests per target first (50)")
    add("--threads", type=int, default=4, help="client threads (default 4)")
    add("--submit-batch", type=int, default=8, help="citizens filing per client thread (8)")
    add("--workers", type=int, default=2, help="gunicorn workers per app (default 2)")
    add("--worker-class", choices=["sync", "gthread"], default="gthread",
        help="gunicorn worker class (default gthread: keep-alive)")  # fmt: skip
    add("--worker-threads", type=int, default=2, help="threads per gthread worker (2)")
    add("--procedure", default="2.000635", help="procedure filed by submit (2.000635)")
    add("--database-url", default="",
        help="PostgreSQL URL; a throw-away schema per app (default: SQLite files)")  # fmt: skip
    add("--seed", type=int, default=2025, help="random seed of the generated data (2025)")
    add("--keep", action="store_true", help="keep the instance folders (and schemas)")
    args = parser.parse_args(argv)
    if args.dossiers is None:
        args.dossiers = DEFAULT_DOSSIERS[args.scenario]
    return args


def describe(args: argparse.Namespace) -> str:
    workers = f"gunicorn {args.worker_class} x{args.workers}"
    if args.worker_class == "gthread":
        workers += f" ({args.worker_threads} threads each)"
    database = "PostgreSQL" if args.database_url else "SQLite"
    return f"{args.scenario}: {workers} per app, {args.threads} client threads, {database}"


def configs(args, folder: Path, urls: dict[str, str], schemas: list[str]) -> tuple[dict, dict]:
    """The provider's and the portal's settings (seeding and gunicorn use the same)."""
    idp = {
        "ENV_NAME": "dev",  # persona picker on
        "TEST_SWITCHES": False,  # as in production: no switch lookup per request
        "INSTANCE_PATH": str(folder / "idp"),
        "DATABASE_URL": args.database_url or f"sqlite:///{folder}/idp/identity.sqlite",
        "DATABASE_SCHEMA": schemas[0] if args.database_url else None,
        "ISSUER": urls["idp"],
        "PORTAL_URL": urls["portal"],
        "RATELIMIT_ENABLED": False,  # one address signs in thousands of times
    }
    portal = {
        "ENV_NAME": "dev",
        "INSTANCE_PATH": str(folder / "portal"),
        "DATABASE_URL": args.database_url or f"sqlite:///{folder}/portal/portal.sqlite",
        "DATABASE_SCHEMA": schemas[1] if args.database_url else None,
        "OIDC_ISSUER": urls["idp"],
        "PORTAL_URL": urls["portal"],
        "RATELIMIT_ENABLED": False,
    }
    return idp, portal


def start_all(args, folder: Path, urls, idp_config: dict, portal_config: dict) -> list[Server]:
    idp_env = provider_env(folder / "idp", urls["idp"], idp_config)
    portal_env = app_env({"PORTAL_ENV": "dev", "BENCH_PORTAL_CONFIG": json.dumps(portal_config)})
    specs = (
        ("idp", "scripts.idp_wsgi:app", idp_env, "/.well-known/openid-configuration"),
        ("portal", "scripts.portal_wsgi:portal_app()", portal_env, "/healthz"),
        ("hello", "scripts.portal_wsgi:hello_app()", app_env({}), "/"),
    )
    servers: list[Server] = []
    try:
        for name, spec, env, _ in specs:
            port = int(urls[name].rsplit(":", 1)[1])
            servers.append(start_server(name, spec, env, port, args, folder))
        for server, (*_, path) in zip(servers, specs, strict=True):
            wait_ready(server, path)
    except BaseException:
        stop_servers(servers)
        raise
    return servers


def seed(args, idp_config: dict, portal_config: dict) -> Seeded:
    """Both databases for the scenario; notes how long each part and the whole took."""
    portal = args.scenario == "portal"
    rng = random.Random(args.seed)
    print(f"seeding {args.citizens:,} citizens and {args.dossiers:,} dossiers ...", flush=True)
    started = time.perf_counter()
    submitters = args.threads * args.submit_batch if portal else 0
    seeded, applicants = seed_registry(idp_config, args, rng, submitters)
    spread = Spread() if portal else bench_backoffice.spread(args)
    seed_portal(portal_config, args, seeded, applicants, rng, spread)
    seeded.note(f"seeding took {time.perf_counter() - started:.1f} s in all")
    return seeded


def bench(args: argparse.Namespace, folder: Path, schemas: list[str]) -> tuple[list, list]:
    from procedures import load_catalogue

    catalogue = load_catalogue()
    proc = catalogue.get(args.procedure)
    if proc is None:
        raise SystemExit(f"no procedure {args.procedure} in the catalogue")
    steps = filing_steps(proc)
    names = ("idp", "portal", "hello")
    urls = {n: f"http://127.0.0.1:{p}" for n, p in zip(names, free_ports(3), strict=True)}
    idp_config, portal_config = configs(args, folder, urls, schemas)
    seeded = seed(args, idp_config, portal_config)
    print("starting gunicorn (provider, portal, hello) ...", flush=True)
    servers = start_all(args, folder, urls, idp_config, portal_config)
    masters = {s.name: s.proc.pid for s in servers}
    try:
        if args.scenario == "backoffice":
            results = bench_backoffice.measure(args, urls, portal_config, masters)
        else:
            print("signing clients in ...", flush=True)
            clients = make_clients(args, urls, seeded, steps)
            results = measure(args, urls, clients, sorted(catalogue.procedures), masters)
    finally:
        stop_servers(servers)
    return results, seeded.notes


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-portal-"))
    tag = uuid.uuid4().hex[:8]
    schemas = [f"bench_idp_{tag}", f"bench_portal_{tag}"]
    legend = (bench_backoffice.LEGEND if args.scenario == "backoffice"
              else "\n  submit: req/s over the submit windows only.")  # fmt: skip
    try:
        results, notes = bench(args, folder, schemas)
        report(results, describe(args), notes, legend)
    except (BenchError, requests.RequestException) as exc:
        print(f"setup failed: {failure(exc)}")
        return 1
    finally:
        if args.keep:
            print(f"  instance folders kept at {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
            if args.database_url:
                drop_schemas(args.database_url, schemas)
    failed = any(r.errors or not r.latencies for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
