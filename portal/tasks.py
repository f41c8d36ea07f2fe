"""The portal's task queue (Huey): registry write-backs and notification delivery.

Storage: Redis when REDIS_URL is set, else an SQLite file in the instance folder (no server
needed for `make run` or the tests). The worker: `python -m huey.bin.huey_consumer
portal.tasks.huey` (`make run` and `make serve` start it).

The database is the outbox: an approved dossier keeps `registry_sync = "pending"` and each
transition writes its Notification row in the workflow's transaction; the write-back task
also starts the parts of a linked group at their own bodies (services/groups.py) once the
registry has the write, reading the registry's record of the person it concerns with the
lookup scope (`registry_target`); `after_commit`
enqueues the matching task only once that transaction has committed (nothing on rollback).
A task takes plain ids and opens its own application context and session: the one being
used when it runs in the enqueuing process (immediate mode: tests, TASK_QUEUE_IMMEDIATE),
else an app built once per worker process by `portal.create_app()` (or given by `use_app`).
The periodic sweep re-enqueues pending write-backs whose attempt is overdue, so a crash
between commit and enqueue, or a lost queue, only delays them. Another closes the answers
that did not come in time: a co-party's confirmation (the dossier is declined) and a draft
result nobody answered (silence is consent), services/parties.lapse_overdue.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import Huey, RedisHuey, crontab
from huey.api import TaskWrapper
from huey.exceptions import RetryTask
from huey.storage import BaseStorage, SqliteStorage
from sqlalchemy import event
from sqlmodel import Session

from portal.config import Config
from portal.db import db
from portal.models import Notification, utcnow
from portal.services import channels, parties, results, sms, writeback
from portal.services.mail import SmtpMailer

QUEUE_NAME = "portal"
QUEUE_FILE = "portal-tasks.sqlite"
SWEEP_LIMIT = 200
log = logging.getLogger("portal.tasks")


class LazySqliteStorage(SqliteStorage):
    """Huey's SQLite storage, creating its folder and tables on first use rather than when
    the module is imported."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["create_tables"] = False
        super().__init__(*args, **kwargs)
        self._schema_ready = False

    def _create_connection(self):  # noqa: ANN202 - huey's sqlite3 connection
        Path(self.filename).parent.mkdir(parents=True, exist_ok=True)
        conn = super()._create_connection()
        if not self._schema_ready:
            for sql in self.ddl:
                conn.execute(sql)
            self._schema_ready = True
        return conn


def make_huey(redis_url: str = "", sqlite_file: str | Path = "", *, name: str = QUEUE_NAME) -> Huey:
    """RedisHuey on `redis_url` when given, else Huey on an SQLite file (default
    instance/portal-tasks.sqlite). Results are not kept: the database holds every outcome."""
    if redis_url:
        return RedisHuey(name, url=redis_url, results=False, utc=True)
    path = Path(sqlite_file or Path(Config.INSTANCE_PATH) / QUEUE_FILE)
    return Huey(name, storage_class=LazySqliteStorage, filename=str(path), results=False, utc=True)


huey = make_huey(Config.REDIS_URL, Config.TASK_QUEUE_FILE)
huey.immediate = Config.TASK_QUEUE_IMMEDIATE


_queued = False  # inside queue_on: the app's TASK_QUEUE_IMMEDIATE is not applied


@contextmanager
def queue_on(storage: BaseStorage) -> Iterator[Huey]:
    """Within the block, tasks wait in `storage` for a consumer (or `huey.execute`) instead
    of running at once: tests of the real queue, on SQLite or Redis."""
    global _queued
    saved = huey.immediate, huey.immediate_use_memory, huey.storage, _queued
    huey.immediate_use_memory = False  # keep `storage` when leaving immediate mode
    huey.immediate, huey.storage, _queued = False, storage, True
    try:
        yield huey
    finally:
        huey.immediate, huey.storage, _queued = saved[0], saved[2], saved[3]
        huey.immediate_use_memory = saved[1]


def queue_reachable() -> bool:
    """Whether the queue's storage answers (for /healthz)."""
    try:
        huey.storage.queue_size()
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False
    return True


# --- the app a task runs in -------------------------------------------------------------

_app: Flask | None = None
_app_lock = threading.Lock()


def use_app(app: Flask | None) -> None:
    """Run tasks outside any app context in `app` (tests with a consumer thread)."""
    global _app
    _app = app


def task_app() -> Flask:
    """The current app (a task run at once by the enqueuing process), else the worker's
    own, built on first use from the environment."""
    global _app
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    with _app_lock:
        if _app is None:
            from portal import create_app

            _app = create_app()
    return _app


