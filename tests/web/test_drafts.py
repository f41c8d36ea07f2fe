"""Drafts over real HTTP (both apps as live servers, this module's own pair): a draft
reopens at the furthest step reached, every step after the first links back, a citizen
deletes their own draft (asked first, with CSRF) with its attached files, never another's
(404) nor a submitted dossier, and a draft the eligibility check refused is not listed
among "Hồ sơ của tôi"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.models import Dossier, DossierFile
from tests.factories import stored
from tests.support.apps import running_apps
from tests.support.filing import Filer, csrf_token, dossier_code, signed_in_filers

AN, LAN, NGA, TU, BAO = (
    "079095001234",
    "079302034567",
    "079165067890",
    "079080078901",
    "038088012345",
)
MARRIAGE, COPY, TEMP = "1.000894", "2.000635", "1.004194"
NAMING_LAN = {
    "partner_personal_id": LAN,
    "partner_full_name": "Đỗ Thị Lan",
    "partner_birth_date": "15/01/2002",
}
TEMP_STEPS = {
    "nguoi-dang-ky": {},
    "noi-tam-tru": {"temp_street": "12 Nguyễn Trãi", "temp_ward_code": "26743",
                    "duration_months": "12"},
    "chu-ho": {"relation_to_head": "Là chủ hộ"},
}  # fmt: skip
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
BACK = re.compile(r'<a href="([^"]+)">← Quay lại bước trước</a>')
DELETE_LINK = re.compile(r'href="(/ho-so-nhap/(\d+)/xoa)"')


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with running_apps(tmp_path_factory.mktemp("drafts")) as apps:
        yield apps


@pytest.fixture(scope="module")
def filers(live):
    return signed_in_filers(live)


def _draft(live, personal_id: str, code: str) -> Dossier | None:
    found = stored(live.portal_app, Dossier, applicant_id=personal_id, procedure_code=code)
    drafts = [d for d in found if d.status == "draft"]
    return drafts[0] if drafts else None


def _delete(filer: Filer, draft_id: int, *, token: str | None = None):
    page = filer.get(f"/ho-so-nhap/{draft_id}/xoa")
    form = {"csrf_token": csrf_token(page.text) if token is None else token}
    return filer.browser.post(
        filer.url(f"/ho-so-nhap/{draft_id}/xoa"), data=form, allow_redirects=False
    )


@pytest.mark.parametrize(
    ("who", "code", "steps", "resumed"),
    [
        (AN, MARRIAGE, {"ban-than": {}}, "ben-kia"),
        (
            AN,
            COPY,
            {"nguoi-yeu-cau": {}, "yeu-cau": {"record_type": "Trích lục khai sinh", "copies": "2"}},
            "noi-nop",
        ),  # fmt: skip
        (NGA, TEMP, TEMP_STEPS, "tep-dinh-kem"),
    ],
    ids=["marriage-step-2", "copy-step-3", "temporary-residence-uploads"],
)
def test_a_draft_reopens_at_the_furthest_step_reached(filers, who, code, steps, resumed):
    filer = filers(who)
    filer.fill(code, steps)
    page = filer.start(code)
    assert page.url.endswith(f"/nop-ho-so/{code}/{resumed}"), page.url
    # Going back to correct a step does not lose the furthest one.
    first = next(iter(steps))
    assert filer.get(f"/nop-ho-so/{code}/{first}").status_code == 200
    assert filer.post_step(code, first, steps[first]).status_code == 302
    assert filer.start(code).url.endswith(f"/{resumed}")


def test_a_new_draft_opens_at_the_first_step_without_a_back_link(filers):
    page = filers(TU).start(MARRIAGE)
    assert page.url.endswith("/ban-than")
    assert not BACK.search(page.text)
    assert DELETE_LINK.search(page.text)  # a draft can be deleted from its first step too


def test_every_later_step_links_back_to_the_one_before(filers):
    an = filers(AN)
    an.fill(MARRIAGE, {"ban-than": {}, "ben-kia": NAMING_LAN})
    for step, before in (("ben-kia", "ban-than"), ("thong-tin-ben-kia", "ben-kia")):
        page = an.get(f"/nop-ho-so/{MARRIAGE}/{step}")
        assert page.status_code == 200
        assert BACK.search(page.text)[1] == f"/nop-ho-so/{MARRIAGE}/{before}"
    # The link is a plain GET: what was saved is shown back on the step before.
    back = an.get(f"/nop-ho-so/{MARRIAGE}/ben-kia")
    assert 'value="Đỗ Thị Lan"' in back.text
    summary = an.review(MARRIAGE)
    assert BACK.search(summary.text), "the summary links back to the last step"


def test_delete_asks_then_removes_the_draft_and_its_files(live, filers):
    nga = filers(NGA)
    nga.fill(TEMP, TEMP_STEPS)
    resp = nga.post_step(TEMP, "tep-dinh-kem", files={"upload_1": ("hop-dong.pdf", PDF)})
    assert resp.status_code == 302, resp.text[:800]
    draft = _draft(live, NGA, TEMP)
    (attached,) = stored(live.portal_app, DossierFile, dossier_id=draft.id)
    on_disk = Path(live.portal_app.instance_path) / "uploads" / attached.token
    assert on_disk.is_file()
    dashboard = nga.get("/ca-nhan").text
    assert f"/ho-so-nhap/{draft.id}/xoa" in dashboard
    confirm = nga.get(f"/ho-so-nhap/{draft.id}/xoa")
    assert confirm.status_code == 200
    assert "Xác nhận xóa hồ sơ nháp" in confirm.text and "không hoàn tác được" in confirm.text
    assert _draft(live, NGA, TEMP) is not None  # asking deletes nothing
    resp = _delete(nga, draft.id)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/ca-nhan#ho-so-cua-toi")
    assert _draft(live, NGA, TEMP) is None
    assert not stored(live.portal_app, DossierFile, dossier_id=draft.id)
    assert not on_disk.exists()
    assert "Đã xóa hồ sơ nháp" in nga.get("/ca-nhan").text
    assert nga.start(TEMP).url.endswith("/nguoi-dang-ky")  # a fresh draft starts at step 1


def test_delete_needs_the_csrf_token(live, filers):
    tu = filers(TU)
    tu.start(COPY)
    draft = _draft(live, TU, COPY)
    resp = _delete(tu, draft.id, token="")
    assert resp.status_code == 400
    assert _draft(live, TU, COPY) is not None


def test_another_citizens_draft_cannot_be_deleted(live, filers):
    lan, tu = filers(LAN), filers(TU)
    lan.start(COPY)
    theirs = _draft(live, LAN, COPY)
    token = csrf_token(tu.get("/ca-nhan").text)
    assert tu.get(f"/ho-so-nhap/{theirs.id}/xoa").status_code == 404
    assert _delete(tu, theirs.id, token=token).status_code == 404
    assert _delete(tu, 999_999, token=token).status_code == 404
    assert _draft(live, LAN, COPY) is not None


def test_a_submitted_dossier_cannot_be_deleted(live):
    lan = Filer.login(live, LAN)
    resp = lan.file(COPY, {"nguoi-yeu-cau": {},
                           "yeu-cau": {"record_type": "Trích lục kết hôn", "copies": "1"},
                           "noi-nop": {}})  # fmt: skip
    code = dossier_code(resp)
    assert code, resp.headers.get("Location")
    (filed,) = stored(live.portal_app, Dossier, code=code)
    assert "_step" not in filed.data  # the draft's bookkeeping stays out of the dossier
    token = csrf_token(lan.get("/ca-nhan").text)
    page = lan.get(f"/ho-so-nhap/{filed.id}/xoa")
    assert page.status_code == 409 and "đã nộp nên không xóa được" in page.text
    resp = _delete(lan, filed.id, token=token)
    assert resp.status_code == 409 and "đã nộp nên không xóa được" in resp.text
    assert stored(live.portal_app, Dossier, code=code)[0].status == filed.status


def test_an_ineligible_draft_is_not_listed_among_my_dossiers(live):
    bao = Filer.login(live, BAO)
    bao.fill(MARRIAGE, {"ban-than": {}, "ben-kia": NAMING_LAN})
    draft = _draft(live, BAO, MARRIAGE)
    assert f"/ho-so-nhap/{draft.id}/xoa" in bao.get("/ca-nhan").text  # listed until refused
    summary = bao.review(MARRIAGE)
    assert "đang có tình trạng hôn nhân «Đã kết hôn»" in summary.text
    assert f"/ho-so-nhap/{draft.id}/xoa" in summary.text  # it can still be deleted there
    assert f"/ho-so-nhap/{draft.id}/xoa" not in bao.get("/ca-nhan").text
    assert _delete(bao, draft.id).status_code == 302
    assert _draft(live, BAO, MARRIAGE) is None
