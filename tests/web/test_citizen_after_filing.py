"""The citizen after filing: notifications, answering a supplement request, the signed
result and the personal data store, rating the service (Flask test client, no provider)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader

from portal.db import db
from portal.models import Dossier, DossierEvent, Notification, Office, Staff
from portal.models.ratings import Rating
from portal.services import deadlines, registry, workflow
from tests.factories import AN, BINH, RECORD, add_rows, issue_result, sign_in, stored
from tests.support.filing import csrf_token
from tests.support.html import check_page, get_page

OFFICE = "79.26743"
CLERK = "079100000002"  # a specialist of OFFICE
PROC = "1.004873"
CODE = "79.26743-261123-0001"
OTHER_CODE = "79.26743-261123-0002"
REQUEST = "1. Bản sao giấy chứng sinh\n2. Giấy xác nhận nơi cư trú"


def _add_dossier(app, code: str = CODE, applicant: str = AN, **fields) -> int:
    values = {
        "code": code,
        "procedure_code": PROC,
        "procedure_version": 1,
        "applicant_id": applicant,
        "draft_key": None,
        "status": "submitted",
        "office_code": OFFICE,
        "routing_reason": "Nơi thường trú của người yêu cầu",
        "data": {"applicant_full_name": "Nguyễn Văn An", "applicant_personal_id": applicant},
        "fee_amount": 0,
        "fee_rule": "online_zero:79",
        "fee_reason": "Miễn phí",
        "submitted_at": datetime(2026, 11, 23, 2, 5, tzinfo=UTC),
        "due_date": date(2026, 11, 26),
        **fields,
    }
    with app.app_context(), db.new_session() as session:
        if session.get(Office, OFFICE) is None:
            session.add(
                Office(code=OFFICE, name="UBND Phường Bến Thành", kind="commune", province_code=79)
            )
        dossier = Dossier(**values)
        session.add(dossier)
        session.commit()
        return dossier.id


def _csrf(client, path: str = f"/ho-so/{CODE}") -> str:
    token = csrf_token(client.get(path).get_data(as_text=True))
    assert token
    return token


# --- notifications -----------------------------------------------------------------------


def test_notifications_are_listed_unread_first_and_marked_read(
    portal_app, portal_client, monkeypatch
):
    monkeypatch.setattr(registry, "my_record", lambda *_a, **_k: RECORD)
    mine = _add_dossier(portal_app)
    theirs = _add_dossier(portal_app, OTHER_CODE, BINH)
    add_rows(
        portal_app,
        Notification(
            personal_id=AN,
            dossier_id=mine,
            created_at=datetime(2026, 11, 24, 1, 0, tzinfo=UTC),
            text="Thông báo cũ chưa đọc",
        ),
        Notification(
            personal_id=AN,
            dossier_id=mine,
            created_at=datetime(2026, 11, 25, 1, 0, tzinfo=UTC),
            text="Thông báo mới đã đọc",
            read_at=datetime(2026, 11, 25, 2, 0, tzinfo=UTC),
        ),
        Notification(
            personal_id=AN,
            dossier_id=mine,
            created_at=datetime(2026, 11, 24, 5, 0, tzinfo=UTC),
            text="Thông báo chưa đọc mới hơn",
        ),
        Notification(personal_id=BINH, dossier_id=theirs, text="Thông báo của người khác"),
    )
    sign_in(portal_app, portal_client)
    html = get_page(portal_client, "/ca-nhan").get_data(as_text=True)
    assert "Thông báo" in html and "2 chưa đọc" in html
    assert "Thông báo của người khác" not in html
    newer, older, read = (
        html.index("Thông báo chưa đọc mới hơn"),
        html.index("Thông báo cũ chưa đọc"),
        html.index("Thông báo mới đã đọc"),
    )
    assert newer < older < read  # unread first, newest first
    assert f'href="/ho-so/{CODE}"' in html
    assert 'href="/ca-nhan/kho-du-lieu"' in html

    resp = portal_client.post("/thong-bao/da-doc", data={"csrf_token": csrf_token(html)})
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/ca-nhan")
    assert all(n.read_at for n in stored(portal_app, Notification, personal_id=AN))
    assert stored(portal_app, Notification, personal_id=BINH)[0].read_at is None
    html = get_page(portal_client, "/ca-nhan").get_data(as_text=True)
    assert "chưa đọc)" not in html and "Đánh dấu tất cả là đã đọc" not in html


def test_marking_read_needs_the_csrf_token(portal_app, portal_client):
    sign_in(portal_app, portal_client)
    assert portal_client.post("/thong-bao/da-doc").status_code == 400


# --- authorisation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", f"/ho-so/{CODE}/bo-sung"),
        ("post", f"/ho-so/{CODE}/danh-gia"),
        ("get", f"/ho-so/{CODE}/ket-qua.pdf"),
    ],
)
def test_another_citizen_gets_404(portal_app, portal_client, method, path):
    dossier_id = _add_dossier(portal_app, status="returned")
    issue_result(portal_app, dossier_id)
    _add_dossier(portal_app, OTHER_CODE, BINH, status="returned")
    sign_in(portal_app, portal_client, personal_id=BINH)
    token = _csrf(portal_client, f"/ho-so/{OTHER_CODE}")
    data = {"csrf_token": token, "supplement": "x", "version": "1", "score": "5"}
    resp = getattr(portal_client, method)(path, data=data)
    assert resp.status_code == 404
    assert stored(portal_app, Rating) == []
    assert stored(portal_app, Dossier, code=CODE)[0].status == "returned"


@pytest.mark.parametrize("path", [f"/ho-so/{CODE}/ket-qua.pdf", "/ca-nhan/kho-du-lieu"])
def test_logged_out_user_is_sent_to_login(portal_app, portal_client, path):
    _add_dossier(portal_app)
    resp = portal_client.get(path)
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/dang-nhap?next=")


# --- supplement ----------------------------------------------------------------------------


@pytest.fixture
def waiting(portal_app, portal_client):
    """AN's dossier, waiting for a supplement the clerk asked for (version 3)."""
    dossier_id = _add_dossier(
        portal_app,
        status="supplement_requested",
        version=3,
        received_at=datetime(2026, 11, 23, 3, 0, tzinfo=UTC),
        paused_at=datetime(2026, 11, 24, 3, 0, tzinfo=UTC),
    )
    add_rows(
        portal_app,
        DossierEvent(
            dossier_id=dossier_id,
            at=datetime(2026, 11, 24, 3, 0, tzinfo=UTC),
            actor_id="079080002222",
            actor_role="xu_ly",
            from_status="processing",
            to_status="supplement_requested",
            note=REQUEST,
        ),
    )
    sign_in(portal_app, portal_client)
    return portal_client


