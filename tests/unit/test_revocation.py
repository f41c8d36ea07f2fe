"""Revoking a dossier's results (services/results.revoke with the workflow's "revoke"): who
may, what it needs, what it marks, and what reuse and the labels make of it (SQLite or
PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from portal.models import Dossier, DossierEvent, ResultDocument, Staff
from portal.services import results, reuse, workflow
from procedures import load_catalogue
from tests import factories

AN, OFFICE = factories.AN, factories.COMMUNE
LEADER, SPECIALIST = "079187090123", "079301000004"
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam
CONTRACT = load_catalogue().get("2.001035")  # reuses a confirmation for a sale
FOR_PROPERTY = {factories.PURPOSE: "Mua bán nhà đất"}
REASON = "Cấp sai tình trạng hôn nhân của người yêu cầu."


@pytest.fixture
def session(tmp_path):
    with factories.office_session(tmp_path) as session:
        session.add(Staff(personal_id=LEADER, office_code=OFFICE, roles="tiep_nhan,lanh_dao"))
        session.add(Staff(personal_id=SPECIALIST, office_code=OFFICE, roles="xu_ly"))
        session.commit()
        yield session


@pytest.fixture
def keys(tmp_path):
    return tmp_path / "keys"


def _returned(session, keys, *, documents: int = 2) -> Dossier:
    """An's returned marital-status dossier with `documents` signed results."""
    dossier = Dossier(
        code=f"{OFFICE}-261125-0001",
        procedure_code="1.004873",
        procedure_version=1,
        applicant_id=AN,
        status="returned",
        office_code=OFFICE,
        data=factories.DATA,
    )
    session.add(dossier)
    session.flush()
    dossier.draft_key = None
    for n in range(documents):
        results.issue(
            session,
            dossier,
            kind="xac_nhan_tinh_trang_hon_nhan",
            title="Giấy xác nhận tình trạng hôn nhân (bản điện tử)",
            content={"Họ, chữ đệm và tên": "Nguyễn Văn An", **FOR_PROPERTY},
            office_code=OFFICE,
            signer_id=factories.SIGNER_ID,
            signer_name=factories.SIGNER_NAME,
            now=NOW - timedelta(days=10 - n),
            key_folder=keys,
        )
    session.commit()
    return dossier


def _revoke(session, dossier: Dossier, who: str, reason: str | None = REASON):
    """The back office's revocation: the event and the marks in one transaction."""
    actor = workflow.staff_actor(session, who)
    assert actor is not None
    workflow.apply(
        session,
        dossier,
        "revoke",
        actor,
        expected_version=dossier.version,
        note=reason,
        now=NOW,
        commit=False,
    )
    assert dossier.id is not None
    revoked = results.revoke(session, dossier.id, who, reason or "", NOW)
    session.commit()
    return revoked


def test_a_leader_revokes_every_live_result_with_the_reason(session, keys):
    dossier = _returned(session, keys)
    revoked = _revoke(session, dossier, LEADER)
    assert len(revoked) == 2
    docs = results.of_dossier(session, dossier.id)
    for doc in docs:
        assert results.is_revoked(doc)
        assert (doc.revoked_by, doc.revoked_reason) == (LEADER, REASON)
        assert doc.revoked_at.replace(tzinfo=UTC) == NOW
        assert results.verify(doc, keys)  # genuine still: the signature is untouched
        assert results.status_label(doc) == "Đã thu hồi ngày 25/11/2026"
        assert results.revocation_text(doc) == f"Đã thu hồi ngày 25/11/2026. Lý do: {REASON}"
    assert results.live_of_dossier(session, dossier.id) == []
    session.refresh(dossier)
    assert (dossier.status, dossier.version) == ("returned", 2)  # the dossier stays returned
    event = session.exec(select(DossierEvent).where(DossierEvent.action == "revoke")).one()
    assert (event.actor_id, event.actor_role, event.note) == (LEADER, "lanh_dao", REASON)
    # nothing left to revoke: the action is no longer offered, and refused
    assert "revoke" not in workflow.allowed_actions(
        session, dossier, workflow.staff_actor(session, LEADER)
    )
    with pytest.raises(workflow.TransitionError, match="không có kết quả còn hiệu lực"):
        _revoke(session, dossier, LEADER)


@pytest.mark.parametrize("reason", [None, "", "   \n "])
def test_a_revocation_without_a_reason_changes_nothing(session, keys, reason):
    dossier = _returned(session, keys)
    with pytest.raises(workflow.TransitionError, match="lý do thu hồi"):
        _revoke(session, dossier, LEADER, reason)
    session.rollback()
    assert results.live_of_dossier(session, dossier.id) != []
    assert session.exec(select(DossierEvent)).all() == []
    with pytest.raises(ValueError):
        results.revoke(session, dossier.id, LEADER, "  ", NOW)
    with pytest.raises(ValueError):
        results.revoke(session, dossier.id, LEADER, "x" * (results.REASON_MAX + 1), NOW)


def test_only_a_leader_of_the_issuing_office_revokes(session, keys):
    dossier = _returned(session, keys)
    with pytest.raises(workflow.TransitionError, match="chưa được giao vai trò"):
        _revoke(session, dossier, SPECIALIST)
    session.rollback()
    other = workflow.Actor(LEADER, "staff", "01.00004", frozenset({"lanh_dao"}))
    assert "revoke" not in workflow.allowed_actions(session, dossier, other)
    assert all(not results.is_revoked(d) for d in results.of_dossier(session, dossier.id))


def test_a_live_document_reads_as_live(session, keys):
    dossier = _returned(session, keys, documents=1)
    [doc] = results.of_dossier(session, dossier.id)
    assert not results.is_revoked(doc)
    assert results.status_label(doc) == "Còn hiệu lực" and results.revocation_text(doc) == ""


def test_reuse_refuses_a_revoked_document_and_says_why(session, keys):
    dossier = _returned(session, keys, documents=1)
    today = NOW.date()
    [before] = reuse.resolve(session, CONTRACT, AN, key_folder=keys, today=today)
    assert before.document is not None
    [doc] = results.of_dossier(session, dossier.id)
    assert reuse.problem(before.component, doc, key_folder=keys, today=today) is None

    _revoke(session, dossier, LEADER)
    session.expire_all()
    [doc] = results.of_dossier(session, dossier.id)
    why = reuse.problem(before.component, doc, key_folder=keys, today=today)
    assert why == f"đã bị UBND Phường Bến Thành thu hồi ngày 25/11/2026, lý do: {REASON}"
    [after] = reuse.resolve(session, CONTRACT, AN, key_folder=keys, today=today)
    assert after.document is None and after.refused is not None
    assert after.refusal.endswith(f"không dùng lại được: {why}.")
    assert reuse.unmet([after]) == {after.index: after}  # the paper must be attached instead


def test_a_document_stays_revoked_in_the_stored_row(session, keys):
    dossier = _returned(session, keys, documents=1)
    _revoke(session, dossier, LEADER)
    session.expire_all()
    [row] = session.exec(select(ResultDocument)).all()
    assert row.revoked_reason == REASON and row.revoked_by == LEADER
