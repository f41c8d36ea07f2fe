"""Benchmark full OpenID Connect flows against the mock VNeID under gunicorn.

`python -m scripts.bench_idp [--flows N] [--threads 4] [--workers 2]` creates a throw-away
instance folder (its own SQLite database and signing key), seeds the demo personas,
registers a relying party `bench-rp` with an inline JWKS, starts the provider under
gunicorn on a free loopback port and drives N full flows (after a short warm-up) from
client threads, each with its own cookie jar, rotating through the personas:

    GET /authorize (PKCE S256, state, nonce)  -> 302 /dang-nhap
    GET /dang-nhap, POST persona=<id>         -> 302 /authorize
    GET /authorize (consent page), POST allow -> 302 redirect_uri?code=...
    POST /token (private_key_jwt + code_verifier), GET /userinfo

It prints throughput, per-step latencies and the CPU each side spent per flow (which,
unlike flows/s, does not depend on what else the machine is running), and exits 1 if any
flow failed.
"""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from joserfc import jwt
from joserfc.jwk import RSAKey

ROOT = Path(__file__).resolve().parent.parent
CLIENT_ID = "bench-rp"
REDIRECT_URI = "http://127.0.0.1/bench/callback"
SCOPE = "openid profile address population"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
STEPS = {
    "authorize": "GET /authorize (not signed in)",
    "login_get": "GET /dang-nhap",
    "login_post": "POST /dang-nhap (persona)",
    "consent_get": "GET /authorize (consent page)",
    "consent_post": "POST /authorize (allow)",
    "token": "POST /token",
    "userinfo": "GET /userinfo",
}
CSRF = re.compile(r'name="(?P<name>(?:[\w-]+-)?csrf_token)" type="hidden" value="(?P<value>[^"]+)"')
FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)"')


class FlowError(Exception):
    """A step of a flow did not answer as a conforming provider would."""


@dataclass(frozen=True)
class Target:
    """The running provider and what a relying party knows about it."""

    url: str
    key: RSAKey
    personas: list[str]


@dataclass
class Flow:
    """One browser (cookie jar) plus the relying party, timing every step in ms."""

    target: Target
    browser: requests.Session = field(default_factory=requests.Session)
    timings: dict[str, float] = field(default_factory=dict)

    def call(self, step: str, method: str, url: str, **kwargs) -> requests.Response:
        started = time.perf_counter()
        resp = self.browser.request(method, url, allow_redirects=False, timeout=30, **kwargs)
        self.timings[step] = (time.perf_counter() - started) * 1000
        return resp


# --- one flow -------------------------------------------------------------------------


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _expect(resp: requests.Response, status: int, step: str) -> None:
    if resp.status_code != status:
        raise FlowError(f"{step}: HTTP {resp.status_code}, expected {status}: {resp.text[:300]}")


def _redirect(resp: requests.Response, step: str, prefix: str) -> str:
    _expect(resp, 302, step)
    location = urljoin(resp.url, resp.headers["Location"])
    if not location.startswith(prefix):
        raise FlowError(f"{step}: redirected to {location}, expected {prefix}...")
    return location


def _csrf(resp: requests.Response, step: str, name: str) -> str:
    _expect(resp, 200, step)
    tokens = {m["name"]: m["value"] for m in CSRF.finditer(resp.text)}
    if name not in tokens:
        raise FlowError(f"{step}: no {name} in the page")
    return tokens[name]


def _sign_in(flow: Flow, personal_id: str, verifier: str, state: str, nonce: str) -> str:
    """Authorize, get sent to the sign-in page, pick the persona; returns the authorize URL."""
    url = flow.target.url
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": SCOPE,
        "state": state,
        "nonce": nonce,
        "code_challenge": _b64url(hashlib.sha256(verifier.encode()).digest()),
        "code_challenge_method": "S256",
    }
    resp = flow.call("authorize", "GET", url + "/authorize", params=params)
    login_url = _redirect(resp, "authorize", url + "/dang-nhap")
    token = _csrf(flow.call("login_get", "GET", login_url), "login_get", "persona-csrf_token")
    data = {"persona-csrf_token": token, "persona": personal_id}
    resp = flow.call("login_post", "POST", url + "/dang-nhap", data=data)
    return _redirect(resp, "login_post", url + "/authorize?")


