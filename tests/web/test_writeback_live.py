"""Approving a birth registration in the back office writes the child to the registry,
over HTTP between the two live apps, on the task queue (immediate mode unless a test holds
the tasks in a queue), and only then signs the results; a registry outage leaves the
approval standing, without a result, and is retried with growing delays; a refusal sends
the dossier back to the officer, told in Vietnamese, with no result. Once written, the
birth's linked parts (residence, health-insurance card) start at their own bodies, and each
body's approval writes its own change: the Công an of the father's commune registers the
child in his household, BHXH issues the card."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from huey.storage import MemoryStorage
from sqlalchemy import update
from sqlmodel import select

from common import personal_id as pid
from identity_mock import misbehaviour
from identity_mock.db import db as idp_db
from identity_mock.models import BirthNotice, PopulationWrite
from portal import tasks
from portal.db import db
from portal.models import Dossier, DossierEvent, Staff, utcnow
from portal.services import registry, results
from tests.factories import (
    BIRTH_COMMUNE,
    BIRTH_NOTICE,
    FATHER,
    HANH,
    MOTHER,
    act,
    add_birth_dossier,
    load,
    ready_to_sign,
    sign_in,
)
from tests.support.apps import running_apps
from tests.support.filing import csrf_token

COMMUNE = BIRTH_COMMUNE
RECEPTION_ONLY = "079301000002"  # staff of the commune with the tiep_nhan role only
POLICE = "079090417263"  # Phan Đức Thịnh, Công an Phường Tân Định (the father's commune)
BHXH = "079082407319"  # Phạm Văn Đức, Bảo hiểm xã hội TP. Hồ Chí Minh
NOTICE = BIRTH_NOTICE


@pytest.fixture
def live_apps(tmp_path):
    with running_apps(tmp_path) as apps:
        yield apps


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
    ready_to_sign(portal_app, client, code)
    resp = act(client, code, "approve")
    assert resp.status_code == 302, resp.get_data(as_text=True)
    page = client.get(f"/can-bo/ho-so/{code}").get_data(as_text=True)
    assert "Đã ghi vào CSDLQG về dân cư" in page and "Đã ký số Giấy khai sinh" in page
    assert "Đã chuyển hồ sơ liên thông" in page

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
    # the UBND's write made the child only: the residence and the card are not yet there
    assert record["permanent_residence"] is None and record["household"] is None
    assert record["health_insurance"]["value"] is False
    with live_apps.idp_app.app_context(), idp_db.new_session() as session:
        notice = session.exec(select(BirthNotice).where(BirthNotice.number == NOTICE)).one()
        assert notice.registered_person_id == child_id

    # the UBND signs its own result; the residence and the card go to their own bodies:
    # the Công an of the commune where the father who filed is registered, and BHXH
    [main] = documents(portal_app, code)
    assert main.kind == "giay_khai_sinh" and (main.signer_id, main.signer_name) == (
        HANH,
        "Trương Thị Hạnh",
    )
    ward = father["permanent_residence"]["value"]["ward_code"]
    assert part_offices(portal_app, code) == {
        "1.004222": f"79.{ward:05d}.ca",
        "1.014137": "79.bhxh",
    }
    residence = part_of(portal_app, code, "1.004222")
    assert residence.data["applicant_personal_id"] == child_id
    assert residence.data["new_ward_code"] == str(ward)
    assert residence.status == "submitted" and residence.applicant_id == FATHER
    assert (residence.fee_amount, residence.fee_rule) == (0, "exemption:child")
    assert "Ghi lại vào CSDLQG" not in page
    assert act(client, code, "return").status_code == 302

    # the Công an approves its part: the registry registers the child in the father's
    # household, then the CT08 notice is signed with what the registry answered
    police = portal_app.test_client()
    sign_in(portal_app, police, POLICE)
    for action in ("receive", "start", "approve"):
        assert act(police, residence.code, action).status_code == 302, action
    record = lookup(live_apps, child_id)
    home = record["permanent_residence"]["value"]
    assert home["full"] == father["permanent_residence"]["value"]["full"]
    assert record["household"]["value"]["id"] == father["household"]["value"]["id"]
    [notice_doc] = documents(portal_app, residence.code)
    assert (notice_doc.kind, notice_doc.signer_id) == ("xac_nhan_thuong_tru", POLICE)
    assert notice_doc.content["Nơi đăng ký thường trú"] == home["full"]
    assert notice_doc.content["Quan hệ với chủ hộ"] == "Con"
    assert notice_doc.content["Số định danh cá nhân"] == child_id

    # BHXH approves the card: the registry issues it, then the card is signed
    card = part_of(portal_app, code, "1.014137")
    bhxh = portal_app.test_client()
    sign_in(portal_app, bhxh, BHXH)
    for action in ("receive", "start", "approve"):
        assert act(bhxh, card.code, action).status_code == 302, action
    assert lookup(live_apps, child_id)["health_insurance"]["value"] is True
    [card_doc] = documents(portal_app, card.code)
    assert card_doc.content["Mã số thẻ"] == f"TE179{child_id[-10:]}"
    with live_apps.idp_app.app_context(), idp_db.new_session() as session:
        kinds = session.exec(
            select(PopulationWrite.kind).where(
                PopulationWrite.reference.in_([code, residence.code, card.code])
            )
        ).all()
    assert sorted(kinds) == ["birth", "health_card", "residence"]


def lookup(live_apps, personal_id: str) -> dict:
    with live_apps.portal_app.app_context():
        token = live_apps.portal_app.extensions["vneid"].service_token()
        return registry.lookup(
            live_apps.idp_url, token, personal_id, purpose="Kiểm thử liên thông", actor=HANH
        )


def part_offices(app, code: str) -> dict[str, str]:
    """The linked group's parts: procedure code -> office."""
    with app.app_context(), db.new_session() as session:
        lead = session.exec(select(Dossier).where(Dossier.code == code)).one()
        found = session.exec(select(Dossier).where(Dossier.group_id == lead.id)).all()
        return {d.procedure_code: d.office_code for d in found}


