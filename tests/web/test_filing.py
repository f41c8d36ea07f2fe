"""Filing a dossier over real HTTP: both apps run as live servers (this module's own pair),
the portal reads the registry through the provider's population API.

Covers every filing page and every bad input of the filing issue: invalid fields keep what was
typed, unknown codes are 404, a replayed or double-clicked submit files one dossier, another
citizen's dossier is 404, a locked value sent back changed is refused, a level-1 account gets
an explanation, a registry outage keeps the draft, and uploads are checked.
"""

from __future__ import annotations

import re
import threading
from datetime import date
from pathlib import Path

import pytest
import requests
from sqlmodel import select

from portal.db import db as portal_db
from portal.models import Dossier, DossierEvent, DossierFile
from portal.services.deadlines import today
from portal.services.fees import format_dong
from tests.factories import stored
from tests.support import flows
from tests.support.apps import running_apps
from tests.support.filing import Filer, csrf_token, dossier_code, signed_in_filers

AN, LAN, KHOA, HOA = "079095001234", "079302034567", "079093004567", "052196007890"
BAO, MAI, THO, NGA, TU, THU = (
    "038088012345", "001190023456", "001040056789", "079165067890", "079080078901",
    "079199089012",
)  # fmt: skip
QUYNH, HANH = "079178112345", "079187090123"
CODE_SHAPE = re.compile(r"^79\.\d{5}-\d{6}-\d{4}$|^79\.so-tu-phap-\d{6}-\d{4}$")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TT117 = "national:TT 117/2026/TT-BTC"


def in_tt117() -> bool:
    """Whether today is within TT 117/2026/TT-BTC's exemption (the suite runs on the clock)."""
    return date(2026, 8, 15) <= today() <= date(2027, 2, 28)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with running_apps(tmp_path_factory.mktemp("filing")) as apps:
        yield apps


@pytest.fixture(scope="module")
def filers(live):
    return signed_in_filers(live)


def _dossiers(live, **where) -> list[Dossier]:
    return stored(live.portal_app, Dossier, **where)


def _draft(live, personal_id: str, code: str) -> Dossier | None:
    found = _dossiers(live, applicant_id=personal_id, procedure_code=code, status="draft")
    return found[0] if found else None


def _switch(live, *names: str) -> None:
    resp = requests.put(live.idp_url + "/test/switches", json={"active": list(names)}, timeout=5)
    resp.raise_for_status()


NAMING_LAN = {
    "partner_personal_id": LAN,
    "partner_full_name": "Đỗ Thị Lan",
    "partner_birth_date": "15/01/2002",
}
MARRIAGE_STEPS = {"ban-than": {}, "ben-kia": NAMING_LAN, "thong-tin-ben-kia": {}}


# --- pages ------------------------------------------------------------------------------------


def test_start_opens_the_first_step_with_registry_values_locked(filers):
    an = filers(AN)
    page = an.start("1.000894")
    assert page.url.endswith("/nop-ho-so/1.000894/ban-than")
    assert page.status_code == 200
    assert "Nguyễn Văn An" in page.text
    assert "Lấy từ CSDLQG về dân cư" in page.text
    # A locked value is shown read-only and never has a name, so it is never posted back.
    locked = re.search(r'<input[^>]*id="applicant_full_name"[^>]*>', page.text)[0]
    assert "readonly" in locked and "name=" not in locked


def test_one_draft_per_citizen_and_procedure(live, filers):
    nga = filers(NGA)
    for _ in range(3):
        nga.start("2.000635")
    assert len(_dossiers(live, applicant_id=NGA, procedure_code="2.000635")) == 1


