"""Declaring a death (1.000656) from the health system's electronic death notice, over real
HTTP: both apps run as live servers, the portal reads the registry through the provider's
population API, the seeded personas (seeds/personas.toml) file.

With a notice (Huỳnh Thị Ngọc Hân for her father Huỳnh Văn Sáu, notice GBT-79-2026-000871 of
Bệnh viện Chợ Rẫy) the deceased, the date, time, place and cause of death and the notice come
from it, locked, and no paper notice is asked; a value sent back changed is refused. Without a
notice (Phạm Quốc Bảo for his wife Võ Thị Mai, who has none) the declarer types them and
attaches the paper notice or what stands in for it; the dossier says which values were typed,
and the clerk sees them as declared, not as the registry's.
"""

from __future__ import annotations

import re

import pytest

from portal.models import Dossier
from portal.services import issuing
from portal.services.prefill import TYPED_KEY
from procedures import load_catalogue
from tests.factories import stored
from tests.support.apps import running_apps
from tests.support.filing import dossier_code, signed_in_filers
from tests.support.html import check_page, locked_value, page_text, typed_input

DEATH = "1.000656"
HAN, SAU = "079178055642", "079049003311"  # the daughter files, the father died
BAO, MAI = "038088012345", "001190023456"  # husband and wife, no death notice
NOTICE = "GBT-79-2026-000871"
FROM_THE_NOTICE = {
    "deceased_personal_id": SAU,
    "deceased_stated_full_name": "Huỳnh Văn Sáu",
    "death_notice_number": NOTICE,
    "death_notice_issuer": "Bệnh viện Chợ Rẫy",
    "death_notice_issued_on": "27/11/2026",
    "death_date": "26/11/2026",
    "death_time": "22:15",
    "death_place": "Bệnh viện Chợ Rẫy, 201B Nguyễn Chí Thanh, Thành phố Hồ Chí Minh",
    "death_cause": "Suy tim",
}
PAPER = "Giấy báo tử hoặc giấy tờ thay giấy báo tử"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with running_apps(tmp_path_factory.mktemp("death-notice")) as apps:
        yield apps


@pytest.fixture(scope="module")
def filers(live):
    return signed_in_filers(live)


def _filed(live, applicant: str) -> list[Dossier]:
    return [
        d
        for d in stored(live.portal_app, Dossier, applicant_id=applicant, procedure_code=DEATH)
        if d.code
    ]


# --- with the electronic death notice ---------------------------------------------------------


def test_the_notice_fills_the_deceased_and_the_death_and_no_paper_is_asked(live, filers):
    han = filers(HAN)
    first = han.start(DEATH)
    assert first.url.endswith("/nguoi-khai")
    assert han.post_step(DEATH, "nguoi-khai", {"relation_to_deceased": "Con"}).status_code == 302

    page = han.get(f"/nop-ho-so/{DEATH}/nguoi-chet").text
    check_page(page)
    assert locked_value(page, "deceased_personal_id") == SAU
    assert locked_value(page, "deceased_stated_full_name") == "Huỳnh Văn Sáu"
    assert not typed_input(page, "deceased_personal_id")
    assert not typed_input(page, "deceased_stated_full_name")
    resp = han.post_step(DEATH, "nguoi-chet")  # the registry proves she is his daughter
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/thong-tin-nguoi-chet")

    page = han.get(f"/nop-ho-so/{DEATH}/thong-tin-nguoi-chet").text
    assert locked_value(page, "deceased_birth_date") == "10/05/1949"
    assert han.post_step(DEATH, "thong-tin-nguoi-chet").status_code == 302

    page = han.get(f"/nop-ho-so/{DEATH}/su-kien").text
    check_page(page)
    for name in ("death_notice_number", "death_notice_issuer", "death_date", "death_time",
                 "death_place", "death_cause"):  # fmt: skip
        assert locked_value(page, name) == FROM_THE_NOTICE[name], name
        assert not typed_input(page, name), name
    resp = han.post_step(DEATH, "su-kien")
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("/noi-nop")  # no attachments page: the notice
    assert han.get(f"/nop-ho-so/{DEATH}/tep-dinh-kem").status_code == 404
    assert han.post_step(DEATH, "noi-nop").status_code == 302

    summary = han.review(DEATH).text
    check_page(summary)
    text = page_text(summary)
    assert "Cần khai" not in text and "Cần đính kèm" not in text, text[:2000]
    assert f"{PAPER}: thay bằng giấy báo tử điện tử của cơ sở y tế" in text
    assert NOTICE in text and "Suy tim" in text

    code = dossier_code(han.submit(DEATH))
    assert code, "the declaration was not filed"
    (dossier,) = _filed(live, HAN)
    assert dossier.code == code
    data = dossier.data
    assert data["deceased_personal_id"] == SAU
    assert data["death_notice_number"] == NOTICE
    assert data["death_date"] == "2026-11-26"  # kept as a typed date is: fees, the registry
    assert data["death_place"] == FROM_THE_NOTICE["death_place"]
    assert TYPED_KEY not in data  # everything came from the notice
    assert stored(live.portal_app, Dossier, id=dossier.id)[0].subject_key == f"deceased:{SAU}"


