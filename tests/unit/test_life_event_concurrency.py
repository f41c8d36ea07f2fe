"""One life event, one open dossier, even at the same instant (real threads, separate
sessions, SQLite file or PostgreSQL): both parents submit the birth of one notice, and
exactly one dossier is filed while the other parent is told who filed it, their draft kept;
the other spouse confirms while the applicant withdraws, and exactly one of them wins with a
consistent dossier."""

import threading
from datetime import date, datetime

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, func, select

from common.db import make_engine
from common.tz import VN_TZ
from portal.models import Citizen, Dossier, DossierEvent, DossierParty
from portal.models.base import portal_registry
from portal.services import filing, parties, workflow
from portal.services.fees import FeeDecision
from portal.services.routing import RoutingDecision
from procedures import load_catalogue
from tests.support.databases import database_settings, drop_schema

CATALOGUE = load_catalogue()
BIRTH, MARRIAGE = CATALOGUE.get("1.001193"), CATALOGUE.get("1.000894")
OFFICE = "79.26743"
KHOA, HOA = "079093004567", "052196007890"  # father and mother
AN, LAN = "079095001234", "079302034567"
NOTICE = "GCS-79-2026-004512"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=VN_TZ)
ROUNDS = 5
TYPED = {KHOA: "Trần Minh Bảo", HOA: "Trần Lê Bảo Ngọc"}  # each parent's name for the child
LOCKED = {
    "birth_notice_number": NOTICE,
    "father_personal_id": KHOA,
    "father_full_name": "Trần Minh Khoa",
    "mother_personal_id": HOA,
    "mother_full_name": "Lê Thị Hoa",
}


@pytest.fixture
def engine(tmp_path):
    settings = database_settings(tmp_path, "portal")
    engine = make_engine(settings["DATABASE_URL"], schema=settings["DATABASE_SCHEMA"])
    portal_registry.metadata.create_all(engine)
    with Session(engine) as session:
        for pid, name in ((KHOA, "Trần Minh Khoa"), (HOA, "Lê Thị Hoa"), (AN, "Nguyễn Văn An")):
            session.add(Citizen(personal_id=pid, full_name=name, level=2))
        session.commit()
    yield engine
    engine.dispose()
    drop_schema(settings["DATABASE_SCHEMA"])


def _submission(applicant_name: str) -> filing.Submission:
    locked = {**LOCKED, "applicant_full_name": applicant_name}
    return filing.Submission(
        routing=RoutingDecision(OFFICE, "UBND Phường Bến Thành", "Nơi thường trú"),
        fee=FeeDecision(0, "base", "Miễn lệ phí"),
        locked=locked,
        locked_hash="h",
        working_days=0,
        due=date(2026, 11, 23),
    )


def _draft(session: Session, applicant: str, typed: str) -> int:
    draft = Dossier(
        procedure_code=BIRTH.code,
        procedure_version=1,
        applicant_id=applicant,
        data={"child_full_name": typed},
    )
    session.add(draft)
    session.commit()
    assert draft.id is not None
    return draft.id


def _together(monkeypatch, target, name: str, count: int) -> None:
    """Every thread waits in `target.name` until all have got there (past their checks,
    before their first write)."""
    met = threading.Barrier(count)
    real = getattr(target, name)

    def wait_then(*args, **kwargs):
        met.wait(timeout=10)
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, wait_then)


def _run(*calls):
    """Run each call in its own thread; (results, errors) in call order (None where none)."""
    results: list = [None] * len(calls)
    errors: list = [None] * len(calls)

    def run(i, call):
        try:
            results[i] = call()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