def _consent(flow: Flow, authorize_url: str, state: str) -> str:
    """Show the consent page and allow; returns the authorization code."""
    page = flow.call("consent_get", "GET", authorize_url)
    token = _csrf(page, "consent_get", "csrf_token")
    action = FORM_ACTION.search(page.text)
    if action is None:
        raise FlowError("consent_get: no consent form")
    target = urljoin(authorize_url, action[1].replace("&amp;", "&"))
    data = {"csrf_token": token, "decision": "allow"}
    resp = flow.call("consent_post", "POST", target, data=data)
    query = parse_qs(urlsplit(_redirect(resp, "consent_post", REDIRECT_URI + "?")).query)
    if query.get("state") != [state] or "code" not in query:
        raise FlowError(f"consent_post: bad callback query {query}")
    return query["code"][0]


def client_assertion(target: Target) -> str:
    """A private_key_jwt client assertion for the token endpoint."""
    now = int(time.time())
    claims = {
        "iss": CLIENT_ID,
        "sub": CLIENT_ID,
        "aud": target.url + "/token",
        "iat": now,
        "exp": now + 60,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode({"alg": "RS256", "kid": target.key.kid}, claims, target.key)


def _redeem(flow: Flow, code: str, verifier: str, nonce: str) -> dict:
    """Exchange the code at /token, check the ID token's nonce; returns the token response."""
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
        "client_id": CLIENT_ID,
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": client_assertion(flow.target),
    }
    resp = flow.call("token", "POST", flow.target.url + "/token", data=data)
    _expect(resp, 200, "token")
    tokens = resp.json()
    payload = tokens.get("id_token", "..").split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)) or "{}")
    if claims.get("nonce") != nonce or claims.get("aud") not in (CLIENT_ID, [CLIENT_ID]):
        raise FlowError(f"token: unexpected ID token claims {claims}")
    return tokens


def run_flow(target: Target, personal_id: str) -> dict[str, float]:
    """One full flow for `personal_id`; returns the ms of each step and of the whole."""
    started = time.perf_counter()
    verifier = secrets.token_urlsafe(48)
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    flow = Flow(target)
    with flow.browser:
        authorize_url = _sign_in(flow, personal_id, verifier, state, nonce)
        code = _consent(flow, authorize_url, state)
        tokens = _redeem(flow, code, verifier, nonce)
        auth = {"Authorization": f"Bearer {tokens['access_token']}"}
        resp = flow.call("userinfo", "GET", target.url + "/userinfo", headers=auth)
        _expect(resp, 200, "userinfo")
        if resp.json().get("sub") != personal_id:
            raise FlowError(f"userinfo: sub {resp.json().get('sub')} != {personal_id}")
    flow.timings["flow"] = (time.perf_counter() - started) * 1000
    return flow.timings


# --- many flows -----------------------------------------------------------------------


