"""The development mail catcher: an SMTP server (aiosmtpd) that keeps every message it is
given in a Maildir (instance/mail) instead of delivering it, and the commands that read it.

    python -m portal.mail_catcher [--host 127.0.0.1] [--port 1025] [--folder instance/mail]
    flask --app portal mail list          # newest first: number, date, to, subject
    flask --app portal mail show [N]      # message N of the list (1: the newest), its text

`make run` starts the server and points the portal at it (SMTP_PORT 1025); production
(`make serve`) uses the SMTP_HOST it is configured with.
"""

from __future__ import annotations

import argparse
import mailbox
import signal
import sys
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

FOLDER = "mail"
DEFAULT_PORT = 1025


@dataclass(frozen=True)
class Caught:
    key: str
    to: str
    subject: str
    date: str
    body: str


def read(folder: str | Path) -> list[Caught]:
    """The messages in the Maildir `folder`, newest first."""
    path = Path(folder)
    if not (path / "cur").is_dir():
        return []
    box = mailbox.Maildir(path, create=False)
    found = []
    for key in box.keys():
        message = message_from_bytes(box.get_bytes(key), policy=policy.default)
        assert isinstance(message, EmailMessage)
        part = message.get_body(preferencelist=("plain",))
        found.append(
            Caught(
                key=key,
                to=str(message.get("To", "")),
                subject=str(message.get("Subject", "")),
                date=str(message.get("Date", "")),
                body=part.get_content() if part is not None else "",
            )
        )
    return sorted(found, key=_when, reverse=True)


def _when(caught: Caught) -> float:
    try:
        return parsedate_to_datetime(caught.date).timestamp()
    except (TypeError, ValueError):
        return 0.0


mail_cli = AppGroup("mail", help="Read the development mail catcher's messages (instance/mail).")


def _folder() -> Path:
    return Path(current_app.instance_path) / FOLDER


@mail_cli.command("list")
def list_command() -> None:
    """The caught messages, newest first."""
    caught = read(_folder())
    if not caught:
        click.echo(f"Chưa có thư nào trong {_folder()}.")
    for n, m in enumerate(caught, 1):
        click.echo(f"{n:>3}  {m.date}  {m.to}  {m.subject}")


@mail_cli.command("show")
@click.argument("number", type=int, default=1)
def show_command(number: int) -> None:
    """Message NUMBER of the list (1: the newest), headers and text."""
    caught = read(_folder())
    if not 1 <= number <= len(caught):
        raise click.ClickException(f"Không có thư số {number} (có {len(caught)} thư).")
    m = caught[number - 1]
    click.echo(f"Date: {m.date}\nTo: {m.to}\nSubject: {m.subject}\n\n{m.body}")


def serve(host: str, port: int, folder: Path) -> None:
    """Run the catcher until SIGINT or SIGTERM."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Mailbox

    folder.parent.mkdir(parents=True, exist_ok=True)
    mailbox.Maildir(folder, create=True)  # its new/, cur/ and tmp/ folders
    controller = Controller(Mailbox(folder), hostname=host, port=port)
    controller.start()
    print(f"  Hộp thư phát triển  : smtp://{host}:{port} → {folder}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


def main(argv: list[str] | None = None) -> int:
    from portal.config import Config

    parser = argparse.ArgumentParser(description="Development SMTP server keeping a Maildir.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--folder", type=Path, default=Path(Config.INSTANCE_PATH) / FOLDER)
    args = parser.parse_args(argv)
    serve(args.host, args.port, args.folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
