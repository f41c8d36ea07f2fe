"""The life cycle's steps around parties and the procedure's own steps: consent before the
office sees a dossier, the one open dossier per life event, the draft result the parties
confirm (silence for one working day is consent), appointments and attendance, the
registry's refusal and revocation. Shares the state-machine tests' database helpers."""

from datetime import date, datetime

import pytest
from sqlmodel import select

from common.tz import VN_TZ
from portal.models import DossierEvent, DossierParty
from portal.services import workflow
from portal.services.workflow import TransitionError
from tests.support.workflow import (
    APPLICANT,
    APPOINTMENT,
    BY_ROLE,
    NOW,
    PARTNER,
    WITH_STEPS,
    act,
    add_result,
    make_dossier,
    staff,
)

# the bench's fixtures: tables, engine, session
pytest_plugins = ["tests.support.workflow"]

SPECIALIST, LEADER = BY_ROLE["xu_ly"], BY_ROLE["lanh_dao"]


def party_row(session, dossier, pid=PARTNER) -> DossierParty:
    session.expire_all()
    return session.exec(
        select(DossierParty).where(
            DossierParty.dossier_id == dossier.id, DossierParty.personal_id == pid
        )
    ).one()


def test_a_dossier_with_a_co_party_waits_for_their_confirmation(session):
    draft = make_dossier(session, "draft", parties=True)
    filed = act(session, draft, "submit", workflow.citizen(APPLICANT))
    assert filed.status == "awaiting_parties"
    with pytest.raises(TransitionError, match="không cần bạn xác nhận"):
        act(session, filed, "confirm_party", workflow.party(APPLICANT))
    confirmed = act(session, filed, "confirm_party", workflow.party(PARTNER))
    assert confirmed.status == "submitted"
    row = party_row(session, confirmed)
    assert (row.answer, row.answered_at) == ("confirmed", NOW)
    event = session.exec(select(DossierEvent).where(DossierEvent.action == "confirm_party")).one()
    assert (event.actor_id, event.actor_role) == (PARTNER, "citizen")


@pytest.mark.parametrize(
    ("pid", "message"),
    [
        ("079199999999", "không phải là một bên"),  # not named on the dossier
        (PARTNER, "Vui lòng ghi lý do"),  # a decline without a reason
    ],
)
def test_a_decline_needs_the_named_party_and_a_reason(session, pid, message):
    dossier = make_dossier(session, "awaiting_parties", parties=True)
    with pytest.raises(TransitionError, match=message):
        act(session, dossier, "decline_party", workflow.party(pid), note=" ")
    assert party_row(session, dossier).answer is None


def test_a_decline_ends_the_dossier_and_frees_the_life_event(session):
    dossier = make_dossier(session, "awaiting_parties", parties=True, open_key="couple:a+b")
    ended = act(session, dossier, "decline_party", workflow.party(PARTNER), note="Không đồng ý")
    assert (ended.status, ended.open_key) == ("declined", None)
    row = party_row(session, ended)
    assert (row.answer, row.reason) == ("declined", "Không đồng ý")


def test_a_second_or_late_confirmation_is_refused(session):
    dossier = make_dossier(session, "awaiting_parties", parties=True)
    row = party_row(session, dossier)
    row.answer_by = date(2026, 11, 20)  # before NOW
    session.add(row)
    session.commit()
    with pytest.raises(TransitionError, match="quá hạn xác nhận \\(20/11/2026\\)"):
        act(session, dossier, "confirm_party", workflow.party(PARTNER))
    row.answer, row.answer_by = "confirmed", None
    session.add(row)
    session.commit()
    with pytest.raises(TransitionError, match="không thể trả lời lại"):
        act(session, dossier, "confirm_party", workflow.party(PARTNER))


@pytest.mark.parametrize(
    ("status", "action", "actor"),
    [
        ("submitted", "withdraw", workflow.citizen(APPLICANT)),
        ("processing", "reject", None),
        ("approved", "return", None),
        ("awaiting_parties", "parties_lapsed", workflow.system()),
    ],
)
def test_an_ended_dossier_frees_its_life_event(session, status, action, actor):
    dossier = make_dossier(session, status, parties=True, open_key="notice:GCS-1")
    actor = actor or staff(session, LEADER if action == "reject" else BY_ROLE["tiep_nhan"])
    ended = act(session, dossier, action, actor, note="Lý do")
    assert ended.open_key is None and ended.status in workflow.ENDED


def test_the_draft_is_confirmed_by_the_applicant_and_the_co_party(session):
    dossier = make_dossier(session, "processing", parties=True, received_at=NOW)
    sent = act(session, dossier, "send_draft", staff(session, SPECIALIST))
    # Monday 23/11: Tuesday 24/11 is a holiday, so the one working day ends Wednesday 25/11
    assert (sent.status, sent.draft_answer_by) == ("awaiting_confirmation", date(2026, 11, 25))
    one = act(session, sent, "confirm_draft", workflow.party(APPLICANT))
    assert (one.status, one.draft_confirmed_at) == ("awaiting_confirmation", None)
    with pytest.raises(TransitionError, match="không thể trả lời lại"):
        act(session, one, "confirm_draft", workflow.party(APPLICANT))
    both = act(session, one, "confirm_draft", workflow.party(PARTNER))
    assert (both.status, both.draft_confirmed_at) == ("processing", NOW)


