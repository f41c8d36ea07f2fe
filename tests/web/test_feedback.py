"""Feedback (phản ánh, kiến nghị) through the Flask test client: a citizen sends it about
their dossier (to its office) or in general (to an office of their residence), the office's
clerk answers it in the back office, the citizen is notified and reads the answer; citizen B
cannot read A's, office Y cannot read nor answer office X's; bad input gets a Vietnamese
message next to the field, never a 500, and what was typed is kept."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

import pytest

from portal.db import db
from portal.models import Notification, Office
from portal.models.feedback import Feedback
from portal.services import feedback, registry, stats
from tests import factories
from tests.factories import AN, BINH, COMMUNE, HANH, LONG, add_dossiers, sign_in, stored
from tests.support.filing import csrf_token
from tests.support.html import check_page, page_text
from tests.support.matrix import own_record

POLICE = "79.26743.ca"  # the Công an of An's ward, an office of his residence


@pytest.fixture
def app(backoffice_app, monkeypatch):
    """The back-office portal, the ward's offices with their commune, and a registry that
    answers with the signed-in person's record (residence: Phường Bến Thành)."""
    factories.add_rows(
        backoffice_app,
        Office(
            code=POLICE,
            name="Công an Phường Bến Thành",
            kind="cong_an_xa",
            province_code=79,
            ward_code=26743,
        ),  # fmt: skip
    )
    monkeypatch.setattr(registry, "my_record", own_record)
    return backoffice_app


def _client(app, who: str):
    client = app.test_client()
    sign_in(app, client, who)
    return client


def _send(client, **form):
    token = csrf_token(client.get("/phan-anh").get_data(as_text=True))
    return client.post("/phan-anh", data={"csrf_token": token} | form)


def _answer(client, code: str, text: str):
    token = csrf_token(client.get(f"/can-bo/phan-anh/{code}").get_data(as_text=True))
    return client.post(f"/can-bo/phan-anh/{code}", data={"csrf_token": token, "tra_loi": text})


def _only(app) -> Feedback:
    (found,) = stored(app, Feedback)
    return found


def test_a_citizen_sends_feedback_about_a_dossier_and_reads_the_answer(app):
    (dossier,) = add_dossiers(app, {"status": "processing"})
    an = _client(app, AN)
    resp = _send(an, loai="hanh_vi", ho_so=dossier, noi_dung="Hồ sơ chậm,\r\nchưa thấy trả lời.")
    item = _only(app)
    assert resp.status_code == 302 and resp.location.endswith(f"/phan-anh/{item.code}")
    assert item.office_code == COMMUNE and item.code.startswith(f"PA-{COMMUNE}-")
    assert item.content == "Hồ sơ chậm,\nchưa thấy trả lời."
    assert item.due_date == feedback.due_date(item.created_at)
    page = an.get(resp.location).get_data(as_text=True)
    check_page(page)
    assert "Cơ quan chưa trả lời" in page and dossier in page

    clerk = _client(app, HANH)
    queue = clerk.get("/can-bo/phan-anh").get_data(as_text=True)
    check_page(queue)
    assert item.code in queue and "Trong hạn" in queue
    assert _answer(clerk, item.code, "Đã liên hệ, hồ sơ trả ngày mai.").status_code == 302
    answered = _only(app)
    assert answered.status == "answered" and answered.answered_by == HANH
    (notice,) = stored(app, Notification, personal_id=AN, link=f"/phan-anh/{item.code}")
    assert notice.dossier_id is None
    text = page_text(an.get(f"/phan-anh/{item.code}").get_data(as_text=True))
    assert "Đã liên hệ, hồ sơ trả ngày mai." in text
    dashboard = an.get("/ca-nhan").get_data(as_text=True)
    assert f'href="/phan-anh/{item.code}"' in dashboard
    # answered once: a second answer is refused on the page
    again = _answer(clerk, item.code, "Lần hai")
    assert again.status_code == 400 and "đã được trả lời" in again.get_data(as_text=True)


def test_general_feedback_goes_to_an_office_of_the_residence(app):
    an = _client(app, AN)
    form = an.get("/phan-anh").get_data(as_text=True)
    assert f'value="{POLICE}"' in form
    resp = _send(an, loai="kien_nghi", co_quan=POLICE, noi_dung="Đề nghị mở thêm quầy.")
    assert resp.status_code == 302
    assert _only(app).office_code == POLICE and _only(app).dossier_id is None


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        ({"loai": "", "noi_dung": "x", "co_quan": POLICE}, "loai", feedback.NO_CATEGORY),
        ({"loai": "hanh_vi", "noi_dung": "   ", "co_quan": POLICE}, "noi_dung",
         feedback.NO_CONTENT),
        ({"loai": "hanh_vi", "noi_dung": "x" * 10_000, "co_quan": POLICE}, "noi_dung", "dài quá"),
        ({"loai": "hanh_vi", "noi_dung": "a\x00b\x1bc", "co_quan": POLICE}, "noi_dung",
         "ký tự điều khiển"),
        ({"loai": "hanh_vi", "noi_dung": "x", "co_quan": "01.00004"}, "co_quan",
         feedback.NO_OFFICE),
        ({"loai": "hanh_vi", "noi_dung": "x", "ho_so": "79.26743-261123-99999"}, "ho_so",
         feedback.NOT_YOURS),
        ({"loai": "hack", "noi_dung": "x\x7f", "ho_so": "x" * 5000}, "ho_so", feedback.NOT_YOURS),
    ],
)  # fmt: skip
def test_bad_input_is_said_next_to_the_field_and_typed_text_is_kept(app, form, field, words):
    an = _client(app, AN)
    resp = _send(an, **form)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400
    check_page(body)
    assert re.search(rf'id="{field}-loi"><span class="visually-hidden">Lỗi:</span> [^<]*', body)
    assert html.escape(words) in body
    typed = form["noi_dung"]
    if "\x00" not in typed:
        assert html.escape(typed.strip()) in body
    assert not stored(app, Feedback)