def test_the_page_shows_the_request_and_the_form(waiting):
    html = get_page(waiting, f"/ho-so/{CODE}").get_data(as_text=True)
    assert "Bản sao giấy chứng sinh" in html and "Giấy xác nhận nơi cư trú" in html
    assert f'action="/ho-so/{CODE}/bo-sung"' in html
    assert '<label class="field__label" for="supplement">Nội dung bổ sung</label>' in html
    assert 'name="version" value="3"' in html and "Nộp bổ sung" in html


def test_resubmitting_moves_to_processing_and_restarts_the_clock(portal_app, waiting):
    token = _csrf(waiting)
    text = "Đã bổ sung bản sao giấy chứng sinh số 123/BV"
    resp = waiting.post(
        f"/ho-so/{CODE}/bo-sung", data={"csrf_token": token, "version": "3", "supplement": text}
    )
    assert resp.status_code == 302 and resp.headers["Location"] == f"/ho-so/{CODE}"
    dossier = stored(portal_app, Dossier, code=CODE)[0]
    assert dossier.status == "processing" and dossier.version == 4
    assert dossier.paused_at is None
    days = portal_app.extensions["catalogue"].get(PROC).processing.days
    assert dossier.due_date == deadlines.restart_due_date(datetime.now(UTC), days)
    event = stored(portal_app, DossierEvent, dossier_id=dossier.id)[-1]
    assert (event.from_status, event.to_status, event.actor_id) == (
        "supplement_requested",
        "processing",
        AN,
    )
    assert event.note == text
    # the citizen's own page confirms their action: no notification to themselves
    assert stored(portal_app, Notification, personal_id=AN) == []
    html = get_page(waiting, f"/ho-so/{CODE}").get_data(as_text=True)
    assert "Đã nộp bổ sung" in html and 'action="/ho-so/' + CODE + '/bo-sung"' not in html


@pytest.mark.parametrize("text", ["", "   \n "])
def test_an_empty_supplement_is_refused_next_to_the_field(portal_app, waiting, text):
    token = _csrf(waiting)
    resp = waiting.post(
        f"/ho-so/{CODE}/bo-sung", data={"csrf_token": token, "version": "3", "supplement": text}
    )
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    check_page(html)
    assert 'id="supplement-error"' in html and "Vui lòng nhập nội dung bổ sung" in html
    assert 'aria-invalid="true"' in html
    assert stored(portal_app, Dossier, code=CODE)[0].status == "supplement_requested"


def test_a_stale_version_is_a_conflict_and_keeps_the_text(portal_app, waiting):
    token = _csrf(waiting)
    resp = waiting.post(
        f"/ho-so/{CODE}/bo-sung",
        data={"csrf_token": token, "version": "2", "supplement": "Nội dung đã gõ"},
    )
    assert resp.status_code == 409
    html = resp.get_data(as_text=True)
    check_page(html)
    assert "Hồ sơ đã được cán bộ khác cập nhật" in html and "Nội dung đã gõ" in html
    assert stored(portal_app, Dossier, code=CODE)[0].version == 3


