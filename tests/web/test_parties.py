"""One life event, one dossier, every party in it, filed for real (live provider and
portal): the second parent of a birth is told who filed it, its code and status, keeps
their draft and follows the dossier from their dashboard; the other spouse sees the
confirmation awaited on her dashboard, answers it once, in time, and only she can; her
consent lets the portal fill in her registry data. Every party holds the result in their
data store, marked once revoked and no longer offered for reuse."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from common.tz import VN_TZ
from portal.db import db as portal_db
from portal.models import Dossier, DossierParty
from portal.services import data_store, deadlines, results
from tests import factories
from tests.support.apps import running_apps
from tests.support.filing import dossier_code, signed_in_filers

AN, LAN, KHOA, HOA, NGA = (
    "079095001234", "079302034567", "079093004567", "052196007890", "079165067890",
)  # fmt: skip
COMMUNE = "79.26743"
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=VN_TZ)
CHILD = {
    "child_full_name": "Trần Lê Bảo Ngọc",
    "child_ethnicity": "Kinh",
    "child_hometown": "Phường Bến Thành, Thành phố Hồ Chí Minh",
}
NAMING_LAN = {
    "partner_personal_id": LAN,
    "partner_full_name": "Đỗ Thị Lan",
    "partner_birth_date": "15/01/2002",
}


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with running_apps(tmp_path_factory.mktemp("parties")) as apps:
        yield apps


@pytest.fixture(scope="module")
def filers(live):
    return signed_in_filers(live)


def _dossiers(live, **where) -> list[Dossier]:
    return factories.stored(live.portal_app, Dossier, **where)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture(scope="module")
def birth(live, filers) -> str:
    """Hoa (the mother) registers the birth of the hospital's notice."""
    resp = filers(HOA).file("1.001193", {"tre": CHILD, "cha-me": {}, "noi-nop": {}})
    code = dossier_code(resp)
    assert code, resp.text[:800]
    return code


@pytest.fixture(scope="module")
def marriage(live, filers) -> str:
    """An files the marriage naming Lan; it waits for her."""
    an = filers(AN)
    # No marital-status confirmation to attach: the registry is queried instead.
    an.fill(
        "1.000894",
        {"ban-than": {}, "ben-kia": NAMING_LAN, "thong-tin-ben-kia": {}, "noi-nop": {}},
    )
    code = dossier_code(an.submit("1.000894"))
    assert code
    return code


# --- one birth, one dossier ---------------------------------------------------------------


def test_the_second_parent_is_told_who_filed_it_at_the_first_step(live, filers, birth):
    khoa = filers(KHOA)
    page = khoa.start("1.001193")
    text = _text(page.text)
    assert page.status_code == 200 and "Đã có hồ sơ cho việc này" in text
    assert birth in text and "Lê Thị Hoa" in text and "Mới nộp, chờ tiếp nhận" in text
    # Going on is refused with the same message, and what he typed is kept.
    typed = {**CHILD, "child_full_name": "Trần Minh Bảo"}
    resp = khoa.post_step("1.001193", "tre", typed)
    assert resp.status_code == 409 and birth in _text(resp.text)
    (draft,) = _dossiers(live, applicant_id=KHOA, procedure_code="1.001193", status="draft")
    assert draft.data["child_full_name"] == "Trần Minh Bảo"


def test_the_second_parents_submit_files_nothing_and_says_why(live, filers, birth):
    khoa = filers(KHOA)
    khoa.post_step("1.001193", "cha-me", {})
    khoa.post_step("1.001193", "noi-nop", {})
    summary = _text(khoa.review("1.001193").text)
    assert birth in summary and "Lê Thị Hoa" in summary
    resp = khoa.post_submit("1.001193", khoa.submit_form("1.001193"))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/xem-lai")
    filed = [d for d in _dossiers(live, procedure_code="1.001193") if d.code]
    assert [d.code for d in filed] == [birth]  # still one dossier for the birth
    assert _dossiers(live, applicant_id=KHOA, procedure_code="1.001193")[0].status == "draft"


def test_the_second_parent_follows_the_dossier_from_his_dashboard(live, filers, birth):
    khoa = filers(KHOA)
    text = _text(khoa.get("/ca-nhan").text)
    assert birth in text and "Cha hoặc mẹ của trẻ — được thông báo" in text
    assert "Người nộp: Lê Thị Hoa" in text
    assert khoa.get(f"/ho-so/{birth}").status_code == 200
    # Hoa's own list says she filed it.
    hoa_text = _text(filers(HOA).get("/ca-nhan").text)
    assert birth in hoa_text and "Người nộp hồ sơ" in hoa_text


# --- the other spouse ---------------------------------------------------------------------


