"""The public tracking page /tra-cuu-ho-so through the Flask test client, logged out: what it
shows of a dossier (no personal data), one answer for a wrong code or a wrong second factor,
a Vietnamese message next to the field for malformed input (never a 500, what was typed kept),
the rate limit's 429; and the instruction printed on the acknowledgement and the receipt."""

from __future__ import annotations

import html
import re
import uuid
from datetime import UTC, date, datetime
from io import BytesIO
from urllib.parse import urlencode

import pytest
from pypdf import PdfReader

from portal.config import TestConfig
from portal.models import DossierEvent, Office
from portal.services.tracking import NOT_FOUND
from tests import factories
from tests.support.apps import dispose, make_portal
from tests.support.html import check_page, get_page, page_text

AN, NAME = factories.AN, factories.NAMES[factories.AN]
CLERK = factories.HANH
NOTE = "Đã gọi điện cho ông An lúc 9 giờ"
PAGE = "/tra-cuu-ho-so"
INSTRUCTION = "với mã hồ sơ"
FACTOR_WORDS = "4 số cuối số định danh cá nhân của người nộp"
SUBMITTED = datetime(2026, 11, 23, 2, 5, tzinfo=UTC)


def _url(**params: str) -> str:
    return f"{PAGE}?{urlencode(params)}"


@pytest.fixture
def filed(portal_app) -> str:
    """An's marital-status dossier at the commune, received, with a clerk's note; its code."""
    factories.add_rows(portal_app, factories.commune_office())
    (code,) = factories.add_dossiers(
        portal_app,
        {
            "status": "processing",
            "submitted_at": SUBMITTED,
            "received_at": SUBMITTED,
            "due_date": date(2026, 11, 26),
            "routing_reason": f"Nơi thường trú của {NAME}",
        },
    )
    dossier = factories.load(portal_app, code)
    factories.add_rows(
        portal_app,
        *(
            DossierEvent(
                dossier_id=dossier.id,
                at=SUBMITTED,
                actor_id=actor,
                actor_role=role,
                from_status=before,
                to_status=after,
                note=note,
            )
            for actor, role, before, after, note in (
                (AN, "citizen", "draft", "submitted", "Nộp hồ sơ trực tuyến"),
                (CLERK, "tiep_nhan", "submitted", "received", NOTE),
                (CLERK, "xu_ly", "received", "processing", NOTE),
            )
        ),
    )
    return code


def test_the_form_has_labelled_fields_and_asks_for_no_login(portal_client):
    body = get_page(portal_client, PAGE).get_data(as_text=True)
    assert '<label class="field__label" for="ma">Mã hồ sơ</label>' in body
    assert f'<label class="field__label" for="bon-so-cuoi">{FACTOR_WORDS}</label>' in body
    assert 'method="get"' in body and 'inputmode="numeric"' in body
    assert "Không cần đăng nhập" in body


def test_the_code_and_the_last_four_digits_show_the_status_without_personal_data(
    portal_client, filed
):
    resp = get_page(portal_client, _url(ma=filed, bon_so_cuoi=AN[-4:]))
    body = resp.get_data(as_text=True)
    text = page_text(body)
    for shown in (
        filed,
        "Cấp Giấy xác nhận tình trạng hôn nhân",
        "Trạng thái Đang xử lý",
        f"Cơ quan giải quyết {factories.COMMUNE_NAME}",
        f"Nơi tiếp nhận hồ sơ {factories.COMMUNE_NAME}",
        "Ngày hẹn trả kết quả 26/11/2026",
        "23/11/2026 : Mới nộp, chờ tiếp nhận",
        "23/11/2026 : Đã tiếp nhận",
        "23/11/2026 : Đang xử lý",
    ):
        assert shown in text, shown
    for personal in (AN, AN[-4:], NAME, "Nguyễn Văn", CLERK, factories.NAMES[CLERK], NOTE):
        assert personal not in body, personal
    assert "Nơi thường trú" not in body and "Nộp hồ sơ trực tuyến" not in body
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["Referrer-Policy"] == "no-referrer"


def _without_typed(body: str, *typed: str) -> str:
    for value in typed:
        body = body.replace(html.escape(value), "")
    return body


