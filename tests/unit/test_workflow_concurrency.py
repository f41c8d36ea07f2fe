"""Two clerks acting on one dossier at the same moment: exactly one wins, the other is told
the dossier changed (real threads, separate sessions, SQLite file or PostgreSQL)."""

import threading
from datetime import datetime

import pytest
from sqlalchemy import update
from sqlmodel import Session, func, select

from common.db import make_engine
from common.tz import VN_TZ
from portal.models import Dossier, DossierEvent, Notification, Staff
from portal.models.base import portal_registry
from portal.services import workflow
from portal.services.workflow import CONFLICT, TransitionError
from tests.support.databases import database_settings, drop_schema

OFFICE = "79.26743"
CLERKS = ("079100000001", "079100000002")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=VN_TZ)
ROUNDS = 5


@pytest.fixture
def engine(tmp_path):
    settings = database_settings(tmp_path, "portal")
    engine = make_engine(settings["DATABASE_URL"], schema=settings["DATABASE_SCHEMA"])
    portal_registry.metadata.create_all(engine)
    with Session(engine) as session:
        for pid in CLERKS:
            session.add(
                Staff(personal_id=pid, office_code=OFFICE, roles="tiep_nhan,xu_ly,lanh_dao")
            )
        session.commit()
    yield engine
    engine.dispose()
    drop_schema(settings["DATABASE_SCHEMA"])


def _dossier(engine, n: int, status: str) -> int:
    with Session(engine) as session:
        dossier = Dossier(
            code=f"{OFFICE}-261123-{n:04d}",
            procedure_code="1.001193",
            procedure_version=1,
            applicant_id="079203001234",
            status=status,
            office_code=OFFICE,
            version=2,
        )
        session.add(dossier)
        session.flush()
        session.execute(update(Dossier).where(Dossier.id == dossier.id).values(draft_key=None))
        session.commit()
        return dossier.id


def _race(engine, monkeypatch, dossier_id: int, moves: list[tuple[str, str | None]]):
    """Run each (action, note) in its own thread and session, all past their checks before
    any of them writes; return (winners, messages of the losers, unexpected errors)."""
    checked = threading.Barrier(len(moves))
    real_changes = workflow._changes

    def changes_after_everyone_checked(*args):
        checked.wait(timeout=10)  # every thread has read version 2 and passed its checks
        return real_changes(*args)

    monkeypatch.setattr(workflow, "_changes", changes_after_everyone_checked)
    winners, refused, errors = [], [], []

    def act(clerk: str, action: str, note: str | None):
        try:
            with Session(engine) as session:
                actor = workflow.staff_actor(session, clerk)
                workflow.apply(
                    session, dossier_id, action, actor,
                    expected_version=2, note=note, now=NOW, working_days=5,
                )  # fmt: skip
                winners.append(action)
        except TransitionError as exc:
            refused.append(str(exc))
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [
        threading.Thread(target=act, args=(CLERKS[i % 2], action, note))
        for i, (action, note) in enumerate(moves)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return winners, refused, errors


def _history(engine, dossier_id: int) -> tuple[Dossier, int, int]:
    with Session(engine) as session:
        dossier = session.get(Dossier, dossier_id)
        events = session.exec(
            select(func.count()).where(DossierEvent.dossier_id == dossier_id)
        ).one()
        notices = session.exec(
            select(func.count()).where(Notification.dossier_id == dossier_id)
        ).one()
        return dossier, events, notices


@pytest.mark.parametrize("n", range(1, ROUNDS + 1))
def test_two_clerks_receive_the_same_dossier(engine, monkeypatch, n):
    dossier_id = _dossier(engine, n, "submitted")
    winners, refused, errors = _race(
        engine, monkeypatch, dossier_id, [("receive", None), ("receive", None)]
    )
    assert not errors
    assert winners == ["receive"] and refused == [CONFLICT]
    dossier, events, notices = _history(engine, dossier_id)
    assert (dossier.status, dossier.version, events, notices) == ("received", 3, 1, 1)


@pytest.mark.parametrize("n", range(1, ROUNDS + 1))
def test_approve_and_reject_at_once(engine, monkeypatch, n):
    dossier_id = _dossier(engine, n, "processing")
    winners, refused, errors = _race(
        engine,
        monkeypatch,
        dossier_id,
        [("approve", None), ("reject", "Không đủ điều kiện")],
    )
    assert not errors
    assert len(winners) == 1 and refused == [CONFLICT]
    dossier, events, notices = _history(engine, dossier_id)
    assert dossier.status == {"approve": "approved", "reject": "rejected"}[winners[0]]
    assert (dossier.version, events, notices) == (3, 1, 1)
