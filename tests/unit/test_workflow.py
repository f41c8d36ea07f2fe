"""The dossier state machine: every allowed and refused transition, actors' roles and
offices, versions, events and notifications, the supplement clock (at reception and once
during processing), the one extension before the due date, and separation of duties."""

from datetime import date, datetime

import pytest
from sqlmodel import Session, select

from common.db import make_engine
from common.tz import VN_TZ
from portal.models import STATUS_LABELS, Dossier, DossierEvent, Notification, Office, Staff
from portal.models.base import portal_registry
from portal.services import deadlines, workflow
from portal.services.staff import office_code_of, seed_staff
from portal.services.workflow import ACTIONS, CONFLICT, TransitionError, citizen
from seeds import personas
from tests.support.workflow import (
    ALL_IN_ONE,
    APPLICANT,
    BY_ROLE,
    COMMUNE,
    NOW,
    OTHER_CITIZEN,
    OTHER_OFFICE,
    PARTNER,
    PROVINCE,
    PROVINCE_CLERK,
    WORKING_DAYS,
    act,
    actor_for,
    make_dossier,
    needs_parties,
    prepared,
    staff,
)

# the bench's fixtures: tables, engine, session
pytest_plugins = ["tests.support.workflow"]

STATUSES = list(STATUS_LABELS)


def _target(action: str, source: str) -> str:
    """Where `action` takes a dossier at `source` that has not been received."""
    a = ACTIONS[action]
    dossier = Dossier(procedure_code="x", procedure_version=1, applicant_id="", status=source)
    if action in ONLY_PARTY_LEFT:  # the one awaited party answers: the dossier moves on
        return ONLY_PARTY_LEFT[action]
    return a.target_for(None, dossier, citizen(PARTNER))  # type: ignore[arg-type]


ONLY_PARTY_LEFT = {
    "submit": "submitted",  # no party to wait for
    "confirm_party": "submitted",
    "confirm_draft": "awaiting_confirmation",  # the applicant has not confirmed yet
}


ALLOWED = [
    (action, source, _target(action, source))
    for action, a in ACTIONS.items()
    for source in sorted(a.sources)
]
REFUSED = [
    (action, status)
    for action, a in ACTIONS.items()
    for status in STATUSES
    if status not in a.sources
]
STAFF_ACTIONS = list(workflow.STAFF_ACTIONS)


def test_the_table_covers_the_life_cycle():
    moves = {(s, _target(n, s)) for n, a in ACTIONS.items() for s in a.sources if a.target}
    assert moves == {
        ("draft", "submitted"),
        ("awaiting_parties", "withdrawn"),
        ("awaiting_parties", "submitted"),  # every required party confirmed
        ("awaiting_parties", "declined"),  # one declined, or the deadline passed
        ("submitted", "withdrawn"),
        ("awaiting_payment", "submitted"),  # the gateway confirmed the payment
        ("awaiting_payment", "withdrawn"),
        ("processing", "awaiting_confirmation"),  # the draft result sent to the parties
        ("awaiting_confirmation", "awaiting_confirmation"),  # one of several confirmed
        ("awaiting_confirmation", "processing"),  # confirmed, silent, or corrections asked
        ("processing", "awaiting_appearance"),
        ("awaiting_appearance", "processing"),  # attended
        ("approved", "processing"),  # the registry refused the write for good
        ("submitted", "received"),
        ("submitted", "refused_reception"),
        ("submitted", "supplement_requested"),  # at reception: the clock has not started
        ("received", "processing"),
        ("processing", "supplement_requested"),
        ("supplement_requested", "submitted"),  # answered or cancelled before reception
        ("processing", "approved"),
        ("processing", "rejected"),
        ("approved", "returned"),
    }
    received = Dossier(
        procedure_code="x",
        procedure_version=1,
        applicant_id="",
        received_at=NOW,
        status="processing",
    )
    someone = citizen(APPLICANT)
    assert ACTIONS["resubmit"].target_for(None, received, someone) == "processing"  # type: ignore[arg-type]
    assert ACTIONS["cancel_supplement"].target_for(None, received, someone) == "processing"  # type: ignore[arg-type]
    assert ACTIONS["request_supplement"].role_for(received) == "xu_ly"
    assert STATUS_LABELS["refused_reception"] == "Từ chối tiếp nhận"
    assert all(s in STATUS_LABELS for s in workflow.Status)


