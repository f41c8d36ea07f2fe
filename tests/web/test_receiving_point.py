"""The receiving point (phi địa giới, NĐ 118/2025) and the competent body, through the pages.

Back office (test client, no provider): a dossier the citizen sent through the TTPVHCC of
Phường Bến Thành for the Công an of that ward waits in the centre's queue; the centre's
officer receives it (the Công an's CT04), asks for a supplement (CT05) or refuses it (CT06);
the Công an cannot receive it before, the centre cannot process it after, the UBND of the
ward never sees it.

Filing (both apps live): the "noi-nop" step names the competent body or, where the residence
data cannot decide, says so and lists the bodies the law allows; a choice outside them is
refused next to its field; the chosen receiving point is stored with its reason.
"""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from portal.models import Dossier, DossierEvent, Office
from tests.factories import AN, act, add_dossiers, add_rows, listed_codes, load, sign_in, stored
from tests.support.apps import running_apps
from tests.support.filing import csrf_token, dossier_code, signed_in_filers

POLICE, CENTRE, UBND = "79.26743.ca", "79.26743.tt", "79.26743"
TUAN, LINH, HANH = "079086204517", "079195508426", "079187090123"  # their staff (personas)
NAMES = {TUAN: "Lê Minh Tuấn", LINH: "Đinh Thị Mỹ Linh", HANH: "Trương Thị Hạnh"}
RESIDENCE = "1.004222"
OFFICES = (
    (POLICE, "Công an Phường Bến Thành", "cong_an_xa"),
    (CENTRE, "Trung tâm Phục vụ hành chính công Phường Bến Thành", "ttpvhcc_xa"),
)


@pytest.fixture
def app(backoffice_app):
    offices = [
        Office(code=c, name=n, kind=k, province_code=79, ward_code=26743) for c, n, k in OFFICES
    ]
    add_rows(backoffice_app, *offices)
    return backoffice_app


def client_of(app, personal_id: str):
    client = app.test_client()
    sign_in(app, client, personal_id, NAMES[personal_id])
    return client


def forwarded(app, **spec) -> str:
    (code,) = add_dossiers(
        app,
        {
            "procedure_code": RESIDENCE,
            "office_code": POLICE,
            "routing_reason": "Công an Phường Bến Thành: nơi có địa chỉ bạn khai.",
            "receiving_office_code": CENTRE,
            "receiving_reason": "Theo lựa chọn của bạn: Trung tâm … tiếp nhận hồ sơ.",
        }
        | spec,
    )
    return code


def pdf_text(body: bytes) -> str:
    assert body.startswith(b"%PDF-"), body[:20]
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(body)).pages)


def page(client, code: str) -> str:
    resp = client.get(f"/can-bo/ho-so/{code}")
    assert resp.status_code == 200, resp.status_code
    return resp.get_data(as_text=True)


def queue(client, tab: str = "cho-tiep-nhan") -> list[str]:
    return listed_codes(client.get(f"/can-bo?tab={tab}").get_data(as_text=True))


def test_the_centre_receives_with_the_bodys_form_then_the_body_processes(app):
    code = forwarded(app)
    centre, police, ubnd = client_of(app, LINH), client_of(app, TUAN), client_of(app, HANH)

    assert code in queue(centre)
    assert code not in queue(police)  # not the body's turn yet
    html = page(police, code)
    assert "Trung tâm Phục vụ hành chính công Phường Bến Thành" in html
    assert 'action="/can-bo/ho-so/' + code + '/receive"' not in html
    refused = act(police, code, "receive", version="1")  # no form: the page offers none
    assert refused.status_code == 400
    assert "đang ở Trung tâm Phục vụ hành chính công Phường Bến Thành" in refused.get_data(
        as_text=True
    )
    assert ubnd.get(f"/can-bo/ho-so/{code}").status_code == 404
    assert code not in queue(ubnd)

    done = act(centre, code, "receive")
    assert done.status_code == 302
    flashed = page(centre, code)
    assert "(CT04)" in flashed and "Mẫu 01" not in flashed
    received = load(app, code)
    assert received.status == "received" and received.received_at is not None
    (event,) = stored(app, DossierEvent, dossier_id=received.id, action="receive")
    assert event.actor_id == LINH

    assert code in queue(centre, "da-chuyen") and code not in queue(centre)
    assert code in queue(police, "dang-xu-ly")
    started = act(centre, code, "start", version=str(load(app, code).version))
    assert started.status_code == 400
    assert "việc xử lý, phê duyệt do Công an Phường Bến Thành" in started.get_data(as_text=True)
    assert act(police, code, "start").status_code == 302
    assert load(app, code).status == "processing"