def test_resubmitting_a_dossier_not_waiting_is_refused(portal_app, portal_client):
    _add_dossier(portal_app, status="processing")
    sign_in(portal_app, portal_client)
    html = get_page(portal_client, f"/ho-so/{CODE}").get_data(as_text=True)
    assert "Nộp bổ sung" not in html
    resp = portal_client.post(
        f"/ho-so/{CODE}/bo-sung",
        data={"csrf_token": csrf_token(html), "version": "1", "supplement": "x"},
    )
    assert resp.status_code == 400
    assert "Không thể nộp bổ sung" in resp.get_data(as_text=True)


# --- result and data store -------------------------------------------------------------------


def test_the_owner_sees_and_downloads_the_result(portal_app, portal_client):
    dossier_id = _add_dossier(portal_app, status="returned")
    doc = issue_result(portal_app, dossier_id)
    sign_in(portal_app, portal_client)
    html = get_page(portal_client, f"/ho-so/{CODE}").get_data(as_text=True)
    url = f"http://portal.test/tra-cuu-ket-qua/{doc.verification_code}"
    for words in (doc.number, "Trích lục khai sinh", "25/11/2026", "UBND Phường Bến Thành", url):
        assert words in html, words
    link = f"/ho-so/{CODE}/ket-qua/{doc.verification_code}.pdf"
    assert f'href="{link}"' in html

    for path, name in (
        (link, f"ket-qua-{CODE}-{doc.kind}.pdf"),
        (f"/ho-so/{CODE}/ket-qua.pdf", f"ket-qua-{CODE}.pdf"),
    ):
        resp = portal_client.get(path)
        assert resp.status_code == 200 and resp.mimetype == "application/pdf"
        disposition = resp.headers["Content-Disposition"]
        assert disposition.startswith("attachment") and name in disposition
        text = " ".join(PdfReader(BytesIO(resp.data)).pages[0].extract_text().split())
        assert doc.number in text and "Nguyễn Văn Bé" in text
    assert (
        portal_client.get(f"/ho-so/{CODE}/ket-qua/{doc.verification_code}x.pdf").status_code == 404
    )


def test_no_result_before_approval(portal_app, portal_client):
    dossier_id = _add_dossier(portal_app, status="processing")
    issue_result(portal_app, dossier_id)  # e.g. issued, but the approval has not gone through
    sign_in(portal_app, portal_client)
    assert "Kết quả giải quyết" not in portal_client.get(f"/ho-so/{CODE}").get_data(as_text=True)
    assert portal_client.get(f"/ho-so/{CODE}/ket-qua.pdf").status_code == 404


def test_the_data_store_lists_only_the_citizens_own_documents(portal_app, portal_client):
    mine = _add_dossier(portal_app, status="returned")
    theirs = _add_dossier(portal_app, OTHER_CODE, BINH, status="returned")
    own = issue_result(portal_app, mine, "Trích lục khai sinh của An")
    other = issue_result(portal_app, theirs, "Trích lục khai sinh của Bình")
    sign_in(portal_app, portal_client)
    html = get_page(portal_client, "/ca-nhan/kho-du-lieu").get_data(as_text=True)
    assert "Trích lục khai sinh của An" in html and own.number in html
    assert f'href="/ho-so/{CODE}/ket-qua/{own.verification_code}.pdf"' in html
    assert "Trích lục khai sinh của Bình" not in html and other.verification_code not in html


def test_of_kind_finds_only_the_citizens_documents_of_that_kind(portal_app):
    from portal.services import data_store

    mine = _add_dossier(portal_app, status="returned")
    doc = issue_result(portal_app, mine)
    with portal_app.app_context(), db.new_session() as session:
        assert [d.id for d in data_store.of_kind(session, AN, "trich_luc_khai_sinh")] == [doc.id]
        assert data_store.of_kind(session, BINH, "trich_luc_khai_sinh") == []
        assert data_store.of_kind(session, AN, "giay_chung_nhan_ket_hon") == []


def test_workflow_notifications_reach_the_dashboard(portal_app, portal_client, monkeypatch):
    """A real transition's notification shows on the dashboard with a link."""
    monkeypatch.setattr(registry, "my_record", lambda *_a, **_k: RECORD)
    _add_dossier(
        portal_app,
        status="supplement_requested",
        version=2,
        received_at=datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
    )
    with portal_app.app_context(), db.new_session() as session:
        session.add(Staff(personal_id=CLERK, office_code=OFFICE, roles="xu_ly"))
        session.commit()
        workflow.apply(
            session,
            CODE,
            "cancel_supplement",
            workflow.staff_actor(session, CLERK),
            expected_version=2,
            note="Đã đủ giấy tờ",
            now=datetime(2026, 11, 25, 2, 0, tzinfo=UTC),
        )
    sign_in(portal_app, portal_client)
    html = get_page(portal_client, "/ca-nhan").get_data(as_text=True)
    assert f"Hồ sơ {CODE}: Đang xử lý." in html and "1 chưa đọc" in html