@pytest.mark.parametrize(("action", "source", "target"), ALLOWED)
def test_allowed_transition_succeeds_for_the_right_role(session, action, source, target):
    dossier = prepared(session, action, source)
    actor = actor_for(session, action, dossier)
    moved = act(session, dossier, action, actor)
    assert (moved.status, moved.version) == (target, 4)
    event = session.exec(select(DossierEvent).where(DossierEvent.dossier_id == dossier.id)).one()
    assert (event.actor_id, event.action, event.from_status, event.to_status) == (
        actor.personal_id,
        action,
        source,
        target,
    )
    kind = ACTIONS[action].actor
    expected_role = {"staff": ACTIONS[action].role_for(dossier), "system": "system"}
    assert event.actor_role == expected_role.get(kind, "citizen")
    assert event.at == NOW
    notices = session.exec(select(Notification).where(Notification.dossier_id == dossier.id)).all()
    # everyone the dossier is about hears of it, except whoever acted
    told = {APPLICANT, PARTNER} if needs_parties(action) else {APPLICANT}
    assert {n.personal_id for n in notices} == told - {actor.personal_id}
    assert all(dossier.code in n.text and n.read_at is None for n in notices)


@pytest.mark.parametrize(("action", "status"), REFUSED)
def test_transition_from_a_wrong_state_is_refused(session, action, status):
    dossier = prepared(session, action, status)
    with pytest.raises(TransitionError, match="Không thể .* trạng thái") as exc:
        act(session, dossier, action, actor_for(session, action, dossier))
    assert f"“{STATUS_LABELS[status]}”" in str(exc.value)
    _unchanged(session, dossier, status)


@pytest.mark.parametrize("action", STAFF_ACTIONS)
def test_staff_without_the_role_is_refused(session, action):
    source = sorted(ACTIONS[action].sources)[0]
    for role, pid in BY_ROLE.items():
        dossier = make_dossier(session, source)
        if role == ACTIONS[action].role_for(dossier):
            continue
        with pytest.raises(TransitionError, match="Bạn không có quyền .*vai trò"):
            act(session, dossier, action, staff(session, pid))
        _unchanged(session, dossier, source)


@pytest.mark.parametrize("action", STAFF_ACTIONS)
@pytest.mark.parametrize(
    ("office", "pid"),
    [
        (COMMUNE, OTHER_OFFICE),  # commune Y acting on commune X's dossier
        (PROVINCE, ALL_IN_ONE),  # commune clerk on a province dossier
        (COMMUNE, PROVINCE_CLERK),  # province clerk on a commune dossier
    ],
)
def test_staff_of_another_office_is_refused(session, action, office, pid):
    source = sorted(ACTIONS[action].sources)[0]
    dossier = make_dossier(session, source, office=office)
    with pytest.raises(TransitionError, match="Bạn không có quyền .*cơ quan khác"):
        act(session, dossier, action, staff(session, pid))
    _unchanged(session, dossier, source)


def test_a_one_person_office_may_give_one_person_every_role(session):
    one_person_office(session)
    dossier = make_dossier(session, "submitted")
    clerk = staff(session, ALL_IN_ONE)
    for action in ("receive", "start", "approve", "return"):
        dossier = act(session, dossier, action, clerk)
    assert dossier.status == "returned" and dossier.returned_at is not None
    approval = session.exec(select(DossierEvent).where(DossierEvent.action == "approve")).one()
    assert workflow.ONE_PERSON_NOTE in approval.note


def one_person_office(session) -> None:
    session.add(Office(code=COMMUNE, name="UBND phường Bến Thành", kind="commune",
                       province_code=79, ward_code=26743, one_person=True))  # fmt: skip
    session.commit()