def part_of(app, code: str, procedure: str) -> Dossier:
    with app.app_context(), db.new_session() as session:
        lead = session.exec(select(Dossier).where(Dossier.code == code)).one()
        found = session.exec(
            select(Dossier).where(Dossier.group_id == lead.id, Dossier.procedure_code == procedure)
        ).one()
        session.expunge(found)
        return found


def scheduled_retries(dossier_id: int) -> list:
    """The write-back retries of this dossier waiting in the (immediate-mode) queue."""
    return [
        t
        for t in tasks.huey.scheduled()
        if t.name.endswith("write_back_dossier") and t.args == (dossier_id,)
    ]


def run_retry(app, dossier_id: int) -> float:
    """Run the dossier's scheduled retry now; returns how far off (s) it was scheduled."""
    [retry] = scheduled_retries(dossier_id)
    delay = (retry.eta - datetime.now(UTC).replace(tzinfo=None)).total_seconds()
    tasks.huey.read_schedule(retry.eta)  # take it (and anything older) off the schedule
    with app.app_context():
        tasks.huey.execute(retry, timestamp=retry.eta)
    return delay


def dossier_id(app, code: str) -> int:
    with app.app_context(), db.new_session() as session:
        return session.exec(select(Dossier.id).where(Dossier.code == code)).one()


def switch(live_apps, *names: str) -> None:
    with live_apps.idp_app.app_context(), idp_db.new_session() as session:
        misbehaviour.set_switches(session, list(names))


