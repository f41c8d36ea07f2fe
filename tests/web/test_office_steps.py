"""The office's steps before and after signing a civil-status result, through the Flask test
client: the draft sent to the parties, the appointment and attendance of a marriage, the
registry first then the paper (a fake registry stands in for the provider), a refusal by
the registry back to the officer and its rejection letter, revocation and what it does to
the verification page and to reuse, and a clerk refused on his own dossier."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import update
from sqlmodel import select

from portal import tasks
from portal.db import db
from portal.models import Dossier, DossierEvent, Staff, utcnow
from portal.services import deadlines, results, reuse, workflow, writeback
from tests.factories import (
    AN,
    BIRTH_COMMUNE,
    FATHER,
    HANH,
    LAN,
    PLACE,
    PURPOSE,
    act,
    add_birth_dossier,
    add_dossiers,
    appointment_day,
    attend,
    confirm_draft,
    issue_confirmation,
    load,
    ready_to_sign,
    sign_in,
    stored,
)
from tests.support.html import check_page, get_page

MARRIAGE = "1.000894"
MARRIAGE_DATA = {
    "applicant_full_name": "Nguyễn Văn An",
    "applicant_personal_id": AN,
    "partner_full_name": "Đỗ Thị Lan",
    "partner_personal_id": LAN,
}
CHILD = {
    "personal_id": "079326001234",
    "full_name": "Trần Bảo Ngọc",
    "permanent_residence": False,
    "health_insurance": False,
}
ALREADY = "409 Birth notice GCS-79-2026-004512 is already registered as 079326000001."
REASON = "Giấy chứng sinh đã được dùng để đăng ký khai sinh cho trẻ tại hồ sơ khác."
LEADER_ONLY = "079301000003"  # a specialist of the commune without the leader's role


@pytest.fixture
def app(backoffice_app):
    return backoffice_app


@pytest.fixture
def client(app):
    client = app.test_client()
    sign_in(app, client, HANH)
    return client


class FakeRegistry:
    """The registry's write API: an answer, or a refusal (WriteRefused)."""

    def __init__(self, answer: dict | None = None, error: Exception | None = None):
        self.answer, self.error, self.calls = answer or CHILD, error, []

    def post(self, url: str, token: str, body: dict, timeout: int) -> dict:
        self.calls.append(body)
        if self.error:
            raise self.error
        return self.answer

    def lookup(self, personal_id: str, purpose: str, actor: str) -> dict:
        """The registry's record of the person the write created (the linked parts read it);
        an empty record: no part can be placed, which these tests do not look at."""
        return {}


@pytest.fixture
def registry(monkeypatch):
    """The task queue writes to a fake registry; `registry.error` makes it refuse."""
    fake = FakeRegistry()
    monkeypatch.setattr(
        tasks,
        "registry_target",
        lambda app: writeback.Registry("http://idp.test", str, fake.post, fake.lookup),
    )
    return fake


def page_of(client, code: str) -> str:
    return get_page(client, f"/can-bo/ho-so/{code}").get_data(as_text=True)


def birth(app, n: int) -> str:
    code = f"{BIRTH_COMMUNE}-261203-{n:05d}"
    add_birth_dossier(app, code)
    return code


def marriage(app) -> str:
    [code] = add_dossiers(
        app, {"procedure_code": MARRIAGE, "status": "processing", "data": MARRIAGE_DATA}
    )
    return code


def field_error(html: str, field_id: str) -> str:
    """The message shown next to the field with this id, or ""."""
    block = re.search(
        rf'<div class="field field--error">(?:(?!</div>).)*id="{field_id}"', html, re.S
    )
    if block is None:
        return ""
    found = re.search(r'class="field__error"[^>]*>(.*?)</p>', block[0], re.S)
    return re.sub(r"<[^>]+>", "", found[1]).replace("Lỗi:", "").strip() if found else ""


# --- the draft ------------------------------------------------------------------------------


