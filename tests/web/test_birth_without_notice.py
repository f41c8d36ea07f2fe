"""A birth registration (1.001193) without an electronic birth notice, over real HTTP: both
apps run as live servers, the portal reads the registry through the provider's population
API, the seeded personas (seeds/personas.toml) file.

With a notice (Lê Thị Hoa, notice GCS-79-2026-004512 of Bệnh viện Từ Dũ) the birth date, sex,
place and the notice come from it, locked, and no paper is asked. Without one (Võ Thị Mai,
whose child was born at home in Hà Nội) the mother types them, her own data as a parent come
from the registry (she is the mother: a woman), she types the father's number and name, which
the registry must confirm before she goes on, and attaches the witness statement (or a paper
notice). The dossier says which values were typed; the clerk sees them as declared; the
registry's birth write takes them as declared (no notice number) and names both parents.
"""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from identity_mock.db import db as idp_db
from identity_mock.models import Person, PopulationWrite
from portal.models import Dossier
from portal.services import issuing, results
from portal.services.prefill import TYPED_KEY
from procedures import load_catalogue
from tests.factories import act, load, ready_to_sign, sign_in, stored
from tests.support.apps import running_apps
from tests.support.filing import dossier_code, signed_in_filers
from tests.support.html import check_page, locked_value, page_text, typed_input

BIRTH = "1.001193"
HOA, NOTICE = "052196007890", "GCS-79-2026-004512"  # with the hospital's electronic notice
MAI, BAO = "001190023456", "038088012345"  # wife and husband in Hà Nội, no notice
LONG = "001085101234"  # Đặng Văn Long, UBND Phường Ba Đình: Mai's commune
PAPER = "Giấy chứng sinh (bản giấy) hoặc văn bản của người làm chứng xác nhận việc sinh"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
CHILD = {
    "child_birth_date": "20/11/2026",
    "child_sex": "Nam",
    "child_birth_place": "Nhà riêng, 8 Kim Mã, Phường Ba Đình, Thành phố Hà Nội",
    "birth_notice_number": "",  # no paper notice: a witness statement
    "child_full_name": "Phạm Minh Đức",
    "child_ethnicity": "Kinh",
    "child_hometown": "Phường Ba Đình, Thành phố Hà Nội",
}
FATHER = {
    "father_personal_id": BAO,
    "father_full_name": "Phạm Quốc Bảo",
    "father_birth_date": "30/11/1988",
    "father_ethnicity": "Kinh",
    "father_nationality": "Việt Nam",
    "father_residence": "8 Kim Mã, Phường Ba Đình, Thành phố Hà Nội",
}


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with running_apps(tmp_path_factory.mktemp("birth-without-notice")) as apps:
        yield apps


@pytest.fixture(scope="module")
def filers(live):
    return signed_in_filers(live)


# --- with the electronic birth notice ---------------------------------------------------------


def test_the_notice_fills_the_birth_and_no_paper_is_asked(live, filers):
    hoa = filers(HOA)
    hoa.start(BIRTH)
    page = hoa.get(f"/nop-ho-so/{BIRTH}/tre").text
    check_page(page)
    assert locked_value(page, "child_birth_date") == "15/11/2026"
    assert locked_value(page, "child_sex") == "Nữ"
    assert locked_value(page, "birth_notice_number") == NOTICE
    for name in ("child_birth_date", "child_sex", "child_birth_place", "birth_notice_number"):
        assert not typed_input(page, name), name
    named = {"child_full_name": "Trần Bảo Ngọc", "child_ethnicity": "Kinh",
             "child_hometown": "Xã Tam Quan, tỉnh Gia Lai"}  # fmt: skip
    assert hoa.post_step(BIRTH, "tre", named).status_code == 302
    page = hoa.get(f"/nop-ho-so/{BIRTH}/cha-me").text
    assert locked_value(page, "mother_personal_id") == HOA
    assert locked_value(page, "father_personal_id") == "079093004567"  # on the notice
    resp = hoa.post_step(BIRTH, "cha-me")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/noi-nop")
    assert hoa.get(f"/nop-ho-so/{BIRTH}/tep-dinh-kem").status_code == 404
    text = page_text(hoa.review(BIRTH).text)
    assert f"{PAPER}: thay bằng giấy chứng sinh điện tử" in text, text[:3000]


# --- without one --------------------------------------------------------------------------------