def test_concurrent_starts_make_one_draft(live):
    tu = Filer.login(live, TU)
    threads = [threading.Thread(target=tu.start, args=("1.004873",)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(_dossiers(live, applicant_id=TU, procedure_code="1.004873")) == 1


@pytest.mark.parametrize(
    "path",
    ["/nop-ho-so/9.999999", "/nop-ho-so/9.999999/ban-than", "/nop-ho-so/1.000894/khong-co"],
)
def test_unknown_procedure_or_step_is_a_404_page(filers, path):
    resp = filers(AN).get(path)
    assert resp.status_code == 404
    assert "Không tìm thấy trang" in resp.text


def test_logged_out_visitor_is_sent_to_login(live):
    resp = requests.get(live.portal_url + "/nop-ho-so/1.000894", allow_redirects=False)
    assert resp.status_code == 302 and "/dang-nhap" in resp.headers["Location"]


def test_level_1_account_is_told_how_to_upgrade(live):
    result = flows.login(live.portal_url, live.idp_url, THU)
    page = result.browser.get(live.portal_url + "/nop-ho-so/1.000894")
    assert page.status_code == 403
    assert "mức 2" in page.text
    assert not _dossiers(live, applicant_id=THU)


# --- bad input --------------------------------------------------------------------------------


def test_invalid_field_is_explained_next_to_it_and_kept(live, filers):
    an = filers(AN)
    an.start("1.000894")
    resp = an.post_step("1.000894", "ben-kia", {"partner_personal_id": "07930203456"})
    assert resp.status_code == 400
    assert 'id="partner_personal_id-error"' in resp.text
    assert 'value="07930203456"' in resp.text  # what was typed is still there
    assert _draft(live, AN, "1.000894").data["partner_personal_id"] == "07930203456"


def test_partner_not_in_the_registry_is_explained_next_to_the_field(filers):
    """An unknown number gets the same answer as a wrong name: nobody learns who exists."""
    an = filers(AN)
    an.start("1.000894")
    resp = an.post_step(
        "1.000894", "ben-kia", {**NAMING_LAN, "partner_personal_id": "079302099999"}
    )
    assert resp.status_code == 400
    error = re.search(r'id="partner_full_name-error">(.*?)</p>', resp.text, re.S)[1]
    assert "không khớp với số định danh cá nhân đã nhập" in error
    again = an.get("/nop-ho-so/1.000894/ben-kia")  # the step can still be shown and fixed
    assert again.status_code == 200 and 'value="079302099999"' in again.text


def test_own_number_as_partner_is_refused(filers):
    an = filers(AN)
    an.start("1.000894")
    resp = an.post_step("1.000894", "ben-kia", {**NAMING_LAN, "partner_personal_id": AN})
    assert resp.status_code == 400 and "chính bạn" in resp.text


def test_locked_value_sent_back_changed_is_refused(live, filers):
    an = filers(AN)
    an.start("1.000894")
    resp = an.post_step("1.000894", "ban-than", {"applicant_full_name": "Nguyễn Văn Bình"})
    assert resp.status_code == 400
    assert "không sửa được" in resp.text
    assert "applicant_full_name" not in _draft(live, AN, "1.000894").data


def test_submit_with_a_stale_or_forged_locked_hash_is_refused(live, filers):
    khoa = filers(KHOA)
    khoa.start("2.000635")
    khoa.post_step("2.000635", "nguoi-yeu-cau")
    khoa.post_step("2.000635", "yeu-cau", {"record_type": "Trích lục kết hôn", "copies": "1"})
    resp = khoa.submit("2.000635", locked_hash="0" * 64)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/xem-lai")
    page = khoa.review("2.000635")
    assert "đã thay đổi so với trang bạn vừa xem" in page.text
    assert _draft(live, KHOA, "2.000635") is not None
    assert not _dossiers(live, applicant_id=KHOA, status="submitted")


def test_missing_typed_fields_block_submit(live, filers):
    nga = filers(NGA)
    nga.start("2.000635")
    page = nga.review("2.000635")
    assert "Cần khai: Loại trích lục" in page.text or "Cần khai" in page.text
    assert 'name="locked_hash"' not in page.text
    resp = nga.submit("2.000635", locked_hash="x")
    assert resp.headers["Location"].endswith("/xem-lai")
    assert not _dossiers(live, applicant_id=NGA, status="submitted")


def test_post_without_csrf_token_is_refused(filers):
    an = filers(AN)
    resp = an.browser.post(an.url("/nop-ho-so/1.000894/ben-kia"), data={"partner_personal_id": LAN})
    assert resp.status_code == 400 and "Biểu mẫu đã hết hạn" in resp.text


def test_registry_outage_keeps_the_draft_and_what_was_typed(live, filers):
    tho = filers(THO)
    tho.start("1.000656")
    _switch(live, "population_5xx")
    try:
        resp = tho.post_step(
            "1.000656", "su-kien", {"death_date": "11/02/2020", "death_place": "Hà Nội"}
        )
        assert resp.status_code == 503
        assert "Hồ sơ nháp của bạn vẫn được giữ" in resp.text
        assert "Traceback" not in resp.text
    finally:
        _switch(live)
    draft = _draft(live, THO, "1.000656")
    assert draft.data["death_date"] == "2020-02-11" and draft.data["death_place"] == "Hà Nội"


# --- filing and after -------------------------------------------------------------------------


def test_marriage_is_filed_once_even_when_submitted_twice(live):
    an = Filer.login(live, AN)
    # No marital-status confirmation to attach: the registry is queried instead.
    an.fill("1.000894", MARRIAGE_STEPS | {"noi-nop": {}})
    form = an.submit_form("1.000894")
    resp = an.post_submit("1.000894", form)
    code = dossier_code(resp)
    assert code and CODE_SHAPE.match(code), resp.headers.get("Location")
    replay = an.post_submit("1.000894", form)  # the same POST again (back button, resend)
    assert dossier_code(replay) == code
    (dossier,) = _dossiers(live, code=code)
    # Lan must confirm before the office sees it (services/parties.py).
    assert dossier.status == "awaiting_parties" and dossier.office_code == "79.26743"
    assert dossier.subject_key == dossier.open_key == f"couple:{AN}+{LAN}"
    assert dossier.fee_amount == 0 and "Luật Hộ tịch" in dossier.fee_reason
    assert dossier.data["partner_full_name"] == "Đỗ Thị Lan"  # as An typed it
    assert dossier.data["applicant_full_name"] == "Nguyễn Văn An"
    # Before Lan consents, none of her registry data is stored in the dossier.
    assert "partner_residence" not in dossier.data
    assert "partner_marital_status" not in dossier.data
    assert dossier.due_date is None  # the appointment is given at reception
    assert "nơi thường trú" in dossier.routing_reason.lower() or dossier.routing_reason
    page = an.get(f"/ho-so/{code}")
    assert page.status_code == 200 and code in page.text and "Chờ các bên" in page.text
    assert code in an.get("/ca-nhan").text


def test_double_click_submits_one_dossier(live):
    nga = Filer.login(live, NGA)
    nga.fill("1.004873", {"nguoi-yeu-cau": {}, "tinh-trang": {},
                          "muc-dich": {"purpose": "Vay vốn ngân hàng"}, "noi-nop": {}})  # fmt: skip
    form = nga.submit_form("1.004873")
    results: list[requests.Response] = []

    def click():
        results.append(nga.post_submit("1.004873", form))

    threads = [threading.Thread(target=click) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = {dossier_code(r) for r in results}
    assert len(codes) == 1 and None not in codes, [r.status_code for r in results]
    filed = [d for d in _dossiers(live, applicant_id=NGA, procedure_code="1.004873") if d.code]
    assert len(filed) == 1
    events = _events(live, filed[0].id)
    assert [e.to_status for e in events] == ["submitted"]


def _events(live, dossier_id: int) -> list[DossierEvent]:
    with live.portal_app.app_context(), portal_db.new_session() as session:
        query = select(DossierEvent).where(DossierEvent.dossier_id == dossier_id)
        return list(session.exec(query).all())


def test_birth_registration_prefills_the_child_and_parents(live):
    hoa = Filer.login(live, HOA)
    page = hoa.start("1.001193")
    assert "GCS-79-2026-004512" in page.text or "Bệnh viện Từ Dũ" in page.text
    typed = {"child_full_name": "Trần Lê Bảo Ngọc", "child_ethnicity": "Kinh",
             "child_hometown": "Phường Bến Thành, Thành phố Hồ Chí Minh"}  # fmt: skip
    resp = hoa.file("1.001193", {"tre": typed, "cha-me": {}, "noi-nop": {}})
    code = dossier_code(resp)
    assert code, resp.text[:800]
    (dossier,) = _dossiers(live, code=code)
    assert dossier.data["mother_full_name"] == "Lê Thị Hoa"
    assert dossier.data["father_full_name"] == "Trần Minh Khoa"
    assert dossier.fee_amount == 0


def test_criminal_record_goes_to_the_province_police_with_its_fee(live):
    quynh = Filer.login(live, QUYNH)
    resp = quynh.file(
        "3.000333",
        {
            "nguoi-yeu-cau": {},
            "gia-dinh": {},
            "yeu-cau": {"request_type": "Phiếu số 1", "purpose": "Xin việc", "copies": "2"},
            "qua-trinh": {},
        },
    )
    code = dossier_code(resp)
    assert code and code.startswith("79.cong-an-"), resp.headers.get("Location")
    (dossier,) = _dossiers(live, code=code)
    # 200.000 đồng (TT 16/2025), or nothing for her VNeID level-2 account while TT 117/2026
    # runs (15/08/2026–28/02/2027); the steps start from the schedule's amount either way.
    expected = (0, TT117) if in_tt117() else (200_000, "base")
    assert (dossier.fee_amount, dossier.fee_rule) == expected
    assert dossier.fee_steps[0]["amount"] == 200_000
    assert format_dong(dossier.fee_amount) in quynh.get(f"/ho-so/{code}").text


def test_ineligible_marriage_shows_the_reason_and_files_nothing(live):
    bao = Filer.login(live, BAO)
    bao.start("1.000894")
    bao.post_step("1.000894", "ben-kia", NAMING_LAN)
    page = bao.review("1.000894")
    assert "Ông Phạm Quốc Bảo đang có tình trạng hôn nhân «Đã kết hôn»" in page.text
    assert 'name="locked_hash"' not in page.text
    resp = bao.submit("1.000894", locked_hash="x")
    assert resp.headers["Location"].endswith("/xem-lai")
    assert not [d for d in _dossiers(live, applicant_id=BAO) if d.code]


def test_another_citizens_dossier_is_a_404(live, filers):
    an = filers(AN)
    (mine,) = [d for d in _dossiers(live, applicant_id=AN) if d.code][:1] or [None]
    if mine is None:
        pytest.skip("needs the marriage test's dossier")
    khoa = filers(KHOA)  # Lan is a party of it (she must confirm): Khoa is not
    assert khoa.get(f"/ho-so/{mine.code}").status_code == 404
    csrf = csrf_token(khoa.browser.get(khoa.url("/ca-nhan")).text)
    resp = khoa.browser.post(
        khoa.url(f"/ho-so/{mine.code}/rut"), data={"csrf_token": csrf}, allow_redirects=False
    )
    assert resp.status_code == 404
    assert _dossiers(live, code=mine.code)[0].status == mine.status  # unchanged
    assert an.get(f"/ho-so/{mine.code}").status_code == 200


def test_another_citizens_draft_is_never_touched(live, filers):
    lan, an = filers(LAN), filers(AN)
    an.start("2.000635")
    an.post_step("2.000635", "yeu-cau", {"record_type": "Trích lục khai sinh", "copies": "3"})
    lan.start("2.000635")
    lan.post_step("2.000635", "yeu-cau", {"record_type": "Trích lục kết hôn", "copies": "1"})
    assert _draft(live, AN, "2.000635").data["copies"] == "3"
    assert _draft(live, LAN, "2.000635").data["copies"] == "1"


def test_withdraw_once_then_refused(live):
    tu = Filer.login(live, TU)
    resp = tu.file("2.000635", {"nguoi-yeu-cau": {},
                                "yeu-cau": {"record_type": "Trích lục khai sinh", "copies": "1"},
                                "noi-nop": {}})  # fmt: skip
    code = dossier_code(resp)
    assert code
    page = tu.get(f"/ho-so/{code}")
    csrf = csrf_token(page.text)
    confirm = tu.get(f"/ho-so/{code}/rut")
    assert confirm.status_code == 200 and "không hoàn tác được" in confirm.text
    assert Filer.login(live, LAN).get(f"/ho-so/{code}/rut").status_code == 404
    first = tu.browser.post(tu.url(f"/ho-so/{code}/rut"), data={"csrf_token": csrf})
    assert first.status_code == 200 and "Đã rút" in first.text
    second = tu.browser.post(tu.url(f"/ho-so/{code}/rut"), data={"csrf_token": csrf})
    assert "không rút được" in second.text
    assert _dossiers(live, code=code)[0].status == "withdrawn"


# --- uploads ----------------------------------------------------------------------------------

UPLOAD = "upload_1"  # the second component of 1.004194 is the one to attach
TEMP_STEPS = {
    "nguoi-dang-ky": {},
    "noi-tam-tru": {"temp_street": "12 Nguyễn Trãi", "temp_ward_code": "26743",
                    "duration_months": "12"},
    "chu-ho": {"relation_to_head": "Là chủ hộ"},
}  # fmt: skip


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("hop-dong.exe", b"MZ\x90\x00" + b"\x00" * 100, "Chỉ nhận tệp PDF, JPEG hoặc PNG"),
        ("gia-mao.pdf", b"MZ\x90\x00" + b"\x00" * 100, "Chỉ nhận tệp PDF, JPEG hoặc PNG"),
        ("anh.jpg", PNG, "Chỉ nhận tệp PDF, JPEG hoặc PNG"),  # a PNG under a JPEG name
        ("trong.pdf", b"", "Tệp trống"),
        ("lon.pdf", PDF + b"0" * (5 * 1024 * 1024), "lớn hơn 5 MB"),
    ],
    ids=["exe", "wrong-magic", "name-mismatch", "empty", "too-big"],
)
def test_bad_upload_is_explained_next_to_the_field(live, filers, name, content, message):
    nga = filers(NGA)
    nga.start("1.004194")
    resp = nga.post_step("1.004194", "tep-dinh-kem", files={UPLOAD: (name, content)})
    assert resp.status_code == 400
    error = re.search(r'id="upload_1-error">(.*?)</p>', resp.text, re.S)
    assert error and message in error[1], resp.text[:1500]


def test_missing_upload_is_asked_for(filers):
    lan = filers(LAN)
    lan.start("1.004194")
    resp = lan.post_step("1.004194", "tep-dinh-kem")
    assert resp.status_code == 400 and "Vui lòng đính kèm" in resp.text
    assert "Cần đính kèm" in lan.review("1.004194").text


def test_request_over_the_size_limit_gets_a_clear_page(filers):
    nga = filers(NGA)
    nga.start("1.004194")
    resp = nga.post_step(
        "1.004194", "tep-dinh-kem", files={UPLOAD: ("x.pdf", PDF + b"0" * 17_000_000)}
    )
    assert resp.status_code == 413 and "Tệp quá lớn" in resp.text


def test_upload_is_stored_outside_the_web_root_and_filed(live):
    an = Filer.login(live, AN)
    an.start("1.004194")
    for step, data in TEMP_STEPS.items():
        assert an.post_step("1.004194", step, data).status_code == 302, step
    resp = an.post_step("1.004194", "tep-dinh-kem", files={UPLOAD: ("hop-dong.pdf", PDF)})
    assert resp.status_code == 302
    replaced = an.post_step("1.004194", "tep-dinh-kem", files={UPLOAD: ("anh.png", PNG)})
    assert replaced.status_code == 302
    draft = _draft(live, AN, "1.004194")
    with live.portal_app.app_context(), portal_db.new_session() as session:
        (stored,) = session.exec(select(DossierFile).where(DossierFile.dossier_id == draft.id))
    folder = Path(live.portal_app.instance_path) / "uploads"
    assert [p.name for p in folder.iterdir() if p.name == stored.token] == [stored.token]
    assert stored.original_name == "anh.png" and stored.content_type == "image/png"
    assert len(stored.sha256) == 64 and stored.size == len(PNG)
    assert an.get(f"/static/{stored.token}").status_code == 404
    download = an.get(f"/tep/{stored.token}")
    assert download.status_code == 200 and download.content == PNG
    assert Filer.login(live, LAN).get(f"/tep/{stored.token}").status_code == 404
    assert "anh.png" in an.review("1.004194").text
    code = dossier_code(an.submit("1.004194"))
    assert code
    (dossier,) = _dossiers(live, code=code)
    # Lệ phí tạm trú is national (TT 75/2022: 7.000 đồng online); no province may waive it,
    # TT 117/2026 does for a level-2 account while it runs.
    expected = (0, TT117) if in_tt117() else (7_000, "base")
    assert (dossier.fee_amount, dossier.fee_rule) == expected


# --- every procedure ---------------------------------------------------------------------------


def test_every_step_of_every_procedure_renders(live, filers):
    an = filers(HANH)
    for code in sorted(live.portal_app.extensions["catalogue"].procedures):
        first = an.start(code)
        assert first.status_code == 200, (code, first.status_code, first.text[:300])
        steps = re.findall(rf"/nop-ho-so/{re.escape(code)}/([a-z0-9-]+)", first.text)
        assert steps, code
        review = an.review(code)
        assert review.status_code == 200, (code, review.text[:300])
        assert "Traceback" not in review.text


# --- JSON -------------------------------------------------------------------------------------


def test_api_lists_procedures_and_only_my_dossiers(live, filers):
    public = requests.get(live.portal_url + "/api/v1/procedures", timeout=5).json()
    assert {"1.000894", "3.000333"} <= {p["code"] for p in public["procedures"]}
    one = requests.get(live.portal_url + "/api/v1/procedures/3.000333", timeout=5).json()
    assert one["procedure"]["fees"]["base"] == 200_000
    missing = requests.get(live.portal_url + "/api/v1/procedures/9.999999", timeout=5)
    assert missing.status_code == 404 and missing.json()["error"]
    assert requests.get(live.portal_url + "/api/v1/ho-so", timeout=5).status_code == 401

    an = filers(AN)
    copy = {"record_type": "Trích lục khai sinh", "copies": "1"}
    an.fill("2.000635", {"nguoi-yeu-cau": {}, "yeu-cau": copy, "noi-nop": {}})
    code = dossier_code(an.submit("2.000635"))  # a dossier of his own, whatever ran before
    mine = an.get("/api/v1/ho-so").json()["dossiers"]
    assert code in {d["code"] for d in mine} and all(d["code"] for d in mine)
    detail = an.get(f"/api/v1/ho-so/{code}").json()["dossier"]
    assert detail["timeline"][0]["to"] == "submitted"
    lan = filers(LAN)
    assert code not in {d["code"] for d in lan.get("/api/v1/ho-so").json()["dossiers"]}
    assert lan.get(f"/api/v1/ho-so/{code}").status_code == 404