def test_a_wrong_code_and_a_wrong_factor_get_the_same_answer(portal_client, filed):
    wrong_code = filed[:-1] + ("9" if filed[-1] != "9" else "8")
    by_code = get_page(portal_client, _url(ma=wrong_code, bon_so_cuoi=AN[-4:]), 404)
    by_factor = get_page(portal_client, _url(ma=filed, bon_so_cuoi="0000"), 404)
    first, second = by_code.get_data(as_text=True), by_factor.get_data(as_text=True)
    assert html.escape(NOT_FOUND) in first
    assert _without_typed(first, wrong_code, AN[-4:]) == _without_typed(second, filed, "0000")
    assert f'value="{html.escape(wrong_code)}"' in first  # what was typed, kept


def test_a_draft_is_never_found(portal_app, portal_client):
    factories.add_rows(portal_app, factories.commune_office())
    (code,) = factories.add_dossiers(portal_app, {"status": "draft", "submitted_at": None})
    get_page(portal_client, _url(ma=code, bon_so_cuoi=AN[-4:]), 404)


LONG = "7" * 5000
BAD_INPUTS = [
    # (code typed, digits typed, the field with the message, words of the message)
    ("", "1234", "ma", "Nhập mã hồ sơ"),
    ("79.26743-261123-0001", "", "bon-so-cuoi", "Nhập 4 số cuối"),
    (LONG, "1234", "ma", "tối đa 48 ký tự"),
    ("79.26743\x00-261123-0001", "1234", "ma", "ký tự điều khiển"),
    ("79.26743\u202e-261123-0001", "1234", "ma", "ký tự điều khiển"),
    ("<script>alert(1)</script>", "1234", "ma", "chỉ gồm chữ số"),
    ("79.26743-261123-0001", "١٢٣٤", "bon-so-cuoi", "đúng 4 chữ số"),
    ("79.26743-261123-0001", "12²4", "bon-so-cuoi", "đúng 4 chữ số"),
    ("79.26743-261123-0001", "１２３４", "bon-so-cuoi", "đúng 4 chữ số"),
    ("79.26743-261123-0001", "12\x0034", "bon-so-cuoi", "ký tự điều khiển"),
    ("79.26743-261123-0001", "12345", "bon-so-cuoi", "đúng 4 chữ số"),
    ("79.26743-261123-0001", "abcd", "bon-so-cuoi", "đúng 4 chữ số"),
]


@pytest.mark.parametrize(("code", "digits", "field", "message"), BAD_INPUTS)
def test_malformed_input_is_named_next_to_its_field_and_kept(
    portal_client, code, digits, field, message
):
    resp = portal_client.get(PAGE, query_string={"ma": code, "bon_so_cuoi": digits})
    assert resp.status_code == 400
    body = resp.get_data(as_text=True)
    check_page(body)
    error = re.search(rf'<p class="field__error" id="{field}-loi">(.*?)</p>', body, re.S)
    assert error and message in html.unescape(error[1])
    described = re.search(rf'<input [^>]*id="{field}"[^>]*>', body, re.S)
    assert described and f"{field}-loi" in described[0] and 'aria-invalid="true"' in described[0]
    typed = code if field == "ma" else digits
    kept = "".join(ch for ch in typed if ch.isprintable())[:200]
    if kept:
        assert f'value="{html.escape(kept)}"' in body
    assert "\x00" not in body and "Không tìm thấy hồ sơ" not in body


def test_bytes_that_are_no_utf_8_are_a_message_too(portal_client):
    """A lone surrogate's bytes (what a fuzzer sends): Werkzeug decodes them as U+FFFD."""
    resp = portal_client.get(PAGE, query_string="ma=%ED%A0%80&bon_so_cuoi=%FF%FE%00%00")
    assert resp.status_code == 400
    body = resp.get_data(as_text=True)
    check_page(body)
    assert 'id="ma-loi"' in body and 'id="bon-so-cuoi-loi"' in body


def test_only_one_field_given_still_names_the_other(portal_client):
    resp = portal_client.get(_url(ma="79.26743-261123-0001"))
    assert resp.status_code == 400
    assert "Nhập 4 số cuối" in resp.get_data(as_text=True)


