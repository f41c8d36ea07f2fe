"""Write-back to the population registry (liên thông), each body its own change: births
(from the electronic birth notice, or declared with a paper notice or a witness statement),
marriages and deaths (UBND xã), permanent residences and their removal (Công an xã), a
child's health-insurance card (BHXH).

Client-credentials tokens with `population.write` only; every write is audited and keyed by
its reference, so a retried call never writes twice; a refusal is a 4xx with an English
reason and a Vietnamese message. Each test makes its own family.
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


def test_birth_creates_the_child_with_parents_only(idp_app, idp_client, write_token, lookup_token):
    """The UBND's write: the personal ID (of the registering office's province), the parents
    and the birth data; no household, residence or card before the Công an and BHXH act."""
    family = make_family(idp_app)
    resp = post(idp_client, "births", write_token, birth_body(family, registration_province_code=1))
    assert resp.status_code == 201, resp.get_data(as_text=True)
    data = resp.get_json()["data"]
    child_id = data["personal_id"]
    parsed = pid.parse(child_id)
    assert (parsed.sex, parsed.birth_year, parsed.province_code) == ("nu", date.today().year, 1)
    assert data["declared"] is False and data["birth_notice_number"] == family.notice
    assert data["birth_place"] == "Bệnh viện Từ Dũ"
    assert "permanent_residence" not in data and "health_insurance" not in data

    record = lookup(idp_client, lookup_token, child_id)
    assert record["full_name"]["value"] == "Trần Bảo Ngọc"
    assert record["mother"]["value"]["personal_id"] == family.mother
    assert record["father"]["value"]["personal_id"] == family.father
    assert record["household"] is None and record["permanent_residence"] is None
    assert record["health_insurance"]["value"] is False

    mother = lookup(idp_client, lookup_token, family.mother)
    assert child_id in [c["personal_id"] for c in mother["children"]["value"]]
    assert family.notice not in [n["value"]["number"] for n in mother["birth_notices"]]
    with idp_app.app_context(), db.new_session() as session:
        notice = session.exec(select(BirthNotice).where(BirthNotice.number == family.notice)).one()
        assert notice.registered_person_id == child_id


def test_birth_takes_the_parent_province_without_the_office_one(idp_app, idp_client, write_token):
    family = make_family(idp_app)
    resp = post(idp_client, "births", write_token, birth_body(family))
    assert pid.parse(resp.get_json()["data"]["personal_id"]).province_code == 79


@pytest.mark.parametrize("name", ["residence_of", "health_insurance"])
def test_birth_no_longer_registers_residence_or_card(idp_app, idp_client, write_token, name):
    family = make_family(idp_app)
    resp = post(idp_client, "births", write_token, birth_body(family, **{name: family.mother}))
    assert resp.status_code == 400
    body = resp.get_json()
    assert "/residences" in body["error_description"]
    assert "đăng ký thường trú" in body["message"]


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


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"full_name": ""}, 400, "'full_name'"),
        ({"full_name": 12}, 400, "'full_name'"),
        ({"birth_notice_number": None}, 400, "'birth_date'"),  # then a declared birth
        ({"birth_notice_number": "CS-khong-co"}, 404, "No birth notice"),
        ({"mother_id": "079195999999"}, 400, "does not match"),
        ({"mother_id": "12345"}, 400, "well-formed"),
        ({"registration_province_code": 999}, 400, "province code"),
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
    assert resp.get_json()["message"]  # in Vietnamese, for people
    with idp_app.app_context(), db.new_session() as session:
        assert session.exec(select(Person).where(Person.mother_id == family.mother)).all() == []


# --- a birth without an electronic birth notice -----------------------------------------------


def declared_body(family: Family, **extra) -> dict:
    """The parents' declaration with a paper birth notice: the notice's data, typed."""
    fields = {
        "full_name": "Trần Minh Khai",
        "birth_date": "2026-11-01",
        "sex": "nam",
        "birth_place": "Nhà riêng, 12 Đường Kiểm Thử",
        "proof": "giay_chung_sinh",
        "proof_number": "GCS-GIAY-0042",
        "mother_id": family.mother,
        "mother_full_name": "lê thị  kiểm",  # compared as the match check compares names
        "mother_birth_date": "1994-03-02",
        "father_id": family.father,
        "father_full_name": "Trần Văn Thử",
    }
    return base(**{**fields, **extra})


def test_a_declared_birth_creates_the_child_from_what_the_parents_declared(
    idp_app, idp_client, write_token, lookup_token
):
    family = make_family(idp_app)
    resp = post(idp_client, "births", write_token, declared_body(family))
    assert resp.status_code == 201, resp.get_data(as_text=True)
    data = resp.get_json()["data"]
    assert data["declared"] is True and data["birth_notice_number"] is None
    assert (data["proof"], data["proof_number"]) == ("giay_chung_sinh", "GCS-GIAY-0042")
    assert data["proof_label"] == "Giấy chứng sinh (bản giấy)"
    assert (data["birth_date"], data["sex"]) == ("2026-11-01", "nam")
    assert data["birth_place"] == "Nhà riêng, 12 Đường Kiểm Thử"
    record = lookup(idp_client, lookup_token, data["personal_id"])
    assert record["birth_date"]["value"] == "2026-11-01"
    assert record["mother"]["value"]["personal_id"] == family.mother
    assert record["father"]["value"]["personal_id"] == family.father
    # the notice of the family (another birth, today) is still there to register
    with idp_app.app_context(), db.new_session() as session:
        notice = session.exec(select(BirthNotice).where(BirthNotice.number == family.notice)).one()
        assert notice.registered_person_id is None
    again = post(idp_client, "births", write_token, declared_body(family))
    assert again.status_code == 409  # the same child under another reference
    assert "đã được đăng ký khai sinh" in again.get_json()["message"]


@pytest.mark.parametrize(("name", "status"), [("Trần Văn Thử", 201), ("Trần Văn Khác", 400)])
def test_a_father_the_notice_does_not_name_is_matched(
    idp_app, idp_client, write_token, name, status
):
    family = make_family(idp_app)
    with idp_app.app_context(), db.new_session() as session:
        notice = session.exec(select(BirthNotice).where(BirthNotice.number == family.notice)).one()
        notice.father_id = None
        session.add(notice)
        session.commit()
    resp = post(idp_client, "births", write_token, birth_body(family, father_full_name=name))
    assert resp.status_code == status, resp.get_data(as_text=True)
    if status == 201:
        assert resp.get_json()["data"]["father_id"] == family.father
    else:
        assert "cha không khớp" in resp.get_json()["message"]


def test_a_witness_statement_and_one_parent_are_enough(idp_app, idp_client, write_token):
    family = make_family(idp_app)
    body = declared_body(family, proof="nguoi_lam_chung", proof_number=None, father_id=None)
    del body["father_full_name"]
    resp = post(idp_client, "births", write_token, body)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    data = resp.get_json()["data"]
    assert data["proof_label"] == "Văn bản của người làm chứng xác nhận việc sinh"
    assert (data["mother_id"], data["father_id"]) == (family.mother, None)


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"mother_full_name": "Lê Thị Khác"}, 400, "mẹ không khớp"),
        ({"mother_birth_date": "1994-03-03"}, 400, "mẹ không khớp"),
        ({"father_full_name": None}, 400, "Thiếu họ, chữ đệm và tên của cha"),
        ({"mother_id": None, "mother_full_name": None, "mother_birth_date": None,
          "father_id": None, "father_full_name": None}, 400, "phải có thông tin cha hoặc mẹ"),
        ({"birth_date": date.today().isoformat()}, 409, "giấy chứng sinh điện tử"),
        ({"birth_date": "2999-01-01"}, 400, "ngày tương lai"),
        ({"birth_date": "1980-01-01"}, 400, "không trước ngày sinh của trẻ"),
        ({"sex": "khac"}, 400, "Nam hoặc Nữ"),
        ({"proof": "loi_khai"}, 400, "người làm chứng"),
        ({"birth_place": ""}, 400, "birth_place"),
    ],
)  # fmt: skip
def test_a_bad_declared_birth_is_refused_in_vietnamese(
    idp_app, idp_client, write_token, change, status, words
):
    family = make_family(idp_app)
    body = {k: v for k, v in {**declared_body(family), **change}.items() if v is not None}
    resp = post(idp_client, "births", write_token, body)
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert words in resp.get_json()["message"] + resp.get_json()["error_description"]
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


def test_death_closes_the_record_and_leaves_the_residence_to_the_police(
    idp_app, idp_client, write_token, lookup_token
):
    family = make_family(idp_app)
    died = date.today().isoformat()
    body = base(personal_id=family.father, died_on=died)
    resp = post(idp_client, "deaths", write_token, body)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert resp.get_json()["data"]["permanent_residence"].startswith("12 Đường Kiểm Thử")
    record = lookup(idp_client, lookup_token, family.father)
    assert record["died_on"]["value"] == died
    assert record["permanent_residence"]["value"]["street"] == "12 Đường Kiểm Thử"  # still
    widow = lookup(idp_client, lookup_token, family.mother)
    assert widow["marital_status"]["value"] == "Góa"
    assert widow["spouse"]["value"]["alive"] is False
    again = post(idp_client, "deaths", write_token, body)
    assert again.status_code == 200
    other = post(idp_client, "deaths", write_token, base(personal_id=family.father, died_on=died))
    assert other.status_code == 409  # a second death under another reference

    # the Công an xã removes the permanent residence (xóa đăng ký thường trú, its CT08)
    removal = base(personal_id=family.father, reason="Đã chết", event_date=died)
    resp = post(idp_client, "residence-removals", write_token, removal)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    data = resp.get_json()["data"]
    assert (data["alive"], data["ended_on"], data["household_id"]) == (
        False,
        died,
        family.household,
    )
    assert data["removed_residence"].startswith("12 Đường Kiểm Thử")
    record = lookup(idp_client, lookup_token, family.father)
    assert record["permanent_residence"] is None and record["household"] is None
    assert record["last_residence"]["value"]["ended_on"] == died  # still readable
    with idp_app.app_context(), db.new_session() as session:
        rows = session.exec(select(Residence).where(Residence.personal_id == family.father)).all()
        assert [r.ended_on for r in rows] == [date.today()]
        assert session.get(Household, family.household).head_id is None  # the head left
    assert post(idp_client, "residence-removals", write_token, removal).status_code == 200
    twice = post(idp_client, "residence-removals", write_token, {**removal, **base()})
    assert twice.status_code == 409
    assert twice.get_json()["message"] == "Người này không có nơi thường trú để xóa đăng ký."


def test_removing_an_unknown_person_is_404(idp_client, write_token):
    resp = post(idp_client, "residence-removals", write_token, base(personal_id="079095999999"))
    assert resp.status_code == 404


# --- permanent residence (Công an xã) and the child's card (BHXH) ---------------------------------


def child_of(idp_client, write_token, family: Family) -> str:
    resp = post(idp_client, "births", write_token, birth_body(family))
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp.get_json()["data"]["personal_id"]


def test_the_child_joins_the_household_of_the_parent(
    idp_app, idp_client, write_token, lookup_token
):
    family = make_family(idp_app)
    child = child_of(idp_client, write_token, family)
    body = base(personal_id=child, ward_code=str(family.ward), household_head_id=family.father)
    resp = post(idp_client, "residences", write_token, body)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    data = resp.get_json()["data"]
    assert (data["relation_to_head"], data["household_id"]) == ("Con", family.household)
    assert data["residence_address"].startswith("12 Đường Kiểm Thử")
    assert data["previous_residence"] is None and data["full_name"] == "Trần Bảo Ngọc"
    record = lookup(idp_client, lookup_token, child)
    residence = record["permanent_residence"]["value"]
    assert (residence["street"], residence["ward_code"]) == ("12 Đường Kiểm Thử", family.ward)
    assert residence["registered_on"] == date.today().isoformat()
    assert record["household"]["value"]["id"] == family.household
    assert post(idp_client, "residences", write_token, body).get_json()["created"] is False
    twice = post(idp_client, "residences", write_token, {**body, **base()})
    assert twice.status_code == 409 and "đã đăng ký thường trú" in twice.get_json()["message"]
    audited = sorted(a.outcome for a in audits(idp_app, body["reference"]))
    assert audited == ["created", "replayed"]


def test_an_adult_moves_and_heads_a_new_household(idp_app, idp_client, write_token, lookup_token):
    person = make_single(idp_app, "nu")
    with idp_app.app_context(), db.new_session() as session:
        ward = session.exec(
            select(Residence.ward_code).where(Residence.personal_id == person)
        ).one()
    body = base(
        personal_id=person, ward_code=ward, street="7 Đường Mới", relation_to_head="Là chủ hộ"
    )
    resp = post(idp_client, "residences", write_token, body)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    data = resp.get_json()["data"]
    assert data["previous_residence"].startswith("1 Đường Đơn")
    assert (data["relation_to_head"], data["household_head_id"]) == ("Chủ hộ", person)
    record = lookup(idp_client, lookup_token, person)
    assert record["permanent_residence"]["value"]["street"] == "7 Đường Mới"
    assert record["household"]["value"]["head_id"] == person
    with idp_app.app_context(), db.new_session() as session:
        rows = session.exec(select(Residence).where(Residence.personal_id == person)).all()
        assert sorted((r.street, r.ended_on) for r in rows) == [
            ("1 Đường Đơn", date.today()),
            ("7 Đường Mới", None),
        ]


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"household_head_id": None}, 409, "Người chưa thành niên không thể là chủ hộ"),
        ({"ward_code": "1"}, 400, "mã xã, phường"),
        ({"ward_code": "another"}, 409, "không ở xã, phường"),
        ({"household_head_id": "079095999999"}, 404, "Không có người"),
        ({"relation_to_head": "Là chủ hộ"}, 400, "chủ hộ là người khác"),
        ({"personal_id": None}, 400, "'personal_id'"),
    ],
)
def test_a_bad_residence_is_refused_in_vietnamese(
    idp_app, idp_client, write_token, change, status, words
):
    family = make_family(idp_app)
    child = child_of(idp_client, write_token, family)
    body = {
        **base(personal_id=child, ward_code=family.ward, street="1 Nơi Khác"),
        "household_head_id": family.father,
        **change,
    }
    if body["ward_code"] == "another":  # Phường Sài Gòn, or Bến Thành if the family lives there
        body["ward_code"] = "26743" if family.ward == 26737 else "26737"
    resp = post(idp_client, "residences", write_token, {k: v for k, v in body.items() if v})
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert words in resp.get_json()["message"], resp.get_json()


def test_bhxh_issues_the_card_of_a_child_under_six(idp_app, idp_client, write_token, lookup_token):
    family = make_family(idp_app)
    child = child_of(idp_client, write_token, family)
    body = base(personal_id=child, province_code=79, primary_care_facility="Trạm y tế phường")
    resp = post(idp_client, "health-insurance-cards", write_token, body)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    data = resp.get_json()["data"]
    assert data["health_insurance_number"] == f"TE179{child[-10:]}"
    assert data["health_insurance_valid_from"] == date.today().isoformat()
    assert data["primary_care_facility"] == "Trạm y tế phường"
    assert data["full_name"] == "Trần Bảo Ngọc"
    assert lookup(idp_client, lookup_token, child)["health_insurance"]["value"] is True
    assert post(idp_client, "health-insurance-cards", write_token, body).status_code == 200
    twice = post(idp_client, "health-insurance-cards", write_token, {**body, **base()})
    assert twice.status_code == 409
    assert twice.get_json()["message"] == "Trẻ đã được cấp thẻ bảo hiểm y tế."


def test_no_child_card_for_an_adult(idp_app, idp_client, write_token):
    adult = make_single(idp_app, "nam")
    resp = post(idp_client, "health-insurance-cards", write_token, base(personal_id=adult))
    assert resp.status_code == 409
    assert "đủ 6 tuổi" in resp.get_json()["message"]


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


@pytest.mark.parametrize(
    "kind",
    ["births", "marriages", "deaths", "residences", "residence-removals", "health-insurance-cards"],
)
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


@pytest.mark.parametrize(
    ("born", "until"),
    [
        (date(2026, 5, 1), date(2032, 9, 30)),  # 72 months before the school year: 30/09
        (date(2026, 9, 5), date(2032, 9, 5)),  # on the opening day: the 72 months
        (date(2026, 12, 1), date(2032, 12, 1)),
        (date(2024, 2, 29), date(2030, 9, 30)),
    ],
)
def test_the_card_is_valid_as_the_law_says(born, until):
    from identity_mock.registry_writes import card_of, card_valid_until

    assert card_valid_until(born) == until
    assert card_of("079326001234", 79, born)["health_insurance_valid_until"] == until.isoformat()