def test_the_spouse_sees_the_confirmation_awaited_on_her_dashboard(live, filers, marriage):
    (dossier,) = _dossiers(live, code=marriage)
    assert dossier.status == "awaiting_parties"
    by = deadlines.add_working_days(deadlines.to_local(dossier.submitted_at).date(), 5)
    page = filers(LAN).get("/ca-nhan").text
    text = _text(page)
    assert "Hồ sơ cần bạn xác nhận" in text
    assert f"Bên kết hôn còn lại — cần xác nhận trước {by:%d/%m/%Y}" in text
    assert f'href="/ho-so/{marriage}#xac-nhan"' in page
    assert "Hồ sơ cần bạn xác nhận" not in _text(filers(AN).get("/ca-nhan").text)


def test_declining_without_a_reason_is_refused(live, filers, marriage):
    resp = filers(LAN).answer(marriage, "decline", "   ")
    assert resp.status_code == 400 and "Vui lòng ghi lý do" in _text(resp.text)
    assert _dossiers(live, code=marriage)[0].status == "awaiting_parties"


def test_someone_not_named_cannot_confirm(live, filers, marriage):
    assert filers(NGA).answer(marriage, "confirm").status_code == 404
    resp = filers(AN).answer(marriage, "confirm")  # the applicant is not the other spouse
    assert resp.status_code in (400, 409)
    assert _dossiers(live, code=marriage)[0].status == "awaiting_parties"


def test_her_confirmation_fills_her_registry_data_and_a_second_is_refused(live, filers, marriage):
    assert "partner_marital_status" not in _dossiers(live, code=marriage)[0].data
    resp = filers(LAN).answer(marriage, "confirm")
    assert resp.status_code == 302, _text(resp.text)[:500]
    (dossier,) = _dossiers(live, code=marriage)
    assert dossier.status == "submitted"  # now the office sees it
    assert dossier.data["partner_marital_status"] == "Chưa kết hôn"
    assert dossier.data["partner_residence"]
    again = filers(LAN).answer(marriage, "confirm")
    assert again.status_code in (400, 409)
    assert "Không thể xác nhận hồ sơ đang ở trạng thái" in _text(again.text)
    assert _dossiers(live, code=marriage)[0].version == dossier.version


def test_a_late_confirmation_is_refused(live, filers, marriage):
    """The dossier waiting for her again, with her last day yesterday: too late."""
    (dossier,) = _dossiers(live, code=marriage)
    with live.portal_app.app_context(), portal_db.new_session() as session:
        session.execute(
            update(Dossier).where(Dossier.id == dossier.id).values(status="awaiting_parties")
        )
        session.execute(
            update(DossierParty)
            .where(DossierParty.dossier_id == dossier.id, DossierParty.personal_id == LAN)
            .values(answer=None, answered_at=None, answer_by=deadlines.today() - timedelta(1))
        )
        session.commit()
    resp = filers(LAN).answer(marriage, "confirm")
    assert resp.status_code in (400, 409) and "quá hạn" in _text(resp.text)
    assert _dossiers(live, code=marriage)[0].status == "awaiting_parties"


# --- the data store of every party ----------------------------------------------------------


@pytest.fixture
def office_app(tmp_path):
    with factories.backoffice_portal(tmp_path) as app:
        yield app


def test_the_other_parent_holds_the_result_and_sees_its_revocation(office_app):
    app = office_app
    dossier_id = factories.add_birth_dossier(app, f"{COMMUNE}-261125-0001", status="returned")
    doc = factories.issue_result(app, dossier_id)
    client = app.test_client()
    factories.sign_in(app, client, factories.MOTHER, "Lê Thị Hoa")  # informed, did not file
    text = _text(client.get("/ca-nhan/kho-du-lieu").get_data(as_text=True))
    assert doc.number in text and "Còn hiệu lực" in text
    with app.app_context(), portal_db.new_session() as session:
        results.revoke(session, dossier_id, "079080001111", "Cấp sai họ tên của trẻ.", NOW)
        session.commit()
        assert data_store.of_kind(session, factories.MOTHER, "trich_luc_khai_sinh") == []
        listed = data_store.documents_of(session, factories.MOTHER)
        assert [d.number for d, _ in listed] == [doc.number]  # still listed, marked
    page = client.get("/ca-nhan/kho-du-lieu")
    text = _text(page.get_data(as_text=True))
    assert page.status_code == 200
    assert f"Đã thu hồi ngày {NOW:%d/%m/%Y}" in text and "Lý do: Cấp sai họ tên của trẻ." in text
    assert "Không dùng lại được khi nộp hồ sơ" in text


def test_a_stranger_holds_nothing_of_it(office_app):
    app = office_app
    dossier_id = factories.add_birth_dossier(app, f"{COMMUNE}-261125-0002", status="returned")
    doc = factories.issue_result(app, dossier_id)
    client = app.test_client()
    factories.sign_in(app, client, factories.AN)
    assert doc.number not in client.get("/ca-nhan/kho-du-lieu").get_data(as_text=True)
