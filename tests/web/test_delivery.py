"""How the result is received, seen and recorded by the office (Flask test client): the
officer's page says the citizen's choice, the return form of a result sent by post asks for
the postal item number (checked, next to its field, what was typed kept), the return records
what was handed over on the timeline; the receipt says the choice."""

from __future__ import annotations

import html

import pytest

from portal.models import DossierEvent
from portal.services import delivery
from tests.factories import AN, HANH, act, add_dossiers, load, sign_in, stored
from tests.support.filing import csrf_token
from tests.support.html import check_page, get_page, page_text

ADDRESS = "15 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh"
BY_POST = {"delivery_method": "post", "delivery_address": ADDRESS, "delivery_fee": 26_000}
GOOD_REF = "EB123456785VN"


@pytest.fixture
def app(backoffice_app):
    return backoffice_app


@pytest.fixture
def clerk(app):
    client = app.test_client()
    sign_in(app, client, HANH)
    return client


def _approved(app, **spec) -> str:
    (code,) = add_dossiers(app, {"status": "approved", **spec})
    return code


def _return_note(app, code: str) -> str | None:
    dossier = load(app, code)
    (event,) = stored(app, DossierEvent, dossier_id=dossier.id, action="return")
    return event.note


def test_the_officer_sees_the_choice_and_records_the_postal_item(app, clerk):
    code = _approved(app, **BY_POST)
    page = page_text(get_page(clerk, f"/can-bo/ho-so/{code}").get_data(as_text=True))
    assert f"Nhận kết quả Nhận bản giấy qua bưu chính: {ADDRESS} (cước 26.000 đồng)" in page
    assert "Số hiệu bưu gửi" in page
    resp = act(clerk, code, "return", delivery_ref=" eb1234 56785vn ")
    assert resp.status_code == 302
    returned = load(app, code)
    assert returned.status == "returned" and returned.delivery_ref == GOOD_REF
    assert returned.delivered_at is not None
    note = _return_note(app, code)
    assert note and GOOD_REF in note and ADDRESS in note
    page = page_text(get_page(clerk, f"/can-bo/ho-so/{code}").get_data(as_text=True))
    assert f"số hiệu bưu gửi {GOOD_REF}" in page  # on the timeline and in the summary


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("", delivery.NO_REF),
        ("EB123456784VN", "không hợp lệ"),  # the check digit is 5
        ("x" * 10_000, "không hợp lệ"),
        ("EB12\x0045678VN", "không hợp lệ"),
    ],
)
def test_a_missing_or_wrong_postal_item_number_is_said_next_to_its_field(app, clerk, typed, words):
    code = _approved(app, **BY_POST)
    resp = act(clerk, code, "return", delivery_ref=typed)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400
    check_page(body)
    assert 'id="loi-delivery_ref"' in body and html.escape(words) in body
    if typed and "\x00" not in typed:
        assert f'value="{typed}"' in body  # what was typed is kept
    assert load(app, code).status == "approved"


def test_a_bulk_return_does_not_skip_the_postal_item_number(app, clerk):
    code = _approved(app, **BY_POST)
    queue = clerk.get("/can-bo?tab=cho-tra").get_data(as_text=True)
    resp = clerk.post(
        "/can-bo/tra-ket-qua-hang-loat",
        data={"csrf_token": csrf_token(queue), "ho_so": code},
        follow_redirects=True,
    )
    assert html.escape(delivery.NO_REF) in resp.get_data(as_text=True)
    assert load(app, code).status == "approved"


def test_a_paper_result_at_the_desk_is_recorded_with_its_date(app, clerk):
    code = _approved(app, delivery_method="counter", delivery_fee=0)
    page = page_text(get_page(clerk, f"/can-bo/ho-so/{code}").get_data(as_text=True))
    assert "Nhận kết quả Nhận thêm bản giấy tại nơi tiếp nhận" in page
    assert act(clerk, code, "return").status_code == 302
    assert load(app, code).delivered_at is not None
    note = _return_note(app, code)
    assert note and note.startswith("Đã trao bản giấy kết quả tại nơi tiếp nhận ngày ")


def test_an_electronic_result_only_records_nothing_more(app, clerk):
    code = _approved(app)
    page = get_page(clerk, f"/can-bo/ho-so/{code}").get_data(as_text=True)
    assert "Số hiệu bưu gửi" not in page and "Chỉ nhận kết quả điện tử" in page
    assert act(clerk, code, "return").status_code == 302
    returned = load(app, code)
    assert returned.delivered_at is None and returned.delivery_ref is None


def test_the_receipt_says_how_the_result_is_received(app):
    (code,) = add_dossiers(app, {"status": "received", **BY_POST})
    citizen = app.test_client()
    sign_in(app, citizen, AN)
    page = page_text(get_page(citizen, f"/ho-so/{code}/phieu-tiep-nhan").get_data(as_text=True))
    assert f"Hình thức nhận kết quả Nhận bản giấy qua bưu chính: {ADDRESS}" in page
    pdf = citizen.get(f"/ho-so/{code}/phieu-tiep-nhan.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


def test_the_citizen_sees_the_choice_and_a_way_to_write_about_the_dossier(app):
    (code,) = add_dossiers(app, {"status": "processing", **BY_POST})
    citizen = app.test_client()
    sign_in(app, citizen, AN)
    body = get_page(citizen, f"/ho-so/{code}").get_data(as_text=True)
    assert f"Nhận kết quả Nhận bản giấy qua bưu chính: {ADDRESS}" in page_text(body)
    assert f'href="/phan-anh?ho_so={code}"' in body