def test_a_correction_sends_the_draft_back_and_a_new_draft_asks_again(session):
    dossier = make_dossier(session, "awaiting_confirmation", parties=True, received_at=NOW)
    with pytest.raises(TransitionError, match="nội dung dự thảo cần sửa"):
        act(session, dossier, "request_correction", workflow.party(PARTNER), note="")
    back = act(session, dossier, "request_correction", workflow.party(PARTNER),
               note="Sai ngày sinh")  # fmt: skip
    assert (back.status, back.draft_confirmed_at) == ("processing", None)
    assert party_row(session, back).draft_answer == "correction"
    again = act(session, back, "send_draft", staff(session, SPECIALIST))
    assert party_row(session, again).draft_answer is None


def test_silence_for_one_working_day_is_consent(session):
    dossier = make_dossier(session, "awaiting_confirmation", parties=True)
    with pytest.raises(TransitionError, match="Bạn không có quyền"):
        act(session, dossier, "draft_lapsed", workflow.party(APPLICANT))
    lapsed = act(session, dossier, "draft_lapsed", workflow.system())
    assert lapsed.status == "processing" and lapsed.draft_confirmed_at == NOW
    event = session.exec(select(DossierEvent).where(DossierEvent.action == "draft_lapsed")).one()
    assert event.note == workflow.DRAFT_LAPSED_NOTE and event.actor_role == "system"


def test_approval_waits_for_the_draft_and_the_attendance(session):
    dossier = make_dossier(session, "processing", received_at=NOW)
    leader = staff(session, LEADER)
    with pytest.raises(TransitionError) as exc:
        act(session, dossier, "approve", leader, procedure=WITH_STEPS)
    assert str(exc.value) == workflow.DRAFT_UNCONFIRMED
    assert "approve" not in workflow.allowed_actions(session, dossier, leader, NOW.date(),
                                                     WITH_STEPS)  # fmt: skip
    dossier.draft_confirmed_at = NOW
    session.add(dossier)
    session.commit()
    with pytest.raises(TransitionError) as exc:
        act(session, dossier, "approve", leader, procedure=WITH_STEPS)
    assert str(exc.value) == workflow.NOT_ATTENDED


@pytest.mark.parametrize(
    ("when", "place", "message"),
    [
        (datetime(2026, 11, 20, 9, 0, tzinfo=VN_TZ), "UBND", "sau hiện tại"),
        (datetime(2026, 11, 28, 9, 0, tzinfo=VN_TZ), "UBND", "không phải ngày làm việc"),
        (datetime(2026, 11, 24, 9, 0, tzinfo=VN_TZ), "UBND", "không phải ngày làm việc"),
        (datetime(2026, 11, 25, 12, 0, tzinfo=VN_TZ), "UBND", "trong giờ làm việc"),
        (datetime(2026, 11, 25, 17, 0, tzinfo=VN_TZ), "UBND", "trong giờ làm việc"),
        (datetime(2027, 3, 1, 9, 0, tzinfo=VN_TZ), "UBND", "xa quá 60 ngày"),
        (datetime(2026, 11, 25, 9, 0, tzinfo=VN_TZ), "  ", "nơi có mặt"),
    ],
    ids=["past", "saturday", "holiday", "noon", "closing", "far", "no place"],
)
def test_a_bad_appointment_is_refused(session, when, place, message):
    dossier = make_dossier(session, "processing", received_at=NOW)
    with pytest.raises(TransitionError, match=message):
        act(session, dossier, "schedule", staff(session, SPECIALIST), appointment=(when, place))
    session.expire_all()
    assert session.get(type(dossier), dossier.id).appointment_at is None


def test_the_appointment_moves_once_and_attendance_comes_on_the_day(session):
    dossier = make_dossier(session, "processing", parties=True, received_at=NOW)
    clerk = staff(session, SPECIALIST)
    booked = act(session, dossier, "schedule", clerk)
    assert (booked.status, booked.appointment_at) == ("awaiting_appearance", APPOINTMENT[0])
    later = (datetime(2026, 11, 26, 14, 0, tzinfo=VN_TZ), APPOINTMENT[1])
    moved = act(session, booked, "move_appointment", workflow.party(APPLICANT), appointment=later)
    assert (moved.appointment_at, moved.appointment_moved) == (later[0], True)
    with pytest.raises(TransitionError, match="chỉ được đổi một lần"):
        act(session, moved, "move_appointment", workflow.party(PARTNER), appointment=later)
    with pytest.raises(TransitionError, match="từ ngày hẹn"):
        act(session, moved, "record_attendance", clerk)
    on_the_day = datetime(2026, 11, 26, 14, 5, tzinfo=VN_TZ)
    attended = act(session, moved, "record_attendance", clerk, now=on_the_day)
    assert (attended.status, attended.attended_at) == ("processing", on_the_day)
    assert "schedule" not in workflow.allowed_actions(session, attended, clerk, on_the_day.date(),
                                                      WITH_STEPS)  # fmt: skip


def test_a_registry_refusal_sends_the_dossier_back_to_the_officer(session):
    dossier = make_dossier(session, "approved", decided_at=NOW, registry_sync="refused")
    back = act(session, dossier, "registry_refused", workflow.system(),
               note="CSDLQG về dân cư: giấy chứng sinh đã được đăng ký khai sinh.")  # fmt: skip
    assert (back.status, back.decided_at) == ("processing", None)
    assert "reject" in workflow.allowed_actions(session, back, staff(session, LEADER), NOW.date())


def test_a_revocation_needs_a_live_result(session):
    dossier = make_dossier(session, "returned")
    leader = staff(session, LEADER)
    with pytest.raises(TransitionError, match="không có kết quả còn hiệu lực"):
        act(session, dossier, "revoke", leader)
    doc = add_result(session, dossier)
    assert "revoke" in workflow.allowed_actions(session, dossier, leader, NOW.date())
    doc.revoked_at = NOW
    session.add(doc)
    session.commit()
    assert "revoke" not in workflow.allowed_actions(session, dossier, leader, NOW.date())