def test_the_leader_who_signs_is_not_the_specialist_who_processed(session):
    session.add(Office(code=COMMUNE, name="UBND phường Bến Thành", kind="commune",
                       province_code=79, ward_code=26743))  # fmt: skip
    session.commit()
    dossier = make_dossier(session, "received")
    clerk = staff(session, ALL_IN_ONE)
    dossier = act(session, dossier, "start", clerk)
    assert "approve" not in workflow.allowed_actions(session, dossier, clerk, NOW.date())
    with pytest.raises(TransitionError) as exc:
        act(session, dossier, "approve", clerk)
    assert str(exc.value) == workflow.SIGNER_IS_PROCESSOR
    moved = act(session, dossier, "approve", staff(session, BY_ROLE["lanh_dao"]))
    assert moved.status == "approved"


@pytest.mark.parametrize("action", STAFF_ACTIONS)
def test_staff_never_act_on_their_own_dossier(session, action):
    source = sorted(ACTIONS[action].sources)[0]
    dossier = make_dossier(session, source, applicant_id=ALL_IN_ONE)
    with pytest.raises(TransitionError) as exc:
        act(session, dossier, action, staff(session, ALL_IN_ONE))
    assert str(exc.value) == workflow.OWN_DOSSIER
    assert workflow.allowed_actions(session, dossier, staff(session, ALL_IN_ONE), NOW.date()) == []
    _unchanged(session, dossier, source)


@pytest.mark.parametrize("action", STAFF_ACTIONS)
def test_citizen_cannot_act_as_staff(session, action):
    source = sorted(ACTIONS[action].sources)[0]
    dossier = make_dossier(session, source)
    with pytest.raises(TransitionError, match="Bạn không có quyền .*cán bộ"):
        act(session, dossier, action, citizen(APPLICANT))
    _unchanged(session, dossier, source)


@pytest.mark.parametrize(
    "actor",
    [citizen(OTHER_CITIZEN), workflow.Actor(ALL_IN_ONE, "staff", COMMUNE, frozenset(["xu_ly"]))],
    ids=["another citizen", "staff"],
)
def test_only_the_applicant_can_resubmit(session, actor):
    dossier = make_dossier(session, "supplement_requested")
    with pytest.raises(TransitionError, match="chỉ người nộp hồ sơ"):
        act(session, dossier, "resubmit", actor)
    _unchanged(session, dossier, "supplement_requested")


def test_not_staff_at_all():
    with Session(make_engine("sqlite://")) as s:
        portal_registry.metadata.create_all(s.get_bind())
        assert workflow.staff_actor(s, APPLICANT) is None


def test_stale_version_is_refused_with_a_clear_message(session):
    dossier = make_dossier(session, "submitted")
    with pytest.raises(TransitionError) as exc:
        act(session, dossier, "receive", staff(session, ALL_IN_ONE), expected_version=2)
    assert str(exc.value) == CONFLICT == "Hồ sơ đã được cán bộ khác cập nhật; vui lòng tải lại."
    _unchanged(session, dossier, "submitted")


def test_a_second_clerk_with_the_old_version_loses(session):
    dossier = make_dossier(session, "submitted")
    seen = dossier.version
    act(session, dossier, "receive", staff(session, BY_ROLE["tiep_nhan"]), expected_version=seen)
    with pytest.raises(TransitionError, match="cán bộ khác cập nhật"):
        act(
            session,
            dossier,
            "refuse_reception",
            staff(session, ALL_IN_ONE),
            expected_version=seen,
            note="Thiếu giấy tờ",
        )
    assert session.get(Dossier, dossier.id).status == "received"


@pytest.mark.parametrize("action", [n for n, a in ACTIONS.items() if a.note_label])
@pytest.mark.parametrize("note", [None, "   ", []])
def test_a_reason_is_required(session, action, note):
    source = sorted(ACTIONS[action].sources)[0]
    dossier = prepared(session, action, source)
    with pytest.raises(TransitionError, match="Vui lòng"):
        act(session, dossier, action, actor_for(session, action, dossier), note=note)
    _unchanged(session, dossier, source)