def test_a_dossier_that_is_not_theirs_is_refused(app):
    (of_binh,) = add_dossiers(app, {"applicant_id": BINH})
    resp = _send(_client(app, AN), loai="hanh_vi", ho_so=of_binh, noi_dung="Xem hồ sơ người khác")
    assert resp.status_code == 400 and html.escape(feedback.NOT_YOURS) in resp.get_data(
        as_text=True
    )
    assert not stored(app, Feedback)


def test_citizen_b_cannot_read_a_feedback_and_office_y_cannot_read_or_answer_it(app):
    (dossier,) = add_dossiers(app, {"status": "processing"})
    _send(_client(app, AN), loai="hanh_vi", ho_so=dossier, noi_dung="Bí mật của An")
    code = _only(app).code
    binh = _client(app, BINH)
    assert binh.get(f"/phan-anh/{code}").status_code == 404
    assert "Bí mật của An" not in binh.get("/phan-anh").get_data(as_text=True)
    long = _client(app, LONG)  # staff of Phường Hoàn Kiếm, Hà Nội
    assert code not in long.get("/can-bo/phan-anh").get_data(as_text=True)
    assert long.get(f"/can-bo/phan-anh/{code}").status_code == 404
    token = csrf_token(long.get("/can-bo/phan-anh").get_data(as_text=True))
    resp = long.post(f"/can-bo/phan-anh/{code}", data={"csrf_token": token, "tra_loi": "Xong"})
    assert resp.status_code == 404 and _only(app).status == "open"
    # a citizen who is not staff gets the staff-only page
    assert binh.get("/can-bo/phan-anh").status_code == 403


@pytest.mark.parametrize(
    ("text", "words"),
    [("  ", feedback.NO_ANSWER), ("y" * 10_000, "dài quá"), ("ok\x00", "ký tự điều khiển")],
)
def test_a_bad_answer_is_refused_and_kept(app, text, words):
    (dossier,) = add_dossiers(app, {"status": "processing"})
    _send(_client(app, AN), loai="hanh_vi", ho_so=dossier, noi_dung="Chậm")
    code = _only(app).code
    resp = _answer(_client(app, HANH), code, text)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400 and html.escape(words) in body
    check_page(body)
    if "\x00" not in text and text.strip():
        assert text in body
    assert _only(app).status == "open"


def test_posts_without_a_csrf_token_are_refused(app):
    an = _client(app, AN)
    assert an.post("/phan-anh", data={"loai": "hanh_vi", "noi_dung": "x"}).status_code == 400
    assert not stored(app, Feedback)


def test_the_statistics_page_counts_feedback_per_office(app):
    (dossier,) = add_dossiers(app, {"status": "processing"})
    _send(_client(app, AN), loai="hanh_vi", ho_so=dossier, noi_dung="Chậm")
    _answer(_client(app, HANH), _only(app).code, "Đã xử lý")
    page = app.test_client().get("/thong-ke").get_data(as_text=True)
    check_page(page)
    row = re.search(r"<tr><th scope=\"row\">UBND Phường Bến Thành</th>(.*?)</tr>", page.split(
        'id="phan-anh-kien-nghi"')[1])[1]  # fmt: skip
    assert re.findall(r"<td>([^<]*)</td>", row) == ["1", "1", "1", "100,0 %"]


def _row(code: str, *, sender: str = AN, answered_at=None, status: str = "open") -> Feedback:
    return Feedback(code=code, personal_id=sender, office_code=COMMUNE, category="hanh_vi",
                    content="Nội dung", due_date=date(2026, 12, 21), status=status,
                    answer="Đã trả lời" if answered_at else None, answered_at=answered_at,
                    created_at=datetime(2026, 12, 7, 2, 0, tzinfo=UTC))  # fmt: skip


def test_a_clerk_does_not_answer_his_own_feedback(app):
    factories.add_rows(app, _row("PA-own-1", sender=HANH))
    clerk = _client(app, HANH)
    page = clerk.get("/can-bo/phan-anh/PA-own-1").get_data(as_text=True)
    assert "do chính mình gửi" in page and 'name="tra_loi"' not in page
    resp = clerk.post(
        "/can-bo/phan-anh/PA-own-1",
        data={"csrf_token": csrf_token(page), "tra_loi": "Tự trả lời"},
    )
    assert resp.status_code == 400 and html.escape(feedback.OWN_FEEDBACK) in resp.get_data(
        as_text=True
    )
    assert _only(app).status == "open"


def test_late_answers_count_as_answered_but_not_on_time(app):
    factories.add_rows(
        app,
        _row("PA-t-1", status="answered", answered_at=datetime(2026, 12, 21, 16, 30, tzinfo=UTC)),
        _row("PA-t-2", status="answered", answered_at=datetime(2026, 12, 22, 1, 0, tzinfo=UTC)),
        _row("PA-t-3"),
    )  # the first at 23:30 on the due day in Vietnam; the second the next morning
    with app.app_context():
        (row,) = stats.feedback_counts(db.session, stats.StatsFilter(province_code=79))
        assert (row.received, row.answered, row.on_time) == (3, 2, 1)
        assert stats.feedback_counts(db.session, stats.StatsFilter(province_code=1)) == []
        before = stats.StatsFilter(date_to=date(2026, 12, 6))
        assert stats.feedback_counts(db.session, before) == []
    clerk_queue = _client(app, HANH).get("/can-bo/phan-anh").get_data(as_text=True)
    assert "PA-t-3" in clerk_queue and "PA-t-1" not in clerk_queue  # open ones only
