"""Write-back to the population registry (liên thông): births, marriages, deaths.

Client-credentials tokens with `population.write` only; every write is audited and keyed by
its reference, so a retried call never writes twice. Each test makes its own family.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from sqlmodel import select

from common import personal_id as pid
from identity_mock.db import db
from identity_mock.models import (
    BirthNotice,
    Household,
    Person,
    PopulationAudit,
    PopulationWrite,
    Residence,
)
from tests.support import oauth

WRITE_SCOPE = "openid population population.lookup population.write"
_rng = random.Random()


@pytest.fixture(scope="module")
def writer(idp_app) -> oauth.RelyingParty:
    return oauth.register_client(
        idp_app, client_id="rp-writer", key=oauth.rsa_key(label="writer"), scope=WRITE_SCOPE
    )


@pytest.fixture(scope="module")
def write_token(idp_app, writer) -> str:
    return oauth.client_credentials_token(
        idp_app.test_client(), rp=writer, scope="population.write"
    )


@dataclass
class Family:
    mother: str
    father: str
    household: str
    notice: str
    ward: int


def _new_id(sex: str, year: int) -> str:
    return pid.generate(_rng, 79, sex, year)


def make_family(app) -> Family:
    """Married parents in their own household at one address, and an unregistered notice."""
    mother, father = _new_id("nu", 1994), _new_id("nam", 1992)
    household = "HK" + uuid.uuid4().hex[:10]
    notice = "CS-" + uuid.uuid4().hex[:12]
    with app.app_context(), db.new_session() as session:
        ward = session.exec(select(Residence.ward_code)).first()
        session.add(Household(id=household, head_id=father))
        for personal_id, name, sex, born in (
            (mother, "Lê Thị Kiểm", "nu", date(1994, 3, 2)),
            (father, "Trần Văn Thử", "nam", date(1992, 7, 9)),
        ):
            session.add(
                Person(
                    personal_id=personal_id,
                    full_name=name,
                    birth_date=born,
                    sex=sex,
                    birth_province_code=79,
                    household_id=household,
                    relation_to_head="Chủ hộ" if personal_id == father else "Vợ",
                    marital_status="ket_hon",
                    spouse_id=father if personal_id == mother else mother,
                )
            )
            session.add(
                Residence(
                    personal_id=personal_id,
                    kind="thuong_tru",
                    province_code=79,
                    ward_code=ward,
                    street="12 Đường Kiểm Thử",
                    registered_on=date(2020, 1, 1),
                )
            )
        session.add(
            BirthNotice(
                number=notice,
                hospital="Bệnh viện Từ Dũ",
                birth_date=date.today(),
                sex="nu",
                weight_grams=3100,
                mother_id=mother,
                father_id=father,
            )
        )
        session.commit()
    return Family(mother, father, household, notice, ward)


def make_single(app, sex: str, year: int = 1990) -> str:
    personal_id = _new_id(sex, year)
    with app.app_context(), db.new_session() as session:
        session.add(
            Person(
                personal_id=personal_id,
                full_name="Người Độc Thân",
                birth_date=date(year, 5, 5),
                sex=sex,
                birth_province_code=79,
            )
        )
        session.add(
            Residence(
                personal_id=personal_id,
                kind="thuong_tru",
                province_code=79,
                ward_code=session.exec(select(Residence.ward_code)).first(),
                street="1 Đường Đơn",
                registered_on=date(2015, 1, 1),
            )
        )
        session.commit()
    return personal_id


def reference() -> str:
    return "G01.001-" + uuid.uuid4().hex[:10]


def base(**extra) -> dict:
    return {
        "reference": reference(),
        "purpose": "Liên thông kết quả kiểm thử",
        "actor": "079090000001",
        **extra,
    }


def birth_body(family: Family, **extra) -> dict:
    fields = {
        "birth_notice_number": family.notice,
        "full_name": "Trần Bảo Ngọc",
        "ethnicity": "Kinh",
        "mother_id": family.mother,
        "father_id": family.father,
        "residence_of": family.mother,
        "health_insurance": True,
    }
    return base(**{**fields, **extra})


def post(client, kind: str, token: str, body) -> object:
    return client.post(f"/api/population/{kind}", json=body, headers=oauth.bearer(token))


def lookup(client, token: str, personal_id: str) -> dict:
    resp = client.get(
        f"/api/population/people/{personal_id}?purpose=kiem-thu", headers=oauth.bearer(token)
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()["data"]


def audits(app, reference_: str) -> list[PopulationAudit]:
    with app.app_context(), db.new_session() as session:
        return list(
            session.exec(
                select(PopulationAudit).where(PopulationAudit.purpose.contains(reference_))
            ).all()
        )


@pytest.fixture(scope="module")
def lookup_token(idp_app, writer) -> str:
    return oauth.client_credentials_token(idp_app.test_client(), rp=writer)


# --- births --------------------------------------------------------------------------------


def test_birth_creates_the_child_linked_to_parents_household_and_residence(
    idp_app, idp_client, write_token, lookup_token
):
    family = make_family(idp_app)
    body = birth_body(family)
    resp = post(idp_client, "births", write_token, body)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    data = resp.get_json()["data"]
    child_id = data["personal_id"]
    parsed = pid.parse(child_id)
    assert (parsed.sex, parsed.birth_year, parsed.province_code) == ("nu", date.today().year, 79)

    record = lookup(idp_client, lookup_token, child_id)
    assert record["full_name"]["value"] == "Trần Bảo Ngọc"
    assert record["mother"]["value"]["personal_id"] == family.mother
    assert record["father"]["value"]["personal_id"] == family.father
    assert record["household"]["value"]["id"] == family.household
    child_row = next(
        m for m in record["household"]["value"]["members"] if m["personal_id"] == child_id
    )
    assert child_row["relation_to_head"] == "Con"
    residence = record["permanent_residence"]["value"]
    assert (residence["street"], residence["ward_code"]) == ("12 Đường Kiểm Thử", family.ward)
    assert residence["registered_on"] == date.today().isoformat()
    assert record["health_insurance"]["value"] is True

    mother = lookup(idp_client, lookup_token, family.mother)
    assert child_id in [c["personal_id"] for c in mother["children"]["value"]]
    assert family.notice not in [n["value"]["number"] for n in mother["birth_notices"]]
    with idp_app.app_context(), db.new_session() as session:
        notice = session.exec(select(BirthNotice).where(BirthNotice.number == family.notice)).one()
        assert notice.registered_person_id == child_id


def test_birth_is_idempotent_by_reference(idp_app, idp_client, write_token):
    family = make_family(idp_app)
    body = birth_body(family)
    first = post(idp_client, "births", write_token, body)
    again = post(idp_client, "births", write_token, body)
    assert first.status_code == 201
    assert again.status_code == 200, again.get_data(as_text=True)
    assert again.get_json()["created"] is False
    child_id = first.get_json()["data"]["personal_id"]
    assert again.get_json()["data"]["personal_id"] == child_id
    with idp_app.app_context(), db.new_session() as session:
        children = session.exec(select(Person).where(Person.mother_id == family.mother)).all()
        assert [c.personal_id for c in children] == [child_id]
        rows = session.exec(
            select(PopulationWrite).where(PopulationWrite.reference == body["reference"])
        ).all()
        assert len(rows) == 1
    outcomes = sorted(a.outcome for a in audits(idp_app, body["reference"]))
    assert outcomes == ["created", "replayed"]


def test_birth_notice_registered_under_another_reference_is_409(idp_app, idp_client, write_token):
    family = make_family(idp_app)
    assert post(idp_client, "births", write_token, birth_body(family)).status_code == 201
    resp = post(idp_client, "births", write_token, birth_body(family))
    assert resp.status_code == 409
    assert "already registered" in resp.get_json()["error_description"]


def test_birth_without_residence_keeps_household_only(
    idp_app, idp_client, write_token, lookup_token
):
    family = make_family(idp_app)
    body = birth_body(family, health_insurance=False)
    del body["residence_of"]
    resp = post(idp_client, "births", write_token, body)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    record = lookup(idp_client, lookup_token, resp.get_json()["data"]["personal_id"])
    assert record["permanent_residence"] is None
    assert record["health_insurance"]["value"] is False


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"full_name": ""}, 400, "'full_name'"),
        ({"full_name": 12}, 400, "'full_name'"),
        ({"birth_notice_number": None}, 400, "'birth_notice_number'"),
        ({"birth_notice_number": "CS-khong-co"}, 404, "No birth notice"),
        ({"mother_id": "079195999999"}, 400, "does not match"),
        ({"mother_id": "12345"}, 400, "well-formed"),
        ({"health_insurance": "co"}, 400, "true or false"),
        ({"residence_of": "079090000001"}, 400, "mother or the father"),
        ({"reference": ""}, 400, "'reference'"),
        ({"purpose": ""}, 400, "'purpose'"),
        ({"actor": None}, 400, "'actor'"),
    ],
)
def test_bad_birth_body_is_a_clear_json_error(
    idp_app, idp_client, write_token, change, status, words
):
    family = make_family(idp_app)
    resp = post(idp_client, "births", write_token, {**birth_body(family), **change})
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.is_json
    assert words in resp.get_json()["error_description"]
    with idp_app.app_context(), db.new_session() as session:
        assert session.exec(select(Person).where(Person.mother_id == family.mother)).all() == []


@pytest.mark.parametrize("body", ["not json", ["a", "list"]], ids=["text", "list"])
def test_body_must_be_a_json_object(idp_client, write_token, body):
    headers = {**oauth.bearer(write_token), "Content-Type": "application/json"}
    data = body if isinstance(body, str) else '["a", "list"]'
    resp = idp_client.post("/api/population/births", data=data, headers=headers)
    assert resp.status_code == 400
    assert resp.get_json()["error"] == "invalid_request"


# --- marriages and deaths --------------------------------------------------------------------


def test_marriage_sets_both_married_and_spouses(idp_app, idp_client, write_token, lookup_token):
    man, woman = make_single(idp_app, "nam"), make_single(idp_app, "nu")
    body = base(person_id=man, partner_id=woman)
    resp = post(idp_client, "marriages", write_token, body)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    for me, other in ((man, woman), (woman, man)):
        record = lookup(idp_client, lookup_token, me)
        assert record["marital_status"]["value"] == "Đã kết hôn"
        assert record["marital_status"]["updated_at"][:10] == date.today().isoformat()
        assert record["spouse"]["value"]["personal_id"] == other
    assert post(idp_client, "marriages", write_token, body).status_code == 200
    subjects = sorted(a.subject_id for a in audits(idp_app, body["reference"]))
    assert subjects == sorted([man, woman, man, woman])


def test_marriage_refused_when_already_married_to_someone_else(idp_app, idp_client, write_token):
    family = make_family(idp_app)
    single = make_single(idp_app, "nu")
    body = base(person_id=family.father, partner_id=single)
    resp = post(idp_client, "marriages", write_token, body)
    assert resp.status_code == 409
    assert "already married" in resp.get_json()["error_description"]
    assert [a.outcome for a in audits(idp_app, body["reference"])] == ["refused"]


def test_marriage_with_oneself_is_400(idp_app, idp_client, write_token):
    man = make_single(idp_app, "nam")
    resp = post(idp_client, "marriages", write_token, base(person_id=man, partner_id=man))
    assert resp.status_code == 400


def test_death_closes_the_record_and_ends_residence(idp_app, idp_client, write_token, lookup_token):
    family = make_family(idp_app)
    died = date.today().isoformat()
    body = base(personal_id=family.father, died_on=died)
    resp = post(idp_client, "deaths", write_token, body)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    record = lookup(idp_client, lookup_token, family.father)
    assert record["died_on"]["value"] == died
    assert record["permanent_residence"] is None
    widow = lookup(idp_client, lookup_token, family.mother)
    assert widow["marital_status"]["value"] == "Góa"
    assert widow["spouse"]["value"]["alive"] is False
    with idp_app.app_context(), db.new_session() as session:
        rows = session.exec(select(Residence).where(Residence.personal_id == family.father)).all()
        assert [r.ended_on for r in rows] == [date.today()]
    again = post(idp_client, "deaths", write_token, body)
    assert again.status_code == 200
    other = post(idp_client, "deaths", write_token, base(personal_id=family.father, died_on=died))
    assert other.status_code == 409  # a second death under another reference


@pytest.mark.parametrize(
    "died_on", ["2999-01-01", "hom-qua", "1900-01-01", None], ids=["future", "bad", "early", "none"]
)
def test_bad_death_date_is_400(idp_app, idp_client, write_token, died_on):
    person = make_single(idp_app, "nam")
    resp = post(idp_client, "deaths", write_token, base(personal_id=person, died_on=died_on))
    assert resp.status_code == 400
    assert "died_on" in resp.get_json()["error_description"]


def test_unknown_person_is_404(idp_client, write_token):
    resp = post(
        idp_client, "deaths", write_token, base(personal_id="079095999999", died_on="2024-01-01")
    )
    assert resp.status_code == 404
    assert resp.get_json()["error"] == "not_found"


# --- who may write ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["births", "marriages", "deaths"])
def test_lookup_scope_is_not_enough(idp_client, lookup_token, kind):
    resp = post(idp_client, kind, lookup_token, base())
    assert resp.status_code == 403
    assert resp.is_json
    assert resp.get_json()["error"]


def test_user_token_is_refused_even_with_the_write_scope(idp_app, idp_client, writer):
    _, tokens = oauth.login_tokens(idp_client, rp=writer, scope="openid population.write")
    resp = post(idp_client, "marriages", tokens["access_token"], base())
    assert resp.status_code == 403  # the consent page never offers it: the token lacks it
    assert resp.get_json()["error"] == "insufficient_scope"


def test_without_token_is_401(idp_client):
    assert post(idp_client, "births", "khong-ton-tai", base()).status_code == 401


def test_client_not_allowed_the_write_scope_gets_no_write_token(idp_client, rp):
    resp = oauth.token_request(
        idp_client,
        form={"grant_type": "client_credentials", "scope": "population.write"},
        **rp.auth(),
    )
    assert "population.write" not in (resp.get_json().get("scope") or "").split()


def test_portal_client_may_ask_for_the_write_scope(idp_app):
    from identity_mock.models import OAuthClient

    with idp_app.app_context(), db.new_session() as session:
        portal = session.get(OAuthClient, oauth.PORTAL_CLIENT_ID)
        assert "population.write" in portal.scope.split()


def test_every_write_is_audited_with_purpose_and_actor(idp_app, idp_client, write_token):
    family = make_family(idp_app)
    body = birth_body(family)
    child = post(idp_client, "births", write_token, body).get_json()["data"]["personal_id"]
    [row] = audits(idp_app, body["reference"])
    assert (row.client_id, row.actor_id, row.subject_id) == ("rp-writer", body["actor"], child)
    assert (row.endpoint, row.outcome) == ("births", "created")
    assert row.purpose.startswith(body["purpose"])