def test_the_draft_is_shown_sent_answered_then_the_result_signed_after_the_write(
    app, client, registry
):
    code = birth(app, 1)
    html = page_of(client, code)
    assert "Gửi dự thảo để các bên xác nhận" in html
    assert "Dự thảo kết quả: Giấy khai sinh" in html and "Trần Bảo Ngọc" in html
    assert 'id="nut-approve"' not in html  # not before the draft is confirmed

    refused = act(client, code, "approve")
    assert refused.status_code == 400
    assert workflow.DRAFT_UNCONFIRMED in refused.get_data(as_text=True)
    assert load(app, code).status == "processing"

    assert act(client, code, "send_draft").status_code == 302
    sent = load(app, code)
    assert sent.status == "awaiting_confirmation" and sent.draft_answer_by is not None
    html = page_of(client, code)
    assert "Xác nhận dự thảo kết quả" in html and "Chưa trả lời" in html
    assert f"{sent.draft_answer_by:%d/%m/%Y}" in html and "Người nộp hồ sơ" in html
    assert 'id="nut-approve"' not in html and 'id="nut-send_draft"' not in html

    with app.app_context(), db.new_session() as session:
        workflow.apply(
            session,
            code,
            "confirm_draft",
            workflow.party(FATHER),
            expected_version=sent.version,
            now=utcnow(),
            procedure=app.extensions["catalogue"].get("1.001193"),
        )
    html = page_of(client, code)
    assert "Đã xác nhận dự thảo đúng" in html
    assert "Phê duyệt, ghi vào CSDLQG về dân cư rồi ký kết quả" in html
    assert "Kết quả được ký số sau khi CSDLQG về dân cư ghi nhận" in html

    resp = act(client, code, "approve")
    assert resp.status_code == 302
    done = load(app, code)
    assert (done.status, done.registry_sync) == ("approved", "done")
    [doc] = stored(app, results.ResultDocument, dossier_id=done.id)
    assert (doc.signer_id, doc.signer_name) == (HANH, "Trương Thị Hạnh")
    assert registry.calls[0]["actor"] == HANH
    html = page_of(client, code)
    assert "Đã ghi vào CSDLQG về dân cư" in html and doc.verification_code in html


def test_an_approval_whose_write_fails_shows_no_result(app, client, monkeypatch):
    """The registry does not answer (the default test issuer): nothing is signed."""
    code = birth(app, 2)
    ready_to_sign(app, client, code)
    assert act(client, code, "approve").status_code == 302
    found = load(app, code)
    assert (found.status, found.registry_sync) == ("approved", "pending")
    assert stored(app, results.ResultDocument, dossier_id=found.id) == []
    html = page_of(client, code)
    assert "Kết quả giải quyết" not in html and "/tra-cuu-ket-qua/" not in html
    assert act(client, code, "return").status_code == 400


# --- the appointment and attendance ----------------------------------------------------------


def next_weekday(weekday: int) -> str:
    day = deadlines.today() + timedelta(days=1)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day.isoformat()


BAD_APPOINTMENTS = [
    (
        {"appointment_date": (deadlines.today() - timedelta(days=1)).isoformat()},
        "schedule-appointment_date",
        "Lịch hẹn phải ở thời điểm sau hiện tại.",
    ),
    (
        {"appointment_date": next_weekday(5)},
        "schedule-appointment_date",
        "không phải ngày làm việc",
    ),
    ({"appointment_time": "12:00"}, "schedule-appointment_time", "Giờ hẹn phải trong giờ làm việc"),
    ({"appointment_place": "  "}, "schedule-appointment_place", "Vui lòng nhập nơi có mặt"),
    ({"appointment_date": "31/02/2026"}, "schedule-appointment_date", "Vui lòng chọn ngày hẹn"),
    ({"appointment_time": "9 giờ"}, "schedule-appointment_time", "giờ hẹn hợp lệ"),
]


@pytest.mark.parametrize(("typed", "field", "words"), BAD_APPOINTMENTS)
def test_a_bad_appointment_is_told_next_to_its_field(app, client, typed, field, words):
    code = marriage(app)
    form = {
        "appointment_date": appointment_day(),
        "appointment_time": "09:30",
        "appointment_place": "Phòng 2, UBND Phường Bến Thành",
    } | typed
    resp = act(client, code, "schedule", **form)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    check_page(html)
    assert words in field_error(html, field), html
    for name, value in form.items():  # nothing typed is lost
        assert f'name="{name}" value="{value}"' in html, name
    found = load(app, code)
    assert (found.status, found.appointment_at) == ("processing", None)


