"""Routing: the competent body by each rule, the receiving point, what the citizen is told
when the residence data cannot decide; offices seeded from the divisions; which office acts on
a dossier when (services/offices.py)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.models import Dossier, Office
from portal.services import offices
from portal.services.offices import seed_offices
from portal.services.routing import (
    COMPETENT_FIELD,
    RECEIVING_FIELD,
    Facts,
    RoutingError,
    competent_choice,
    find_wards,
    receiving_choice,
    route,
    ward_problem,
)
from procedures import load_catalogue
from tests import factories

BEN_THANH, TAN_DINH, SAI_GON, BINH_CHANH = 26743, 26737, 26740, 27637
BA_DINH, HOAN_KIEM, DONG_DA = 4, 70, 235
CATALOGUE = load_catalogue()
BODIES = CATALOGUE.authorities
AN, LAN, MINH = "079095001234", "079302034567", "001068004321"


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    with factories.every_office_session(tmp_path_factory.mktemp("routing"), CATALOGUE) as s:
        yield s


# --- offices --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "count"),
    [("ubnd_xa", 3321), ("cong_an_xa", 3321), ("ttpvhcc_xa", 3321), ("cong_an_tinh", 34),
     ("bhxh", 34), ("so_tu_phap", 34), ("ttpvhcc_tinh", 34)],
)  # fmt: skip
def test_every_body_has_an_office_in_every_commune_or_province(session, kind, count):
    assert len(session.exec(select(Office.code).where(Office.kind == kind)).all()) == count


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("79.26743", "UBND Phường Bến Thành"),
        ("79.26743.ca", "Công an Phường Bến Thành"),
        ("79.26743.tt", "Trung tâm Phục vụ hành chính công Phường Bến Thành"),
        ("79.cong-an", "Công an Thành phố Hồ Chí Minh"),
        ("79.bhxh", "Bảo hiểm xã hội Thành phố Hồ Chí Minh"),
        ("01.so-tu-phap", "Sở Tư pháp Thành phố Hà Nội"),
    ],
)
def test_office_codes_and_names(session, code, name):
    assert session.get(Office, code).name == name


def test_seeding_twice_creates_nothing_new(session):
    assert seed_offices(session, CATALOGUE) == 0


# --- what the registry says -----------------------------------------------------------------


def _place(ward: int) -> dict:
    from common import divisions

    province = divisions.wards()[ward].province_code
    return {
        "value": {
            "street": "1 Đường Thử",
            "ward_code": ward,
            "ward_name": divisions.ward_name(ward),
            "province_code": province,
            "province_name": divisions.province_name(province),
        }
    }


def record(
    personal_id: str, permanent: int | None = None, temporary: int | None = None, **more
) -> dict:
    """A registry record with only what routing reads."""
    return {
        "personal_id": {"value": personal_id},
        "permanent_residence": _place(permanent) if permanent else None,
        "temporary_residence": _place(temporary) if temporary else None,
        **more,
    }


PROC = {code: CATALOGUE.get(code) for code in CATALOGUE.procedures}
MARRIAGE, BIRTH, DEATH = PROC["1.000894"], PROC["1.001193"], PROC["1.000656"]
RESIDENCE, TEMPORARY = PROC["1.004222"], PROC["1.004194"]
CRIMINAL_RECORD, CARD, COPY = PROC["3.000333"], PROC["1.014137"], PROC["2.000635"]


def decide(session, proc, facts, competent=None, receiving=None):
    return route(session, proc, BODIES, facts, competent=competent, receiving=receiving)


def marriage(an: dict, lan: dict | None, *, withheld: bool = False) -> Facts:
    records = {LAN: lan} if lan else {}
    return Facts(
        an,
        {"applicant_personal_id": AN, "partner_personal_id": LAN},
        records,
        frozenset({LAN}) if withheld else frozenset(),
    )


# --- party_residence ----------------------------------------------------------------------------


def test_one_commune_decides_and_says_why(session):
    facts = marriage(record(AN, BEN_THANH), record(LAN, BEN_THANH))
    choice = competent_choice(session, MARRIAGE, BODIES["ubnd_xa"], facts)
    assert choice.decided is not None and choice.notice is None
    decision = decide(session, MARRIAGE, facts)
    assert decision.office_code == "79.26743"
    assert "nơi thường trú của bạn" in decision.reason
    assert "Phường Bến Thành" in decision.reason


def test_either_spouse_commune_even_in_another_province(session):
    facts = marriage(record(AN, BEN_THANH), record(LAN, BA_DINH))
    choice = competent_choice(session, MARRIAGE, BODIES["ubnd_xa"], facts)
    assert choice.decided is None
    assert [c.office_code for c in choice.candidates] == ["79.26743", "01.00004"]
    assert "2 nơi khác nhau" in choice.notice
    assert decide(session, MARRIAGE, facts).office_code == "79.26743"  # the default: An's
    chosen = decide(session, MARRIAGE, facts, competent="01.00004")
    assert chosen.office_code == "01.00004"
    assert "người kết hôn cùng" in chosen.reason


def test_a_commune_where_neither_lives_is_refused_next_to_the_field(session):
    facts = marriage(record(AN, BEN_THANH), record(LAN, BINH_CHANH))
    with pytest.raises(RoutingError, match="chỉ được chọn một trong các cơ quan") as caught:
        decide(session, MARRIAGE, facts, competent="79.26737")
    assert caught.value.field == COMPETENT_FIELD


def test_temporary_residence_counts_too(session):
    facts = marriage(record(AN, BEN_THANH, temporary=SAI_GON), record(LAN, BEN_THANH))
    choice = competent_choice(session, MARRIAGE, BODIES["ubnd_xa"], facts)
    assert [c.office_code for c in choice.candidates] == ["79.26743", "79.26740"]
    assert "nơi tạm trú của bạn" in choice.candidates[1].label


def test_a_withheld_spouse_is_routed_by_but_never_named(session):
    facts = marriage(record(AN, BEN_THANH), record(LAN, BA_DINH), withheld=True)
    choice = competent_choice(session, MARRIAGE, BODIES["ubnd_xa"], facts)
    hidden = choice.candidates[1]
    assert hidden.key == "partner_personal_id.thuong_tru"  # no office code in the page
    assert "Ba Đình" not in hidden.label + hidden.name + hidden.reason
    assert "Hà Nội" not in hidden.label + hidden.name + hidden.reason
    decision = decide(session, MARRIAGE, facts, competent=hidden.key)
    assert decision.office_code == "01.00004"
    assert "Ba Đình" not in decision.office_name + decision.reason


def test_a_party_without_residence_on_record_is_said_plainly(session):
    facts = marriage(record(AN, BEN_THANH), record(LAN))
    choice = competent_choice(session, MARRIAGE, BODIES["ubnd_xa"], facts)
    assert choice.decided is not None and choice.decided.office_code == "79.26743"
    assert "chưa có nơi thường trú, tạm trú của người kết hôn cùng" in choice.notice


def test_a_party_the_registry_could_not_read_counts_as_without_residence(session):
    facts = marriage(record(AN, BEN_THANH), None)
    assert (
        "người kết hôn cùng" in competent_choice(session, MARRIAGE, BODIES["ubnd_xa"], facts).notice
    )


def test_nobody_with_a_residence_types_the_commune(session):
    facts = marriage(record(AN), record(LAN))
    choice = competent_choice(session, MARRIAGE, BODIES["ubnd_xa"], facts)
    assert choice.typed is not None and "chưa xác định được" in choice.notice
    with pytest.raises(RoutingError, match="Vui lòng nhập") as caught:
        decide(session, MARRIAGE, facts)
    assert caught.value.field == COMPETENT_FIELD
    typed = decide(session, MARRIAGE, facts, competent="Phường Hoàn Kiếm")
    assert typed.office_code == "01.00070" and "bạn nhập" in typed.reason
    with pytest.raises(RoutingError, match="Không tìm thấy"):
        decide(session, MARRIAGE, facts, competent="Phường Không Có")


def test_birth_goes_to_a_parents_commune_not_the_declarants_choice(session):
    khoa, hoa = "079093004567", "052196007890"
    facts = Facts(
        record("079000000001", BINH_CHANH),  # a grandparent declares
        {"father_personal_id": khoa, "mother_personal_id": hoa},
        {khoa: record(khoa, TAN_DINH), hoa: record(hoa, TAN_DINH)},
    )
    choice = competent_choice(session, BIRTH, BODIES["ubnd_xa"], facts)
    assert {c.office_code for c in choice.candidates} == {"79.27637", "79.26737"}
    assert any("cha" in c.label for c in choice.candidates)
    with pytest.raises(RoutingError):
        decide(session, BIRTH, facts, competent="79.26743")  # Bến Thành: nobody lives there


# --- deceased_residence ------------------------------------------------------------------------


def death(last: dict | None = None, **residence) -> Facts:
    minh = record(MINH, **residence)
    if last is not None:
        minh["last_residence"] = last
    return Facts(
        record("001040056789", HOAN_KIEM),
        {"deceased_personal_id": MINH},
        {MINH: minh},
    )


def test_a_death_goes_to_the_deceased_last_residence_not_the_declarants(session):
    decision = decide(session, DEATH, death(_place(DONG_DA)))
    assert decision.office_code == "01.00235"
    assert "cư trú cuối cùng của người đã chết" in decision.reason


def test_without_the_last_residence_the_permanent_one(session):
    assert decide(session, DEATH, death(permanent=DONG_DA)).office_code == "01.00235"


def test_a_deceased_without_any_residence_types_the_place_of_death(session):
    facts = death()
    choice = competent_choice(session, DEATH, BODIES["ubnd_xa"], facts)
    assert choice.typed is not None and "nơi người đó chết" in choice.notice
    assert decide(session, DEATH, facts, competent="00235").office_code == "01.00235"


# --- address_field -------------------------------------------------------------------------------


def residence_facts(ward_text: str, field: str = "new_ward_code") -> Facts:
    return Facts(record(AN, BA_DINH), {field: ward_text})


@pytest.mark.parametrize("typed", ["Phường Bến Thành", "bến thành", "26743", "Phường  Bến Thành"])
def test_permanent_residence_goes_to_the_police_of_the_new_address(session, typed):
    decision = decide(session, RESIDENCE, residence_facts(typed))
    assert decision.office_code == "79.26743.ca"
    assert decision.office_name == "Công an Phường Bến Thành"
    assert "Phường Bến Thành, Thành phố Hồ Chí Minh" in decision.reason


def test_temporary_residence_goes_to_the_police_of_the_temporary_address(session):
    facts = residence_facts("Phường Sài Gòn", "temp_ward_code")
    assert decide(session, TEMPORARY, facts).office_code == "79.26740.ca"


def test_a_shared_commune_name_lets_the_citizen_pick_the_province(session):
    facts = residence_facts("Xã Tân Tiến")
    choice = competent_choice(session, RESIDENCE, BODIES["cong_an_xa"], facts)
    assert len(choice.candidates) == 7 and choice.default is None
    assert "7 xã, phường mang tên" in choice.notice
    with pytest.raises(RoutingError, match="Vui lòng chọn") as caught:
        decide(session, RESIDENCE, facts)
    assert caught.value.field == COMPETENT_FIELD
    picked = choice.candidates[2]
    assert decide(session, RESIDENCE, facts, competent=picked.key).office_code == picked.key


def test_an_unknown_commune_is_a_problem_of_the_address(session):
    assert ward_problem("Phường Không Có") is not None
    assert ward_problem("Phường Bến Thành") is None
    with pytest.raises(RoutingError, match="Không tìm thấy") as caught:
        decide(session, RESIDENCE, residence_facts("Phường Không Có"))
    assert caught.value.field is None  # the address must change, on its own step


@pytest.mark.parametrize(
    ("typed", "codes"),
    [
        ("Xã Tân Tiến, Tỉnh Đồng Nai", None),  # one of seven, by its province
        ("99999", []),
        ("", []),
        ("Bến Thành (26743)", [26743]),
    ],
)
def test_find_wards(typed, codes):
    found = [w.code for w in find_wards(typed)]
    if codes is None:
        assert len(found) <= 1
    else:
        assert found == codes


# --- province_of_residence ---------------------------------------------------------------------


def test_judicial_records_at_the_provincial_police_of_permanent_residence(session):
    facts = Facts(record(AN, BEN_THANH, temporary=BA_DINH), {})
    decision = decide(session, CRIMINAL_RECORD, facts)
    assert decision.office_code == "79.cong-an"
    assert "Công an Thành phố Hồ Chí Minh" in decision.reason


def test_without_permanent_residence_the_temporary_province(session):
    decision = decide(session, CRIMINAL_RECORD, Facts(record(AN, temporary=BA_DINH), {}))
    assert decision.office_code == "01.cong-an" and "tạm trú" in decision.reason


def test_health_card_at_the_provinces_social_insurance(session):
    assert decide(session, CARD, Facts(record(AN, BEN_THANH), {})).office_code == "79.bhxh"


def test_no_residence_at_all_chooses_the_province(session):
    facts = Facts(record(AN), {})
    choice = competent_choice(session, CRIMINAL_RECORD, BODIES["cong_an_tinh"], facts)
    assert len(choice.candidates) == 34 and choice.default is None
    assert decide(session, CRIMINAL_RECORD, facts, competent="01.cong-an").office_code == (
        "01.cong-an"
    )


# --- any_commune -------------------------------------------------------------------------------


def test_any_commune_of_the_province_by_choice(session):
    facts = Facts(record(AN, BA_DINH), {})
    assert decide(session, COPY, facts).office_code == "01.00004"
    chosen = decide(session, COPY, facts, competent="01.00070")
    assert chosen.office_code == "01.00070" and "Theo lựa chọn của bạn" in chosen.reason
    with pytest.raises(RoutingError, match="Thành phố Hà Nội"):
        decide(session, COPY, facts, competent="79.26743")


# --- the receiving point ---------------------------------------------------------------------


def test_by_default_the_competent_bodys_own_desk(session):
    decision = decide(session, RESIDENCE, residence_facts("Phường Bến Thành"))
    assert decision.receiving_office_code == "79.26743.ca" and not decision.forwarded
    assert "gửi thẳng" in decision.receiving_reason


def test_a_one_stop_centre_of_the_citizens_province_receives_and_forwards(session):
    facts = Facts(record(AN, BEN_THANH), {})
    decision = decide(session, CRIMINAL_RECORD, facts, receiving="79.26737.tt")
    assert decision.office_code == "79.cong-an"
    assert decision.receiving_office_code == "79.26737.tt" and decision.forwarded
    assert "Nghị định 118/2025/NĐ-CP" in decision.receiving_reason
    assert decide(session, CRIMINAL_RECORD, facts, receiving="79.ttpvhcc").forwarded


@pytest.mark.parametrize("receiving", ["01.00004.tt", "01.ttpvhcc", "79.26743", "79.26743.ca"])
def test_other_receiving_points_are_refused_next_to_their_field(session, receiving):
    facts = Facts(record(AN, BEN_THANH), {})
    with pytest.raises(RoutingError, match="Thành phố Hồ Chí Minh") as caught:
        decide(session, CRIMINAL_RECORD, facts, receiving=receiving)
    assert caught.value.field == RECEIVING_FIELD


def test_the_receiving_list_groups_the_commune_centres(session):
    facts = Facts(record(AN, BEN_THANH), {})
    competent = competent_choice(session, COPY, BODIES["ubnd_xa"], facts).candidates[0]
    choice = receiving_choice(session, BODIES, facts, competent)
    groups = dict(choice.groups)
    assert [c.key for c in groups[None]] == ["", "79.ttpvhcc"]
    commune = groups["Trung tâm Phục vụ hành chính công cấp xã"]
    assert "Phường Bến Thành" in [c.label for c in commune]
    assert all(c.office_code.endswith(".tt") for c in commune)


# --- which office acts when ------------------------------------------------------------------


def forwarded_dossier(**values) -> Dossier:
    defaults = {
        "office_code": "79.26743.ca",
        "receiving_office_code": "79.26743.tt",
        "applicant_id": AN,
    }
    return Dossier(procedure_code="1.004222", procedure_version=1, **(defaults | values))


@pytest.mark.parametrize(
    ("action", "before", "after"),
    [
        ("receive", "79.26743.tt", "79.26743.ca"),
        ("refuse_reception", "79.26743.tt", "79.26743.ca"),
        ("request_supplement", "79.26743.tt", "79.26743.ca"),
        ("cancel_supplement", "79.26743.tt", "79.26743.ca"),
        ("start", "79.26743.ca", "79.26743.ca"),
        ("approve", "79.26743.ca", "79.26743.ca"),
        ("return", "79.26743.ca", "79.26743.ca"),
    ],
)
def test_the_receiving_point_receives_the_competent_body_processes(action, before, after):
    from datetime import datetime

    assert offices.acting_office(forwarded_dossier(), action) == before
    received = forwarded_dossier(received_at=datetime(2026, 11, 24, 9))
    assert offices.acting_office(received, action) == after


def test_refusals_say_whose_turn_it_is(session):
    waiting = forwarded_dossier()
    body = offices.office_refusal(session, waiting, "79.26743.ca", "receive")
    assert "Trung tâm Phục vụ hành chính công Phường Bến Thành" in body
    centre = offices.office_refusal(session, waiting, "79.26743.tt", "approve")
    assert "Công an Phường Bến Thành" in centre
    assert offices.office_refusal(session, waiting, "79.26743", "receive") == (
        "hồ sơ thuộc cơ quan khác."
    )
    assert offices.office_refusal(session, waiting, "79.26743.tt", "receive") is None


def test_the_letters_carry_the_competent_bodys_forms(session):
    police = offices.forms_of(session, forwarded_dossier())
    assert (police.receipt, police.supplement, police.refusal) == ("CT04", "CT05", "CT06")
    ubnd = offices.forms_of(session, forwarded_dossier(office_code="79.26743"))
    assert ubnd.receipt == "Mẫu 01"
    assert offices.with_forms("giấy tiếp nhận (Mẫu 01)", police) == "giấy tiếp nhận (CT04)"
    assert offices.form_basis("CT04").startswith("Mẫu CT04, Thông tư 66/2023/TT-BCA")
    assert offices.form_basis("Mẫu 01") is None


# --- every staff action, office X against office Y ------------------------------------------

CENTRE_STAFF = ("079195508426", "79.26743.tt")
POLICE_STAFF = ("079086204517", "79.26743.ca")
UBND_STAFF = ("079187090123", "79.26743")
ALL_ROLES = frozenset({"tiep_nhan", "xu_ly", "lanh_dao"})
AT_RECEPTION = ("submitted", "supplement_requested")
STATUSES = (*AT_RECEPTION, "received", "processing", "approved", "returned")


def _staff(who: tuple[str, str]):
    from portal.services.workflow import Actor

    return Actor(who[0], "staff", who[1], ALL_ROLES)


@pytest.fixture(scope="module")
def forwarded_by_status(session):
    from datetime import UTC, datetime

    made = {}
    for n, status in enumerate(STATUSES, 1):
        received = None if status in AT_RECEPTION else datetime(2026, 11, 24, 2, tzinfo=UTC)
        dossier = forwarded_dossier(
            code=f"79.26743.ca-261124-{n:04d}",
            status=status,
            received_at=received,
            data={},
            applicant_id=f"0790950{n:05d}",  # one draft key per applicant
        )
        session.add(dossier)
        session.commit()
        made[status] = dossier
    return made


@pytest.mark.parametrize("status", STATUSES)
def test_each_action_belongs_to_one_office(session, forwarded_by_status, status):
    from portal.services import workflow

    dossier = forwarded_by_status[status]
    proc = CATALOGUE.get(dossier.procedure_code)
    for name in workflow.STAFF_ACTIONS:
        if status not in workflow.ACTIONS[name].sources:
            continue
        reception = name in offices.RECEPTION_ACTIONS and status in AT_RECEPTION
        turn, other = (CENTRE_STAFF, POLICE_STAFF) if reception else (POLICE_STAFF, CENTRE_STAFF)
        assert offices.office_refusal(session, dossier, turn[1], name) is None, name
        for outsider in (other, UBND_STAFF):
            allowed = workflow.allowed_actions(session, dossier, _staff(outsider), procedure=proc)
            assert name not in allowed, (name, outsider[1])
            assert offices.office_refusal(session, dossier, outsider[1], name), name
