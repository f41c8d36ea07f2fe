"""Start the mock VNeID (port 5001), the mock payment gateway (port 5002) and the portal
(port 5000) for development.

Applies pending migrations to both databases, seeds the demo personas, offices and staff
(idempotent), starts both apps and the task-queue worker (when portal/tasks.py exists)
and prints the URLs and the demo logins. Ctrl-C stops them all.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from seeds.personas import PERSONAS_FILE, personas, read

IDP_PORT = int(os.environ.get("IDP_PORT", "5001"))
PORTAL_PORT = int(os.environ.get("PORTAL_PORT", "5000"))
PAYMENT_PORT = int(os.environ.get("PAYMENT_PORT", "5002"))
MAIL_PORT = int(os.environ.get("MAIL_PORT", "1025"))  # the development mail catcher
ROOT = Path(__file__).resolve().parent.parent
APPS = ("identity_mock", "portal")


def worker_command(python: str, *, workers: int = 2) -> list[str] | None:
    """The task-queue worker (Huey consumer of `portal.tasks.huey`), or None while the
    portal has no task module."""
    if not (ROOT / "portal" / "tasks.py").exists():
        return None
    consumer = [python, "-m", "huey.bin.huey_consumer", "portal.tasks.huey"]
    return [*consumer, "-w", str(workers), "-k", "thread"]


def main() -> int:
    env = dict(os.environ)
    env.setdefault("IDP_ISSUER", f"http://127.0.0.1:{IDP_PORT}")
    env.setdefault("PORTAL_URL", f"http://127.0.0.1:{PORTAL_PORT}")
    env.setdefault("PAYMENT_URL", f"http://127.0.0.1:{PAYMENT_PORT}")
    env.setdefault("SMTP_HOST", "127.0.0.1")
    env.setdefault("SMTP_PORT", str(MAIL_PORT))
    python = sys.executable
    for command in ("db upgrade", "seed"):
        for app in APPS:
            flask = [python, "-m", "flask", "--app", app, *command.split()]
            subprocess.run(flask, env=env, check=True)
    payment_db = [python, "-m", "flask", "--app", "payment_mock", "db", "upgrade"]
    subprocess.run(payment_db, env=env, check=True)  # the gateway has no demo data
    procs = [
        subprocess.Popen(
            [python, "-m", "flask", "--app", app, "run", "--port", str(port), "--no-reload"],
            env=env,
        )
        for app, port in (
            ("identity_mock", IDP_PORT),
            ("payment_mock", PAYMENT_PORT),
            ("portal", PORTAL_PORT),
        )
    ]
    # E-mail goes to a local SMTP server that keeps it in instance/mail (portal/mail_catcher.py)
    catcher = [python, "-m", "portal.mail_catcher", "--port", env["SMTP_PORT"]]
    procs.append(subprocess.Popen(catcher, env=env))
    worker = worker_command(python)
    if worker:
        procs.append(subprocess.Popen(worker, env=env))
    # `kill` and CI timeouts send SIGTERM: stop both apps the same way as Ctrl-C.
    signal.signal(signal.SIGTERM, _interrupt)
    time.sleep(1.5)
    print_banner(env)
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for p in procs:
            p.terminate()
    return 0


def _interrupt(*_args) -> None:
    raise KeyboardInterrupt


def print_banner(env: dict) -> None:
    passcode = read(PERSONAS_FILE)["passcode"]
    print()
    print(f"  Cổng Dịch vụ công : {env['PORTAL_URL']}")
    print(f"  VNeID (mô phỏng)  : {env['IDP_ISSUER']}")
    print(f"  Cổng thanh toán   : {env['PAYMENT_URL']} (mô phỏng)")
    print("  Thư điện tử gửi đi: flask --app portal mail list | mail show N")
    print(f"\n  Tài khoản mẫu (mật mã {passcode} cho tất cả):")
    for p in personas():
        print(f"    {p.personal_id}  mức {p.level}  {p.full_name:<18} {p.label}")
    print("\n  Ctrl-C để dừng.\n", flush=True)


if __name__ == "__main__":
    sys.exit(main())