def test_a_supplement_and_a_refusal_at_reception_are_the_bodys_ct05_and_ct06(app):
    supplement, refusal = forwarded(app), forwarded(app)
    centre = client_of(app, LINH)
    note = {"note": "Hợp đồng thuê nhà có công chứng"}
    assert act(centre, supplement, "request_supplement", **note).status_code == 302
    assert act(centre, refusal, "refuse_reception", note="Chỗ ở không hợp pháp").status_code == 302
    assert code_in_tab(centre, supplement, "cho-bo-sung")
    for code, form in ((supplement, "CT05"), (refusal, "CT06")):
        html = page(centre, code)
        assert f"Tải Mẫu {form} (PDF)" in html, form
        event = stored(app, DossierEvent, dossier_id=load(app, code).id)[-1]
        pdf = centre.get(f"/ho-so/{code}/van-ban/{event.id}.pdf")
        assert pdf.status_code == 200
        text = pdf_text(pdf.data)
        assert f"Mẫu {form}, Thông tư 66/2023/TT-BCA" in text
        assert "Trung tâm Phục vụ hành chính công Phường Bến Thành" in text  # who issued it


def code_in_tab(client, code: str, tab: str) -> bool:
    return code in queue(client, tab)


def test_the_receipt_names_both_offices_and_the_bodys_ct04(app):
    code = forwarded(app, status="received")
    citizen = client_of_citizen(app)
    html = citizen.get(f"/ho-so/{code}/phieu-tiep-nhan").get_data(as_text=True)
    assert "Mẫu CT04, Thông tư 66/2023/TT-BCA" in html
    assert re.search(r"Cơ quan tiếp nhận</dt><dd>Trung tâm Phục vụ hành chính công", html)
    assert re.search(r"Cơ quan giải quyết</dt><dd>Công an Phường Bến Thành", html)
    dossier = citizen.get(f"/ho-so/{code}").get_data(as_text=True)
    assert re.search(r"Nơi tiếp nhận hồ sơ</dt><dd>Theo lựa chọn của bạn: Trung tâm", dossier)


def client_of_citizen(app):
    client = app.test_client()
    sign_in(app, client, AN)
    return client


def test_a_dossier_at_its_bodys_own_desk_is_the_bodys_from_the_start(app):
    (code,) = add_dossiers(
        app, {"procedure_code": RESIDENCE, "office_code": POLICE, "receiving_office_code": POLICE}
    )
    police, centre = client_of(app, TUAN), client_of(app, LINH)
    assert code in queue(police) and code not in queue(centre)
    assert centre.get(f"/can-bo/ho-so/{code}").status_code == 404
    assert act(police, code, "receive").status_code == 302


def test_the_centres_queue_has_only_its_own_tabs(app):
    html = client_of(app, LINH).get("/can-bo?tab=qua-han").get_data(as_text=True)
    assert "Đã tiếp nhận, chuyển cơ quan giải quyết" in html
    assert "Quá hạn" not in html


# --- filing: the "noi-nop" step -------------------------------------------------------------

LAN = "079302034567"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with running_apps(tmp_path_factory.mktemp("receiving")) as apps:
        yield apps


@pytest.fixture(scope="module")
def filers(live):
    return signed_in_filers(live)


RESIDENCE_STEPS = {
    "noi-o-moi": {"new_street": "12 Lê Thánh Tôn", "new_ward_code": "Phường Sài Gòn"},
    "chu-ho": {"relation_to_head": "Là chủ hộ"},
}


def _choice_page(filer, code: str) -> str:
    return filer.get(f"/nop-ho-so/{code}/noi-nop").text