def test_marriage_appointment_then_attendance_then_approval(app, client, registry):
    code = marriage(app)
    html = page_of(client, code)
    assert "Hẹn lịch có mặt" in html and f'value="{PLACE}, Thành phố Hồ Chí Minh"' in html
    assert "Chưa hẹn lịch có mặt" in html
    # every party answers the draft, yet the result waits for the couple to come
    confirm_draft(app, client, code)
    refused = act(client, code, "approve")
    assert refused.status_code == 400 and workflow.NOT_ATTENDED in refused.get_data(as_text=True)

    day = appointment_day()
    form = {"appointment_date": day, "appointment_time": "14:00", "appointment_place": PLACE}
    assert act(client, code, "schedule", **form).status_code == 302
    found = load(app, code)
    assert found.status == "awaiting_appearance" and found.appointment_place == PLACE
    html = page_of(client, code)
    assert f"14:00 {day[8:]}/{day[5:7]}/{day[:4]}" in html and "(chưa đổi lịch)" in html
    assert 'id="nut-record_attendance"' not in html and "hiện từ ngày hẹn" in html
    assert act(client, code, "record_attendance").status_code == 400  # not before the day

    with app.app_context(), db.new_session() as session:  # the day comes; she had moved it
        session.execute(
            update(Dossier)
            .where(Dossier.code == code)
            .values(appointment_at=utcnow(), appointment_moved=True)
        )
        session.commit()
    html = page_of(client, code)
    assert "(đã đổi lịch theo đề nghị của công dân)" in html
    assert "Ghi nhận các bên đã có mặt" in html
    assert act(client, code, "record_attendance").status_code == 302
    found = load(app, code)
    assert found.status == "processing" and found.attended_at is not None
    assert "Đã ghi nhận lúc" in page_of(client, code)

    registry.answer = {"personal_ids": [AN, LAN]}
    assert act(client, code, "approve").status_code == 302
    assert load(app, code).registry_sync == "done"
    [certificate] = stored(app, results.ResultDocument, dossier_id=found.id)
    assert certificate.signer_id == HANH and results.verify(
        certificate, results.key_folder(app.instance_path)
    )


def test_attend_helper_goes_through_the_pages(app, client):
    code = marriage(app)
    attend(app, client, code)
    assert load(app, code).attended_at is not None


# --- the registry refuses: back to the officer, then a rejection letter ----------------------