def test_a_value_of_the_notice_cannot_be_replaced_by_a_typed_one(live, filers):
    han = filers(HAN)
    han.start(DEATH)
    resp = han.post_step(DEATH, "su-kien", {"death_date": "20/11/2026", "death_place": "Nhà riêng"})
    assert resp.status_code == 400
    assert "Thông tin này lấy từ CSDLQG về dân cư, không sửa được." in resp.text
    drafts = stored(live.portal_app, Dossier, applicant_id=HAN, status="draft")
    assert all("death_place" not in d.data and "death_date" not in d.data for d in drafts)


# --- without one ----------------------------------------------------------------------------------


def test_without_a_notice_the_declarer_types_the_death_and_attaches_the_paper(live, filers):
    bao = filers(BAO)
    bao.start(DEATH)
    assert bao.post_step(DEATH, "nguoi-khai", {"relation_to_deceased": "Chồng"}).status_code == 302

    page = bao.get(f"/nop-ho-so/{DEATH}/nguoi-chet").text
    assert typed_input(page, "deceased_personal_id")
    assert typed_input(page, "deceased_stated_full_name")
    assert locked_value(page, "deceased_personal_id") is None
    named = {"deceased_personal_id": MAI, "deceased_stated_full_name": "Võ Thị Mai"}
    assert bao.post_step(DEATH, "nguoi-chet", named).status_code == 302
    assert bao.post_step(DEATH, "thong-tin-nguoi-chet").status_code == 302

    page = bao.get(f"/nop-ho-so/{DEATH}/su-kien").text
    check_page(page)
    for name in ("death_notice_number", "death_date", "death_place", "death_cause"):
        assert typed_input(page, name) and locked_value(page, name) is None, name
    assert "giấy tờ thay giấy báo tử" in page
    refused = bao.post_step(DEATH, "su-kien", {"death_date": "31/02/2026"})
    assert refused.status_code == 400
    assert "Ngày chết phải là ngày hợp lệ" in refused.text
    assert "Vui lòng nhập nơi chết." in refused.text
    event = {"death_date": "01/12/2026", "death_place": "Nhà riêng, 21 Hàng Bạc, Hà Nội"}
    resp = bao.post_step(DEATH, "su-kien", event)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/tep-dinh-kem")

    step = bao.get(f"/nop-ho-so/{DEATH}/tep-dinh-kem").text
    check_page(step)
    assert re.findall(r'type="file" id="(upload_\d+)"', step) == ["upload_1"]
    refused = bao.post_step(DEATH, "tep-dinh-kem")
    assert refused.status_code == 400
    assert "Vui lòng đính kèm giấy báo tử hoặc giấy tờ thay giấy báo tử." in refused.text
    paper = {"upload_1": ("giay-bao-tu.pdf", PDF, "application/pdf")}
    assert bao.post_step(DEATH, "tep-dinh-kem", files=paper).status_code == 302
    assert bao.post_step(DEATH, "noi-nop").status_code == 302

    text = page_text(bao.review(DEATH).text)
    assert "Cần khai" not in text and "Cần đính kèm" not in text, text[:2000]
    assert "thay bằng giấy báo tử điện tử" not in text
    code = dossier_code(bao.submit(DEATH))
    assert code, "the declaration was not filed"
    (dossier,) = _filed(live, BAO)
    assert dossier.data["deceased_personal_id"] == MAI
    assert dossier.data["death_date"] == "2026-12-01"
    typed = set(dossier.data[TYPED_KEY])
    assert {"deceased_personal_id", "deceased_stated_full_name", "death_date"} <= typed
    assert "death_notice_number" in typed  # empty: no number given for the paper

    # The clerk reads the typed values as declared, the registry's as the registry's.
    rows = {r["label"]: r for r in issuing.field_rows(load_catalogue().get(DEATH), dossier)}
    assert rows["Ngày chết"]["prefilled"] is False
    assert rows["Số định danh cá nhân của người đã chết"]["prefilled"] is False
    assert rows["Họ, chữ đệm và tên của người đã chết"]["prefilled"] is True  # partner.*
    assert TYPED_KEY not in {r["label"] for r in issuing.field_rows(None, dossier)}
