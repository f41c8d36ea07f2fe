"""Public tracking of a dossier (services/tracking.py): the code and the last four digits of
the applicant's personal ID find a submitted dossier, nothing else does, and the two wrong
cases are one answer reached by the same statements; the view holds no personal data; a
linked group is tracked as the citizen's one dossier."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event
from sqlmodel import Session

from portal.models import Dossier, DossierEvent, Office
from portal.services import tracking
from procedures import load_catalogue
from tests import factories

AN, NAME = factories.AN, factories.NAMES[factories.AN]
COMMUNE = factories.COMMUNE
CATALOGUE = load_catalogue()
MARITAL = CATALOGUE.get(factories.MARITAL)
CODE = f"{COMMUNE}-261123-0001"
CLERK = factories.HANH
NOTE = "Ghi chú nội bộ: đã gọi điện cho ông An"
SUBMITTED = datetime(2026, 11, 23, 2, 5, tzinfo=UTC)
EXTRA_OFFICES = [
    ("79.bhxh", "Bảo hiểm xã hội Thành phố Hồ Chí Minh", "bhxh"),
    ("79.ttpvhcc", "Trung tâm Phục vụ hành chính công TP.HCM", "ttpvhcc"),
]


@pytest.fixture
def session(tmp_path):
    with factories.office_session(tmp_path) as session:
        for code, name, kind in EXTRA_OFFICES:
            session.add(Office(code=code, name=name, kind=kind, province_code=79))
        session.commit()
        yield session


def _dossier(session: Session, **fields) -> Dossier:
    values = {
        "code": CODE,
        "procedure_code": MARITAL.code,
        "procedure_version": 1,
        "applicant_id": AN,
        "draft_key": None,
        "status": "processing",
        "office_code": COMMUNE,
        "data": dict(factories.DATA),
        "submitted_at": SUBMITTED,
        "received_at": SUBMITTED,
        "due_date": date(2026, 11, 26),
    } | fields
    dossier = Dossier(**values)
    session.add(dossier)
    session.flush()
    return dossier


def _event(session, dossier, to_status, at, *, from_status=None, note=None, actor=AN) -> None:
    session.add(
        DossierEvent(
            dossier_id=dossier.id,
            at=at,
            actor_id=actor,
            actor_role="citizen" if actor == AN else "xu_ly",
            from_status=from_status,
            to_status=to_status,
            note=note,
        )
    )


def _track(session: Session, code: str = CODE, factor: str = AN[-4:]):
    session.commit()
    return tracking.track(session, code, factor, CATALOGUE.get)


# --- who finds what --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "code", "factor", "found"),
    [
        ({}, CODE, AN[-4:], True),
        ({}, CODE, "0000", False),  # wrong second factor
        ({}, f"{COMMUNE}-261123-0002", AN[-4:], False),  # wrong code
        ({}, f"{COMMUNE}-261123-0002", "0000", False),  # both wrong
        ({"applicant_id": factories.BINH}, CODE, AN[-4:], False),  # another applicant's
        ({"status": "submitted", "received_at": None, "due_date": None}, CODE, AN[-4:], True),
        ({"status": "withdrawn"}, CODE, AN[-4:], True),  # withdrawn after submitting: "Đã rút"
        # a draft has no code; nor has a dossier withdrawn before it was submitted
        ({"status": "draft", "code": None, "submitted_at": None}, CODE, AN[-4:], False),
        ({"status": "withdrawn", "code": None, "submitted_at": None}, CODE, AN[-4:], False),
        # and should one carry a code anyway, it is still not found
        ({"status": "draft", "submitted_at": None, "received_at": None}, CODE, AN[-4:], False),
        ({"status": "withdrawn", "submitted_at": None}, CODE, AN[-4:], False),
    ],
)
def test_only_the_code_with_the_applicants_last_four_digits_finds_a_submitted_dossier(
    session, fields, code, factor, found
):
    _dossier(session, **fields)
    assert (_track(session, code, factor) is not None) is found


def test_a_wrong_code_and_a_wrong_factor_run_the_same_statements(session):
    """Neither the answer nor the work says which of the two was wrong."""
    _dossier(session)
    session.commit()
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        runs = {}
        for case, (code, factor) in {
            "wrong code": (f"{COMMUNE}-261123-0009", AN[-4:]),
            "wrong factor": (CODE, "9999"),
        }.items():
            statements.clear()
            assert tracking.track(session, code, factor, CATALOGUE.get) is None
            runs[case] = list(statements)
            session.rollback()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert runs["wrong code"] == runs["wrong factor"]
    assert len(runs["wrong code"]) == 1


# --- what it shows ----------------------------------------------------------------------------


def test_the_view_shows_the_procedure_status_office_appointment_and_dated_steps(session):
    dossier = _dossier(session)
    _event(session, dossier, "submitted", SUBMITTED, from_status="draft")
    received = datetime(2026, 11, 23, 20, 30, tzinfo=UTC)  # 03:30 on the 24th in Vietnam
    _event(session, dossier, "received", received, from_status="submitted", actor=CLERK)
    _event(session, dossier, "received", received, from_status="received", note=NOTE)
    _event(session, dossier, "processing", received, from_status="received", actor=CLERK)
    view = _track(session)
    assert view is not None
    assert (view.code, view.procedure_name) == (CODE, MARITAL.name)
    assert view.status == "Đang xử lý"
    assert view.competent_body == view.receiving_point == factories.COMMUNE_NAME
    assert (view.due_date, view.submitted_on) == (date(2026, 11, 26), date(2026, 11, 23))
    assert [(s.status, s.on, s.body) for s in view.steps] == [
        ("Mới nộp, chờ tiếp nhận", date(2026, 11, 23), ""),
        ("Đã tiếp nhận", date(2026, 11, 24), ""),  # the note-only event is no step
        ("Đang xử lý", date(2026, 11, 24), ""),
    ]
    assert view.parts == []


def test_the_view_holds_no_personal_data(session):
    dossier = _dossier(session, routing_reason=f"Nơi thường trú của {NAME}")
    _event(session, dossier, "submitted", SUBMITTED, from_status="draft", note=NOTE)
    _event(session, dossier, "received", SUBMITTED, from_status="submitted", note=NOTE, actor=CLERK)
    view = _track(session)
    assert view is not None
    shown = repr(asdict(view))
    for personal in (AN, AN[-4:], NAME, CLERK, factories.NAMES[CLERK], NOTE, "Bến Thành, Thành"):
        assert personal not in shown


def test_a_dossier_a_one_stop_centre_received_names_both_offices(session):
    _dossier(session, receiving_office_code="79.ttpvhcc")
    view = _track(session)
    assert view is not None
    assert view.competent_body == factories.COMMUNE_NAME
    assert view.receiving_point == "Trung tâm Phục vụ hành chính công TP.HCM"


def test_a_linked_group_is_tracked_as_the_citizens_one_dossier(session):
    lead = _dossier(session, status="approved")
    part_code = "79.bhxh-261124-0001"
    part = _dossier(
        session,
        code=part_code,
        procedure_code="1.001193",
        status="received",
        office_code="79.bhxh",
        group_id=lead.id,
        due_date=date(2026, 11, 30),
    )
    _event(session, lead, "submitted", SUBMITTED, from_status="draft")
    started = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    _event(session, part, "submitted", started, note=f"Hồ sơ liên thông từ {CODE}", actor="system")
    for code in (CODE, part_code):  # by the lead's code or a part's, the same dossier
        view = _track(session, code)
        assert view is not None
        assert view.code == CODE
        assert view.status == "Đang giải quyết liên thông (0/2 cơ quan đã xong)"
        assert [(p.body, p.status, p.due_date, p.is_lead) for p in view.parts] == [
            (factories.COMMUNE_NAME, "Đã duyệt, chờ trả kết quả", date(2026, 11, 26), True),
            ("Bảo hiểm xã hội Thành phố Hồ Chí Minh", "Đã tiếp nhận", date(2026, 11, 30), False),
        ]
        assert [(s.body, s.status) for s in view.steps] == [
            (factories.COMMUNE_NAME, "Mới nộp, chờ tiếp nhận"),
            ("Bảo hiểm xã hội Thành phố Hồ Chí Minh", "Mới nộp, chờ tiếp nhận"),
        ]
    assert _track(session, part_code, "0000") is None


# --- what is typed ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value", "problem"),
    [
        (f"  {CODE} ", CODE, None),
        ("79.26743.CA-261123-0001", "79.26743.ca-261123-0001", None),  # case does not matter
        ("", "", "Nhập mã hồ sơ"),
        ("   ", "", "Nhập mã hồ sơ"),
        ("7" * 49, "", "tối đa 48 ký tự"),
        ("79.26743\x00-261123-0001", "", "ký tự điều khiển"),
        ("79.26743\u202e-261123", "", "ký tự điều khiển"),
        ("79.26743 261123 0001", "", "chỉ gồm"),
        ("７９.26743-261123-0001", "", "chỉ gồm"),  # fullwidth digits
        ("hồ-sơ-1", "", "chỉ gồm"),
        ("'; DROP TABLE dossier;--", "", "chỉ gồm"),
    ],
)
def test_the_code_is_checked(raw, value, problem):
    found, message = tracking.check_code(raw)
    assert found == value
    assert (message is None) if problem is None else (problem in (message or ""))


@pytest.mark.parametrize(
    ("raw", "value", "problem"),
    [
        ("1234", "1234", None),
        (" 0012 ", "0012", None),
        ("", "", "Nhập 4 số cuối"),
        ("123", "", "đúng 4 chữ số"),
        ("12345", "", "đúng 4 chữ số"),
        ("12a4", "", "đúng 4 chữ số"),
        ("١٢٣٤", "", "đúng 4 chữ số"),  # Arabic-Indic digits: isdigit() says yes
        ("12²3", "", "đúng 4 chữ số"),  # a superscript two
        ("１２３４", "", "đúng 4 chữ số"),  # fullwidth
        ("12\x0034", "", "ký tự điều khiển"),
        ("12\t34", "", "ký tự điều khiển"),
    ],
)
def test_the_second_factor_is_four_ascii_digits(raw, value, problem):
    found, message = tracking.check_factor(raw)
    assert found == value
    assert (message is None) if problem is None else (problem in (message or ""))
