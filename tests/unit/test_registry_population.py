"""The registry's linked data in a person's record (identity_mock/population.py): the health
system's death notices (for the deceased and for the relatives who may file), the last
residence that stays readable after death, the social-insurance standing that decides who
pays the funeral allowance; and births registered abroad (a country code in the ID)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from sqlmodel import Session

from common import personal_id as pid
from common.db import make_engine
from identity_mock import population, registry_writes
from identity_mock.models import (
    BirthNotice,
    DeathNotice,
    Person,
    Residence,
    SocialInsurance,
)
from tests.support.apps import demo_personas
from tests.support.databases import create_tables, database_settings, drop_schema

SAU = "079049003311"  # died 26/11/2026, death not yet registered; pensioner
HAN = "079178055642"  # his daughter, own household in Phường Sài Gòn
DIEP = "392301045612"  # birth registered in Japan
NOTICE = "GBT-79-2026-000871"
BEN_THANH, SAI_GON, TAN_DINH = 26743, 26740, 26737
_rng = random.Random()


@pytest.fixture
def session(tmp_path) -> Iterator[Session]:
    """A fresh copy of the demo registry per test (some tests register a death)."""
    settings = database_settings(tmp_path, "idp")
    create_tables("identity_mock", settings, seed=demo_personas)
    engine = make_engine(settings["DATABASE_URL"], schema=settings["DATABASE_SCHEMA"])
    with Session(engine) as s:
        yield s
    engine.dispose()
    drop_schema(settings["DATABASE_SCHEMA"])


def record(session: Session, personal_id: str) -> dict:
    person = session.get(Person, personal_id)
    assert person is not None
    return population.person_record(session, person)


def register_death(session: Session, personal_id: str, **body) -> dict:
    result, created = registry_writes.apply(
        session,
        "kiem-thu",
        "deaths",
        {"reference": uuid.uuid4().hex, "personal_id": personal_id, **body},
    )
    session.commit()
    assert created
    return result


def person(session: Session, *, place: int = 79, **kw) -> Person:
    row = Person(
        personal_id=pid.generate(_rng, place, "nam", 1980),
        full_name=kw.pop("full_name", "Người Kiểm Thử"),
        birth_date=date(1980, 1, 1),
        sex="nam",
        birth_province_code=place,
        **kw,
    )
    session.add(row)
    session.commit()
    return row


def residence(session: Session, personal_id: str, kind: str, ward: int, **kw) -> None:
    session.add(
        Residence(
            personal_id=personal_id,
            kind=kind,
            province_code=79,
            ward_code=ward,
            street=kw.pop("street", "1 Đường Thử"),
            registered_on=kw.pop("registered_on", date(2010, 1, 1)),
            **kw,
        )
    )
    session.commit()


# --- death notices ----------------------------------------------------------------------------


def test_the_deceased_record_carries_the_death_notice(session):
    sau = record(session, SAU)
    notice = sau["death_notice"]
    assert notice["source"] == "Hệ thống giấy báo tử điện tử (Bộ Y tế)"
    assert notice["value"] == {
        "number": NOTICE,
        "issuer": "Bệnh viện Chợ Rẫy",
        "issued_on": "2026-11-27",
        "died_on": "2026-11-26",
        "died_at": "22:15",
        "place_of_death": "Bệnh viện Chợ Rẫy, 201B Nguyễn Chí Thanh, Thành phố Hồ Chí Minh",
        "cause": "Suy tim",
        "registered_on": None,
    }
    assert sau["died_on"]["value"] is None  # the registry records the death once registered
    assert record(session, HAN)["death_notice"] is None


def test_the_relatives_who_may_file_see_the_unregistered_notice(session):
    (item,) = record(session, HAN)["death_notices"]
    value = item["value"]
    assert value["number"] == NOTICE and value["relation"] == "father"
    assert value["deceased"] == {
        "personal_id": SAU,
        "full_name": "Huỳnh Văn Sáu",
        "birth_date": "1949-05-10",
        "alive": True,
    }
    assert value["died_on"] == "2026-11-26"
    assert record(session, "079095001234")["death_notices"] == []  # An is not a relative


def test_a_spouse_and_a_parent_see_the_notice_too(session):
    mother = person(session, full_name="Mẹ Kiểm Thử")
    wife = person(session, full_name="Vợ Kiểm Thử", marital_status="ket_hon")
    deceased = person(
        session, mother_id=mother.personal_id, spouse_id=wife.personal_id, marital_status="ket_hon"
    )
    wife.spouse_id = deceased.personal_id  # the registry links both spouses
    session.add(wife)
    session.add(
        DeathNotice(
            number=f"GBT-{uuid.uuid4().hex[:8]}",
            issuer="Trạm Y tế Phường Bến Thành",
            issued_on=date(2026, 11, 30),
            deceased_id=deceased.personal_id,
            died_on=date(2026, 11, 29),
            place_of_death="Tại nhà",
        )
    )
    session.commit()
    for relative, relation in ((mother, "child"), (wife, "spouse")):
        (item,) = record(session, relative.personal_id)["death_notices"]
        assert item["value"]["relation"] == relation
        assert item["value"]["died_at"] is None and item["value"]["cause"] is None
    assert record(session, mother.personal_id)["death_notices"][0]["value"]["deceased"][
        "personal_id"
    ] == (deceased.personal_id)


def test_registering_the_death_closes_the_notice(session):
    result = register_death(session, SAU, died_on="2026-11-26", death_notice_number=NOTICE)
    assert result["death_notices_registered"] == [NOTICE]
    sau = record(session, SAU)
    assert sau["death_notice"]["value"]["registered_on"] == date.today().isoformat()
    assert sau["died_on"]["value"] == "2026-11-26"
    assert record(session, HAN)["death_notices"] == []


def test_a_death_registered_without_the_number_closes_every_notice_of_the_deceased(session):
    result = register_death(session, SAU, died_on="2026-11-26")
    assert result["death_notices_registered"] == [NOTICE]


def test_a_death_notice_of_someone_else_is_refused(session):
    other = person(session)
    with pytest.raises(registry_writes.WriteRefused, match=NOTICE) as refused:
        registry_writes.apply(
            session,
            "kiem-thu",
            "deaths",
            {
                "reference": uuid.uuid4().hex,
                "personal_id": other.personal_id,
                "died_on": "2026-11-26",
                "death_notice_number": NOTICE,
            },
        )
    assert refused.value.status == 400


# --- last residence ---------------------------------------------------------------------------


def test_the_last_residence_stays_readable_after_death(session):
    before = record(session, SAU)
    assert before["last_residence"]["value"]["ward_code"] == BEN_THANH
    assert before["last_residence"]["value"]["kind"] == "thuong_tru"
    assert before["last_residence"]["value"]["ended_on"] is None
    register_death(session, SAU, died_on="2026-11-26")
    # the death leaves the permanent residence to the Công an xã (xóa đăng ký thường trú)
    assert record(session, SAU)["permanent_residence"]["value"]["ward_code"] == BEN_THANH
    registry_writes.apply(
        session,
        "kiem-thu",
        "residence-removals",
        {"reference": uuid.uuid4().hex, "personal_id": SAU, "event_date": "2026-11-26"},
    )
    session.commit()
    after = record(session, SAU)
    assert after["permanent_residence"] is None  # removed by the Công an
    last = after["last_residence"]["value"]
    assert last["ward_code"] == BEN_THANH and last["ward_name"] == "Phường Bến Thành"
    assert last["street"] == "64 Nguyễn An Ninh"
    assert last["full"] == "64 Nguyễn An Ninh, Phường Bến Thành, Thành phố Hồ Chí Minh"
    assert last["ended_on"] == "2026-11-26"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # an open temporary residence wins over an ended permanent one
        ([("thuong_tru", TAN_DINH, date(2020, 1, 1)), ("tam_tru", SAI_GON, None)], SAI_GON),
        # both ended on the same day (a death): the permanent one
        (
            [("tam_tru", SAI_GON, date(2026, 11, 1)), ("thuong_tru", TAN_DINH, date(2026, 11, 1))],
            TAN_DINH,
        ),
        # the one ended last
        (
            [("thuong_tru", TAN_DINH, date(2015, 1, 1)), ("thuong_tru", SAI_GON, date(2024, 1, 1))],
            SAI_GON,
        ),
        # open permanent and open temporary: the permanent one
        ([("tam_tru", SAI_GON, None), ("thuong_tru", TAN_DINH, None)], TAN_DINH),
    ],
    ids=["open-temporary", "same-day", "latest-ended", "both-open"],
)
def test_which_residence_is_the_last(session, rows, expected):
    someone = person(session)
    for kind, ward, ended in rows:
        residence(session, someone.personal_id, kind, ward, ended_on=ended)
    last = population.last_residence(session, someone.personal_id)
    assert last is not None and last.ward_code == expected


def test_nobody_without_residence_has_no_last_one(session):
    assert record(session, person(session).personal_id)["last_residence"] is None


# --- social insurance and the funeral allowance -----------------------------------------------


def test_the_deceased_pensioner_gets_the_funeral_allowance_from_bhxh(session):
    item = record(session, SAU)["social_insurance"]
    assert item["source"] == "CSDL quốc gia về bảo hiểm (BHXH Việt Nam)"
    value = item["value"]
    assert value["status"] == "huong_luong_huu"
    assert value["bhxh_number"] == "7904912345"
    assert value["contribution_months"] == 372 and value["since"] == "2009-06-01"
    assert value["funeral_allowance"]["payer"] == "bhxh"


def test_someone_the_insurance_database_does_not_know_is_not_insured(session):
    value = record(session, HAN)["social_insurance"]["value"]
    assert value["status"] == "khong_tham_gia" and value["bhxh_number"] is None
    assert value["funeral_allowance"]["payer"] == "ubnd_xa"
    assert "UBND cấp xã" in value["funeral_allowance"]["payer_label"]


@pytest.mark.parametrize(
    ("status", "months", "payer"),
    [
        ("dang_dong", 3, "bhxh"),
        ("huong_luong_huu", 300, "bhxh"),
        ("bao_luu", 12, "bhxh"),
        ("bao_luu", 11, "ubnd_xa"),
        (None, 0, "ubnd_xa"),
    ],
)
def test_who_pays_the_funeral_allowance(status, months, payer):
    row = (
        None
        if status is None
        else SocialInsurance(personal_id=SAU, status=status, contribution_months=months)
    )
    assert population.funeral_allowance(row)["payer"] == payer


# --- births registered abroad -----------------------------------------------------------------


def test_a_persona_registered_abroad_is_in_the_registry(session):
    diep = record(session, DIEP)
    assert diep["full_name"]["value"] == "Nguyễn Ngọc Diệp"
    assert pid.parse(DIEP).registered_abroad
    assert session.get(Person, DIEP).birth_province_code == 392


def test_a_child_of_a_mother_registered_abroad_gets_a_province_code(session):
    number = f"GCS-{uuid.uuid4().hex[:8]}"
    session.add(
        BirthNotice(
            number=number,
            hospital="Bệnh viện Hùng Vương",
            birth_date=date(2026, 11, 20),
            sex="nam",
            weight_grams=3200,
            mother_id=DIEP,
        )
    )
    session.commit()
    result, _ = registry_writes.apply(
        session,
        "kiem-thu",
        "births",
        {"reference": uuid.uuid4().hex, "birth_notice_number": number, "full_name": "Bé Thử"},
    )
    child = pid.parse(result["personal_id"])
    assert child.province_code == 79 and not child.registered_abroad  # her residence: TP.HCM
