"""The task queue for real: a Huey consumer (worker threads, as `make run` starts it) takes
a write-back from the queue's own storage, an SQLite file by default and Redis when
REDIS_URL is set, and writes the approved birth into the live registry."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from huey.storage import RedisStorage
from sqlmodel import select

from portal import tasks
from portal.db import db
from portal.models import Dossier, DossierEvent, utcnow
from portal.services import deadlines
from tests.factories import BIRTH_COMMUNE as COMMUNE
from tests.factories import add_birth_dossier
from tests.support.apps import running_apps
from tests.support.redis_server import redis_url

OFFICER = "079190001234"


def add_approved_birth(app, code: str) -> int:
    """An approved birth registration whose write-back is owed (the outbox state)."""
    dossier_id = add_birth_dossier(
        app, code, status="approved", decided_at=utcnow(), registry_sync="pending"
    )
    with app.app_context(), db.new_session() as session:
        session.add(
            DossierEvent(
                dossier_id=dossier_id,
                actor_id=OFFICER,
                actor_role="chuyen_vien",
                from_status="processing",
                to_status="approved",
            )
        )
        session.commit()
    return dossier_id


def sync_state(app, dossier_id: int) -> str | None:
    with app.app_context(), db.new_session() as session:
        return session.exec(select(Dossier.registry_sync).where(Dossier.id == dossier_id)).one()


def run_consumer_until_done(app, queue, dossier_id: int, timeout: float = 30) -> str | None:
    tasks.use_app(app)
    consumer = queue.create_consumer(workers=2, worker_type="thread", periodic=False)
    consumer.start()
    try:
        deadline = time.monotonic() + timeout
        # Done, and whatever the write-back enqueued after it (the notices of the parts it
        # started) taken too: stopping at the first sight of "done" races those.
        while time.monotonic() < deadline and (
            sync_state(app, dossier_id) == "pending" or queue.pending_count()
        ):
            time.sleep(0.1)
    finally:
        consumer.stop(graceful=True)
        tasks.use_app(None)
    return sync_state(app, dossier_id)


def sqlite_storage(tmp_path):
    return tasks.LazySqliteStorage(name="portal-test", filename=str(tmp_path / "queue.sqlite"))


def redis_storage(tmp_path):
    return RedisStorage(name=f"portal-test-{uuid.uuid4().hex}", url=redis_url(4))


@pytest.mark.parametrize("make_storage", [sqlite_storage, redis_storage], ids=["sqlite", "redis"])
def test_a_consumer_writes_back_from_the_queue_storage(tmp_path, make_storage):
    storage = make_storage(tmp_path)
    with running_apps(tmp_path) as apps:
        dossier_id = add_approved_birth(apps.portal_app, f"{COMMUNE}-261202-91001")
        with tasks.queue_on(storage) as queue:
            with apps.portal_app.app_context():
                assert tasks.enqueue(tasks.write_back_dossier, dossier_id)
            assert queue.pending_count() == 1  # waiting for a worker, not run in place
            assert sync_state(apps.portal_app, dossier_id) == "pending"
            assert run_consumer_until_done(apps.portal_app, queue, dossier_id) == "done"
            # the write-back is gone from the queue; what it enqueued after (the notices'
            # e-mail and SMS) may still be there when the consumer stopped
            assert not [t for t in queue.pending() if t.name.endswith("write_back_dossier")]
    storage.flush_queue()


def test_the_queue_is_redis_when_redis_url_is_set():
    queue = tasks.make_huey("redis://127.0.0.1:6379/4")
    assert isinstance(queue.storage, RedisStorage)
    assert isinstance(tasks.make_huey("", "/tmp/x.sqlite").storage, tasks.LazySqliteStorage)


def test_the_periodic_sweep_closes_answers_that_did_not_come_in_time(portal_app):
    """A draft result nobody answered by its last day counts as confirmed; a co-party who
    let the deadline pass leaves the dossier declined (services/parties.lapse_overdue)."""
    yesterday = deadlines.today() - timedelta(days=1)
    silent = add_birth_dossier(
        portal_app,
        f"{COMMUNE}-261202-91002",
        status="awaiting_confirmation",
        draft_sent_at=utcnow() - timedelta(days=2),
        draft_answer_by=yesterday,
    )
    in_time = add_birth_dossier(
        portal_app,
        f"{COMMUNE}-261202-91003",
        status="awaiting_confirmation",
        draft_sent_at=utcnow(),
        draft_answer_by=deadlines.today() + timedelta(days=1),
    )
    with portal_app.app_context():
        assert tasks.lapse_overdue_answers.call_local() == 1
        assert tasks.lapse_overdue_answers.call_local() == 0  # nothing left to close
    with portal_app.app_context(), db.new_session() as session:
        assert session.get(Dossier, silent).status == "processing"
        assert session.get(Dossier, silent).draft_confirmed_at is not None
        assert session.get(Dossier, in_time).status == "awaiting_confirmation"
        event = session.exec(select(DossierEvent).where(DossierEvent.dossier_id == silent)).one()
        assert (event.action, event.actor_role) == ("draft_lapsed", "system")
