"""`make serve`: the apps and the task-queue worker with the production configuration.

    PORTAL_SECRET_KEY=… IDP_SECRET_KEY=… PAYMENT_SECRET_KEY=… PAYMENT_SECRET=… make serve

Refuses to start without the secrets (PAYMENT_SECRET is the one the portal and the
payment gateway sign with). Applies pending migrations to every database, then runs the
provider (IDP_PORT, default 5001), the payment gateway (PAYMENT_PORT, default 5002) and
the portal (PORTAL_PORT, default 5000) under gunicorn (WEB_CONCURRENCY workers of
SERVE_THREADS threads each, bound to SERVE_HOST) and the Huey worker, all logging JSON
lines to stderr. Production means no persona picker, no test switches, no seeding.
Ctrl-C or SIGTERM stops everything; if one process dies the others are stopped too.

This module is also gunicorn's configuration file (`-c python:scripts.serve`): gunicorn
reads `logconfig_dict` below, so its own records are JSON lines too.

`python -m scripts.serve worker` runs only the worker (JSON logs), as `make serve` does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from common import logs

ROOT = Path(__file__).resolve().parent.parent
SECRETS = ("PORTAL_SECRET_KEY", "IDP_SECRET_KEY", "PAYMENT_SECRET_KEY", "PAYMENT_SECRET")
APPS = ("identity_mock", "payment_mock", "portal")
PORTS = {"identity_mock": ("IDP_PORT", "5001"), "payment_mock": ("PAYMENT_PORT", "5002")}

# Read by gunicorn when it loads this module as its configuration (LOG_APP set per app);
# names gunicorn does not know are ignored.
logconfig_dict = logs.gunicorn_logconfig(os.environ.get("LOG_APP", "gunicorn"))
control_socket_disable = True  # two masters would fight over one ~/.gunicorn socket


def production_env(base: dict[str, str]) -> dict[str, str]:
    """The environment of every process: production classes, JSON logs, ports set."""
    host = base.get("SERVE_HOST", "127.0.0.1")
    env = dict(base)
    env.update(PORTAL_ENV="production", IDP_ENV="production", PAYMENT_ENV="production")
    env.update(LOG_FORMAT="json")
    env.setdefault("IDP_ISSUER", f"http://{host}:{base.get('IDP_PORT', '5001')}")
    env.setdefault("PORTAL_URL", f"http://{host}:{base.get('PORTAL_PORT', '5000')}")
    env.setdefault("PAYMENT_URL", f"http://{host}:{base.get('PAYMENT_PORT', '5002')}")
    return env


def missing_secrets(env: dict[str, str]) -> list[str]:
    return [name for name in SECRETS if not env.get(name)]


def gunicorn_command(app: str, env: dict[str, str]) -> list[str]:
    """gunicorn for one app's factory, with this module as its configuration."""
    port = env.get(*PORTS.get(app, ("PORTAL_PORT", "5000")))
    return [
        str(Path(sys.executable).with_name("gunicorn")),
        "-c",
        "python:scripts.serve",
        "--bind",
        f"{env.get('SERVE_HOST', '127.0.0.1')}:{port}",
        "--workers",
        env.get("WEB_CONCURRENCY", "2"),
        "--worker-class",
        "gthread",
        "--threads",
        env.get("SERVE_THREADS", "4"),
        "--graceful-timeout",
        "20",
        f"{app}:create_app()",
    ]


def worker_command(env: dict[str, str]) -> list[str] | None:
    """The Huey worker, or None while the portal has no task module (portal/tasks.py)."""
    if not (ROOT / "portal" / "tasks.py").exists():
        return None
    return [sys.executable, "-m", "scripts.serve", "worker"]


def run_worker(workers: int = 2) -> int:
    """The Huey consumer of `portal.tasks.huey`, logging JSON lines."""
    from huey.consumer_options import ConsumerConfig

    from portal.tasks import huey

    logs.configure("portal-worker")
    config = ConsumerConfig(workers=workers, worker_type="thread")
    config.validate()
    huey.create_consumer(**config.values).run()
    return 0


def migrate_all(env: dict[str, str]) -> None:
    for app in APPS:
        flask = [sys.executable, "-m", "flask", "--app", app, "db", "upgrade"]
        subprocess.run(flask, env=env, cwd=ROOT, check=True)
    # the portal's client, from the explicit PORTAL_URL of this environment
    register = [sys.executable, "-m", "flask", "--app", "identity_mock", "register-clients"]
    subprocess.run(register, env=env, cwd=ROOT, check=True)


def wait_healthy(url: str, procs: list[subprocess.Popen], timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and all(p.poll() is None for p in procs):
        try:
            if requests.get(url + "/healthz", timeout=2).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.3)
    return False


def main() -> int:
    env = production_env(dict(os.environ))
    missing = missing_secrets(env)
    if missing:
        print(
            f"make serve needs {' and '.join(missing)} (production refuses default secrets).\n"
            "  e.g. export PORTAL_SECRET_KEY=$(python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(32))')",
            file=sys.stderr,
        )
        return 2
    migrate_all(env)
    procs = [
        subprocess.Popen(gunicorn_command(app, env), env={**env, "LOG_APP": app}, cwd=ROOT)
        for app in APPS
    ]
    worker = worker_command(env)
    if worker:
        procs.append(subprocess.Popen(worker, env=env, cwd=ROOT))
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        for url in (env["IDP_ISSUER"], env["PAYMENT_URL"], env["PORTAL_URL"]):
            if not wait_healthy(url, procs):
                print(f"serve: {url}/healthz did not answer 200", file=sys.stderr)
                return 1
        queue = "worker running" if worker else "no worker: portal/tasks.py does not exist"
        print(
            f"serving: portal {env['PORTAL_URL']}, VNeID {env['IDP_ISSUER']}, "
            f"payment gateway {env['PAYMENT_URL']}; {queue}"
        )
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
        return 1  # one process died: stop the others
    except KeyboardInterrupt:
        return 0
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=25)
            except subprocess.TimeoutExpired:
                p.kill()


def _interrupt(*_args) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        sys.exit(run_worker())
    sys.exit(main())
