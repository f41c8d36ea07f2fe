"""The dossier page for every party (Flask test client, no provider): the co-party's
confirmation, the draft result to confirm, the appointment to move once; each bad input
answered on the page, nothing changed, nothing typed lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from portal.citizen import party
from portal.db import db
from portal.models import Dossier, DossierEvent, DossierParty, utcnow
from portal.models.results import ResultDocument
from portal.services import appointments, deadlines, registry, workflow
from tests.factories import (
    AN,
    BINH,
    HANH,
    LAN,
    LAN_RECORD,
    RECORD,
    add_dossiers,
    add_rows,
    issue_result,
    load,
    registry_item,
    sign_in,
    stored,
)
from tests.support.filing import csrf_token
from tests.support.html import check_page, get_page

MARRIAGE = "1.000894"
DATA = {
    "applicant_full_name": "Nguyễn Văn An",
    "applicant_personal_id": AN,
    "applicant_birth_date": "1995-04-12",
    "applicant_ethnicity": "Kinh",
    "partner_personal_id": LAN,
    "partner_full_name": "Đỗ Thị Lan",
    "partner_birth_date": "2002-03-04",
}
REASON = "Tôi chưa đồng ý kết hôn vào lúc này"


@pytest.fixture
def app(backoffice_app, monkeypatch):
    """The commune's portal; the spouse's consent reads both records from a stub registry."""
    monkeypatch.setattr(
        party.filing_views, "consent_records", lambda proc, dossier: lambda: (RECORD, LAN_RECORD)
    )
    return backoffice_app


def _marriage(app, *, spouse: str = LAN, answer_by=None, informed=(), **fields) -> str:
    """An's marriage dossier naming `spouse` as the required party (answer within 5 days
    unless told); `informed`: further people told only. The party rows are the ones a
    submission writes (added here where the factory did not)."""
    data = DATA | {"partner_personal_id": spouse}
    values = {"procedure_code": MARRIAGE, "status": "awaiting_parties", "data": data} | fields
    (code,) = add_dossiers(app, values)
    wanted = [
        ("Nguyễn Văn An", AN, "applicant", "applicant", None),
        (
            "Đỗ Thị Lan",
            spouse,
            "spouse",
            "required",
            answer_by or deadlines.today() + timedelta(days=5),
        ),
        *(("Lê Văn Bình", p, "informed", "informed", None) for p in informed),
    ]
    with app.app_context(), db.new_session() as session:
        dossier = session.exec(select(Dossier).where(Dossier.code == code)).one()
        have = {p.personal_id: p for p in workflow.parties_of(session, dossier)}
        for name, personal_id, role, consent, by in wanted:
            row = have.get(personal_id) or DossierParty(
                dossier_id=dossier.id, personal_id=personal_id, role=role, consent=consent
            )
            row.full_name, row.answer_by = name, by
            session.add(row)
        session.commit()
    return code


def _in_days(days: int):
    return deadlines.today() + timedelta(days=days)


def _as(app, personal_id: str):
    client = app.test_client()
    sign_in(app, client, personal_id)
    return client


def _post(client, code: str, path: str, **form):
    token = csrf_token(client.get(f"/ho-so/{code}").get_data(as_text=True))
    return client.post(f"/ho-so/{code}/{path}", data={"csrf_token": token, **form})


def _row(app, code: str, personal_id: str) -> DossierParty:
    (row,) = stored(app, DossierParty, dossier_id=load(app, code).id, personal_id=personal_id)
    return row


# --- the co-party's confirmation ----------------------------------------------------------


def test_the_spouse_sees_who_filed_the_data_and_the_form(app):
    code = _marriage(app)
    html = get_page(_as(app, LAN), f"/ho-so/{code}").get_data(as_text=True)
    answer_by = (deadlines.today() + timedelta(days=5)).strftime("%d/%m/%Y")
    for words in (
        "Ông/bà <strong>Nguyễn Văn An</strong> đã nộp hồ sơ <strong>Đăng ký kết hôn</strong>",
        "bên kết hôn còn lại",
        "Thông tin trong hồ sơ",
        "12/04/1995",  # the applicant's data, dates as papers write them
        "Đỗ Thị Lan",
        f"hết ngày {answer_by}",
        '<label class="field__label" for="reason">',
        'name="reason"',
        'name="decision" value="confirm">Xác nhận</button>',
        'name="decision" value="decline">Không đồng ý</button>',
        "Chờ các bên liên quan xác nhận",
        "Xác nhận đã nộp hồ sơ trực tuyến",
    ):
        assert words in html, words
    assert "phieu-tiep-nhan" not in html and "Rút hồ sơ" not in html


def test_the_applicant_sees_the_answer_awaited_and_no_form(app):
    code = _marriage(app)
    html = get_page(_as(app, AN), f"/ho-so/{code}").get_data(as_text=True)
    assert "Đỗ Thị Lan</strong> – " in html and "chưa trả lời" in html
    assert 'action="/ho-so/' + code + '/xac-nhan"' not in html
    assert "Rút hồ sơ" in html  # the applicant may still withdraw


def test_the_spouse_confirms_and_the_dossier_reaches_the_office(app):
    code = _marriage(app)
    client = _as(app, LAN)
    resp = _post(client, code, "xac-nhan", decision="confirm", reason="")
    assert resp.status_code == 302 and resp.headers["Location"] == f"/ho-so/{code}#xac-nhan"
    dossier = load(app, code)
    assert dossier.status == "submitted"
    assert dossier.data["partner_ethnicity"] == "Tày"  # her registry data, now she consented
    assert _row(app, code, LAN).answer == "confirmed"
    (event,) = stored(app, DossierEvent, dossier_id=dossier.id)
    assert (event.action, event.actor_id) == ("confirm_party", LAN)
    html = get_page(client, f"/ho-so/{code}").get_data(as_text=True)
    assert "Bạn đã xác nhận hồ sơ" in html and "đã xác nhận" in html
    assert 'name="decision"' not in html  # the form is replaced by her answer
    assert "Đỗ Thị Lan đã xác nhận hồ sơ" in html  # on the timeline, by name

    resp = _post(client, code, "xac-nhan", decision="decline", reason=REASON)
    assert resp.status_code == 409  # a second answer
    assert REASON in resp.get_data(as_text=True)
    assert load(app, code).version == dossier.version


def test_the_spouse_declines_with_a_reason(app):
    code = _marriage(app)
    client = _as(app, LAN)
    resp = _post(client, code, "xac-nhan", decision="decline", reason=REASON)
    assert resp.status_code == 302
    dossier = load(app, code)
    assert (dossier.status, dossier.open_key) == ("declined", None)
    assert (_row(app, code, LAN).answer, _row(app, code, LAN).reason) == ("declined", REASON)
    for who in (LAN, AN):
        html = get_page(_as(app, who), f"/ho-so/{code}").get_data(as_text=True)
        assert "không đồng ý" in html and REASON in html
        assert "phieu-tiep-nhan" not in html and 'name="decision"' not in html


@pytest.mark.parametrize("reason", ["", "   \n  "])
def test_declining_without_a_reason_is_refused_next_to_the_field(app, reason):
    code = _marriage(app)
    resp = _post(_as(app, LAN), code, "xac-nhan", decision="decline", reason=reason)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    check_page(html)
    assert 'id="reason-error"' in html and "Vui lòng ghi lý do" in html
    assert load(app, code).status == "awaiting_parties"
    assert _row(app, code, LAN).answer is None


def test_a_reason_too_long_is_refused_and_kept(app):
    code = _marriage(app)
    typed = "Lý do rất dài " * 50
    resp = _post(_as(app, LAN), code, "xac-nhan", decision="decline", reason=typed)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert 'id="reason-error"' in html and "dài quá 500 ký tự" in html and typed in html
    assert load(app, code).status == "awaiting_parties"


def test_no_decision_is_refused(app):
    code = _marriage(app)
    resp = _post(_as(app, LAN), code, "xac-nhan", decision="maybe", reason=REASON)
    assert resp.status_code == 400 and REASON in resp.get_data(as_text=True)
    assert load(app, code).status == "awaiting_parties"


def test_someone_not_a_party_gets_404(app):
    code = _marriage(app)
    client = _as(app, BINH)
    assert client.get(f"/ho-so/{code}").status_code == 404
    token = csrf_token(client.get("/ca-nhan/kho-du-lieu").get_data(as_text=True))
    resp = client.post(f"/ho-so/{code}/xac-nhan", data={"csrf_token": token, "decision": "confirm"})
    assert resp.status_code == 404
    assert load(app, code).status == "awaiting_parties"


def test_the_applicant_cannot_confirm_for_the_spouse(app):
    code = _marriage(app)
    resp = _post(_as(app, AN), code, "xac-nhan", decision="confirm", reason="")
    assert resp.status_code == 409
    assert load(app, code).status == "awaiting_parties"


def test_a_late_answer_is_refused_and_keeps_the_reason(app):
    code = _marriage(app, answer_by=deadlines.today() - timedelta(days=1))
    client = _as(app, LAN)
    html = get_page(client, f"/ho-so/{code}").get_data(as_text=True)
    assert "Đã quá hạn xác nhận" in html and 'name="decision"' not in html
    token = csrf_token(html)
    resp = client.post(
        f"/ho-so/{code}/xac-nhan",
        data={"csrf_token": token, "decision": "decline", "reason": REASON},
    )
    assert resp.status_code == 409
    html = resp.get_data(as_text=True)
    check_page(html)
    assert "quá hạn" in html and REASON in html
    assert load(app, code).status == "awaiting_parties"
    assert _row(app, code, LAN).answer is None


def test_an_answer_after_the_applicant_withdrew_is_refused(app):
    code = _marriage(app)
    spouse = _as(app, LAN)
    token = csrf_token(spouse.get(f"/ho-so/{code}").get_data(as_text=True))  # the page she saw
    applicant = _as(app, AN)
    html = get_page(applicant, f"/ho-so/{code}/rut").get_data(as_text=True)
    assert "Đỗ Thị Lan" in html and "không cần xác nhận nữa" in html
    assert (
        applicant.post(f"/ho-so/{code}/rut", data={"csrf_token": csrf_token(html)}).status_code
        == 302
    )
    assert load(app, code).status == "withdrawn"
    resp = spouse.post(
        f"/ho-so/{code}/xac-nhan",
        data={"csrf_token": token, "decision": "decline", "reason": REASON},
    )
    assert resp.status_code == 409
    html = resp.get_data(as_text=True)
    assert "Đã rút" in html and REASON in html
    assert load(app, code).status == "withdrawn" and _row(app, code, LAN).answer is None


def test_an_informed_party_follows_the_dossier_without_answering(app):
    code = _marriage(app, informed=(BINH,))
    client = _as(app, BINH)
    html = get_page(client, f"/ho-so/{code}").get_data(as_text=True)
    assert "được thông báo và theo dõi hồ sơ" in html and 'name="decision"' not in html
    resp = client.post(
        f"/ho-so/{code}/xac-nhan", data={"csrf_token": csrf_token(html), "decision": "confirm"}
    )
    assert resp.status_code == 409 and "không cần bạn xác nhận" in resp.get_data(as_text=True)


def test_staff_see_the_citizen_page_only_where_they_are_a_party(app):
    theirs = _marriage(app, spouse=HANH)  # Hạnh, a clerk of the office, is the spouse
    other = _marriage(app)
    client = _as(app, HANH)
    html = get_page(client, f"/ho-so/{theirs}").get_data(as_text=True)
    assert 'name="decision" value="confirm"' in html
    resp = client.get(f"/ho-so/{other}")
    assert resp.status_code == 302 and resp.headers["Location"] == f"/can-bo/ho-so/{other}"


def test_every_party_sees_the_result(app):
    code = _marriage(app, status="returned")
    doc = issue_result(app, load(app, code).id, "Giấy chứng nhận kết hôn")
    client = _as(app, LAN)
    html = get_page(client, f"/ho-so/{code}").get_data(as_text=True)
    assert "Giấy chứng nhận kết hôn" in html and doc.number in html
    assert "Đánh giá mức độ hài lòng" not in html  # the applicant rates
    resp = client.get(f"/ho-so/{code}/ket-qua/{doc.verification_code}.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"


# --- the draft result ---------------------------------------------------------------------


def _draft(app, **fields) -> str:
    sent = utcnow() - timedelta(hours=1)
    return _marriage(
        app,
        status="awaiting_confirmation",
        draft_sent_at=sent,
        draft_answer_by=deadlines.add_working_days(deadlines.today(), 1),
        **fields,
    )


def test_the_parties_see_the_draft_and_its_answer_by_date(app):
    code = _draft(app)
    answer_by = deadlines.add_working_days(deadlines.today(), 1).strftime("%d/%m/%Y")
    for who in (AN, LAN):
        html = get_page(_as(app, who), f"/ho-so/{code}").get_data(as_text=True)
        for words in (
            "Dự thảo kết quả chờ xác nhận",
            "Giấy chứng nhận kết hôn".lower(),
            f"hết ngày <strong>{answer_by}</strong>",
            "coi là đã được bạn đồng ý",
            "Mã hồ sơ",
            "Nguyễn Văn An",
            "Xác nhận dự thảo đúng",
            "Đề nghị sửa dự thảo",
            '<label class="field__label" for="note">',
        ):
            assert words in html, (who, words)


def test_each_party_confirms_the_draft_once(app):
    code = _draft(app)
    applicant = _as(app, AN)
    resp = _post(applicant, code, "du-thao", decision="confirm", draft=_stamp(app, code))
    assert resp.status_code == 302
    assert load(app, code).status == "awaiting_confirmation"  # the spouse has not answered
    html = get_page(applicant, f"/ho-so/{code}").get_data(as_text=True)
    assert "Bạn đã trả lời về dự thảo này" in html and 'value="correction"' not in html
    resp = _post(
        applicant, code, "du-thao", decision="correction", note="Sửa", draft=_stamp(app, code)
    )
    assert resp.status_code == 409 and "không thể trả lời lại" in resp.get_data(as_text=True)

    spouse = _as(app, LAN)
    resp = _post(spouse, code, "du-thao", decision="confirm", draft=_stamp(app, code))
    assert resp.status_code == 302
    dossier = load(app, code)
    assert dossier.status == "processing" and dossier.draft_confirmed_at is not None


def test_a_correction_needs_its_note_and_keeps_it(app):
    code = _draft(app)
    client = _as(app, LAN)
    resp = _post(client, code, "du-thao", decision="correction", note="  ", draft=_stamp(app, code))
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    check_page(html)
    assert 'id="note-error"' in html and "nội dung dự thảo cần sửa" in html
    assert load(app, code).status == "awaiting_confirmation"
    note = "Ngày sinh của tôi là 04/03/2002"
    resp = _post(client, code, "du-thao", decision="correction", note=note, draft=_stamp(app, code))
    assert resp.status_code == 302
    assert load(app, code).status == "processing"
    assert _row(app, code, LAN).draft_answer == "correction"
    (event,) = stored(app, DossierEvent, dossier_id=load(app, code).id)
    assert (event.action, event.note) == ("request_correction", note)


def test_an_answer_to_an_older_draft_is_refused(app):
    code = _draft(app)
    resp = _post(_as(app, LAN), code, "du-thao", decision="confirm", draft="1.000000", note="x")
    assert resp.status_code == 409 and "dự thảo khác" in resp.get_data(as_text=True)
    assert _row(app, code, LAN).draft_answer is None


def test_an_informed_party_sees_the_draft_but_does_not_answer(app):
    code = _draft(app, informed=(BINH,))
    client = _as(app, BINH)
    html = get_page(client, f"/ho-so/{code}").get_data(as_text=True)
    assert "Dự thảo kết quả chờ xác nhận" in html and 'value="correction"' not in html
    resp = _post(client, code, "du-thao", decision="confirm", draft=_stamp(app, code))
    assert resp.status_code == 409
    assert load(app, code).status == "awaiting_confirmation"


def _stamp(app, code: str) -> str:
    return f"{load(app, code).draft_sent_at.timestamp():.6f}"


# --- the appointment ----------------------------------------------------------------------

PLACE = "Bộ phận một cửa UBND Phường Bến Thành, 92 Nguyễn Du"


def _working_day(after: int) -> str:
    return deadlines.add_working_days(deadlines.today(), after).isoformat()


def _appointment(app, **fields) -> str:
    """The marriage dossier waiting for both spouses at 09:00 in two working days."""
    day = deadlines.add_working_days(deadlines.today(), 2).isoformat()
    values = {
        "status": "awaiting_appearance",
        "appointment_at": appointments.parse_local(day, "09:00"),
        "appointment_place": PLACE,
    }
    return _marriage(app, **(values | fields))


def test_the_appointment_shows_when_where_and_what_to_bring(app):
    code = _appointment(app)
    day = deadlines.add_working_days(deadlines.today(), 2).strftime("%d/%m/%Y")
    html = get_page(_as(app, LAN), f"/ho-so/{code}").get_data(as_text=True)
    for words in (
        "Lịch hẹn có mặt tại cơ quan",
        day,
        "09:00",
        PLACE,
        "ký vào Sổ hộ tịch",
        "Thẻ căn cước của hai bên",
        'type="date" id="appointment_date" name="appointment_date"',
        'type="time" id="appointment_time" name="appointment_time"',
    ):
        assert words in html, words


def test_a_party_moves_the_appointment_once(app):
    code = _appointment(app)
    client = _as(app, AN)
    new_day = _working_day(4)
    resp = _post(client, code, "lich-hen", appointment_date=new_day, appointment_time="14:30")
    assert resp.status_code == 302
    dossier = load(app, code)
    local = deadlines.to_local(dossier.appointment_at)
    assert (local.date().isoformat(), local.strftime("%H:%M")) == (new_day, "14:30")
    assert dossier.appointment_place == PLACE and dossier.appointment_moved
    assert dossier.status == "awaiting_appearance"
    html = get_page(client, f"/ho-so/{code}").get_data(as_text=True)
    assert "không thể đổi thêm" in html and 'name="appointment_date"' not in html

    again = _working_day(5)
    resp = _post(_as(app, LAN), code, "lich-hen", appointment_date=again, appointment_time="08:00")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    check_page(html)
    assert 'id="appointment_date-error"' in html and "chỉ được đổi một lần" in html
    assert f'value="{again}"' in html and 'value="08:00"' in html
    assert load(app, code).appointment_at == dossier.appointment_at


def _saturday() -> str:
    day = deadlines.today() + timedelta(days=1)
    while day.weekday() != 5:
        day += timedelta(days=1)
    return day.isoformat()


@pytest.mark.parametrize(
    ("day", "hour", "field", "words"),
    [
        ("yesterday", "09:00", "appointment_date", "sau hiện tại"),
        ("saturday", "09:00", "appointment_date", "không phải ngày làm việc"),
        ("working", "12:00", "appointment_time", "07:30–11:30 hoặc 13:30–17:00"),
        ("working", "17:30", "appointment_time", "giờ làm việc"),
        ("31/12/2026", "09:00", "appointment_date", "ngày hẹn mới hợp lệ"),
        ("working", "9h", "appointment_time", "giờ hẹn mới hợp lệ"),
        ("", "", "appointment_date", "ngày hẹn mới hợp lệ"),
    ],
)
def test_a_bad_new_appointment_is_refused_next_to_the_field(app, day, hour, field, words):
    code = _appointment(app)
    before = load(app, code)
    typed = {
        "yesterday": (deadlines.today() - timedelta(days=1)).isoformat(),
        "saturday": _saturday(),
        "working": _working_day(3),
    }.get(day, day)
    resp = _post(_as(app, LAN), code, "lich-hen", appointment_date=typed, appointment_time=hour)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    check_page(html)
    assert f'id="{field}-error"' in html and words in html, html[html.find("field__error") :][:300]
    assert f'value="{typed}"' in html and f'value="{hour}"' in html
    after = load(app, code)
    assert (after.appointment_at, after.appointment_moved, after.version) == (
        before.appointment_at,
        False,
        before.version,
    )


def test_no_appointment_form_for_someone_not_a_party(app):
    code = _appointment(app)
    client = _as(app, BINH)
    token = csrf_token(client.get("/ca-nhan/kho-du-lieu").get_data(as_text=True))
    resp = client.post(
        f"/ho-so/{code}/lich-hen",
        data={
            "csrf_token": token,
            "appointment_date": _working_day(3),
            "appointment_time": "09:00",
        },
    )
    assert resp.status_code == 404
    assert not load(app, code).appointment_moved


def test_timeline_keeps_the_party_events(app):
    code = _marriage(app)
    dossier = load(app, code)
    add_rows(
        app,
        DossierEvent(
            dossier_id=dossier.id,
            actor_id=LAN,
            actor_role="citizen",
            action="confirm_party",
            from_status="awaiting_parties",
            to_status="submitted",
        ),
    )
    html = get_page(_as(app, AN), f"/ho-so/{code}").get_data(as_text=True)
    assert "Đỗ Thị Lan đã xác nhận hồ sơ" in html
    assert stored(app, Dossier, code=code)[0].status == "awaiting_parties"


def test_the_registry_down_at_confirmation_changes_nothing(app, monkeypatch):
    def down():
        raise registry.RegistryError("unreachable")

    monkeypatch.setattr(party.filing_views, "consent_records", lambda proc, dossier: down)
    code = _marriage(app)
    resp = _post(_as(app, LAN), code, "xac-nhan", decision="confirm", reason="Đồng ý")
    assert resp.status_code == 503
    html = resp.get_data(as_text=True)
    check_page(html)
    assert "Chưa lấy được dữ liệu từ CSDLQG" in html and "Đồng ý" in html
    assert load(app, code).status == "awaiting_parties" and _row(app, code, LAN).answer is None


def test_a_rule_her_own_record_fails_refuses_the_confirmation(app, monkeypatch):
    married = {**LAN_RECORD, "marital_status": registry_item("Đã kết hôn")}
    monkeypatch.setattr(
        party.filing_views, "consent_records", lambda proc, dossier: lambda: (RECORD, married)
    )
    code = _marriage(app)
    resp = _post(_as(app, LAN), code, "xac-nhan", decision="confirm", reason="")
    assert resp.status_code == 409 and "Đã kết hôn" in resp.get_data(as_text=True)
    dossier = load(app, code)
    assert dossier.status == "awaiting_parties" and "partner_ethnicity" not in dossier.data
    # she may still decline
    resp = _post(_as(app, LAN), code, "xac-nhan", decision="decline", reason=REASON)
    assert resp.status_code == 302 and load(app, code).status == "declined"


def test_a_revoked_result_is_marked_on_the_dossier_page(app):
    code = _marriage(app, status="returned")
    doc = issue_result(app, load(app, code).id, "Giấy chứng nhận kết hôn")
    with app.app_context(), db.new_session() as session:
        row = session.get(ResultDocument, doc.id)
        row.revoked_at, row.revoked_by = utcnow(), HANH
        row.revoked_reason = "Cấp nhầm số định danh"
        session.add(row)
        session.commit()
    html = get_page(_as(app, LAN), f"/ho-so/{code}").get_data(as_text=True)
    assert "Đã thu hồi ngày" in html and "Cấp nhầm số định danh" in html