def test_unknown_action_and_unknown_dossier(session):
    dossier = make_dossier(session, "submitted")
    with pytest.raises(TransitionError, match="Thao tác không hợp lệ"):
        workflow.apply(
            session, dossier, "delete", staff(session, ALL_IN_ONE), expected_version=3, now=NOW
        )
    with pytest.raises(TransitionError, match="Không tìm thấy hồ sơ"):
        workflow.apply(
            session, "79.26743-000000-9999", "receive", staff(session, ALL_IN_ONE),
            expected_version=1, now=NOW, working_days=5,
        )  # fmt: skip


def test_by_code_and_reception_sets_the_due_date(session):
    dossier = make_dossier(session, "submitted", due_date=None)
    # Monday after 15:00, and Tuesday 24/11 is Vietnam Culture Day: counts from Wednesday
    received_at = datetime(2026, 11, 23, 15, 30, tzinfo=VN_TZ)
    moved = workflow.apply(
        session, dossier.code, "receive", staff(session, ALL_IN_ONE),
        expected_version=3, now=received_at, working_days=WORKING_DAYS,
    )  # fmt: skip
    assert moved.received_at == received_at
    assert moved.due_date == deadlines.due_date(received_at, WORKING_DAYS) == date(2026, 12, 2)
    notice = session.exec(select(Notification).where(Notification.dossier_id == dossier.id)).one()
    assert notice.text == f"Hồ sơ {dossier.code}: Đã tiếp nhận. Ngày hẹn trả kết quả: 02/12/2026."


def test_refusing_reception_records_the_reason(session):
    dossier = make_dossier(session, "submitted")
    reason = "Hồ sơ thuộc thẩm quyền của UBND phường nơi cư trú của người yêu cầu."
    act(session, dossier, "refuse_reception", staff(session, ALL_IN_ONE), note=reason)
    event = session.exec(select(DossierEvent).where(DossierEvent.dossier_id == dossier.id)).one()
    assert (event.to_status, event.note) == ("refused_reception", reason)
    notice = session.exec(select(Notification).where(Notification.dossier_id == dossier.id)).one()
    assert "Từ chối tiếp nhận" in notice.text and reason in notice.text


def test_supplement_pauses_the_clock_and_resubmission_restarts_it(session):
    clerk, leader = staff(session, ALL_IN_ONE), staff(session, BY_ROLE["lanh_dao"])
    dossier = make_dossier(session, "submitted")
    dossier = act(session, dossier, "receive", clerk, now=datetime(2026, 11, 23, 9, tzinfo=VN_TZ))
    dossier = act(session, dossier, "start", clerk, now=datetime(2026, 11, 24, 9, tzinfo=VN_TZ))
    first_due = dossier.due_date
    asked = datetime(2026, 11, 25, 10, tzinfo=VN_TZ)
    dossier = act(
        session,
        dossier,
        "request_supplement",
        clerk,
        now=asked,
        note=["Bản sao giấy chứng sinh", "  ", "Giấy tờ chứng minh nơi cư trú"],
    )
    assert dossier.status == "supplement_requested"
    assert dossier.paused_at == asked
    assert dossier.due_date == first_due  # paused, not recomputed yet
    event = session.exec(
        select(DossierEvent).where(DossierEvent.to_status == "supplement_requested")
    ).one()
    assert event.note == "1. Bản sao giấy chứng sinh\n2. Giấy tờ chứng minh nơi cư trú"

    back = datetime(2026, 12, 3, 16, 0, tzinfo=VN_TZ)  # Thursday after 15:00: counts from Friday
    dossier = act(session, dossier, "resubmit", citizen(APPLICANT), now=back)
    assert dossier.status == "processing" and dossier.paused_at is None
    assert dossier.due_date == deadlines.restart_due_date(back, WORKING_DAYS) == date(2026, 12, 11)
    dossier = act(session, dossier, "approve", leader, now=datetime(2026, 12, 4, 9, tzinfo=VN_TZ))
    assert dossier.decided_at is not None
    statuses = session.exec(
        select(DossierEvent.to_status)
        .where(DossierEvent.dossier_id == dossier.id)
        .order_by(DossierEvent.id)
    ).all()
    assert statuses == ["received", "processing", "supplement_requested", "processing", "approved"]
    assert len(session.exec(select(Notification)).all()) == 4  # not the resubmission


