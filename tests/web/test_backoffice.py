"""The clerk back office (/can-bo) through the Flask test client: queues, the staff view of
a dossier, every action through the workflow, bulk reception, and who may see what."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from portal.db import db
from portal.models import Dossier, DossierFile
from portal.models.results import ResultDocument
from portal.services import deadlines, queues, results
from portal.services.workflow import ACTIONS, CONFLICT
from tests.factories import (
    AN,
    COMMUNE,
    CRIMINAL_RECORD,
    HANH,
    LONG,
    PROVINCE,
    QUYNH,
    act,
    add_dossiers,
    listed_codes,
    load,
    sign_in,
    tab_counts,
)
from tests.support.filing import csrf_token
from tests.support.html import check_page, get_page


@pytest.fixture
def app(backoffice_app):
    """The portal with the demo staff and the commune's office (tests/web/conftest.py)."""
    return backoffice_app


@pytest.fixture
def client(app):
    return app.test_client()


# --- who may see what --------------------------------------------------------------------


@pytest.mark.parametrize(("personal_id", "shown"), [(HANH, True), (AN, False)])
def test_only_staff_see_the_way_to_the_back_office(app, client, personal_id, shown):
    sign_in(app, client, personal_id)
    html = client.get("/thu-tuc").get_data(as_text=True)
    assert ('href="/can-bo">Xử lý hồ sơ</a>' in html) is shown


def test_logged_out_user_is_sent_to_login(client):
    for path in ("/can-bo", "/can-bo/ho-so/79.26743-261123-00001"):
        resp = client.get(path)
        assert resp.status_code == 302 and "/dang-nhap" in resp.headers["Location"]


def test_citizen_without_staff_row_gets_the_staff_only_page(app, client):
    sign_in(app, client, AN, "Nguyễn Văn An")
    resp = get_page(client, "/can-bo", 403)
    assert "Trang dành cho cán bộ" in resp.get_data(as_text=True)


@pytest.mark.parametrize(("who", "status"), [(HANH, 200), (LONG, 404), (QUYNH, 404), (AN, 404)])
def test_only_staff_of_the_office_see_a_dossier(app, client, who, status):
    [code] = add_dossiers(app, {})
    sign_in(app, client, who)
    get_page(client, f"/can-bo/ho-so/{code}", status)


@pytest.mark.parametrize(
    ("who", "status"), [(HANH, 302), (LONG, 404), (QUYNH, 404), ("079302034567", 404), (AN, 200)]
)
def test_the_shared_dossier_address_sends_office_staff_to_their_page(app, client, who, status):
    """DESIGN.md: /ho-so/<code> is for the owner and staff of the handling office."""
    [code] = add_dossiers(app, {})
    sign_in(app, client, who)
    resp = client.get(f"/ho-so/{code}")
    assert resp.status_code == status
    if status == 302:
        assert resp.headers["Location"].endswith(f"/can-bo/ho-so/{code}")


def test_other_office_cannot_act_and_gets_404(app, client):
    [code] = add_dossiers(app, {})
    sign_in(app, client, LONG, "Đặng Văn Long")
    get_page(client, "/can-bo")  # Long is staff: his own (empty) queue
    token = csrf_token(client.get("/can-bo").get_data(as_text=True))
    resp = client.post(f"/can-bo/ho-so/{code}/receive", data={"csrf_token": token, "version": 1})
    assert resp.status_code == 404
    assert load(app, code).status == "submitted"


def test_commune_clerk_cannot_act_on_a_province_dossier(app, client):
    [code] = add_dossiers(app, {"office_code": PROVINCE, "procedure_code": CRIMINAL_RECORD})
    sign_in(app, client, HANH)
    token = csrf_token(client.get("/can-bo").get_data(as_text=True))
    resp = client.post(f"/can-bo/ho-so/{code}/receive", data={"csrf_token": token, "version": 1})
    assert resp.status_code == 404
    assert code not in client.get("/can-bo").get_data(as_text=True)
    assert load(app, code).status == "submitted"
    # … and the province official can.
    other = app.test_client()
    sign_in(app, other, QUYNH, "Phan Thị Quỳnh")
    assert act(other, code, "receive").status_code == 302
    assert load(app, code).status == "received"


# --- the queue ---------------------------------------------------------------------------


def test_queue_counts_every_tab(app, client):
    today = deadlines.today()
    add_dossiers(
        app,
        {},
        {},
        {"due_date": today - timedelta(days=5)},  # submitted, overdue
        {"status": "received", "due_date": today},  # due soon
        {"status": "processing"},
        {"status": "supplement_requested", "due_date": today - timedelta(days=9)},  # paused
        {"status": "approved"},
        {"status": "returned", "due_date": today - timedelta(days=30)},  # finished
        {"status": "rejected"},
        {"office_code": "79.26740"},  # another commune: not counted
    )
    sign_in(app, client, HANH)
    resp = get_page(client, "/can-bo")
    assert tab_counts(resp.get_data(as_text=True)) == {
        "cho-tiep-nhan": 3,
        "dang-xu-ly": 2,
        "cho-bo-sung": 1,
        "cho-tra": 1,
        "sap-den-han": 1,
        "qua-han": 1,
        "da-tra": 1,
    }
    for tab, n in (("qua-han", 1), ("sap-den-han", 1), ("dang-xu-ly", 2), ("da-tra", 1)):
        html = get_page(client, f"/can-bo?tab={tab}").get_data(as_text=True)
        assert len(listed_codes(html)) == n, tab