@pytest.fixture
def limited(tmp_path):
    limits = dict(TestConfig.RATE_LIMITS) | {"tracking": "3/minute"}
    app = make_portal(
        tmp_path,
        issuer="http://127.0.0.1:9",
        portal_url="http://portal.test",
        RATE_LIMITS=limits,
        RATELIMIT_KEY_PREFIX=f"t-{uuid.uuid4().hex}",
    )
    yield app
    dispose(app)


def test_lookups_are_limited_per_address_with_the_vietnamese_429(limited):
    client = limited.test_client()
    lookup = _url(ma="79.26743-261123-0001", bon_so_cuoi="0000")
    assert [client.get(lookup).status_code for _ in range(3)] == [404, 404, 404]
    refused = client.get(_url(ma="", bon_so_cuoi=""))  # malformed ones count too
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "Quá nhiều yêu cầu" in refused.get_data(as_text=True)
    other = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get(lookup, environ_base=other).status_code == 404


# --- the instruction on the acknowledgement and the receipt -----------------------------------


@pytest.fixture
def owner(portal_app, portal_client, filed):
    factories.sign_in(portal_app, portal_client)
    return portal_client


def test_the_receipt_page_and_pdf_say_how_to_track(owner, filed):
    page = page_text(get_page(owner, f"/ho-so/{filed}/phieu-tiep-nhan").get_data(as_text=True))
    expected = f"tại http://portal.test/tra-cuu-ho-so {INSTRUCTION} {filed} và {FACTOR_WORDS}"
    assert expected in page
    pdf = owner.get(f"/ho-so/{filed}/phieu-tiep-nhan.pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(pdf.data)).pages).split())
    assert "http://portal.test/tra-cuu-ho-so" in text and FACTOR_WORDS in text


def test_the_submission_acknowledgement_says_how_to_track(portal_app, portal_client):
    factories.add_rows(portal_app, factories.commune_office())
    (code,) = factories.add_dossiers(portal_app, {"status": "submitted"})
    factories.sign_in(portal_app, portal_client)
    page = page_text(get_page(portal_client, f"/ho-so/{code}").get_data(as_text=True))
    assert "Xác nhận đã nộp hồ sơ trực tuyến" in page
    assert f"tại http://portal.test/tra-cuu-ho-so {INSTRUCTION} {code} và {FACTOR_WORDS}" in page


def test_the_public_pages_link_the_tracking_page(portal_client):
    for path in ("/", "/tra-cuu-ket-qua", "/thong-ke"):
        body = get_page(portal_client, path).get_data(as_text=True)
        assert f'href="{PAGE}"' in body, path
    footer = get_page(portal_client, "/").get_data(as_text=True).split("<footer", 1)[1]
    for href in (PAGE, "/tra-cuu-ket-qua", "/thong-ke", "/phan-anh"):
        assert f'href="{href}"' in footer, href


def test_a_one_stop_centre_and_a_linked_group_show_their_bodies(portal_app, portal_client):
    centre = Office(
        code="79.ttpvhcc", name="Trung tâm PVHCC TP.HCM", kind="ttpvhcc", province_code=79
    )
    bhxh = Office(code="79.bhxh", name="BHXH TP.HCM", kind="bhxh", province_code=79)
    factories.add_rows(portal_app, factories.commune_office(), centre, bhxh)
    (lead,) = factories.add_dossiers(
        portal_app, {"status": "approved", "receiving_office_code": "79.ttpvhcc"}
    )
    lead_id = factories.load(portal_app, lead).id
    (part,) = factories.add_dossiers(
        portal_app,
        {"office_code": "79.bhxh", "group_id": lead_id, "procedure_code": "1.001193"},
    )
    text = page_text(
        get_page(portal_client, _url(ma=part, bon_so_cuoi=AN[-4:])).get_data(as_text=True)
    )
    assert f"Hồ sơ {lead}" in text
    assert "Nơi tiếp nhận hồ sơ Trung tâm PVHCC TP.HCM" in text
    assert "Đang giải quyết liên thông (0/2 cơ quan đã xong)" in text
    assert "BHXH TP.HCM Mới nộp, chờ tiếp nhận" in text
