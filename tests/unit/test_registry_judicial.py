"""What a Phiếu lý lịch tư pháp states (identity_mock/judicial.py), on the demo personas and
on records written by the tests: phiếu 1 hides expunged convictions and states bans only
when asked; phiếu 2 states everything, oldest judgment first."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date

import pytest
from sqlmodel import Session

from common import personal_id as pid
from common.db import make_engine
from identity_mock import judicial
from identity_mock.models import BusinessBan, Conviction, Person
from tests.support.apps import demo_personas
from tests.support.databases import create_tables, database_settings, drop_schema

VINH = "079079082468"  # current conviction with an additional penalty, and a bankruptcy ban
THANG = "001090067531"  # one conviction, expunged on 10/01/2014
AN = "079095001234"  # clean
HAN = "079178055642"  # clean; her father Huỳnh Văn Sáu is in the registry
ON = date(2026, 12, 3)
_rng = random.Random()


@pytest.fixture(scope="module")
def session(tmp_path_factory) -> Iterator[Session]:
    settings = database_settings(tmp_path_factory.mktemp("judicial"), "idp")
    create_tables("identity_mock", settings, seed=demo_personas)
    engine = make_engine(settings["DATABASE_URL"], schema=settings["DATABASE_SCHEMA"])
    with Session(engine) as s:
        yield s
    engine.dispose()
    drop_schema(settings["DATABASE_SCHEMA"])


def phieu(session: Session, personal_id: str, form: int, **kw) -> dict:
    person = session.get(Person, personal_id)
    assert person is not None
    return judicial.certificate(session, person, form, on=kw.pop("on", ON), **kw)


def new_person(session: Session) -> Person:
    person = Person(
        personal_id=pid.generate(_rng, 79, "nam", 1985),
        full_name="Người Kiểm Thử",
        birth_date=date(1985, 1, 1),
        sex="nam",
        birth_province_code=79,
    )
    session.add(person)
    session.commit()
    return person


def conviction(personal_id: str, judged: date, *, expunged_on: date | None = None, **kw):
    return Conviction(
        personal_id=personal_id,
        court="Tòa án nhân dân Khu vực 1 – Thành phố Hồ Chí Minh",
        judgment_number=kw.pop("number", f"{_rng.randrange(1, 999)}/{judged.year}/HS-ST"),
        judgment_date=judged,
        offence=kw.pop("offence", "Tội cố ý gây thương tích"),
        articles="Khoản 1 Điều 134 Bộ luật Hình sự năm 2015",
        main_penalty="06 tháng cải tạo không giam giữ",
        enforcement_status="Đã chấp hành xong",
        expunged_on=expunged_on,
        **kw,
    )


# --- the demo personas ----------------------------------------------------------------------


def test_phieu_1_of_a_current_conviction_states_offence_and_penalties_only(session):
    data = phieu(session, VINH, 1)
    record = data["criminal_record"]
    assert record == {
        "has_record": True,
        "statement": "Có án tích",
        "convictions": [
            {
                "offence": "Tội trốn thuế",
                "main_penalty": "Phạt tiền 300.000.000 đồng",
                "additional_penalty": (
                    "Cấm đảm nhiệm chức vụ quản lý doanh nghiệp trong thời hạn 02 năm"
                ),
            }
        ],
    }
    assert data["bans"] is None  # not asked
    assert data["form"] == 1 and data["as_of"] == "2026-12-03"
    assert data["source"] == "CSDL lý lịch tư pháp (Bộ Công an)"
    assert data["person"] == {
        "full_name": "Trịnh Quang Vinh",
        "sex": "Nam",
        "birth_date": "1979-03-21",
        "nationality": "Việt Nam",
        "residence": "118 Trần Quang Khải, Phường Tân Định, Thành phố Hồ Chí Minh",
    }


def test_phieu_1_states_the_ban_when_asked(session):
    bans = phieu(session, VINH, 1, include_bans=True)["bans"]
    assert bans["banned"] is True
    assert bans["statement"] == (
        "Bị cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, hợp tác xã"
    )
    (entry,) = bans["entries"]
    assert entry["decision_number"] == "03/2024/QĐ-TBPS"
    assert entry["banned_until"] == "2027-09-19"
    assert entry["statement"] == (
        "Cấm đảm nhiệm chức vụ Giám đốc, Chủ tịch Hội đồng thành viên; không được thành lập, "
        "quản lý doanh nghiệp, hợp tác xã đến hết ngày 19/09/2027"
    )


def test_phieu_2_states_the_whole_judgment_and_the_ban(session):
    data = phieu(session, VINH, 2)
    (entry,) = data["criminal_record"]["convictions"]
    assert entry["court"] == "Tòa án nhân dân Quận 1, Thành phố Hồ Chí Minh"
    assert entry["judgment_number"] == "45/2025/HS-ST"
    assert entry["judgment_date"] == "2025-03-14"
    assert entry["articles"].startswith("Điểm a khoản 1, khoản 5 Điều 200 Bộ luật Hình sự")
    assert entry["civil_obligations"] == "Nộp lại số tiền thuế đã trốn 412.000.000 đồng"
    assert entry["court_fee"] == "Án phí hình sự sơ thẩm 200.000 đồng"
    assert entry["enforcement_status"].startswith("Đã nộp xong tiền phạt")
    assert entry["expunged"] is False and entry["expunged_on"] is None
    assert entry["status"] == "Chưa được xóa án tích"
    assert data["criminal_record"]["statement"] == "Có án tích"
    assert data["bans"]["banned"] is True  # always on a phiếu 2


def test_an_expunged_record_is_not_on_phieu_1(session):
    data = phieu(session, THANG, 1, include_bans=True)
    assert data["criminal_record"] == {
        "has_record": False,
        "statement": "Không có án tích",
        "convictions": [],
    }
    assert data["bans"] == {
        "banned": False,
        "statement": "Không bị cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, hợp tác xã",
        "entries": [],
    }


def test_an_expunged_record_is_on_phieu_2_with_its_date(session):
    record = phieu(session, THANG, 2)["criminal_record"]
    assert record["has_record"] is False and record["convicted"] is True
    assert record["statement"] == "Đã bị kết án, án tích đã được xóa"
    (entry,) = record["convictions"]
    assert entry["offence"] == "Tội trộm cắp tài sản"
    assert entry["judgment_number"] == "112/2011/HSST"
    assert entry["expunged"] is True and entry["expunged_on"] == "2014-01-10"
    assert entry["status"] == "Đã được xóa án tích ngày 10/01/2014"


@pytest.mark.parametrize("form", [1, 2])
def test_a_clean_record(session, form):
    data = phieu(session, AN, form)
    assert data["criminal_record"]["statement"] == "Không có án tích"
    assert data["criminal_record"]["convictions"] == []
    assert data["criminal_record"]["has_record"] is False
    assert (data["bans"] is None) == (form == 1)


def test_phieu_2_names_the_parents_and_the_spouse(session):
    person = phieu(session, HAN, 2)["person"]
    assert person["father"] == "Huỳnh Văn Sáu"
    assert person["mother"] is None and person["spouse"] is None
    assert "father" not in phieu(session, HAN, 1)["person"]


def test_an_unknown_form_is_refused(session):
    with pytest.raises(ValueError, match="form"):
        phieu(session, AN, 3)


# --- records written here -------------------------------------------------------------------


def test_phieu_1_lists_only_the_current_convictions_and_phieu_2_all_in_order(session):
    person = new_person(session)
    session.add(conviction(person.personal_id, date(2020, 5, 4), offence="Tội đánh bạc"))
    session.add(conviction(person.personal_id, date(2005, 2, 1), expunged_on=date(2008, 3, 1)))
    session.commit()
    first = phieu(session, person.personal_id, 1)["criminal_record"]
    assert [c["offence"] for c in first["convictions"]] == ["Tội đánh bạc"]
    second = phieu(session, person.personal_id, 2)["criminal_record"]
    assert [c["judgment_date"] for c in second["convictions"]] == ["2005-02-01", "2020-05-04"]
    assert [c["expunged"] for c in second["convictions"]] == [True, False]
    assert second["statement"] == "Có án tích"


def test_an_expungement_after_the_day_asked_does_not_count(session):
    person = new_person(session)
    session.add(conviction(person.personal_id, date(2019, 1, 2), expunged_on=date(2026, 12, 31)))
    session.commit()
    before = phieu(session, person.personal_id, 1, on=date(2026, 12, 30))["criminal_record"]
    after = phieu(session, person.personal_id, 1, on=date(2026, 12, 31))["criminal_record"]
    assert before["statement"] == "Có án tích" and after["statement"] == "Không có án tích"


@pytest.mark.parametrize(
    ("on", "banned"),
    [
        (date(2025, 6, 30), False),  # before the decision's ban starts
        (date(2025, 7, 1), True),
        (date(2028, 6, 30), True),  # its last day
        (date(2028, 7, 1), False),  # over
    ],
)
def test_a_ban_counts_only_while_in_force(session, on, banned):
    person = new_person(session)
    session.add(
        BusinessBan(
            personal_id=person.personal_id,
            court="Tòa án nhân dân Thành phố Hà Nội",
            decision_number="01/2025/QĐ-TBPS",
            decision_date=date(2025, 7, 1),
            enterprise="Hợp tác xã Thử Nghiệm",
            positions="Chủ tịch Hội đồng quản trị",
            banned_from=date(2025, 7, 1),
            banned_until=date(2028, 6, 30),
        )
    )
    session.commit()
    bans = phieu(session, person.personal_id, 2, on=on)["bans"]
    assert bans["banned"] is banned
    assert len(bans["entries"]) == (1 if banned else 0)