def test_without_a_notice_the_parents_declare_the_birth(live, filers):
    mai = filers(MAI)
    mai.start(BIRTH)
    page = mai.get(f"/nop-ho-so/{BIRTH}/tre").text
    check_page(page)
    for name in ("child_birth_date", "child_sex", "child_birth_place", "birth_notice_number"):
        assert typed_input(page, name) and locked_value(page, name) is None, name
    refused = mai.post_step(BIRTH, "tre", {**CHILD, "child_birth_date": "31/11/2026"})
    assert refused.status_code == 400
    assert "Ngày sinh của trẻ phải là ngày hợp lệ" in refused.text
    assert mai.post_step(BIRTH, "tre", CHILD).status_code == 302

    # she is the mother (the registry's record of her, locked); the father is typed
    page = mai.get(f"/nop-ho-so/{BIRTH}/cha-me").text
    check_page(page)
    assert locked_value(page, "mother_personal_id") == MAI
    assert locked_value(page, "mother_full_name") == "Võ Thị Mai"
    assert not typed_input(page, "mother_personal_id")
    assert typed_input(page, "father_personal_id") and typed_input(page, "father_full_name")
    wrong = mai.post_step(BIRTH, "cha-me", {**FATHER, "father_full_name": "Phạm Quốc Bão"})
    assert wrong.status_code == 400
    assert "không khớp với CSDLQG về dân cư" in page_text(wrong.text)
    own = mai.post_step(BIRTH, "cha-me", {**FATHER, "father_personal_id": MAI})
    assert own.status_code == 400 and "số định danh của chính bạn" in page_text(own.text)
    resp = mai.post_step(BIRTH, "cha-me", FATHER)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/tep-dinh-kem")

    step = mai.get(f"/nop-ho-so/{BIRTH}/tep-dinh-kem").text
    check_page(step)
    assert "văn bản của người làm chứng" in step
    refused = mai.post_step(BIRTH, "tep-dinh-kem")
    assert refused.status_code == 400
    [slot] = re.findall(r'type="file" id="(upload_\d+)"', step)  # the one paper asked
    paper = {slot: ("van-ban-nguoi-lam-chung.pdf", PDF, "application/pdf")}
    assert mai.post_step(BIRTH, "tep-dinh-kem", files=paper).status_code == 302
    assert mai.post_step(BIRTH, "noi-nop").status_code == 302

    text = page_text(mai.review(BIRTH).text)
    assert "Cần khai" not in text and "Cần đính kèm" not in text, text[:3000]
    assert "thay bằng giấy chứng sinh điện tử" not in text
    submitted = mai.submit(BIRTH)
    code = dossier_code(submitted)
    assert code, ("the birth was not filed", page_text(mai.review(BIRTH).text)[:4000])
    (dossier,) = stored(live.portal_app, Dossier, code=code)
    data = dossier.data
    assert (data["child_birth_date"], data["child_sex"]) == ("2026-11-20", "Nam")
    assert (data["mother_personal_id"], data["father_personal_id"]) == (MAI, BAO)
    typed = set(data[TYPED_KEY])
    assert {"child_birth_date", "child_sex", "child_birth_place", "birth_notice_number"} <= typed
    assert {"father_personal_id", "father_full_name"} <= typed
    assert "mother_personal_id" not in typed  # hers, from the registry

    # The clerk reads the declared values as declared, the registry's as the registry's.
    rows = {r["label"]: r for r in issuing.field_rows(load_catalogue().get(BIRTH), dossier)}
    assert rows["Ngày sinh của trẻ"]["prefilled"] is False
    assert rows["Số định danh cá nhân của cha"]["prefilled"] is False
    assert rows["Số định danh cá nhân của mẹ"]["prefilled"] is True

    # The UBND approves: the registry creates the child from the declaration, both parents
    clerk = live.portal_app.test_client()
    sign_in(live.portal_app, clerk, LONG, "Đặng Văn Long")
    page = clerk.get(f"/can-bo/ho-so/{code}").get_data(as_text=True)
    assert "Người nộp kê khai" in page
    for action in ("receive", "start"):
        assert act(clerk, code, action).status_code == 302, action
    ready_to_sign(live.portal_app, clerk, code)
    assert act(clerk, code, "approve").status_code == 302
    found = load(live.portal_app, code)
    assert (found.status, found.registry_sync) == ("approved", "done"), found.registry_error
    with live.idp_app.app_context(), idp_db.new_session() as session:
        write = session.exec(select(PopulationWrite).where(PopulationWrite.reference == code)).one()
        child = session.get(Person, write.subject_id)
        assert child is not None
        assert (child.mother_id, child.father_id) == (MAI, BAO)
        assert (child.birth_date.isoformat(), child.sex) == ("2026-11-20", "nam")
    assert write.result["declared"] is True and write.result["proof"] == "nguoi_lam_chung"
    assert write.result["birth_place"] == CHILD["child_birth_place"]
    with live.portal_app.app_context():
        from portal.db import db

        with db.new_session() as session:
            assert found.id is not None  # stored
            [paper_doc] = results.of_dossier(session, found.id)
    assert paper_doc.kind == "giay_khai_sinh"
    assert (
        paper_doc.content["Người được đăng ký khai sinh"]["Số định danh cá nhân"]
        == child.personal_id
    )