def registry_target(app: Flask) -> writeback.Registry:
    """Where write-backs go: the provider's API with the portal's service token (a token
    per scope: the write, and the lookup of the person a linked group is about)."""
    return writeback.Registry(app.config["OIDC_ISSUER"], app.extensions["vneid"].service_token)


def _retry_policy(app: Flask) -> writeback.Retry:
    return writeback.Retry(
        app.config["TASK_RETRY_BASE_SECONDS"], app.config["TASK_RETRY_MAX_SECONDS"]
    )


# --- tasks ------------------------------------------------------------------------------


@huey.task()
def write_back_dossier(dossier_id: int) -> str:
    """One write-back attempt; a transient failure schedules the next after the backoff."""
    app = task_app()
    with app.app_context(), db.new_session() as session:
        outcome = writeback.sync(
            session,
            dossier_id,
            app.extensions["catalogue"],
            registry_target(app),
            now=utcnow(),
            key_folder=results.key_folder(app.instance_path),
            retry=_retry_policy(app),
        )
    log.info("write-back of dossier %s: %s", dossier_id, outcome.state)
    if outcome.state == "retry":
        raise RetryTask(f"registry unavailable for dossier {dossier_id}", delay=outcome.delay)
    return outcome.state


@huey.task()
def deliver_notification(notification_id: int) -> bool:
    """Deliver a notification beyond the in-app list (the row itself): write the e-mail
    and SMS it owes to the citizen's confirmed addresses (services/channels.py) and
    enqueue them."""
    app = task_app()
    with app.app_context(), db.new_session() as session:
        found = session.get(Notification, notification_id)
        if found is None:
            log.warning("notification %s not found", notification_id)
            return False
        log.info("notification %s delivered in the portal (dossier %s)", found.id, found.dossier_id)
        owed = channels.messages_for(session, notification_id, app.config["PORTAL_URL"], utcnow())
    for message_id in owed:  # committed: enqueue now
        enqueue(send_message, message_id)
    return True


def mailer(app: Flask) -> SmtpMailer:
    """The SMTP server of the config (`make run`: the development mail catcher)."""
    c = app.config
    return SmtpMailer(
        c["SMTP_HOST"],
        int(c["SMTP_PORT"]),
        c["MAIL_FROM"],
        timeout=c["SMTP_TIMEOUT"],
        username=c["SMTP_USERNAME"],
        password=c["SMTP_PASSWORD"],
        starttls=c["SMTP_STARTTLS"],
    )


def sms_provider(app: Flask) -> sms.SmsProvider:
    """The app's SMS provider (SMS_PROVIDER), made once; a test may put its own in
    app.extensions["sms"]."""
    if "sms" not in app.extensions:
        app.extensions["sms"] = sms.provider(app.config["SMS_PROVIDER"], app.instance_path)
    return app.extensions["sms"]


@huey.task()
def send_message(message_id: int) -> str:
    """One attempt at an e-mail or SMS of the outbox; a transient failure schedules the
    next after the backoff (services/channels.send records every outcome on the row)."""
    app = task_app()
    with app.app_context(), db.new_session() as session:
        outcome = channels.send(
            session,
            message_id,
            mailer=mailer(app),
            sms=sms_provider(app),
            now=utcnow(),
            backoff=_retry_policy(app),
        )
    log.info("message %s: %s %s", message_id, outcome.state, outcome.error)
    if outcome.state == "retry":
        raise RetryTask(f"message {message_id} not sent yet", delay=outcome.delay)
    return outcome.state


@huey.periodic_task(crontab(minute="*"))
def requeue_overdue_writebacks() -> int:
    """Every minute: enqueue the pending write-backs whose attempt is overdue."""
    app = task_app()
    grace = timedelta(seconds=app.config["TASK_PENDING_GRACE_SECONDS"])
    with app.app_context(), db.new_session() as session:
        ids = writeback.overdue(session, utcnow() - grace, SWEEP_LIMIT)
    for dossier_id in ids:
        enqueue(write_back_dossier, dossier_id)
    if ids:
        log.info("re-enqueued %s overdue write-backs", len(ids))
    return len(ids)


@huey.periodic_task(crontab(minute="*"))
def requeue_pending_messages() -> int:
    """Every minute: enqueue the e-mails and SMS still owed (never enqueued, a retry the
    queue lost, a claim a dead worker left)."""
    app = task_app()
    grace = timedelta(seconds=app.config["TASK_PENDING_GRACE_SECONDS"])
    with app.app_context(), db.new_session() as session:
        ids = channels.due(
            session, utcnow(), grace=grace, backoff=_retry_policy(app), limit=SWEEP_LIMIT
        )
    for message_id in ids:
        enqueue(send_message, message_id)
    if ids:
        log.info("re-enqueued %s pending messages", len(ids))
    return len(ids)