def test_queue_is_sorted_by_due_date_oldest_overdue_first(app, client):
    today = deadlines.today()
    later, oldest, due, overdue = add_dossiers(
        app,
        {"due_date": today + timedelta(days=10)},
        {"due_date": today - timedelta(days=20)},
        {"due_date": today + timedelta(days=1)},
        {"due_date": today - timedelta(days=2)},
    )
    sign_in(app, client, HANH)
    html = get_page(client, "/can-bo?tab=cho-tiep-nhan").get_data(as_text=True)
    assert listed_codes(html) == [oldest, overdue, due, later]
    assert "(quá hạn)" in html


def test_queue_is_paginated_fifty_a_page(app, client):
    today = deadlines.today()
    codes = add_dossiers(app, *({"due_date": today + timedelta(days=i)} for i in range(120)))
    sign_in(app, client, HANH)
    first = get_page(client, "/can-bo").get_data(as_text=True)
    assert listed_codes(first) == codes[:50]
    assert "Trang 1/3" in first and "trang=2" in first
    third = get_page(client, "/can-bo?trang=3").get_data(as_text=True)
    assert listed_codes(third) == codes[100:]
    assert listed_codes(get_page(client, "/can-bo?trang=99").get_data(as_text=True)) == codes[100:]
    assert listed_codes(get_page(client, "/can-bo?trang=abc").get_data(as_text=True)) == codes[:50]


def test_due_soon_window_matches_the_deadline_rule():
    start = date(2026, 4, 20)  # across the 30/4–1/5 holidays and weekends
    for offset in range(40):
        today = start + timedelta(days=offset)
        for ahead in range(-2, 10):
            due = today + timedelta(days=ahead)
            in_window = today <= due <= queues.soon_limit(today)
            assert in_window == deadlines.is_due_soon(due, today), (today, due)


# --- the dossier page and actions ----------------------------------------------------------


