"""The letters Mẫu 02, 03 and 04 at /ho-so/<code>/van-ban/<event id>.pdf through the Flask test
client: the clerk acts in the back office, then the applicant and the office's staff download
the letter; anyone else, an unknown dossier or an event without a letter gets a 404."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlmodel import select

from portal.db import db
from portal.models import DossierEvent
from portal.services import deadlines
from tests.factories import AN, HANH, LONG, QUYNH, act, add_dossiers, load, sign_in
from tests.support.html import get_page

BINH = "079190004321"  # another citizen
MISSING = "- Bản sao giấy chứng sinh\n\n  • Giấy xác nhận nơi cư trú   \n"
REASON = "Hồ sơ thuộc thẩm quyền của Sở Tư pháp."
APOLOGY = "Cần xác minh thêm tại nơi đăng ký hộ tịch trước đây."
NEW_DUE = deadlines.today() + timedelta(days=40)
KINDS = {  # action: (status before, form posted, form number, words the PDF must show)
    "request_supplement": (
        "processing",
        {"note": MISSING},
        "02",
        ["1. Bản sao giấy chứng sinh", "2. Giấy xác nhận nơi cư trú", "/bo-sung"],
    ),
    "refuse_reception": ("submitted", {"note": REASON}, "03", [REASON]),
    "extend": (
        "processing",
        {"note": APOLOGY, "new_due_date": NEW_DUE.isoformat()},
        "04",
        [APOLOGY, f"Ngày hẹn trả kết quả mới {NEW_DUE:%d/%m/%Y}"],
    ),
}


@pytest.fixture
def app(backoffice_app):
    """The back office's portal: staff seeded, the commune's office known."""
    return backoffice_app


@pytest.fixture
def client(app):
    return app.test_client()


def last_event(app, code: str) -> DossierEvent:
    dossier_id = load(app, code).id
    with app.app_context(), db.new_session() as session:
        query = select(DossierEvent).where(DossierEvent.dossier_id == dossier_id)
        return session.exec(query.order_by(DossierEvent.id.desc())).first()


@pytest.fixture
def letters(app) -> dict[str, tuple[str, int]]:
    """One dossier of AN per letter, the clerk HANH having acted in the back office:
    action → (dossier code, the letter's event id)."""
    clerk = app.test_client()
    sign_in(app, clerk, HANH)
    made = {}
    for action, (status, form, _number, _words) in KINDS.items():
        [code] = add_dossiers(app, {"status": status})
        assert act(clerk, code, action, **form).status_code == 302
        made[action] = (code, last_event(app, code).id)
    return made


def letter_path(code: str, event_id: int) -> str:
    return f"/ho-so/{code}/van-ban/{event_id}.pdf"


def pdf_text(body: bytes) -> str:
    pages = PdfReader(BytesIO(body)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


@pytest.mark.parametrize("who", [AN, HANH])
@pytest.mark.parametrize("action", list(KINDS))
def test_applicant_and_office_staff_download_each_letter(app, client, letters, who, action):
    code, event_id = letters[action]
    _status, _form, number, words = KINDS[action]
    sign_in(app, client, who)
    resp = client.get(letter_path(code, event_id))
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    disposition = resp.headers["Content-Disposition"]
    assert disposition == f'inline; filename="mau-{number}-{code}.pdf"'
    assert "no-store" in resp.headers["Cache-Control"]
    text = pdf_text(resp.data)
    for expected in (f"Mẫu số {number}", code, "Nguyễn Văn An", "Trương Thị Hạnh", *words):
        assert expected in text, expected


@pytest.mark.parametrize("who", [BINH, LONG, QUYNH])
def test_other_citizens_and_other_offices_get_404(app, client, letters, who):
    sign_in(app, client, who)
    for code, event_id in letters.values():
        assert client.get(letter_path(code, event_id)).status_code == 404


def test_events_without_a_letter_or_of_another_dossier_get_404(app, client, letters):
    [received] = add_dossiers(app, {"status": "received"})
    sign_in(app, client, HANH)
    assert act(client, received, "start").status_code == 302  # an event, but no letter
    start = last_event(app, received).id
    (supplement, supplement_id), (refused, refused_id) = list(letters.values())[:2]
    for path in (
        letter_path(received, start),
        letter_path(supplement, refused_id),  # the event is another dossier's
        letter_path(refused, supplement_id),
        letter_path("79.26743-261123-99999", supplement_id),  # unknown dossier
        letter_path(supplement, 999_999),
        letter_path(supplement, 2**40),  # beyond the id column
        f"/ho-so/{supplement}/van-ban/abc.pdf",
    ):
        assert client.get(path).status_code == 404, path


def test_logged_out_user_is_sent_to_login(client, letters):
    code, event_id = letters["extend"]
    resp = client.get(letter_path(code, event_id))
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/dang-nhap?next=")


@pytest.mark.parametrize(("who", "page"), [(AN, "/ho-so/{code}"), (HANH, "/can-bo/ho-so/{code}")])
def test_timelines_link_each_letter(app, client, letters, who, page):
    sign_in(app, client, who)
    for action, (code, event_id) in letters.items():
        html = get_page(client, page.format(code=code)).get_data(as_text=True)
        number = KINDS[action][2]
        assert f'<a href="{letter_path(code, event_id)}">Tải Mẫu {number} (PDF)' in html
        assert html.count("/van-ban/") == 1  # the other events have no letter


def test_the_address_printed_on_mau_02_opens_the_supplement_form(app, client, letters):
    code, _event_id = letters["request_supplement"]
    sign_in(app, client, AN)
    resp = client.get(f"/ho-so/{code}/bo-sung")
    assert resp.status_code == 302 and resp.headers["Location"] == f"/ho-so/{code}#bo-sung"
    html = get_page(client, f"/ho-so/{code}").get_data(as_text=True)
    assert f'action="/ho-so/{code}/bo-sung"' in html and 'id="bo-sung"' in html
