"""Approving a birth registration in the back office writes the child to the registry,
over HTTP between the two live apps; a registry outage leaves the approval standing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from common import personal_id as pid
from identity_mock import misbehaviour
from identity_mock.db import db as idp_db
from identity_mock.models import BirthNotice
from portal.db import db
from portal.models import Dossier, DossierEvent, Staff, utcnow
from portal.services import deadlines, registry, results
from tests.support.apps import running_apps
from tests.support.filing import csrf_token
from tests.web.test_backoffice import HANH, act, sign_in

COMMUNE = "79.26743"
RECEPTION_ONLY = "079301000002"  # staff of the commune with the tiep_nhan role only
NOTICE = "GCS-79-2026-004512"
MOTHER, FATHER = "052196007890", "079093004567"
DATA = {
    "birth_notice_number": NOTICE,
    "child_full_name": "Trần Bảo Ngọc",
    "child_ethnicity": "Kinh",
    "mother_personal_id": MOTHER,
    "father_personal_id": FATHER,
    "applicant_personal_id": FATHER,
}


@pytest.fixture
def live_apps(tmp_path):
    with running_apps(tmp_path) as apps:
        yield apps


def add_birth_dossier(app, code: str) -> None:
    with app.app_context(), db.new_session() as session:
        session.add(
            Dossier(
                code=code,
                procedure_code="1.001193",
                procedure_version=1,
                applicant_id=FATHER,
                status="processing",
                office_code=COMMUNE,
                data=DATA,
                submitted_at=utcnow(),
                received_at=utcnow(),
                due_date=deadlines.today() + timedelta(days=3),
            )
        )
        session.flush()
        session.execute(update(Dossier).where(Dossier.code == code).values(draft_key=None))
        session.commit()


def notes(app, code: str) -> list[str]:
    with app.app_context(), db.new_session() as session:
        found = session.exec(select(Dossier).where(Dossier.code == code)).one()
        events = session.exec(select(DossierEvent).where(DossierEvent.dossier_id == found.id)).all()
        return [e.note for e in events if e.note], found.status


def documents(app, code: str) -> list:
    with app.app_context(), db.new_session() as session:
        found = session.exec(select(Dossier).where(Dossier.code == code)).one()
        return results.of_dossier(session, found.id)


def test_approving_a_birth_creates_the_child_in_the_registry(live_apps):
    portal_app = live_apps.portal_app
    client = portal_app.test_client()
    code = f"{COMMUNE}-261123-90001"
    add_birth_dossier(portal_app, code)
    sign_in(portal_app, client, HANH)
    resp = act(client, code, "approve")
    assert resp.status_code == 302, resp.get_data(as_text=True)
    page = client.get(f"/can-bo/ho-so/{code}").get_data(as_text=True)
    assert "Đã ghi vào CSDLQG về dân cư" in page

    found_notes, status = notes(portal_app, code)
    assert status == "approved"
    [note] = [n for n in found_notes if "số định danh cá nhân" in n]
    child_id = note.split("số định danh cá nhân ")[1][:12]
    assert pid.is_valid(child_id)

    with portal_app.app_context():
        token = portal_app.extensions["vneid"].service_token()
        record = registry.lookup(
            live_apps.idp_url, token, child_id, purpose="Kiểm thử liên thông", actor=HANH
        )
        father = registry.lookup(
            live_apps.idp_url, token, FATHER, purpose="Kiểm thử liên thông", actor=HANH
        )
    assert record["full_name"]["value"] == "Trần Bảo Ngọc"
    assert record["mother"]["value"]["personal_id"] == MOTHER
    assert record["father"]["value"]["personal_id"] == FATHER
    assert record["permanent_residence"]["value"]["full"]
    assert (
        record["permanent_residence"]["value"]["full"]
        == (father["permanent_residence"]["value"]["full"])
    )
    assert record["health_insurance"]["value"] is True
    assert record["household"]["value"]["id"] == father["household"]["value"]["id"]
    with live_apps.idp_app.app_context(), idp_db.new_session() as session:
        notice = session.exec(select(BirthNotice).where(BirthNotice.number == NOTICE)).one()
        assert notice.registered_person_id == child_id

    # the linked group yields all three results, for the child, signed by the office
    kinds = [d.kind for d in documents(portal_app, code)]
    assert kinds == ["trich_luc_khai_sinh", "xac_nhan_thuong_tru", "the_bhyt"]
    [residence, card] = [d.content for d in documents(portal_app, code)[1:]]
    assert residence["Số định danh cá nhân"] == child_id
    assert residence["Nơi thường trú"] == record["permanent_residence"]["value"]["full"]
    assert card["Mã số thẻ BHYT"].startswith("TE179") and card["Mã số thẻ BHYT"].endswith(
        child_id[-10:]
    )
    assert "Ghi lại vào CSDLQG" not in page
    assert act(client, code, "return").status_code == 302


def test_registry_down_keeps_the_approval_and_says_it_will_retry(live_apps):
    with live_apps.idp_app.app_context(), idp_db.new_session() as session:
        misbehaviour.set_switches(session, ["population_5xx"])
    portal_app = live_apps.portal_app
    client = portal_app.test_client()
    code = f"{COMMUNE}-261123-90002"
    add_birth_dossier(portal_app, code)
    sign_in(portal_app, client, HANH)
    assert act(client, code, "approve").status_code == 302
    page = client.get(f"/can-bo/ho-so/{code}").get_data(as_text=True)
    assert "Chưa ghi được vào CSDLQG về dân cư, sẽ thử lại" in page
    found_notes, status = notes(portal_app, code)
    assert status == "approved"
    assert any(n.startswith("Chưa ghi được vào CSDLQG về dân cư") for n in found_notes)
    assert len(documents(portal_app, code)) == 1  # the birth record only, for now

    # the result cannot be returned before the registry has it
    refused = act(client, code, "return")
    assert refused.status_code == 400
    assert "chưa được ghi vào CSDLQG" in refused.get_data(as_text=True)

    # still down: the retry says so and keeps it pending
    page = client.get(f"/can-bo/ho-so/{code}").get_data(as_text=True)
    assert (
        client.post(
            f"/can-bo/ho-so/{code}/ghi-lai-csdl", data={"csrf_token": csrf_token(page)}
        ).status_code
        == 302
    )
    assert "sẽ thử lại" in client.get(f"/can-bo/ho-so/{code}").get_data(as_text=True)

    # the registry is back: the clerk's retry writes once and issues the linked results
    with live_apps.idp_app.app_context(), idp_db.new_session() as session:
        misbehaviour.set_switches(session, [])
    page = client.get(f"/can-bo/ho-so/{code}").get_data(as_text=True)
    resp = client.post(f"/can-bo/ho-so/{code}/ghi-lai-csdl", data={"csrf_token": csrf_token(page)})
    assert resp.status_code == 302
    page = client.get(f"/can-bo/ho-so/{code}").get_data(as_text=True)
    assert "Đã ghi vào CSDLQG về dân cư" in page and "Ghi lại vào CSDLQG" not in page
    assert len(documents(portal_app, code)) == 3
    assert act(client, code, "return").status_code == 302
    # a second retry has nothing to do
    again = client.post(f"/can-bo/ho-so/{code}/ghi-lai-csdl", data={"csrf_token": csrf_token(page)})
    assert again.status_code == 302
    assert "không còn chờ ghi" in client.get(f"/can-bo/ho-so/{code}").get_data(as_text=True)


def test_the_command_line_retry_writes_what_is_pending(live_apps):
    portal_app = live_apps.portal_app
    client = portal_app.test_client()
    code = f"{COMMUNE}-261123-90003"
    add_birth_dossier(portal_app, code)
    with live_apps.idp_app.app_context(), idp_db.new_session() as session:
        misbehaviour.set_switches(session, ["population_5xx"])
    sign_in(portal_app, client, HANH)
    assert act(client, code, "approve").status_code == 302

    # a reception-only clerk may not retry
    with portal_app.app_context(), db.new_session() as session:
        session.add(Staff(personal_id=RECEPTION_ONLY, office_code=COMMUNE, roles="tiep_nhan"))
        session.commit()
    reception = portal_app.test_client()
    sign_in(portal_app, reception, RECEPTION_ONLY)
    page = reception.get(f"/can-bo/ho-so/{code}").get_data(as_text=True)
    reception.post(f"/can-bo/ho-so/{code}/ghi-lai-csdl", data={"csrf_token": csrf_token(page)})
    page = reception.get(f"/can-bo/ho-so/{code}").get_data(as_text=True)
    assert "Chỉ chuyên viên xử lý hoặc lãnh đạo" in page
    assert len(documents(portal_app, code)) == 1

    out = portal_app.test_cli_runner().invoke(args=["retry-writebacks"])
    assert f"{code}: Chưa ghi được" in out.output and "still waiting: 1" in out.output
    with live_apps.idp_app.app_context(), idp_db.new_session() as session:
        misbehaviour.set_switches(session, [])
    out = portal_app.test_cli_runner().invoke(args=["retry-writebacks"])
    assert out.exit_code == 0 and "Written back: 1; still waiting: 0" in out.output
    assert len(documents(portal_app, code)) == 3