@dataclass
class Results:
    flows: int = 0
    wall: float = 0.0
    timings: list[dict[str, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    client_cpu: float = 0.0  # seconds of CPU of this process (all client threads)
    server_cpu: float | None = None  # seconds of CPU of the gunicorn workers
    machine_cpu: float | None = None  # seconds of CPU of every process on the machine


def _one(target: Target, index: int) -> dict[str, float]:
    return run_flow(target, target.personas[index % len(target.personas)])


def run_flows(target: Target, count: int, threads: int) -> Results:
    """Run `count` flows from `threads` client threads."""
    results = Results(flows=count)
    started, cpu = time.perf_counter(), time.process_time()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        futures = [pool.submit(_one, target, i) for i in range(count)]
        try:
            for future in futures:
                try:
                    results.timings.append(future.result())
                except (FlowError, requests.RequestException, ValueError, KeyError) as exc:
                    results.errors.append(f"{type(exc).__name__}: {exc}")
        except KeyboardInterrupt:
            for future in futures:
                future.cancel()
            raise
    results.wall = time.perf_counter() - started
    results.client_cpu = time.process_time() - cpu
    return results


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def report(results: Results, label: str) -> None:
    """Print the summary and the per-step latency table."""
    done = len(results.timings)
    print(f"\n== {label}")
    print(f"  flows       {results.flows} ({done} ok, {len(results.errors)} errors)")
    print(f"  wall time   {results.wall:.2f} s")
    print(
        f"  throughput  {done / results.wall:.1f} full flows/s "
        f"({7 * done / results.wall:.0f} requests/s)"
    )
    print(f"\n  {'step':<32} {'count':>6} {'mean ms':>8} {'p95 ms':>8}")
    for step, title in {**STEPS, "flow": "whole flow (7 requests + client)"}.items():
        values = [t[step] for t in results.timings if step in t]
        if values:
            mean = sum(values) / len(values)
            print(f"  {title:<32} {len(values):>6} {mean:>8.1f} {_p95(values):>8.1f}")
    _report_cpu(results, done)
    if results.errors:
        print(f"\n  first failure: {results.errors[0]}")


def _report_cpu(results: Results, done: int) -> None:
    """CPU per flow: unlike flows/s, it does not depend on what else the machine runs."""
    if not done:
        return
    cores = os.cpu_count() or 1
    client = results.client_cpu * 1000 / done
    print(f"\n  CPU per flow: client {client:.1f} ms", end="")
    if results.server_cpu is not None:
        server = results.server_cpu * 1000 / done
        print(
            f", provider (gunicorn workers) {server:.1f} ms"
            f" -> provider alone could do {cores * 1000 / server:.0f} flows/s on {cores} cores",
            end="",
        )
    print()
    if results.machine_cpu is not None:
        others = results.machine_cpu - results.client_cpu - (results.server_cpu or 0)
        print(
            f"  machine CPU busy {100 * results.machine_cpu / (cores * results.wall):.0f}%"
            f" of {cores} cores; other processes used {others:.1f} CPU-s"
            f" ({100 * others / (cores * results.wall):.0f}%) during the run"
        )


# --- the provider under gunicorn ------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def provider_env(instance: Path, url: str, overrides: dict) -> dict[str, str]:
    """The environment of the seed command and of gunicorn: dev mode, throw-away instance."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDP_")}
    env.update(
        IDP_ENV="dev",
        IDP_INSTANCE_PATH=str(instance),
        IDP_DATABASE_URL=f"sqlite:///{instance}/identity.sqlite",
        IDP_ISSUER=url,
        PORTAL_URL="http://127.0.0.1:9",
        BENCH_IDP_CONFIG=json.dumps(overrides),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    return env


def prepare(env: dict[str, str], key: RSAKey) -> list[str]:
    """Migrate, seed the demo personas, register `bench-rp`; returns the persona IDs."""
    flask = [sys.executable, "-m", "flask", "--app", "identity_mock"]
    for step in (["db", "upgrade"], ["seed"]):
        done = subprocess.run([*flask, *step], env=env, cwd=ROOT, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{' '.join(step)} failed:\n{done.stdout}{done.stderr}")
    register_client(env, key)
    from seeds.personas import personas

    return [p.personal_id for p in personas()]


def register_client(env: dict[str, str], key: RSAKey) -> None:
    """Merge the `bench-rp` registration, with the public half of `key` inline."""
    from identity_mock import create_app
    from identity_mock.db import db
    from identity_mock.models import OAuthClient

    app = create_app(
        {
            "ENV_NAME": "dev",
            "INSTANCE_PATH": env["IDP_INSTANCE_PATH"],
            "DATABASE_URL": env["IDP_DATABASE_URL"],
            "DATABASE_SCHEMA": None,
            "ISSUER": env["IDP_ISSUER"],
            "PORTAL_URL": env["PORTAL_URL"],
        }
    )
    client = OAuthClient(
        client_id=CLIENT_ID,
        client_name="Bench RP",
        token_endpoint_auth_method="private_key_jwt",
        redirect_uris=[REDIRECT_URI],
        grant_types=["authorization_code"],
        scope=SCOPE,
        jwks={"keys": [key.as_dict(private=False)]},
    )
    with app.app_context():
        with db.new_session() as session:
            session.merge(client)
            session.commit()
        db.engine.dispose()


def start_gunicorn(
    env: dict[str, str], port: int, args: argparse.Namespace, log: IO[str]
) -> subprocess.Popen:
    """Start gunicorn (WSGI entry `scripts.idp_wsgi:app`), its output going to `log`."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    cmd = [
        str(gunicorn),
        "-w",
        str(args.workers),
        "-k",
        args.worker_class,
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    if args.worker_class == "gthread":
        cmd += ["--threads", str(args.worker_threads)]
    return subprocess.Popen(
        [*cmd, "scripts.idp_wsgi:app"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )


def wait_ready(proc: subprocess.Popen, url: str, timeout: float = 30) -> None:
    """Wait until the discovery document answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if requests.get(url + "/.well-known/openid-configuration", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start; see its log")


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM (graceful shutdown), then SIGKILL after 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def worker_cpu(master: int) -> float | None:
    """CPU seconds used so far by the workers of gunicorn `master` (Linux /proc)."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        total = 0
        for pid in children:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    except (OSError, ValueError, IndexError):
        return None
    return total / os.sysconf("SC_CLK_TCK")


def machine_busy() -> float | None:
    """CPU seconds all processes have used since boot (Linux /proc/stat)."""
    try:
        ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    return (sum(ticks[:8]) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # minus idle, iowait


def measure(target: Target, args: argparse.Namespace, master: int) -> Results:
    """Warm up, then run the measured flows, with the workers' CPU time."""
    warm = run_flows(target, args.warmup, args.threads)
    if warm.errors:
        return warm
    before, busy = worker_cpu(master), machine_busy()
    results = run_flows(target, args.flows, args.threads)
    after, busy_after = worker_cpu(master), machine_busy()
    if before is not None and after is not None:
        results.server_cpu = after - before
    if busy is not None and busy_after is not None:
        results.machine_cpu = busy_after - busy
    return results


# --- command line ---------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.bench_idp",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--flows", type=int, default=1000, help="measured flows (default 1000)")
    parser.add_argument("--warmup", type=int, default=40, help="unmeasured flows first (40)")
    parser.add_argument("--threads", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--worker-class",
        choices=["sync", "gthread"],
        default="gthread",
        help="gunicorn worker class (default gthread: keep-alive within a flow)",
    )
    parser.add_argument(
        "--worker-threads", type=int, default=2, help="threads per gthread worker (default 2)"
    )
    parser.add_argument(
        "--with-switches",
        action="store_true",
        help="keep dev mode's misbehaviour switches on (a lookup per request); by default "
        "they are off, as in production, while the persona picker stays on",
    )
    parser.add_argument("--keep", action="store_true", help="keep the instance folder")
    return parser.parse_args(argv)


def describe(args: argparse.Namespace) -> str:
    """The setup in one line, as the table's title."""
    workers = f"gunicorn {args.worker_class} x{args.workers}"
    if args.worker_class == "gthread":
        workers += f" ({args.worker_threads} threads each)"
    mode = "dev mode with test switches" if args.with_switches else "test switches off"
    return f"{workers}, {args.threads} client threads, {mode}"


def bench(args: argparse.Namespace, instance: Path) -> Results:
    """Prepare the instance, run gunicorn, drive the flows, stop gunicorn."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # thousands of sign-ins from one address: the rate limits would measure themselves
    overrides: dict = {"RATELIMIT_ENABLED": False}
    if not args.with_switches:
        overrides["TEST_SWITCHES"] = False
    env = provider_env(instance, url, overrides)
    key = RSAKey.generate_key(2048, private=True)
    key = RSAKey.import_key(key.as_dict(private=True), {"kid": key.thumbprint(), "alg": "RS256"})
    target = Target(url, key, prepare(env, key))
    with open(instance / "gunicorn.log", "w+") as log:
        proc = start_gunicorn(env, port, args, log)
        try:
            wait_ready(proc, url)
            results = measure(target, args, proc.pid)
        finally:
            stop(proc)
            log.seek(0)
            output = log.read()[-3000:]
            if output.strip():
                print(f"-- gunicorn log (tail):\n{output}")
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    instance = Path(tempfile.mkdtemp(prefix="bench-idp-"))
    try:
        results = bench(args, instance)
        report(results, describe(args))
    finally:
        if args.keep:
            print(f"  instance kept at {instance}")
        else:
            shutil.rmtree(instance, ignore_errors=True)
    return 1 if results.errors or not results.timings else 0


if __name__ == "__main__":
    sys.exit(main())