@pytest.mark.parametrize("status", ["received", "processing"])
def test_extension_once_with_an_apology(session, status):
    dossier = make_dossier(session, status)
    clerk = staff(session, ALL_IN_ONE)
    apology = "Cơ quan xin lỗi ông/bà vì hồ sơ chậm do cần xác minh thêm (Mẫu 04)."
    moved = act(session, dossier, "extend", clerk, note=apology, new_due_date=date(2026, 12, 7))
    assert (moved.status, moved.extended, moved.due_date) == (status, True, date(2026, 12, 7))
    event = session.exec(select(DossierEvent).where(DossierEvent.dossier_id == dossier.id)).one()
    assert (event.from_status, event.to_status, event.note) == (status, status, apology)
    notice = session.exec(select(Notification).where(Notification.dossier_id == dossier.id)).one()
    assert "hẹn lại" in notice.text and "07/12/2026" in notice.text
    with pytest.raises(TransitionError, match="đã được gia hạn một lần"):
        act(session, moved, "extend", clerk, note=apology, new_due_date=date(2026, 12, 20))
    assert workflow.allowed_actions(session, moved, clerk, NOW.date()) == (
        ["start"] if status == "received" else ["request_supplement", "approve", "reject"]
    )


@pytest.mark.parametrize("new_due", [None, date(2026, 11, 30), date(2026, 11, 27)])
def test_extension_needs_a_later_date(session, new_due):
    dossier = make_dossier(session, "processing")
    with pytest.raises(TransitionError, match="phải sau ngày hẹn cũ \\(30/11/2026\\)"):
        act(session, dossier, "extend", staff(session, ALL_IN_ONE), new_due_date=new_due)
    _unchanged(session, dossier, "processing")


def test_allowed_actions_for_buttons(session):
    dossier = make_dossier(session, "submitted")
    day = NOW.date()
    assert workflow.allowed_actions(session, dossier, staff(session, ALL_IN_ONE), day) == [
        "receive",
        "refuse_reception",
        "request_supplement",
    ]
    assert workflow.allowed_actions(session, dossier, staff(session, BY_ROLE["xu_ly"]), day) == []
    assert workflow.allowed_actions(session, dossier, staff(session, OTHER_OFFICE), day) == []
    assert workflow.allowed_actions(session, dossier, citizen(APPLICANT), day) == []


def test_a_supplement_asked_at_reception_does_not_start_the_clock(session):
    receiver = staff(session, BY_ROLE["tiep_nhan"])
    dossier = make_dossier(session, "submitted", due_date=None)
    dossier = act(
        session, dossier, "request_supplement", receiver, note=["Bản sao giấy chứng sinh"]
    )
    assert (dossier.status, dossier.received_at, dossier.due_date) == (
        "supplement_requested",
        None,
        None,
    )
    event = session.exec(select(DossierEvent).where(DossierEvent.dossier_id == dossier.id)).one()
    assert event.actor_role == "tiep_nhan" and workflow.letter_of(event).number == "02"
    dossier = act(session, dossier, "resubmit", citizen(APPLICANT))
    assert (dossier.status, dossier.due_date, dossier.paused_at) == ("submitted", None, None)
    dossier = act(session, dossier, "receive", receiver)
    assert dossier.due_date == dossier.original_due_date == deadlines.due_date(NOW, WORKING_DAYS)