def test_registry_down_retries_with_growing_delays_then_succeeds(live_apps):
    tasks.huey.storage.flush_all()
    switch(live_apps, "population_5xx")
    portal_app = live_apps.portal_app
    client = portal_app.test_client()
    code = f"{COMMUNE}-261123-90002"
    add_birth_dossier(portal_app, code)
    sign_in(portal_app, client, HANH)
    ready_to_sign(portal_app, client, code)
    assert act(client, code, "approve").status_code == 302
    page = client.get(f"/can-bo/ho-so/{code}").get_data(as_text=True)
    assert "Chưa ghi được vào CSDLQG về dân cư, sẽ thử lại tự động" in page
    assert "đã thử 1 lần" in page and "503" not in page
    found_notes, status = notes(portal_app, code)
    assert status == "approved"
    assert documents(portal_app, code) == []  # nothing is signed before the write

    # the result cannot be returned before the registry has it
    refused = act(client, code, "return")
    assert refused.status_code == 400
    assert "chưa được ghi vào CSDLQG" in refused.get_data(as_text=True)

    # still down: each retry is scheduled twice as far off (30 s, then 60 s, then 120 s)
    ident = dossier_id(portal_app, code)
    delays = [run_retry(portal_app, ident) for _ in range(2)]
    [third] = scheduled_retries(ident)
    delays.append((third.eta - datetime.now(UTC).replace(tzinfo=None)).total_seconds())
    assert [round(d / 10) * 10 for d in delays] == [30, 60, 120], delays
    with portal_app.app_context():
        assert load(portal_app, code).registry_attempts == 3

    # the registry is back: the next retry writes once, signs and starts the parts (once)
    switch(live_apps)
    run_retry(portal_app, ident)
    assert scheduled_retries(ident) == []
    page = client.get(f"/can-bo/ho-so/{code}").get_data(as_text=True)
    assert "Đã ghi vào CSDLQG về dân cư" in page and "Ghi lại vào CSDLQG" not in page
    assert len(documents(portal_app, code)) == 1 and len(part_offices(portal_app, code)) == 2
    assert act(client, code, "return").status_code == 302
    # a retry asked afterwards has nothing to do
    again = client.post(f"/can-bo/ho-so/{code}/ghi-lai-csdl", data={"csrf_token": csrf_token(page)})
    assert again.status_code == 302
    assert "không còn chờ ghi" in client.get(f"/can-bo/ho-so/{code}").get_data(as_text=True)


def test_a_registry_refusal_goes_back_to_the_officer_in_vietnamese(live_apps):
    tasks.huey.storage.flush_all()
    portal_app = live_apps.portal_app
    client = portal_app.test_client()
    first, second = f"{COMMUNE}-261123-90004", f"{COMMUNE}-261123-90005"
    add_birth_dossier(portal_app, first)
    add_birth_dossier(portal_app, second)  # the same birth notice, filed twice
    sign_in(portal_app, client, HANH)
    for code in (first, second):
        ready_to_sign(portal_app, client, code)
    assert act(client, first, "approve").status_code == 302
    resp = act(client, second, "approve")
    assert resp.status_code == 302

    found = load(portal_app, second)
    assert (found.status, found.registry_sync, found.registry_error_status) == (
        "processing",
        "refused",
        409,
    )
    assert "already registered" in found.registry_error  # the registry's own reason, kept
    assert scheduled_retries(found.id) == []  # no retry
    assert documents(portal_app, second) == []  # no paper for a write that failed
    page = client.get(f"/can-bo/ho-so/{second}").get_data(as_text=True)
    assert "CSDLQG về dân cư từ chối ghi kết quả" in page
    assert "giấy chứng sinh này đã được dùng để đăng ký khai sinh trước đó" in page
    shown = re.sub(r"https?://[^\s\"<]+", "", page)  # a live server's port may hold 409
    assert "already registered" not in shown and "409" not in shown
    assert "Gửi lại sang CSDLQG" not in page and 'id="nut-return"' not in page
    assert 'id="nut-approve"' in page and 'id="nut-reject"' in page

    # approving again writes again; the registry refuses again, still without a loop
    assert act(client, second, "approve").status_code == 302
    found = load(portal_app, second)
    assert (found.status, found.registry_sync, found.registry_attempts) == (
        "processing",
        "refused",
        1,
    )
    assert scheduled_retries(found.id) == [] and documents(portal_app, second) == []
    with live_apps.idp_app.app_context(), idp_db.new_session() as session:
        writes = session.exec(select(PopulationWrite.reference)).all()
    assert second not in writes