def pdf_text(body: bytes) -> str:
    pages = PdfReader(BytesIO(body)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def test_a_409_goes_back_to_the_officer_who_rejects_it_with_a_letter(app, client, registry):
    code = birth(app, 3)
    ready_to_sign(app, client, code)
    registry.error = writeback.WriteRefused(ALREADY, 409)
    resp = act(client, code, "approve")
    assert resp.status_code == 302
    found = load(app, code)
    assert (found.status, found.registry_sync) == ("processing", "refused")
    assert stored(app, results.ResultDocument, dossier_id=found.id) == []

    html = page_of(client, code)
    assert "CSDLQG về dân cư từ chối ghi kết quả" in html
    assert "giấy chứng sinh này đã được dùng để đăng ký khai sinh trước đó" in html
    assert "Chưa có kết quả nào được ký" in html
    shown = re.sub(r'value="[^"]*"', "", html)  # random tokens may hold any digits
    assert "already" not in shown and "409" not in shown and "registered" not in shown
    assert 'id="nut-reject"' in html and 'id="nut-approve"' in html

    # a rejection needs its reason, next to the field
    resp = act(client, code, "reject", note=" ")
    assert resp.status_code == 400
    assert "lý do từ chối giải quyết" in field_error(resp.get_data(as_text=True), "reject-note")
    assert load(app, code).status == "processing"

    assert act(client, code, "reject", note=REASON).status_code == 302
    assert load(app, code).status == "rejected"
    with app.app_context(), db.new_session() as session:
        event = session.exec(
            select(DossierEvent).where(
                DossierEvent.dossier_id == found.id, DossierEvent.action == "reject"
            )
        ).one()
    link = f"/ho-so/{code}/van-ban/{event.id}.pdf"
    html = page_of(client, code)
    assert f'<a href="{link}">Tải thông báo từ chối giải quyết hồ sơ (PDF)' in html
    for who in (HANH, FATHER):
        reader = app.test_client()
        sign_in(app, reader, who)
        pdf = reader.get(link)
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
        disposition = pdf.headers["Content-Disposition"]
        assert disposition == f'inline; filename="thong-bao-tu-choi-giai-quyet-ho-so-{code}.pdf"'
        text = pdf_text(pdf.data)
        for words in ("THÔNG BÁO TỪ CHỐI GIẢI QUYẾT HỒ SƠ", REASON, code, "THỦ TRƯỞNG CƠ QUAN"):
            assert words in text, words
        assert "Trương Thị Hạnh" in text and "Mẫu số" not in text


# --- revocation ---------------------------------------------------------------------------------


def returned_confirmation(app):
    """An's marital-status confirmation for the sale of a house (what the chứng thực of a
    contract, 2.001035, reuses), signed and returned."""
    doc = issue_confirmation(app, content={PURPOSE: "Mua bán nhà đất"})
    with app.app_context(), db.new_session() as session:
        session.execute(
            update(Dossier).where(Dossier.id == doc.dossier_id).values(status="returned")
        )
        session.commit()
    [found] = stored(app, Dossier, id=doc.dossier_id)
    return doc, found.code


def test_a_revocation_needs_a_reason_and_only_a_leader(app, client):
    doc, code = returned_confirmation(app)
    resp = act(client, code, "revoke", note="   ")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    check_page(html)
    assert "lý do thu hồi" in field_error(html, "revoke-note")
    resp = act(client, code, "revoke", note="x" * 501)
    assert resp.status_code == 400 and "dài quá 500" in resp.get_data(as_text=True)
    assert "x" * 501 in resp.get_data(as_text=True)  # what he typed stays
    [unchanged] = stored(app, results.ResultDocument, id=doc.id)
    assert unchanged.revoked_at is None and load(app, code).version == 1

    with app.app_context(), db.new_session() as session:
        session.add(Staff(personal_id=LEADER_ONLY, office_code=BIRTH_COMMUNE, roles="xu_ly"))
        session.commit()
    specialist = app.test_client()
    sign_in(app, specialist, LEADER_ONLY)
    assert 'id="nut-revoke"' not in page_of(specialist, code)
    resp = act(specialist, code, "revoke", note="Cấp sai thông tin.")
    assert resp.status_code == 400
    assert stored(app, results.ResultDocument, id=doc.id)[0].revoked_at is None


def test_a_revoked_result_says_so_and_cannot_be_reused(app, client):
    doc, code = returned_confirmation(app)
    key_folder = results.key_folder(app.instance_path)
    procedure = app.extensions["catalogue"].get("2.001035")  # a contract reuses it
    with app.app_context(), db.new_session() as session:
        [before] = reuse.resolve(
            session, procedure, AN, key_folder=key_folder, today=deadlines.today()
        )
    assert before.document is not None and before.document.id == doc.id

    reason = "Giấy xác nhận cấp sai tình trạng hôn nhân."
    assert act(client, code, "revoke", note=reason).status_code == 302
    [revoked] = stored(app, results.ResultDocument, id=doc.id)
    assert (revoked.revoked_by, revoked.revoked_reason) == (HANH, reason)
    assert results.is_revoked(revoked) and results.verify(revoked, key_folder)
    html = page_of(client, code)
    assert "Đã thu hồi lúc" in html and reason in html
    assert 'id="nut-revoke"' not in html  # nothing left to revoke

    public = app.test_client()
    resp = get_page(public, f"/tra-cuu-ket-qua/{doc.verification_code}")
    page = resp.get_data(as_text=True)
    day = f"{deadlines.today():%d/%m/%Y}"
    assert "Văn bản đã thu hồi" in page and f"Đã thu hồi ngày {day}" in page
    assert reason in page and "Văn bản hợp lệ" not in page

    with app.app_context(), db.new_session() as session:
        [after] = reuse.resolve(
            session, procedure, AN, key_folder=key_folder, today=deadlines.today()
        )
    assert after.document is None and after.refused is not None
    assert "đã bị UBND Phường Bến Thành thu hồi ngày" in after.refusal and reason in after.refusal


# --- separation of duties ------------------------------------------------------------------------


def test_a_clerk_sees_why_he_cannot_act_on_his_own_dossier(app, client):
    [code] = add_dossiers(
        app,
        {
            "applicant_id": HANH,
            "status": "approved",
            "registry_sync": "pending",
            "data": {"applicant_full_name": "Trương Thị Hạnh", "applicant_personal_id": HANH},
        },
    )
    html = page_of(client, code)
    assert html.count(workflow.OWN_DOSSIER) >= 1
    assert 'class="action-form"' not in html  # no button that would then fail
    assert "ghi-lai-csdl" not in html
    resp = act(client, code, "return")
    assert resp.status_code == 400 and workflow.OWN_DOSSIER in resp.get_data(as_text=True)
    assert load(app, code).status == "approved"