def test_an_unknown_commune_is_refused_next_to_the_address(filers):
    an = filers(AN)
    an.start(RESIDENCE)
    resp = an.post_step(RESIDENCE, "noi-o-moi", {"new_street": "1", "new_ward_code": "Phường X"})
    assert resp.status_code == 400
    assert 'id="new_ward_code-error"' in resp.text
    assert "Không tìm thấy xã, phường “Phường X”" in resp.text


def test_residence_goes_to_the_police_of_the_new_address_through_a_chosen_centre(live, filers):
    an = filers(AN)
    an.fill(RESIDENCE, RESIDENCE_STEPS)
    proof = {"upload_1": ("hop-dong-mua-nha.pdf", PDF)}  # the lawful dwelling's paper
    assert an.post_step(RESIDENCE, "tep-dinh-kem", files=proof).status_code == 302
    choice = _choice_page(an, RESIDENCE)
    assert "Công an Phường Sài Gòn" in choice
    assert "nơi có địa chỉ bạn khai" in choice
    assert 'name="noi_tiep_nhan"' in choice and 'name="co_quan"' not in choice

    refused = an.post_step(RESIDENCE, "noi-nop", {"noi_tiep_nhan": "01.ttpvhcc"})
    assert refused.status_code == 400
    assert 'id="noi_tiep_nhan-error"' in refused.text
    assert "Chỉ được chọn Trung tâm Phục vụ hành chính công của Thành phố Hồ Chí Minh" in (
        refused.text
    )

    assert an.post_step(RESIDENCE, "noi-nop", {"noi_tiep_nhan": CENTRE}).status_code == 302
    review = an.review(RESIDENCE).text
    assert "Nơi tiếp nhận hồ sơ" in review
    assert "Trung tâm Phục vụ hành chính công Phường Bến Thành" in review
    code = dossier_code(an.submit(RESIDENCE))
    assert code and code.startswith("79.26740.ca-")
    (dossier,) = stored(live.portal_app, Dossier, code=code)
    assert (dossier.office_code, dossier.receiving_office_code) == ("79.26740.ca", CENTRE)
    assert "Phường Sài Gòn" in dossier.routing_reason
    assert "Nghị định 118/2025/NĐ-CP" in dossier.receiving_reason


def test_two_communes_are_said_plainly_and_a_third_is_refused(filers):
    an = filers(AN)
    an.fill(
        "1.000894",
        {
            "ben-kia": {
                "partner_personal_id": LAN,
                "partner_full_name": "Đỗ Thị Lan",
                "partner_birth_date": "15/01/2002",
            }
        },
    )
    choice = _choice_page(an, "1.000894")
    assert "cư trú tại 2 nơi khác nhau" in choice
    assert 'name="co_quan"' in choice
    assert "UBND Phường Bến Thành (nơi thường trú của bạn)" in choice
    bodies = re.search(r'<select[^>]*name="co_quan".*?</select>', choice, re.S)[0]
    assert "Bình Chánh" not in bodies  # Lan has not consented: her commune is not named
    assert "nơi thường trú của người kết hôn cùng" in bodies
    refused = an.post_step("1.000894", "noi-nop", {"co_quan": "79.26737"})
    assert refused.status_code == 400
    assert 'id="co_quan-error"' in refused.text
    assert "chỉ được chọn một trong các cơ quan" in refused.text
    hers = re.search(r'<option value="(partner_personal_id\.[a-z_]+)"', choice)
    assert hers, choice[:2000]
    assert an.post_step("1.000894", "noi-nop", {"co_quan": hers[1]}).status_code == 302
    token = csrf_token(an.review("1.000894").text)
    assert token  # the summary renders with the choice


def test_no_temporary_residence_on_record_is_said_on_the_choice_step(filers):
    an = filers(AN)  # a permanent residence in Phường Bến Thành, no temporary one
    an.start("1.002755")
    choice = _choice_page(an, "1.002755")
    assert "CSDLQG về dân cư chưa có nơi tạm trú của bạn." in choice
    assert "Thủ tục “Gia hạn tạm trú” do Công an cấp xã nơi bạn đã đăng ký tạm trú" in choice
    assert 'name="co_quan"' not in choice  # no body the law allows to choose from
    assert "Công an Phường Bến Thành" not in choice