def test_dossier_page_shows_registry_data_components_files_and_actions(app, client):
    [code] = add_dossiers(app, {})
    folder = Path(app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tok123").write_bytes(b"%PDF-1.4 test")
    with app.app_context(), db.new_session() as session:
        dossier = session.exec(select(Dossier).where(Dossier.code == code)).one()
        session.add(
            DossierFile(
                dossier_id=dossier.id,
                component=0,
                token="tok123",
                original_name="to-khai.pdf",
                content_type="application/pdf",
                size=13,
                sha256="ab" * 32,
            )
        )
        session.commit()
    sign_in(app, client, HANH)
    html = get_page(client, f"/can-bo/ho-so/{code}").get_data(as_text=True)
    assert "Nguyễn Văn An" in html and "✓ CSDLQG về dân cư" in html
    assert "12/04/1995" in html and "Người nộp kê khai" in html  # purpose is typed
    assert "Giấy tờ tùy thân của người yêu cầu" in html
    assert "Tiếp nhận" in html and "Từ chối tiếp nhận" in html
    assert 'name="csrf_token"' in html and 'name="version" value="1"' in html
    resp = client.get("/can-bo/tep/tok123")
    assert resp.status_code == 200 and resp.data == b"%PDF-1.4 test"
    other = app.test_client()
    sign_in(app, other, LONG, "Đặng Văn Long")
    assert other.get("/can-bo/tep/tok123").status_code == 404


def test_full_process_receive_start_approve_return(app, client):
    [code] = add_dossiers(app, {})
    sign_in(app, client, HANH)
    resp = act(client, code, "receive")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/can-bo/ho-so/{code}")
    received = load(app, code)
    assert received.status == "received" and received.received_at is not None
    assert received.due_date is not None
    assert act(client, code, "start").status_code == 302
    assert act(client, code, "approve").status_code == 302
    assert load(app, code).status == "approved"
    with app.app_context(), db.new_session() as session:
        doc = session.exec(
            select(ResultDocument).where(ResultDocument.dossier_id == received.id)
        ).one()
        assert doc.kind == "xac_nhan_tinh_trang_hon_nhan"
        assert doc.signer_id == HANH and doc.signer_name == "Trương Thị Hạnh"
        assert doc.office_code == COMMUNE
        assert doc.content["Họ, chữ đệm và tên"] == "Nguyễn Văn An"
        assert doc.content["Mục đích sử dụng giấy xác nhận"] == "Đăng ký kết hôn"
        assert results.verify(doc, results.key_folder(app.instance_path))
        verification = doc.verification_code
    html = get_page(client, f"/can-bo/ho-so/{code}").get_data(as_text=True)
    assert f"http://portal.test/tra-cuu-ket-qua/{verification}" in html
    assert "Đã phê duyệt hồ sơ" in html
    assert act(client, code, "return").status_code == 302
    assert load(app, code).status == "returned"
    page = get_page(client, f"/can-bo/ho-so/{code}").get_data(as_text=True)
    assert 'id="nut-return"' not in page  # only the leader's revocation is left
    assert 'id="nut-revoke"' in page and "Lý do thu hồi" in page
    assert get_page(client, f"/tra-cuu-ket-qua/{verification}").status_code == 200


def test_refusing_reception_needs_a_reason(app, client):
    [code] = add_dossiers(app, {})
    sign_in(app, client, HANH)
    resp = act(client, code, "refuse_reception", note="  ")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    check_page(html)
    assert ACTIONS["refuse_reception"].note_prompt in html
    assert load(app, code).status == "submitted"
    resp = act(client, code, "refuse_reception", note="Sai cơ quan có thẩm quyền.")
    assert resp.status_code == 302
    assert load(app, code).status == "refused_reception"
    html = client.get(f"/can-bo/ho-so/{code}").get_data(as_text=True)
    assert "Sai cơ quan có thẩm quyền." in html


def test_stale_version_is_told_the_dossier_changed(app, client):
    [code] = add_dossiers(app, {})
    sign_in(app, client, HANH)
    html = client.get(f"/can-bo/ho-so/{code}").get_data(as_text=True)
    form = {"csrf_token": csrf_token(html), "version": "1"}
    assert client.post(f"/can-bo/ho-so/{code}/receive", data=form).status_code == 302
    resp = client.post(f"/can-bo/ho-so/{code}/receive", data=form)  # the page seen before
    assert resp.status_code == 409
    assert CONFLICT in resp.get_data(as_text=True)
    check_page(resp.get_data(as_text=True))
    assert load(app, code).version == 2


@pytest.mark.parametrize(
    ("action", "form", "words"),
    [
        ("approve", {}, "Không thể phê duyệt hồ sơ đang ở trạng thái"),
        ("extend", {"new_due_date": "not-a-date", "note": "Xin lỗi"}, "Ngày hẹn trả mới"),
        ("receive", {"version": "x"}, "phiên bản hồ sơ"),
    ],
)
def test_bad_actions_are_refused_with_a_message_not_a_500(app, client, action, form, words):
    [code] = add_dossiers(app, {})
    sign_in(app, client, HANH)
    resp = act(client, code, action, **form)
    assert resp.status_code == 400
    assert words in resp.get_data(as_text=True)
    assert client.post(f"/can-bo/ho-so/{code}/fly", data={}).status_code in (400, 404)


def test_extension_sets_the_new_appointment_date_once(app, client):
    [code] = add_dossiers(app, {"status": "processing", "version": 4})
    sign_in(app, client, HANH)
    new = (deadlines.today() + timedelta(days=40)).isoformat()
    assert (
        act(client, code, "extend", new_due_date=new, note="Cần xác minh thêm.").status_code == 302
    )
    extended = load(app, code)
    assert extended.extended and extended.due_date.isoformat() == new
    html = client.get(f"/can-bo/ho-so/{code}").get_data(as_text=True)
    assert "Ngày hẹn trả mới" not in html  # no second extension offered


def test_bulk_receive_reports_each_dossier(app, client):
    first, already, third = add_dossiers(app, {}, {}, {})
    sign_in(app, client, HANH)
    html = get_page(client, "/can-bo?tab=cho-tiep-nhan").get_data(as_text=True)
    assert "Tiếp nhận các hồ sơ đã chọn" in html
    token = csrf_token(html)
    assert act(client, already, "receive").status_code == 302  # another clerk was quicker
    resp = client.post(
        "/can-bo/tiep-nhan-hang-loat",
        data={"csrf_token": token, "ho_so": [first, already, third]},
        follow_redirects=True,
    )
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    check_page(page)
    assert f"Hồ sơ {first}: đã tiếp nhận." in page and f"Hồ sơ {third}: đã tiếp nhận." in page
    assert page.count("Không thành công:") == 1 and f"Hồ sơ {already}:" in page
    assert [load(app, c).status for c in (first, already, third)] == ["received"] * 3
    assert load(app, already).version == 2  # received once only


def test_bulk_receive_skips_other_offices_dossiers(app, client):
    [mine] = add_dossiers(app, {})
    [theirs] = add_dossiers(app, {"office_code": "79.26740"})
    sign_in(app, client, HANH)
    token = csrf_token(client.get("/can-bo").get_data(as_text=True))
    page = client.post(
        "/can-bo/tiep-nhan-hang-loat",
        data={"csrf_token": token, "ho_so": [mine, theirs]},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "không tìm thấy hồ sơ của cơ quan" in page
    assert load(app, mine).status == "received" and load(app, theirs).status == "submitted"


def test_posts_without_csrf_token_are_refused(app, client):
    [code] = add_dossiers(app, {})
    sign_in(app, client, HANH)
    assert client.post(f"/can-bo/ho-so/{code}/receive", data={"version": 1}).status_code == 400
    resp = client.post("/can-bo/tiep-nhan-hang-loat", data={"ho_so": [code]})
    assert resp.status_code == 400
    assert load(app, code).status == "submitted"