@huey.periodic_task(crontab(minute="*/5"))
def lapse_overdue_answers() -> int:
    """Every five minutes: close the parties' confirmations and draft answers whose last
    day has passed (each through the workflow, as the system)."""
    app = task_app()
    with app.app_context(), db.new_session() as session:
        moved = parties.lapse_overdue(session, utcnow(), SWEEP_LIMIT)
    if moved:
        log.info("closed %s dossiers whose answers were overdue", moved)
    return moved


# --- online payment (services/payments.py, payment_followup.py) -------------------------


def _gateway(app: Flask):  # noqa: ANN202 - payment_gateway.Gateway (imported late: a cycle)
    from portal.services.payment_gateway import Gateway

    return Gateway.from_config(app.config)


@huey.task()
def check_payment(payment_id: int) -> str:
    """Ask the gateway for the status of an attempt no IPN settled; still pending: asked
    again after the backoff, until it gives up (the attempt stays pending, with a message)."""
    from portal.services import payment_followup
    from portal.services.payment_gateway import Backoff

    app = task_app()
    with app.app_context(), db.new_session() as session:
        outcome = payment_followup.check(
            session, payment_id, _gateway(app), Backoff.from_config(app.config), utcnow()
        )
    log.info("payment %s status query: %s", payment_id, outcome.state)
    if outcome.state == "retry":
        raise RetryTask(f"payment {payment_id} still pending", delay=outcome.delay)
    return outcome.state


@huey.task()
def refund_payment(payment_id: int) -> str:
    """Refund through the gateway a fee owed back (a paid dossier refused at reception or
    withdrawn); no answer from the gateway: again after the backoff."""
    from portal.services import payment_followup
    from portal.services.payment_gateway import Backoff, GatewayUnavailable

    app = task_app()
    try:
        with app.app_context(), db.new_session() as session:
            state = payment_followup.refund(session, payment_id, _gateway(app), utcnow())
    except GatewayUnavailable as exc:
        delay = Backoff.from_config(app.config).base
        raise RetryTask(f"gateway unavailable for refund {payment_id}", delay=delay) from exc
    log.info("payment %s refund: %s", payment_id, state)
    return state


@huey.periodic_task(crontab(minute="*"))
def sweep_payments() -> int:
    """Every minute: the status queries that are due (no IPN came) and the refunds still
    owed, enqueued (a lost queue or a crash between commit and enqueue only delays them)."""
    from portal.services import payment_followup

    app = task_app()
    now = utcnow()
    grace = timedelta(seconds=app.config["TASK_PENDING_GRACE_SECONDS"])
    with app.app_context(), db.new_session() as session:
        checks = payment_followup.due_checks(session, now, SWEEP_LIMIT)
        refunds = payment_followup.owed_refunds(session, now - grace, SWEEP_LIMIT)
    for payment_id in checks:
        enqueue(check_payment, payment_id)
    for payment_id in refunds:
        enqueue(refund_payment, payment_id)
    return len(checks) + len(refunds)


# --- enqueueing after the commit --------------------------------------------------------

_OUTBOX = "portal.tasks.outbox"


def enqueue(task: TaskWrapper, *args: Any) -> bool:
    """Enqueue `task(*args)` now; False (logged) when the queue cannot take it: the
    database still says what is owed, and the sweep catches up."""
    if not _queued and has_app_context() and current_app.config.get("TASK_QUEUE_IMMEDIATE"):
        huey.immediate = True  # the app asks for it (tests); never switched off here
    try:
        task(*args)
    except Exception:  # noqa: BLE001 - a queue outage must not fail the committed request
        log.exception("could not enqueue %s%s", task.name, args)
        return False
    return True


def after_commit(session: Session, task: TaskWrapper, *args: Any) -> None:
    """Enqueue `task(*args)` once the session's transaction commits; dropped on rollback.
    Only inside an application (a request, a command, a task): a bare session (unit tests,
    scripts) enqueues nothing, and the outbox rows stay for the sweep."""
    if not has_app_context():
        return
    outbox = session.info.get(_OUTBOX)
    if outbox is None:
        outbox = session.info[_OUTBOX] = []
        event.listen(session, "after_commit", _send_outbox)
        event.listen(session, "after_rollback", _drop_outbox)
    outbox.append((task, args))


def _send_outbox(session: Session) -> None:
    outbox = session.info.get(_OUTBOX) or []
    todo, outbox[:] = list(outbox), []
    for task, args in todo:
        enqueue(task, *args)


def _drop_outbox(session: Session) -> None:
    outbox = session.info.get(_OUTBOX)
    if outbox:
        outbox.clear()