def test_approving_does_not_call_the_registry_in_the_request(live_apps):
    portal_app = live_apps.portal_app
    client = portal_app.test_client()
    code = f"{COMMUNE}-261123-90006"
    add_birth_dossier(portal_app, code)
    sign_in(portal_app, client, HANH)
    ready_to_sign(portal_app, client, code)
    with tasks.queue_on(MemoryStorage("portal-test-request")) as queue:
        assert act(client, code, "approve").status_code == 302
        page = client.get(f"/can-bo/ho-so/{code}").get_data(as_text=True)
        assert "Kết quả đang được gửi sang CSDLQG về dân cư" in page
        found = load(portal_app, code)
        assert (found.registry_sync, found.registry_attempts) == ("pending", 0)
        assert documents(portal_app, code) == []
        with live_apps.idp_app.app_context(), idp_db.new_session() as session:
            assert session.exec(select(PopulationWrite)).all() == []
        names = sorted(t.name.rsplit(".", 1)[-1] for t in queue.pending())
        # one notice per party (the father, the informed mother), one write-back
        assert names == ["deliver_notification", "deliver_notification", "write_back_dossier"]
        with portal_app.app_context():  # the worker's turn
            for task in queue.pending():
                queue.storage.dequeue()
                queue.execute(task)
    assert load(portal_app, code).registry_sync == "done"
    assert len(documents(portal_app, code)) == 1 and len(part_offices(portal_app, code)) == 2


def test_the_sweep_writes_what_was_left_pending(live_apps):
    portal_app = live_apps.portal_app
    client = portal_app.test_client()
    code = f"{COMMUNE}-261123-90003"
    add_birth_dossier(portal_app, code)
    sign_in(portal_app, client, HANH)
    ready_to_sign(portal_app, client, code)
    # a crash between commit and enqueue: approved and pending, but nothing in the queue
    with tasks.queue_on(MemoryStorage("portal-test-lost")):
        assert act(client, code, "approve").status_code == 302
    assert load(portal_app, code).registry_sync == "pending"

    # a reception-only clerk may not ask for a retry
    with portal_app.app_context(), db.new_session() as session:
        session.add(Staff(personal_id=RECEPTION_ONLY, office_code=COMMUNE, roles="tiep_nhan"))
        session.commit()
    reception = portal_app.test_client()
    sign_in(portal_app, reception, RECEPTION_ONLY)
    page = reception.get(f"/can-bo/ho-so/{code}").get_data(as_text=True)
    reception.post(f"/can-bo/ho-so/{code}/ghi-lai-csdl", data={"csrf_token": csrf_token(page)})
    page = reception.get(f"/can-bo/ho-so/{code}").get_data(as_text=True)
    assert "Chỉ chuyên viên xử lý hoặc lãnh đạo" in page
    assert documents(portal_app, code) == []

    with portal_app.app_context():
        assert tasks.requeue_overdue_writebacks.call_local() == 0  # within the grace period
        with db.new_session() as session:
            past = utcnow() - timedelta(minutes=10)
            session.execute(
                update(Dossier).where(Dossier.code == code).values(registry_next_at=past)
            )
            session.commit()
        assert tasks.requeue_overdue_writebacks.call_local() == 1
    assert load(portal_app, code).registry_sync == "done"
    assert len(documents(portal_app, code)) == 1 and len(part_offices(portal_app, code)) == 2


def test_the_cron_command_is_gone(live_apps):
    out = live_apps.portal_app.test_cli_runner().invoke(args=["retry-writebacks"])
    assert out.exit_code != 0 and "No such command" in out.output
