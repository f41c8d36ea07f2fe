"""A linked group on the portal's pages (Flask test client, the registry faked): the citizen
and every party of the lead see one dossier, its parts' bodies and statuses and one merged
timeline; a part's own address leads to it; each body's clerk sees only its own part, and
the part's result is signed by that body after its own write to the registry (the child's
permanent residence by the Công an)."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from portal.db import db
from portal.models import Citizen, Dossier, Office, Staff
from portal.services import results, writeback
from portal.services.offices import seed_offices
from portal.services.staff import seed_staff
from procedures.loader import load_catalogue
from tests.factories import (
    FATHER,
    HANH,
    MOTHER,
    act,
    add_birth_dossier,
    listed_codes,
    load,
    sign_in,
)
from tests.support.apps import dispose, make_portal
from tests.support.html import check_page

CHILD = "079326009876"
LEAD = "79.26743-261127-91001"
CA_X, CA_Y, BHXH = "079190000201", "079190000202", "079190000203"  # clerks, by office
STRANGER = "079095001234"
STAFF = {CA_X: "79.26737.ca", CA_Y: "79.26743.ca", BHXH: "79.bhxh"}
NAMES = {CA_X: "Lê Văn Cường", CA_Y: "Phạm Thị Yến", BHXH: "Đoàn Minh Hải"}
ANSWER = {  # the birth: the child only
    "personal_id": CHILD,
    "full_name": "Trần Bảo Ngọc",
    "birth_date": "2026-11-15",
    "sex": "nu",
    "mother_id": MOTHER,
    "father_id": FATHER,
    "declared": False,
}
RESIDENCE = {  # the Công an's write: the child joins the father's household
    "personal_id": CHILD,
    "full_name": "Trần Bảo Ngọc",
    "birth_date": "2026-11-15",
    "permanent_residence": True,
    "residence_address": "Số 42 Hai Bà Trưng, Phường Tân Định, Thành phố Hồ Chí Minh",
    "household_id": "HCM-0002",
    "household_head_id": FATHER,
    "relation_to_head": "Con",
}


def _item(value):
    return {"value": value, "source": "CSDLQG", "updated_at": ""}


CHILD_RECORD = {"full_name": _item("Trần Bảo Ngọc"), "permanent_residence": None}
FATHER_RECORD = {  # where the child is registered
    "full_name": _item("Trần Minh Khoa"),
    "permanent_residence": _item(
        {"street": "Số 42 Hai Bà Trưng", "ward_code": 26737, "province_code": 79}
    ),
    "household": _item({"id": "HCM-0002", "head_id": FATHER}),
}


def _seed(session: Session) -> None:
    """Every office and the demo staff, then a clerk at each of three other offices
    (one-person offices: the clerk receives, processes and signs)."""
    seed_offices(session, load_catalogue())
    seed_staff(session)
    for personal_id, office in STAFF.items():
        session.add(
            Staff(personal_id=personal_id, office_code=office, roles="tiep_nhan,xu_ly,lanh_dao")
        )
        session.add(Citizen(personal_id=personal_id, full_name=NAMES[personal_id], level=2))
        found = session.get(Office, office)
        assert found is not None
        found.one_person = True
    session.commit()


@pytest.fixture
def app(tmp_path):
    app = make_portal(
        tmp_path, issuer="http://127.0.0.1:9", portal_url="http://portal.test", seed=_seed
    )
    yield app
    dispose(app)


class FakeRegistry:
    """The registry's answers to each body's write, and its records of the child and of the
    father who filed."""

    def __init__(self) -> None:
        self.writes: list[tuple[str, dict]] = []

    def token(self, scope):
        return "tok"

    def post(self, url, token, body, timeout):
        self.writes.append((url.rsplit("/", 1)[-1], body))
        return RESIDENCE if url.endswith("/residences") else ANSWER

    def lookup(self, personal_id, purpose, actor):
        return CHILD_RECORD if personal_id == CHILD else FATHER_RECORD


def write_back(app, code: str, fake: FakeRegistry | None = None) -> writeback.Outcome:
    """The write-back of an approved dossier, against the fake registry (the app's own
    registry does not answer: its attempt, if any, is waiting to be retried)."""
    fake = fake or FakeRegistry()
    with app.app_context(), db.new_session() as session:
        found = session.exec(select(Dossier).where(Dossier.code == code)).one()
        assert found.id is not None and found.submitted_at is not None
        target = writeback.Registry("http://idp.test", fake.token, fake.post, fake.lookup)
        return writeback.sync(
            session,
            found.id,
            app.extensions["catalogue"],
            target,
            now=found.submitted_at,
            key_folder=results.key_folder(app.instance_path),
        )


def registered_birth(app) -> dict[str, str]:
    """The father's birth registration approved at UBND Phường Bến Thành and written to the
    (fake) registry: the parts start. Procedure code → part code."""
    add_birth_dossier(app, LEAD, status="approved", registry_sync="pending")
    outcome = write_back(app, LEAD)
    assert outcome.state == "done", outcome
    with app.app_context(), db.new_session() as session:
        lead = session.exec(select(Dossier).where(Dossier.code == LEAD)).one()
        found = session.exec(select(Dossier).where(Dossier.group_id == lead.id)).all()
        return {d.procedure_code: d.code for d in found if d.code}


def page(app, personal_id: str, path: str):
    client = app.test_client()
    sign_in(app, client, personal_id, NAMES.get(personal_id))
    return client, client.get(path)


def test_the_citizen_sees_one_dossier_with_its_parts_and_one_timeline(app):
    parts = registered_birth(app)
    residence, card = parts["1.004222"], parts["1.014137"]
    for person in (FATHER, MOTHER):  # the applicant and the parent told
        client, resp = page(app, person, f"/ho-so/{LEAD}")
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200, html
        check_page(html)
        assert "Hồ sơ liên thông" in html
        assert "Đang giải quyết liên thông (0/3 cơ quan đã xong)" in html
        for code, body in ((residence, "Công an Phường Tân Định"), (card, "Bảo hiểm xã hội")):
            assert code in html and body in html
        assert "Mới nộp, chờ tiếp nhận" in html
        # one timeline: every step labelled with its body
        timeline = html.split('id="tien-trinh"')[1]
        assert '· <span class="timeline__body">UBND Phường Bến Thành</span>' in timeline
        assert '· <span class="timeline__body">Công an Phường Tân Định</span>' in timeline
        assert "Bảo hiểm xã hội Thành phố Hồ Chí Minh</span>" in timeline
        # a part's own address shows the one dossier
        resp = client.get(f"/ho-so/{residence}")
        assert resp.status_code == 302
        assert resp.headers["Location"].endswith(f"/ho-so/{LEAD}#lien-thong")
        # the dashboard lists the lead only, with the group's status and each part's
        dashboard = client.get("/ca-nhan").get_data(as_text=True)
        rows = dashboard.split('id="ho-so-cua-toi"')[1]
        assert f'href="/ho-so/{LEAD}"' in rows
        assert f'href="/ho-so/{residence}"' not in rows and f'href="/ho-so/{card}"' not in rows
        assert "Đang giải quyết liên thông" in rows and "Công an Phường Tân Định: Mới nộp" in rows


def test_nobody_else_sees_the_parts(app):
    parts = registered_birth(app)
    for code in parts.values():
        _, resp = page(app, STRANGER, f"/ho-so/{code}")
        assert resp.status_code == 404


def test_each_clerk_sees_only_the_part_of_their_own_office(app):
    parts = registered_birth(app)
    residence, card = parts["1.004222"], parts["1.014137"]
    # the Công an of commune X (the child's residence) has the residence part in its queue
    client, resp = page(app, CA_X, "/can-bo")
    assert residence in listed_codes(resp.get_data(as_text=True))
    assert client.get(f"/can-bo/ho-so/{residence}").status_code == 200
    assert client.get(f"/can-bo/ho-so/{card}").status_code == 404
    assert client.get(f"/can-bo/ho-so/{LEAD}").status_code == 404
    # the Công an of commune Y cannot see commune X's part, nor can the lead's UBND clerk
    for clerk in (CA_Y, HANH):
        client, resp = page(app, clerk, "/can-bo")
        assert residence not in listed_codes(resp.get_data(as_text=True))
        assert client.get(f"/can-bo/ho-so/{residence}").status_code == 404
        assert client.get(f"/ho-so/{residence}").status_code == 404
    # BHXH has the card, not the residence
    client, resp = page(app, BHXH, "/can-bo")
    assert listed_codes(resp.get_data(as_text=True)).count(card) == 1
    assert client.get(f"/can-bo/ho-so/{residence}").status_code == 404


def test_a_part_is_processed_and_signed_by_its_own_body(app):
    parts = registered_birth(app)
    residence = parts["1.004222"]
    client, _ = page(app, CA_X, f"/can-bo/ho-so/{residence}")
    for action in ("receive", "start", "approve"):
        resp = act(client, residence, action)
        assert resp.status_code == 302, (action, resp.get_data(as_text=True))
    # the Công an's approval writes the child's residence first; then the notice is signed
    assert load(app, residence).registry_sync == "pending"
    police = FakeRegistry()
    assert write_back(app, residence, police).state == "done"
    [(endpoint, body)] = police.writes
    assert endpoint == "residences" and body["reference"] == residence
    assert (body["personal_id"], body["household_head_id"]) == (CHILD, FATHER)
    assert act(client, residence, "return").status_code == 302
    with app.app_context(), db.new_session() as session:
        part = session.exec(select(Dossier).where(Dossier.code == residence)).one()
        assert part.id is not None
        [doc] = results.of_dossier(session, part.id)
        assert (doc.office_code, doc.signer_id) == ("79.26737.ca", CA_X)
        # its content reads the registry's answer to the Công an's own write
        assert RESIDENCE["residence_address"] in str(doc.content)
        assert CHILD in str(doc.content) and "'Quan hệ với chủ hộ': 'Con'" in str(doc.content)
        lead = session.exec(select(Dossier).where(Dossier.code == LEAD)).one()
        assert lead.id is not None
        assert results.of_dossier(session, lead.id)[0].office_code == "79.26743"
    client, resp = page(app, FATHER, f"/ho-so/{LEAD}")
    html = resp.get_data(as_text=True)
    results_part = html.split('id="ket-qua"')[1].split("</section>")[0]
    assert "Thông báo kết quả đăng ký thường trú" in results_part
    assert "Công an Phường Tân Định" in results_part
    assert f"/ho-so/{residence}/ket-qua/{doc.verification_code}.pdf" in results_part
    pdf = client.get(f"/ho-so/{residence}/ket-qua/{doc.verification_code}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "Đang giải quyết liên thông (1/3 cơ quan đã xong)" in html
    assert re.search(r"Công an Phường Tân Định</span>: Đã trả kết quả", html)


def test_a_part_waiting_for_the_citizen_keeps_its_own_page(app):
    parts = registered_birth(app)
    card = parts["1.014137"]
    client, _ = page(app, BHXH, f"/can-bo/ho-so/{card}")
    assert (
        act(
            client, card, "request_supplement", note="Nơi đăng ký khám chữa bệnh ban đầu"
        ).status_code
        == 302
    )
    client, resp = page(app, FATHER, f"/ho-so/{card}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Cơ quan yêu cầu bổ sung hồ sơ" in html
    assert "Nơi đăng ký khám chữa bệnh ban đầu" in html
    lead_page = client.get(f"/ho-so/{LEAD}").get_data(as_text=True)
    assert f'href="/ho-so/{card}"' in lead_page and "Xem và trả lời" in lead_page
    assert f"/ho-so/{card}/van-ban/" in lead_page  # the body's letter, on the one timeline
    assert load(app, card).status == "supplement_requested"
    assert "Nơi đăng ký khám chữa bệnh ban đầu" in lead_page