def test_during_processing_a_supplement_is_asked_once(session):
    clerk = staff(session, BY_ROLE["xu_ly"])
    dossier = make_dossier(session, "processing", received_at=NOW)
    dossier = act(session, dossier, "request_supplement", clerk)
    dossier = act(session, dossier, "resubmit", citizen(APPLICANT))
    assert dossier.status == "processing"
    assert "request_supplement" not in workflow.allowed_actions(session, dossier, clerk, NOW.date())
    with pytest.raises(TransitionError, match="chỉ được yêu cầu bổ sung hồ sơ một lần"):
        act(session, dossier, "request_supplement", clerk)


def test_a_cancelled_request_gives_back_the_paused_days(session):
    clerk = staff(session, BY_ROLE["xu_ly"])
    dossier = make_dossier(session, "processing", received_at=NOW)
    asked = datetime(2026, 11, 25, 10, tzinfo=VN_TZ)  # Wednesday
    dossier = act(session, dossier, "request_supplement", clerk, now=asked)
    cancelled = datetime(2026, 11, 27, 10, tzinfo=VN_TZ)  # Friday: two working days later
    with pytest.raises(TransitionError, match="lý do hủy"):
        act(session, dossier, "cancel_supplement", clerk, now=cancelled, note=" ")
    dossier = act(session, dossier, "cancel_supplement", clerk, now=cancelled, note="Nhầm hồ sơ")
    assert (dossier.status, dossier.paused_at) == ("processing", None)
    assert dossier.due_date == date(2026, 12, 2)  # 30/11 moved by the two days it stood still
    with pytest.raises(TransitionError, match="Không thể nộp bổ sung"):
        act(session, dossier, "resubmit", citizen(APPLICANT))


@pytest.mark.parametrize("day", [date(2026, 11, 30), date(2026, 12, 1)], ids=["due day", "late"])
def test_an_apology_is_sent_only_before_the_due_date(session, day):
    dossier = make_dossier(session, "processing", original_due_date=date(2026, 11, 30))
    leader = staff(session, BY_ROLE["lanh_dao"])
    when = datetime.combine(day, datetime.min.time(), VN_TZ).replace(hour=9)
    with pytest.raises(TransitionError, match="trước ngày hẹn trả \\(30/11/2026\\)"):
        act(session, dossier, "extend", leader, now=when, new_due_date=date(2026, 12, 20))
    assert "extend" not in workflow.allowed_actions(session, dossier, leader, day)
    _unchanged(session, dossier, "processing")


def test_an_apology_keeps_the_original_appointment_for_the_statistics(session):
    dossier = make_dossier(session, "processing", original_due_date=date(2026, 11, 30))
    moved = act(session, dossier, "extend", staff(session, BY_ROLE["lanh_dao"]))
    assert (moved.due_date, moved.original_due_date) == (date(2026, 12, 15), date(2026, 11, 30))
    with pytest.raises(TransitionError, match="vai trò"):
        act(session, moved, "extend", staff(session, BY_ROLE["xu_ly"]))


def test_seed_staff_maps_persona_offices(session):
    assert office_code_of("ward:26743") == "79.26743"
    assert office_code_of("ward:4") == "01.00004"
    assert office_code_of("province:79:so-tu-phap") == "79.so-tu-phap"
    staff = len([p for p in personas.personas() if p.staff])
    assert staff >= 3
    assert seed_staff(session) == staff
    assert seed_staff(session) == staff  # idempotent
    seeded = {s.personal_id: s for s in session.exec(select(Staff)).all()}
    assert seeded["079187090123"].office_code == "79.26743"
    assert seeded["001085101234"].office_code == "01.00004"
    assert seeded["079178112345"].office_code == "79.so-tu-phap"
    assert seeded["079178112345"].role_set == {"tiep_nhan", "xu_ly", "lanh_dao"}


def _unchanged(session, dossier: Dossier, status: str) -> None:
    session.expire_all()
    stored = session.get(Dossier, dossier.id)
    assert (stored.status, stored.version) == (status, 3)
    assert not session.exec(select(DossierEvent).where(DossierEvent.dossier_id == dossier.id)).all()
    assert not session.exec(select(Notification).where(Notification.dossier_id == dossier.id)).all()
