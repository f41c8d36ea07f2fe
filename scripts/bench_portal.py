"""Benchmark the portal's pages and filing submit under gunicorn, next to a bare Flask app.

`python -m scripts.bench_portal [--citizens 1000000] [--dossiers 200000] [--requests 1000]
[--threads 4] [--workers 2] [--database-url postgresql://...]` creates a throw-away instance
folder per app, each with its own SQLite database (with `--database-url`, each app gets its
own throw-away schema on that PostgreSQL server instead), and seeds:

* the mock VNeID and population registry: the demo personas, N synthetic citizens
  (`seeds.generate`, as `flask --app identity_mock seed --citizens N` does) and a level-2
  VNeID account (passcode of personas.toml) for the few citizens who will file dossiers;
* the portal: the offices (`seed_offices`) and M dossiers spread over a sample of those
  citizens, with statuses, codes, offices, fees and due dates as filing and the clerks
  would have left them, one timeline event each and the matching daily code sequences;
  every level-2 persona owns 40 of them, so the dashboard lists real rows.

It then starts three gunicorns on free loopback ports, each with `--workers` workers: the
provider (`scripts.idp_wsgi`), the portal and a bare Flask app that answers "hello"
(`scripts.portal_wsgi`), and measures one target after the other from `--threads` client
threads, each with its own keep-alive `requests.Session`, after `--warmup` unmeasured
requests:

    hello      GET /                     the bare Flask app: the baseline (measured first
                                         and again last, as "hello/end")
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
req/s is submits over the summed window time and p50/p95 are of the submit POST alone.

The table gives, per target: requests, errors, req/s, p50 and p95 in ms; the CPU ms per
request of the load generator, of the app's gunicorn workers (hello or portal) and of the
provider's (registry API), which unlike req/s do not depend on what else the machine runs;
the share of all cores other processes used meanwhile (with PostgreSQL, the database server
counts there); the ratio to the faster hello run by req/s (the target's measure) and by
server CPU per request (the req/s ratio the servers would reach with the cores to
themselves); the target (pages >= 50 %, submit >= 25 %) and whether the req/s ratio meets
it. It exits 1 if any request failed or answered unexpectedly.

The load generator and the three apps share the machine's cores, and a Python client
spends more CPU per request than the bare app does, so "hello" is bounded by the client and
the req/s ratios of cheap pages flatter them; the CPU ratio does not. Keep the machine
otherwise idle. A quick run: `--citizens 20000 --dossiers 5000 --requests 200`.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import itertools
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO
from urllib.parse import urljoin

import requests

from portal.services.deadlines import CUTOFF, due_date, to_local
from portal.services.dossier_codes import format_code
from scripts.bench_idp import ROOT, free_port, machine_busy, provider_env, stop, worker_cpu

PAGE_GOAL, SUBMIT_GOAL = 0.50, 0.25  # share of the bare app's requests/s
PERSONA_DOSSIERS = 40  # dossiers of each level-2 persona (the dashboard clients)
DRAFT_SHARE = 0.05  # dossiers still being written
SPAN_DAYS, RECENT_DAYS = 730, 30  # filed over two years; older ones are mostly settled
CHUNK = 10_000  # dossier rows per executemany
# (status, weight) of filed dossiers, by age
RECENT = (("submitted", 20), ("received", 20), ("processing", 30), ("supplement_requested", 10),
          ("approved", 12), ("rejected", 5), ("withdrawn", 3))  # fmt: skip
SETTLED = (("returned", 85), ("rejected", 7), ("withdrawn", 5), ("approved", 3))
NOT_RECEIVED = {"submitted", "withdrawn"}
# how often each procedure is filed (others: 1)
PROCEDURE_WEIGHTS = {"1.001193": 18, "2.000815": 15, "1.004222": 12, "1.004194": 12,
                     "2.000884": 8, "1.004873": 8, "1.001078": 8, "2.000635": 5,
                     "1.000894": 5, "1.011634": 5, "1.000656": 3}  # fmt: skip
TEXT_VALUE = "Kê khai để đo hiệu năng"
HIDDEN = re.compile(r'<input type="hidden" name="(?P<name>[\w-]+)" value="(?P<value>[^"]*)"')
REGISTRY_PROBLEM = "Chưa lấy được dữ liệu từ CSDLQG".encode()


class BenchError(Exception):
    """A request did not answer as the portal should."""


# --- seeding ----------------------------------------------------------------------------


def typed_value(field) -> str | None:
    """A valid value for a typed (not prefilled) form field; None for a personal ID."""
    if field.type == "select":
        return field.options[0]
    if field.type == "number":
        return "1"
    if field.type == "date":
        return "2026-01-05"
    if field.type == "checkbox":
        return "có"
    if field.type == "personal_id":
        return None
    return TEXT_VALUE[: field.max_length]


def typed_values(proc) -> dict[str, str]:
    return {f.name: v for f in proc.fields if not f.prefill and (v := typed_value(f)) is not None}


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


class DossierFactory:
    """Dossier rows (and their first timeline event) as filing and the clerks leave them."""

    def __init__(self, catalogue, rng: random.Random, now: datetime, bench_code: str) -> None:
        from portal.services.offices import commune_office_code, department_office_code

        self.commune_office, self.department_office = commune_office_code, department_office_code
        self.rng, self.now, self.bench_code = rng, now, bench_code
        self.procedures = sorted(catalogue.procedures.values(), key=lambda p: p.code)
        self.weights = [PROCEDURE_WEIGHTS.get(p.code, 1) for p in self.procedures]
        self.templates = {p.code: typed_values(p) for p in self.procedures}
        self.sequences: Counter[tuple[str, date]] = Counter()  # last number per office, day
        self.drafts: set[tuple[str, str]] = set()  # (applicant, procedure) with a draft
        self.dues: dict[tuple, date] = {}
        self.next_id = 1

    def chunks(self, owners: Iterator[tuple[str, int]], size: int) -> Iterator[tuple[list, list]]:
        """(dossier rows, event rows) for each owner (personal ID, ward), `size` at a time."""
        dossiers: list[dict] = []
        events: list[dict] = []
        for applicant, ward in owners:
            row = self.dossier(applicant, ward)
            row["id"], self.next_id = self.next_id, self.next_id + 1
            dossiers.append(row)
            if row["submitted_at"]:
                events.append(self.event(row))
            if len(dossiers) == size:
                yield dossiers, events
                dossiers, events = [], []
        if dossiers:
            yield dossiers, events

    def dossier(self, applicant: str, ward: int) -> dict:
        proc = self.rng.choices(self.procedures, self.weights)[0]
        row = {
            "procedure_code": proc.code,
            "procedure_version": proc.version,
            "applicant_id": applicant,
            "data": dict(self.templates[proc.code]),
            "routing_reason": None,
            "locked_hash": None,
            "fee_amount": None,
            "fee_rule": None,
            "fee_reason": None,
        }
        key = (applicant, proc.code)
        if (
            self.rng.random() < DRAFT_SHARE
            and key not in self.drafts
            and proc.code != self.bench_code
        ):
            self.drafts.add(key)
            return row | self.draft()
        return row | self.filed(proc, ward)

    def draft(self) -> dict:
        created = self.now - timedelta(days=60 * self.rng.random())
        return {
            "code": None, "draft_key": "draft", "status": "draft", "office_code": None,
            "submitted_at": None, "received_at": None, "due_date": None, "returned_at": None,
            "version": 1, "created_at": created, "updated_at": created,
        }  # fmt: skip

    def filed(self, proc, ward: int) -> dict:
        rng = self.rng
        age = timedelta(days=SPAN_DAYS * rng.random())
        submitted = self.now - age
        statuses, weights = zip(*(RECENT if age.days < RECENT_DAYS else SETTLED), strict=True)
        status = rng.choices(statuses, weights)[0]
        office = self.office(proc, ward)
        day = to_local(submitted).date()
        self.sequences[office, day] += 1
        received = None
        if status not in NOT_RECEIVED:
            received = min(submitted + timedelta(hours=rng.uniform(0.5, 48)), self.now)
        returned = None
        if status == "returned":
            days = proc.processing.working_days + rng.uniform(0, 4)
            returned = min(received + timedelta(days=days), self.now)
        return {
            "code": format_code(office, day, self.sequences[office, day]),
            "draft_key": None, "status": status, "office_code": office,
            "routing_reason": "Xã/phường nơi bạn thường trú (theo CSDLQG về dân cư).",
            "fee_amount": proc.fees.base, "fee_rule": "base",
            "fee_reason": "Lệ phí theo biểu phí của thủ tục",
            "submitted_at": submitted, "received_at": received,
            "due_date": self.due(received or submitted, proc.processing.working_days),
            "returned_at": returned, "version": 2 if status == "submitted" else 3,
            "created_at": submitted - timedelta(minutes=rng.uniform(2, 30)),
            "updated_at": returned or received or submitted,
        }  # fmt: skip

    def office(self, proc, ward: int) -> str:
        from common import divisions

        if proc.level == "province":
            province = divisions.wards()[ward].province_code
            return self.department_office(province, proc.department)
        return self.commune_office(ward)

    def due(self, moment: datetime, working_days: int) -> date:
        local = to_local(moment)
        key = (local.date(), local.time() > CUTOFF, working_days)
        if key not in self.dues:
            self.dues[key] = due_date(moment, working_days)
        return self.dues[key]

    @staticmethod
    def event(row: dict) -> dict:
        return {
            "dossier_id": row["id"], "at": row["submitted_at"], "actor_id": row["applicant_id"],
            "actor_role": "citizen", "from_status": "draft", "to_status": "submitted",
            "note": "Nộp hồ sơ trực tuyến",
        }  # fmt: skip


def dossier_owners(
    personas: list[tuple[str, int]], applicants: list[tuple[str, int]], total: int, rng
) -> Iterator[tuple[str, int]]:
    """The owner of each of `total` dossiers: each persona a few, the rest at random."""
    each = min(PERSONA_DOSSIERS, total // max(1, 2 * len(personas)))
    for owner in personas:
        yield from itertools.repeat(owner, each)
    for _ in range(total - each * len(personas)):
        yield rng.choice(applicants)


def sample_residents(engine, want: int, exclude: set[str], rng) -> list[tuple[str, int]]:
    """About `want` random (personal ID, ward of permanent residence), shuffled."""
    from sqlalchemy import text

    where = "WHERE kind = 'thuong_tru'"
    with engine.connect() as conn:
        total = conn.execute(text(f"SELECT count(*) FROM pop_residence {where}")).scalar_one()
        rate = min(1.0, 1.2 * want / max(1, total))
        rows = conn.execution_options(stream_results=True).execute(
            text(f"SELECT personal_id, ward_code FROM pop_residence {where} ORDER BY id")
        )
        picked = [(p, w) for p, w in rows if rng.random() < rate and p not in exclude]
    rng.shuffle(picked)
    return picked[:want]


def adults(engine, ids: list[str]) -> list[str]:
    """Those of `ids` (kept in order) aged 18 or more: old enough for a level-2 account."""
    from sqlalchemy import bindparam, text

    cutoff = (datetime.now() - timedelta(days=18 * 366)).date().isoformat()
    query = text(
        "SELECT personal_id FROM pop_person WHERE personal_id IN :ids AND birth_date <= :cut"
    ).bindparams(bindparam("ids", expanding=True))
    with engine.connect() as conn:
        found = set(conn.execute(query, {"ids": ids, "cut": cutoff}).scalars())
    return [pid for pid in ids if pid in found]


@dataclass
class Seeded:
    personas: list[tuple[str, int]]  # level-2 personas: (personal ID, ward)
    submitters: list[str]  # generated citizens with a level-2 account
    passcode: str
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        print(f"  {text}", flush=True)
        self.notes.append(text)


def seed_registry(config: dict, args: argparse.Namespace, rng) -> tuple[Seeded, list]:
    """Personas, citizens and the submitters' accounts; returns them and the applicants."""
    from werkzeug.security import generate_password_hash

    from identity_mock import create_app
    from identity_mock.db import db
    from identity_mock.models import Account
    from seeds import personas
    from seeds.generate import generate_citizens

    data = personas.read()
    level2 = [(p["personal_id"], p["residence"]["ward"]) for p in data["persona"]
              if p.get("level", 2) >= 2]  # fmt: skip
    seeded = Seeded(level2, [], data["passcode"])
    submitters = args.threads * args.submit_batch
    app = create_app(config)
    with app.app_context():
        with db.new_session() as session:
            personas.load(session)
        started = time.perf_counter()
        stats = generate_citizens(db.engine, args.citizens, seed=args.seed)
        seeded.note(
            f"{stats['people']:,} citizens in {stats['households']:,} households "
            f"({time.perf_counter() - started:.1f} s)"
        )
        exclude = {p["personal_id"] for p in data["persona"]}
        sample = sample_residents(db.engine, args.dossiers // 2 + 4 * submitters, exclude, rng)
        seeded.submitters = adults(db.engine, [pid for pid, _ in sample[: 4 * submitters]])
        del seeded.submitters[submitters:]
        if len(seeded.submitters) < submitters:
            raise SystemExit("too few adult citizens: raise --citizens")
        chosen = set(seeded.submitters)
        sample = [entry for entry in sample if entry[0] not in chosen]
        passcode_hash = generate_password_hash(seeded.passcode)
        with db.new_session() as session:
            session.add_all(
                Account(personal_id=pid, passcode_hash=passcode_hash, level=2)
                for pid in seeded.submitters
            )
            session.commit()
        db.engine.dispose()
    return seeded, sample


def seed_portal(config: dict, args: argparse.Namespace, seeded: Seeded, applicants, rng) -> None:
    """Offices, then the dossiers, their events and the daily code sequences."""
    from portal import create_app
    from portal.db import db
    from portal.models import utcnow
    from portal.services.offices import seed_offices

    app = create_app(config)
    with app.app_context():
        catalogue = app.extensions["catalogue"]
        with db.new_session() as session:
            offices = seed_offices(session, catalogue)
        started = time.perf_counter()
        factory = DossierFactory(catalogue, rng, utcnow(), args.procedure)
        owners = dossier_owners(seeded.personas, applicants, args.dossiers, rng)
        write_dossiers(db.engine, factory, owners)
        seeded.note(
            f"{offices:,} offices, {factory.next_id - 1:,} dossiers "
            f"({len(factory.drafts):,} drafts) over {len(applicants):,} citizens and "
            f"{len(seeded.personas)} personas ({time.perf_counter() - started:.1f} s)"
        )
        db.engine.dispose()


def write_dossiers(engine, factory: DossierFactory, owners) -> None:
    from sqlalchemy import func, insert, select, text

    from portal.models import Dossier, DossierEvent, DossierSequence

    with engine.begin() as conn:
        factory.next_id = (conn.execute(select(func.max(Dossier.id))).scalar() or 0) + 1
        for dossiers, events in factory.chunks(owners, CHUNK):
            conn.execute(insert(Dossier), dossiers)
            if events:
                conn.execute(insert(DossierEvent), events)
        sequences = [
            {"office_code": office, "day": day, "last": last}
            for (office, day), last in factory.sequences.items()
        ]
        for start in range(0, len(sequences), CHUNK):
            conn.execute(insert(DossierSequence), sequences[start : start + CHUNK])
        if conn.dialect.name == "postgresql":  # ids were given explicitly
            conn.execute(text("SELECT setval(pg_get_serial_sequence('dossier', 'id'), max(id))"
                              " FROM dossier"))  # fmt: skip


def drop_schemas(url: str, schemas: list[str]) -> None:
    from sqlalchemy import text

    from common.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        for schema in schemas:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


# --- the three apps under gunicorn --------------------------------------------------------


@dataclass
class Server:
    name: str
    url: str
    proc: subprocess.Popen
    log: IO[str]


def start_server(name: str, spec: str, env: dict, port: int, args, folder: Path) -> Server:
    """gunicorn serving `spec` on loopback `port`, its output in folder/<name>.log."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    cmd = [str(gunicorn), "-w", str(args.workers), "-k", args.worker_class,
           "-b", f"127.0.0.1:{port}", "--log-level", "warning"]  # fmt: skip
    if args.worker_class == "gthread":
        cmd += ["--threads", str(args.worker_threads)]
    log = open(folder / f"{name}.log", "w+")  # closed by stop_servers
    proc = subprocess.Popen([*cmd, spec], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    return Server(name, f"http://127.0.0.1:{port}", proc, log)


def wait_ready(server: Server, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.proc.poll() is None:
        try:
            if requests.get(server.url + path, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{server.name}: gunicorn did not start; see its log")


def stop_servers(servers: list[Server]) -> None:
    for server in servers:
        stop(server.proc)
        server.log.seek(0)
        output = server.log.read()[-2000:]
        server.log.close()
        if output.strip():
            print(f"-- {server.name} gunicorn log (tail):\n{output}")


def app_env(extra: dict[str, str]) -> dict[str, str]:
    """This environment without the apps' own settings, plus `extra` and the repo path."""
    prefixes = ("PORTAL_", "IDP_", "DATABASE_", "OIDC_", "BENCH_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return env | extra


# --- clients ------------------------------------------------------------------------------


def _location(resp: requests.Response, step: str, prefix: str) -> str:
    if resp.status_code not in (302, 303):
        raise BenchError(f"{step}: HTTP {resp.status_code}, expected a redirect")
    location = urljoin(resp.url, resp.headers["Location"])
    if not location.startswith(prefix):
        raise BenchError(f"{step}: redirected to {location}, expected {prefix}...")
    return location


def hidden_fields(resp: requests.Response, step: str) -> dict[str, str]:
    if resp.status_code != 200:
        raise BenchError(f"{step}: HTTP {resp.status_code}, expected 200")
    return {m["name"]: m["value"] for m in HIDDEN.finditer(resp.text)}


def sign_in(portal: str, idp: str, personal_id: str, passcode: str | None) -> requests.Session:
    """A browser signed in at the portal at level 2 (persona picker, or ID + passcode)."""
    from tests.support import flows

    result = flows.login(portal, idp, personal_id, passcode=passcode, level=2)
    _location(result.response, f"login {personal_id}", portal + "/ca-nhan")
    return result.browser


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
        page = self.browser.get(_location(resp, "start", self.base + "/"), timeout=30)
        self.csrf = hidden_fields(page, "first step").get("csrf_token", "")

    def prepare(self) -> None:
        """A fresh draft, its typed steps posted, and the summary's hidden fields."""
        resp = self.browser.get(self.base, allow_redirects=False, timeout=30)
        _location(resp, "start", self.base + "/")
        for step, values in self.steps.items():
            data = {"csrf_token": self.csrf, **values}
            resp = self.browser.post(f"{self.base}/{step}", data=data, allow_redirects=False,
                                     timeout=30)  # fmt: skip
            _location(resp, f"step {step}", self.base + "/")
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
        _location(resp, "submit", self.base.split("/nop-ho-so/")[0] + "/ho-so/")
        return elapsed


def timed_get(browser: requests.Session, url: str, check: Callable | None = None) -> float:
    started = time.perf_counter()
    resp = browser.get(url, allow_redirects=False, timeout=30)
    elapsed = (time.perf_counter() - started) * 1000
    if resp.status_code != 200:
        raise BenchError(f"GET {url}: HTTP {resp.status_code}")
    if check:
        check(resp)
    return elapsed


def check_dashboard(resp: requests.Response) -> None:
    if REGISTRY_PROBLEM in resp.content:
        raise BenchError("dashboard: the registry could not be read")
    if b'href="/ho-so/' not in resp.content:
        raise BenchError("dashboard: no dossier listed")


# --- measuring ----------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    app: str  # the gunicorn serving the target: "hello" or "portal"
    goal: float | None  # share of the bare app's requests/s
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0
    server_cpu: dict[str, float] | None = field(default_factory=dict)  # s, per app's workers
    client_cpu: float = 0.0  # CPU seconds of this process
    machine_cpu: float | None = 0.0  # CPU seconds of every process on the machine

    def rate(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0

    def cpu_ms(self, app: str) -> float | None:
        """CPU ms per request of `app`'s workers ("client": this process)."""
        if not self.latencies or (self.server_cpu is None and app != "client"):
            return None
        used = self.client_cpu if app == "client" else self.server_cpu.get(app, 0.0)
        return 1000 * used / len(self.latencies)

    def server_ms(self) -> float | None:
        """CPU ms per request of the servers that answered it (app, and the provider)."""
        app, idp = self.cpu_ms(self.app), self.cpu_ms("idp")
        return None if app is None or idp is None else app + idp

    def others(self) -> str:
        """Share of the machine's CPU that neither the client nor the apps used."""
        if self.machine_cpu is None or self.server_cpu is None or not self.wall:
            return "?"
        spare = self.machine_cpu - self.client_cpu - sum(self.server_cpu.values())
        return f"{100 * max(0.0, spare) / ((os.cpu_count() or 1) * self.wall):.0f}%"


class Meter:
    """Adds the wall time and CPU counters of measured windows to a Result."""

    def __init__(self, masters: dict[str, int]) -> None:
        self.masters = masters  # app name -> gunicorn master pid
        self.result: Result | None = None
        self.marks: tuple = ()

    def server(self) -> dict[str, float] | None:
        values = {name: worker_cpu(pid) for name, pid in self.masters.items()}
        return None if None in values.values() else values

    def start(self) -> None:
        self.marks = (time.perf_counter(), time.process_time(), self.server(), machine_busy())

    def stop(self) -> None:
        wall, client, server, busy = self.marks
        after, busy_after = self.server(), machine_busy()
        result = self.result
        result.wall += time.perf_counter() - wall
        result.client_cpu += time.process_time() - client
        if result.server_cpu is None or server is None or after is None:
            result.server_cpu = None
        else:
            for name, used in after.items():
                result.server_cpu[name] = result.server_cpu.get(name, 0.0) + used - server[name]
        if result.machine_cpu is None or busy is None or busy_after is None:
            result.machine_cpu = None
        else:
            result.machine_cpu += busy_after - busy


def _failure(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def drive(result: Result, meter: Meter | None, threads: int, count: int, work) -> None:
    """`work(thread, i)` for i in range(count) over `threads` threads (ms each)."""
    counter = itertools.count()

    def loop(thread: int) -> None:
        while (i := next(counter)) < count:
            try:
                result.latencies.append(work(thread, i))
            except (BenchError, requests.RequestException, KeyError) as exc:
                result.errors.append(_failure(exc))

    workers = [threading.Thread(target=loop, args=(t,)) for t in range(threads)]
    if meter:
        meter.result = result
        meter.start()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if meter:
        meter.stop()


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
            self.result.errors.append(_failure(exc))
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
            self.result.errors.append(_failure(exc))


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


def targets(args, urls: dict[str, str], clients: Clients, codes: list[str]) -> list:
    """Results to fill and work(thread, i) -> ms of the GET targets, in order."""
    hello, portal = urls["hello"], urls["portal"]
    anon, signed = clients.anonymous, clients.dashboard
    return [
        (Result("hello", "hello", None), lambda t, i: timed_get(anon[t], hello + "/")),
        (Result("catalogue", "portal", PAGE_GOAL),
         lambda t, i: timed_get(anon[t], portal + "/thu-tuc")),
        (Result("procedure", "portal", PAGE_GOAL),
         lambda t, i: timed_get(anon[t], f"{portal}/thu-tuc/{codes[i % len(codes)]}")),
        (Result("dashboard", "portal", PAGE_GOAL),
         lambda t, i: timed_get(signed[t], portal + "/ca-nhan", check_dashboard)),
    ]  # fmt: skip


def measure(args, urls, clients: Clients, codes: list[str], masters: dict) -> list[Result]:
    """Each GET target, then submit, then "hello" again (the machine's load may change)."""
    meter = Meter(masters)
    gets = targets(args, urls, clients, codes)
    gets.append((Result("hello/end", "hello", None), gets[0][1]))
    results = []
    for result, work in gets[:-1]:
        results.append(measure_gets(args, meter, result, work))
    print("  measuring submit ...", flush=True)
    result = Result("submit", "portal", SUBMIT_GOAL)
    SubmitRounds(result, None, clients.filers).run(
        min(args.warmup, len(clients.filers) * args.submit_batch)
    )
    result.latencies.clear()
    SubmitRounds(result, meter, clients.filers).run(args.requests)
    results.append(result)
    results.append(measure_gets(args, meter, *gets[-1]))
    return results


def measure_gets(args, meter: Meter, result: Result, work) -> Result:
    print(f"  measuring {result.name} ...", flush=True)
    drive(result, None, args.threads, args.warmup, work)
    result.latencies.clear()
    drive(result, meter, args.threads, args.requests, work)
    return result


# --- report -------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of `values`; 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def verdict(ratio: float | None, goal: float | None) -> str:
    if goal is None or ratio is None:
        return "–"
    return "met" if ratio >= goal else "NOT met"


def _ms(value: float | None) -> str:
    return "?" if value is None else f"{value:.1f}"


def _share(value: float | None) -> str:
    return "?" if value is None else f"{100 * value:.0f}%"


def ratios(result: Result, hello: Result) -> tuple[float | None, float | None]:
    """(req/s ratio, CPU ratio) to the bare app; the second is what the req/s ratio would be
    if the servers had the cores to themselves: hello's CPU per request over this one's."""
    rate = result.rate() / hello.rate() if hello.rate() else None
    mine, base = result.server_ms(), hello.server_ms()
    return rate, (base / mine if mine and base is not None else None)


def row(result: Result, hello: Result) -> str:
    by_rate, by_cpu = ratios(result, hello)
    goal = f">= {100 * result.goal:.0f}%" if result.goal is not None else "–"
    met = "–" if result.goal is None else verdict(by_rate, result.goal)
    return (
        f"  {result.name:<10} {len(result.latencies):>8} {len(result.errors):>6} "
        f"{result.rate():>8.1f} {percentile(result.latencies, 0.5):>7.1f} "
        f"{percentile(result.latencies, 0.95):>7.1f} {_ms(result.cpu_ms('client')):>6} "
        f"{_ms(result.cpu_ms(result.app)):>6} {_ms(result.cpu_ms('idp')):>6} "
        f"{result.others():>6} {_share(by_rate):>8} {_share(by_cpu):>6} {goal:>7}  {met}"
    )


def report(results: list[Result], title: str, notes: list[str]) -> None:
    print(f"\n== {title}")
    for note in notes:
        print(f"  seeded: {note}")
    print(
        f"\n  {'':<10} {'':>8} {'':>6} {'':>8} {'':>7} {'':>7} {'CPU ms per request':^20} "
        f"{'':>6} {'vs hello':^15}"
    )
    print(
        f"  {'target':<10} {'requests':>8} {'errors':>6} {'req/s':>8} {'p50 ms':>7} "
        f"{'p95 ms':>7} {'client':>6} {'app':>6} {'IdP':>6} {'others':>6} {'req/s':>8} "
        f"{'CPU':>6} {'target':>7}  verdict"
    )
    baseline = max((r for r in results if r.app == "hello"), key=Result.rate)
    for result in results:
        print(row(result, baseline))
    print(
        "\n  CPU ms per request: the load generator (this process), the gunicorn workers of the"
        "\n  app measured (hello or portal) and of the provider (registry API); unlike req/s,"
        "\n  they do not depend on other load. others: share of all cores used meanwhile by"
        "\n  other processes. vs hello: req/s ratio (the target's measure) and CPU ratio (hello's"
        "\n  server CPU per request over the target's: the req/s ratio servers would reach with"
        "\n  the cores to themselves); both against the faster hello run (first or last)."
        "\n  submit: req/s over the submit windows only."
    )
    for result in results:
        if result.errors:
            print(f"  {result.name}: first failure: {result.errors[0]}")


# --- command line -------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.bench_portal",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--citizens", type=int, default=1_000_000, help="synthetic citizens (1,000,000)")
    add("--dossiers", type=int, default=200_000, help="dossiers in the portal (200,000)")
    add("--requests", type=int, default=1000, help="measured requests per target (1000)")
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
    return parser.parse_args(argv)


def describe(args: argparse.Namespace) -> str:
    workers = f"gunicorn {args.worker_class} x{args.workers}"
    if args.worker_class == "gthread":
        workers += f" ({args.worker_threads} threads each)"
    database = "PostgreSQL" if args.database_url else "SQLite"
    return f"{workers} per app, {args.threads} client threads, {database}"


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
    }
    portal = {
        "ENV_NAME": "dev",
        "INSTANCE_PATH": str(folder / "portal"),
        "DATABASE_URL": args.database_url or f"sqlite:///{folder}/portal/portal.sqlite",
        "DATABASE_SCHEMA": schemas[1] if args.database_url else None,
        "OIDC_ISSUER": urls["idp"],
        "PORTAL_URL": urls["portal"],
    }
    return idp, portal


def free_ports(count: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(free_port())
    return sorted(ports)


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
    rng = random.Random(args.seed)
    print(f"seeding {args.citizens:,} citizens and {args.dossiers:,} dossiers ...", flush=True)
    seeded, applicants = seed_registry(idp_config, args, rng)
    seed_portal(portal_config, args, seeded, applicants, rng)
    del applicants
    print("starting gunicorn (provider, portal, hello) and signing clients in ...", flush=True)
    servers = start_all(args, folder, urls, idp_config, portal_config)
    try:
        clients = make_clients(args, urls, seeded, steps)
        codes = sorted(catalogue.procedures)
        results = measure(args, urls, clients, codes, {s.name: s.proc.pid for s in servers})
    finally:
        stop_servers(servers)
    return results, seeded.notes


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-portal-"))
    tag = uuid.uuid4().hex[:8]
    schemas = [f"bench_idp_{tag}", f"bench_portal_{tag}"]
    try:
        results, notes = bench(args, folder, schemas)
        report(results, describe(args), notes)
    except (BenchError, requests.RequestException) as exc:
        print(f"setup failed: {_failure(exc)}")
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
