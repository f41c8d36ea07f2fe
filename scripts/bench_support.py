"""What the portal benchmarks share (scripts.bench_portal, its back-office scenario in
scripts.bench_backoffice): the apps under gunicorn, signed-in clients, measured windows
(wall time, latencies, CPU of each side) and the report against the bare "hello" app."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urljoin

import requests

from scripts.bench_idp import ROOT, free_port, machine_busy, stop, worker_cpu

PAGE_GOAL = 0.50  # share of the bare app's requests/s
HIDDEN = re.compile(r'<input type="hidden" name="(?P<name>[\w-]+)" value="(?P<value>[^"]*)"')


class BenchError(Exception):
    """A request did not answer as the portal should."""


# --- the apps under gunicorn --------------------------------------------------------------


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


def free_ports(count: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(free_port())
    return sorted(ports)


def drop_schemas(url: str, schemas: list[str]) -> None:
    from sqlalchemy import text

    from common.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        for schema in schemas:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


# --- clients ------------------------------------------------------------------------------


def location(resp: requests.Response, step: str, prefix: str) -> str:
    """The redirect's target, which must start with `prefix`."""
    if resp.status_code not in (302, 303):
        raise BenchError(f"{step}: HTTP {resp.status_code}, expected a redirect")
    target = urljoin(resp.url, resp.headers["Location"])
    if not target.startswith(prefix):
        raise BenchError(f"{step}: redirected to {target}, expected {prefix}...")
    return target


def hidden_fields(resp: requests.Response, step: str) -> dict[str, str]:
    if resp.status_code != 200:
        raise BenchError(f"{step}: HTTP {resp.status_code}, expected 200")
    return {m["name"]: m["value"] for m in HIDDEN.finditer(resp.text)}


def sign_in(portal: str, idp: str, personal_id: str, passcode: str | None) -> requests.Session:
    """A browser signed in at the portal at level 2 (persona picker, or ID + passcode)."""
    from tests.support import flows

    result = flows.login(portal, idp, personal_id, passcode=passcode, level=2)
    location(result.response, f"login {personal_id}", portal + "/ca-nhan")
    return result.browser


def timed_get(browser: requests.Session, url: str, check: Callable | None = None) -> float:
    started = time.perf_counter()
    resp = browser.get(url, allow_redirects=False, timeout=60)
    elapsed = (time.perf_counter() - started) * 1000
    if resp.status_code != 200:
        raise BenchError(f"GET {url}: HTTP {resp.status_code}")
    if check:
        check(resp)
    return elapsed


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
    p99_limit: float | None = None  # ms, for the targets that have one

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


def failure(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def drive(result: Result, meter: Meter | None, threads: int, count: int, work) -> None:
    """`work(thread, i)` for i in range(count) over `threads` threads (ms each)."""
    counter = itertools.count()

    def loop(thread: int) -> None:
        while (i := next(counter)) < count:
            try:
                result.latencies.append(work(thread, i))
            except (BenchError, requests.RequestException, KeyError) as exc:
                result.errors.append(failure(exc))

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


def hello_target(urls: dict[str, str], threads: int, name: str = "hello") -> tuple:
    """(Result, work) of GET / on the bare app, from one keep-alive browser per thread."""
    browsers = [requests.Session() for _ in range(threads)]
    return Result(name, "hello", None), lambda t, i: timed_get(browsers[t], urls["hello"] + "/")


def measure_gets(
    args, meter: Meter, result: Result, work, requests: int | None = None, warmup: int | None = None
) -> Result:
    """`warmup` unmeasured calls of `work`, then `requests` measured ones (default: the
    command line's); work(thread, i) counts i from 0 again for the measured calls."""
    print(f"  measuring {result.name} ...", flush=True)
    drive(result, None, args.threads, args.warmup if warmup is None else warmup, work)
    result.latencies.clear()
    drive(result, meter, args.threads, args.requests if requests is None else requests, work)
    return result


# --- report -------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of `values`; 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def verdict(
    ratio: float | None, goal: float | None, p99: float | None = None, limit: float | None = None
) -> str:
    """Whether the goals are "met"; "NOT met" with what missed (req/s ratio, p99); "–" when
    there is no goal."""
    if goal is None and limit is None:
        return "–"
    missed = []
    if goal is not None and (ratio is None or ratio < goal):
        missed.append("req/s")
    if limit is not None and (p99 is None or p99 >= limit):
        missed.append("p99")
    if not missed:
        return "met"
    return "NOT met" if limit is None else f"NOT met ({', '.join(missed)})"


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


def goal_text(result: Result) -> str:
    parts = [f">= {100 * result.goal:.0f}%"] if result.goal is not None else []
    if result.p99_limit is not None:
        parts.append(f"p99 < {result.p99_limit:.0f}")
    return ", ".join(parts) or "–"


def row(result: Result, hello: Result) -> str:
    by_rate, by_cpu = ratios(result, hello)
    p99 = percentile(result.latencies, 0.99) if result.latencies else None
    met = verdict(by_rate, result.goal, p99, result.p99_limit)
    return (
        f"  {result.name:<13} {len(result.latencies):>8} {len(result.errors):>6} "
        f"{result.rate():>8.1f} {percentile(result.latencies, 0.5):>7.1f} "
        f"{percentile(result.latencies, 0.95):>7.1f} {_ms(p99):>7} "
        f"{_ms(result.cpu_ms('client')):>6} {_ms(result.cpu_ms(result.app)):>6} "
        f"{_ms(result.cpu_ms('idp')):>6} {result.others():>6} {_share(by_rate):>8} "
        f"{_share(by_cpu):>6} {goal_text(result):>18}  {met}"
    )


def report(results: list[Result], title: str, notes: list[str], legend: str = "") -> None:
    print(f"\n== {title}")
    for note in notes:
        print(f"  seeded: {note}")
    print(
        f"\n  {'':<13} {'':>8} {'':>6} {'':>8} {'':>7} {'':>7} {'':>7} "
        f"{'CPU ms per request':^20} {'':>6} {'vs hello':^15}"
    )
    print(
        f"  {'target':<13} {'requests':>8} {'errors':>6} {'req/s':>8} {'p50 ms':>7} "
        f"{'p95 ms':>7} {'p99 ms':>7} {'client':>6} {'app':>6} {'IdP':>6} {'others':>6} "
        f"{'req/s':>8} {'CPU':>6} {'target':>18}  verdict"
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
        "\n  the cores to themselves); both against the faster hello run (first or last)." + legend
    )
    for result in results:
        if result.errors:
            print(f"  {result.name}: first failure: {result.errors[0]}")
