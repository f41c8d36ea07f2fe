"""Choosing how to receive the result at filing, over real HTTP (both apps live): the last
step offers the three ways with the address prefilled from the registry's residence; by post
the summary shows the charge of the zone before the citizen submits; a bad address is said
next to its field and what was typed is kept; the dossier stores the choice and the charge."""

from __future__ import annotations

import html

import pytest

from portal.models import Dossier
from portal.services import delivery
from tests.factories import stored
from tests.support.apps import running_apps
from tests.support.filing import Filer, csrf_token, dossier_code
from tests.support.html import page_text

AN, KHOA = "079095001234", "079093004567"
COPY = "2.000635"  # a copy of a civil-status extract, at the commune of residence
STEPS = {"nguoi-yeu-cau": {}, "yeu-cau": {"record_type": "Trích lục khai sinh", "copies": "1"}}


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with running_apps(tmp_path_factory.mktemp("delivery")) as apps:
        yield apps


def _submit(filer: Filer, **choice: str):
    form = filer.submit_form(COPY) | choice
    return filer.post_submit(COPY, form)


def test_by_post_the_charge_is_shown_before_the_dossier_is_filed(live):
    an = Filer.login(live, AN)
    an.fill(COPY, STEPS)
    summary = an.review(COPY).text
    assert 'value="15 Lê Lợi"' in summary  # the registry's residence, prefilled
    assert 'value="Phường Bến Thành, Thành phố Hồ Chí Minh"' in summary
    assert 'id="nhan-online" name="nhan_ket_qua" value="online" checked' in summary
    chosen = {delivery.METHOD: "post", delivery.STREET: "15 Lê Lợi",
              delivery.WARD: "Phường Bến Thành, Thành phố Hồ Chí Minh"}  # fmt: skip
    first = _submit(an, **chosen)
    assert first.status_code == 302 and first.headers["Location"].endswith("/xem-lai")
    assert not stored(live.portal_app, Dossier, applicant_id=AN, draft_key=None)
    text = page_text(an.review(COPY).text)
    assert "Cước bưu chính 26.000 đồng được cộng vào số tiền phải nộp" in text
    assert "Cước bưu chính 26.000 đồng gửi cùng xã, phường với nơi tiếp nhận" in text
    code = dossier_code(_submit(an, **chosen))
    assert code, "the second submit files the dossier"
    (dossier,) = stored(live.portal_app, Dossier, code=code)
    assert (dossier.delivery_method, dossier.delivery_fee) == ("post", 26_000)
    assert dossier.delivery_address == "15 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh"


@pytest.mark.parametrize(
    ("street", "ward", "field", "words"),
    [
        ("", "Phường Bến Thành, Thành phố Hồ Chí Minh", delivery.STREET, delivery.NO_STREET),
        ("x" * 10_000, "Phường Bến Thành", delivery.STREET, "dài quá 150 ký tự"),
        ("12 Hàng\x07 Bạc", "Phường Bến Thành", delivery.STREET, "ký tự điều khiển"),
        ("12 Hàng Bạc", "Phường Không Có", delivery.WARD, "Không tìm thấy xã, phường"),
        ("12 Hàng Bạc", "", delivery.WARD, delivery.NO_WARD),
    ],
)
def test_a_bad_address_is_said_next_to_its_field_and_kept(live, street, ward, field, words):
    khoa = Filer.login(live, KHOA)
    khoa.fill(COPY, STEPS)
    resp = _submit(khoa, nhan_ket_qua="post", dia_chi_nhan=street, xa_nhan=ward)
    assert resp.status_code == 302  # back to the summary, nothing filed
    page = khoa.review(COPY).text
    assert f'id="{field}-loi"' in page and html.escape(words) in page
    kept = (street if field == delivery.WARD else ward)[:120]
    if kept:
        assert f'value="{html.escape(kept)}"' in page
    assert 'id="nhan-post" name="nhan_ket_qua" value="post" checked' in page
    assert not stored(live.portal_app, Dossier, applicant_id=KHOA, procedure_code=COPY,
                      draft_key=None)  # fmt: skip


def test_an_unknown_way_is_refused_and_the_desk_costs_nothing(live):
    khoa = Filer.login(live, KHOA)
    khoa.fill(COPY, STEPS)
    assert _submit(khoa, nhan_ket_qua="drone").status_code == 302
    assert html.escape(delivery.NO_METHOD) in khoa.review(COPY).text
    code = dossier_code(_submit(khoa, nhan_ket_qua="counter"))
    assert code
    (dossier,) = stored(live.portal_app, Dossier, code=code)
    assert (dossier.delivery_method, dossier.delivery_fee, dossier.delivery_address) == (
        "counter", 0, None)  # fmt: skip
    assert csrf_token(khoa.get(f"/ho-so/{code}").text)  # the dossier page renders