@pytest.mark.parametrize("n", range(1, ROUNDS + 1))
def test_both_parents_submit_the_same_birth_at_once(engine, monkeypatch, n):
    with Session(engine) as session:
        drafts = {pid: _draft(session, pid, name) for pid, name in TYPED.items()}
    _together(monkeypatch, filing, "new_code", 2)
    names = {KHOA: "Trần Minh Khoa", HOA: "Lê Thị Hoa"}

    def submit(applicant: str):
        def call():
            with Session(engine) as session:
                draft = session.get(Dossier, drafts[applicant])
                done = filing.submit(
                    session, draft, _submission(names[applicant]),
                    procedure=BIRTH, expected_hash="h", now=NOW,
                )  # fmt: skip
                return done.code

        return call

    results, errors = _run(submit(KHOA), submit(HOA))
    filed = [r for r in results if r]
    refused = [e for e in errors if e is not None]
    assert len(filed) == 1 and len(refused) == 1, (results, errors)
    assert isinstance(refused[0], filing.FilingError), repr(refused[0])
    loser = KHOA if errors[0] is not None else HOA
    winner = HOA if loser == KHOA else KHOA
    message = refused[0].messages[0]
    assert filed[0] in message and names[winner] in message and "Mới nộp" in message
    with Session(engine) as session:
        codes = session.exec(select(Dossier.code).where(col(Dossier.code).is_not(None))).all()
        assert codes == filed
        kept = session.get(Dossier, drafts[loser])
        assert kept.status == "draft" and kept.draft_key == "draft" and kept.code is None
        assert kept.data == {"child_full_name": TYPED[loser]}  # nothing typed is lost
        won = session.get(Dossier, drafts[winner])
        assert won.open_key == f"birth_notice:{NOTICE}"
        # The loser is a party of the winner's dossier (the other parent, informed).
        rows = session.exec(
            select(DossierParty.personal_id, DossierParty.consent)
            .where(DossierParty.dossier_id == won.id)
            .order_by(DossierParty.id)
        ).all()
        assert [tuple(r) for r in rows] == [(winner, "applicant"), (loser, "informed")]
        stray = session.exec(
            select(func.count()).where(DossierParty.dossier_id == drafts[loser])
        ).one()
        assert stray == 0  # the loser's rows went with the rollback


def _awaiting_marriage(engine, n: int) -> int:
    data = {
        "applicant_personal_id": AN,
        "applicant_full_name": "Nguyễn Văn An",
        "partner_personal_id": LAN,
        "partner_full_name": "Đỗ Thị Lan",
    }
    with Session(engine) as session:
        dossier = Dossier(
            code=f"{OFFICE}-261123-{n:04d}",
            procedure_code=MARRIAGE.code,
            procedure_version=1,
            applicant_id=AN,
            status="awaiting_parties",
            office_code=OFFICE,
            data=data,
            subject_key=f"couple:{AN}+{LAN}",
            open_key=f"couple:{AN}+{LAN}",
        )
        session.add(dossier)
        session.flush()
        session.execute(update(Dossier).where(Dossier.id == dossier.id).values(draft_key=None))
        parties.add_parties(session, dossier, MARRIAGE, data, NOW.date())
        session.commit()
        assert dossier.id is not None
        return dossier.id


@pytest.mark.parametrize("n", range(1, ROUNDS + 1))
def test_the_spouse_confirms_while_the_applicant_withdraws(engine, monkeypatch, n):
    dossier_id = _awaiting_marriage(engine, n)
    _together(monkeypatch, workflow, "_changes", 2)

    def confirm():
        with Session(engine) as session:
            found = session.get(Dossier, dossier_id)
            return parties.answer(
                session, found, LAN, "confirm", None, NOW, procedure=MARRIAGE
            ).status

    def withdraw():
        with Session(engine) as session:
            filing.withdraw(session, session.get(Dossier, dossier_id), AN, NOW)
            return "withdrawn"

    results, errors = _run(confirm, withdraw)
    won = [r for r in results if r]
    assert len(won) == 1, (results, errors)
    lost = next(e for e in errors if e is not None)
    assert isinstance(lost, parties.PartyError | filing.FilingError), repr(lost)
    with Session(engine) as session:
        dossier = session.get(Dossier, dossier_id)
        spouse = session.exec(
            select(DossierParty).where(
                DossierParty.dossier_id == dossier_id, DossierParty.personal_id == LAN
            )
        ).one()
        actions = session.exec(
            select(DossierEvent.action).where(DossierEvent.dossier_id == dossier_id)
        ).all()
        assert dossier.version == 2 and len(actions) == 1
        if won == ["submitted"]:  # she confirmed first: the withdrawal saw a changed dossier
            assert (dossier.status, dossier.open_key, spouse.answer) == (
                "submitted",
                f"couple:{AN}+{LAN}",
                "confirmed",
            )
            assert actions == ["confirm_party"] and "thay đổi" in str(lost)
        else:  # withdrawn first: her confirmation changed nothing
            assert (dossier.status, dossier.open_key, spouse.answer) == ("withdrawn", None, None)
            assert actions == ["withdraw"] and str(lost) == workflow.CONFLICT
