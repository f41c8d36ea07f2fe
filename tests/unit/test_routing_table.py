"""Routing, procedure by procedure: for every code of the catalogue, the office the law makes
competent in a standard case, the receiving points a citizen may choose, the choices that are
refused, and what happens when the residence data cannot decide.

The expected offices are written here by hand from the law (REFERENCE-VN.md "2026
corrections"; not read from the procedure files). The standard case: the applicant lives
(permanently) in Phường Bến Thành, HCMC, and so does everyone the dossier names; a deceased
person lived last in Phường Đống Đa, Hà Nội; a typed address is in Phường Sài Gòn, HCMC; for
the procedures on a temporary residence (gia hạn, xóa đăng ký tạm trú) the applicant also has
one registered in Phường Tân Định.
A new procedure in the catalogue needs a row here (the first test says so).
"""

from __future__ import annotations

import pytest

from common import divisions
from portal.services.routing import (
    COMPETENT_FIELD,
    RECEIVING_FIELD,
    Facts,
    RoutingError,
    competent_choice,
    route,
)
from procedures import load_catalogue
from tests import factories

CATALOGUE = load_catalogue()
BODIES = CATALOGUE.authorities
BEN_THANH, TAN_DINH, SAI_GON, DONG_DA = 26743, 26737, 26740, 235
APPLICANT = "079095001234"

# code → (competent office in the standard case, an office the law does not allow)
EXPECTED: dict[str, tuple[str, str]] = {
    # hộ tịch: UBND xã of a party's or parent's residence; khai tử: the deceased's last one
    "1.000656": ("01.00235", "01.00070"),  # khai tử
    "1.000689": ("79.26743", "79.26737"),  # khai sinh kết hợp nhận cha, mẹ, con
    "1.000894": ("79.26743", "79.26737"),  # kết hôn
    "1.001022": ("79.26743", "79.26737"),  # nhận cha, mẹ, con
    "1.001193": ("79.26743", "79.26737"),  # khai sinh
    "1.004746": ("79.26743", "79.26737"),  # đăng ký lại kết hôn
    "1.004837": ("79.26743", "79.26737"),  # giám hộ
    "1.004859": ("79.26743", "79.26737"),  # thay đổi, cải chính hộ tịch
    "1.004873": ("79.26743", "79.26737"),  # xác nhận tình trạng hôn nhân
    "1.004884": ("79.26743", "79.26737"),  # đăng ký lại khai sinh
    "1.005461": ("79.26743", "79.26737"),  # đăng ký lại khai tử
    "1.001731": ("01.00235", "79.26743"),  # mai táng phí bảo trợ xã hội: UBND of the deceased
    # cư trú, căn cước: Công an xã (of the new or temporary address where the form gives one)
    "1.004222": ("79.26740.ca", "79.26743.ca"),  # thường trú: the new address
    "1.004194": ("79.26740.ca", "79.26743.ca"),  # tạm trú: the temporary address
    "1.002755": ("79.26737.ca", "79.26743.ca"),  # gia hạn tạm trú: the temporary residence
    "1.003197": ("79.26743.ca", "79.26737.ca"),  # xóa đăng ký thường trú
    "1.003677": ("79.26743.ca", "79.26737.ca"),  # khai báo tạm vắng
    "1.010028": ("79.26737.ca", "79.26743.ca"),  # xóa đăng ký tạm trú: the temporary one
    "1.014061": ("79.26743.ca", "79.26737.ca"),  # cấp thẻ căn cước
    "1.014063": ("79.26743.ca", "79.26737.ca"),  # cấp đổi thẻ căn cước
    # province bodies of the applicant's residence
    "3.000333": ("79.cong-an", "01.cong-an"),  # lý lịch tư pháp: Công an tỉnh
    "1.014137": ("79.bhxh", "01.bhxh"),  # thẻ BHYT trẻ em: BHXH
    "1.014177": ("79.bhxh", "01.bhxh"),  # trợ cấp mai táng: BHXH
    # any commune (of the citizen's province), or the commune of the property
    "2.000635": ("79.26743", "01.00070"),  # bản sao trích lục
    "2.000815": ("79.26743", "01.00070"),  # chứng thực bản sao
    "2.000884": ("79.26743", "01.00070"),  # chứng thực chữ ký
    "2.001035": ("79.26740", "79.26743"),  # chứng thực giao dịch: the property's commune
}
CODES = sorted(CATALOGUE.procedures)
STANDARD = -1  # facts(): the standard case's temporary residence (see the module's docstring)


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    with factories.every_office_session(tmp_path_factory.mktemp("routing-table"), CATALOGUE) as s:
        yield s


def _place(ward: int) -> dict:
    province = divisions.wards()[ward].province_code
    return {"value": {"street": "1 Đường Thử", "ward_code": ward, "province_code": province}}


def record(personal_id: str, permanent: int | None = None, temporary: int | None = None) -> dict:
    return {
        "personal_id": {"value": personal_id},
        "permanent_residence": _place(permanent) if permanent else None,
        "temporary_residence": _place(temporary) if temporary else None,
    }


def _named_fields(code: str) -> list[str]:
    """The personal-ID fields naming other people: the parties', the subject's."""
    proc = CATALOGUE.procedures[code]
    ids = {f.name for f in proc.fields if f.type == "personal_id"}
    fields = [f for p in proc.parties for f in p.fields]
    fields += [f for f in proc.subject.fields if f in ids and f != "applicant_personal_id"]
    return list(dict.fromkeys(fields))


def facts(
    code: str,
    *,
    home: int | None = BEN_THANH,
    temporary: int | None = STANDARD,
    others: int | None = BEN_THANH,
    deceased: int | None = DONG_DA,
    address: str = "Phường Sài Gòn",
) -> Facts:
    proc = CATALOGUE.procedures[code]
    if temporary == STANDARD:
        temporary = TAN_DINH if proc.routing.rule == "temporary_residence" else None
    form: dict[str, str] = {"applicant_personal_id": APPLICANT}
    records = {}
    for n, name in enumerate(_named_fields(code), 1):
        personal_id = f"0790950{n:05d}"
        form[name] = personal_id
        is_deceased = proc.subject.kind == "deceased" and name in proc.subject.fields
        records[personal_id] = record(personal_id, deceased if is_deceased else others)
    if proc.routing.field:
        form[proc.routing.field] = address
    return Facts(record(APPLICANT, home, temporary), form, records)


def decide(session, code: str, the_facts: Facts, **choice):
    return route(session, CATALOGUE.procedures[code], BODIES, the_facts, **choice)


def test_every_procedure_has_a_row():
    assert set(EXPECTED) == set(CODES), "a procedure without its expected routing, or a stale row"


@pytest.mark.parametrize("code", CODES)
def test_the_competent_body_in_the_standard_case(session, code):
    decision = decide(session, code, facts(code))
    assert decision.office_code == EXPECTED[code][0]
    assert decision.reason and decision.office_name
    assert decision.receiving_office_code == decision.office_code  # its own desk by default
    assert not decision.forwarded


@pytest.mark.parametrize("centre", ["79.26737.tt", "79.ttpvhcc"])
@pytest.mark.parametrize("code", CODES)
def test_a_centre_of_the_citizens_province_receives_for_the_body(session, code, centre):
    decision = decide(session, code, facts(code), receiving=centre)
    assert decision.office_code == EXPECTED[code][0]
    assert decision.receiving_office_code == centre and decision.forwarded
    assert "không phụ thuộc địa giới hành chính" in decision.receiving_reason


@pytest.mark.parametrize("centre", ["01.00004.tt", "01.ttpvhcc", "79.26743", "nowhere"])
@pytest.mark.parametrize("code", CODES)
def test_a_receiving_point_elsewhere_is_refused(session, code, centre):
    with pytest.raises(RoutingError) as caught:
        decide(session, code, facts(code), receiving=centre)
    assert caught.value.field == RECEIVING_FIELD
    assert "Thành phố Hồ Chí Minh" in str(caught.value)


@pytest.mark.parametrize("code", CODES)
def test_a_body_the_law_does_not_allow_is_refused(session, code):
    with pytest.raises(RoutingError) as caught:
        decide(session, code, facts(code), competent=EXPECTED[code][1])
    assert caught.value.field == COMPETENT_FIELD
    assert str(caught.value)[0].isupper()


def _rule(code: str) -> str:
    return CATALOGUE.procedures[code].routing.rule


CHOOSING = [c for c in CODES if _rule(c) != "temporary_residence"]
TEMPORARY = [c for c in CODES if _rule(c) == "temporary_residence"]


def test_the_temporary_residence_procedures():
    assert TEMPORARY == ["1.002755", "1.010028"]  # gia hạn, xóa đăng ký tạm trú


@pytest.mark.parametrize("code", CHOOSING)
def test_when_the_residence_data_cannot_decide_the_citizen_chooses(session, code):
    rule = _rule(code)
    body = CATALOGUE.authority(CATALOGUE.procedures[code])
    if rule == "address_field":  # a name seven communes share
        undecided = facts(code, address="Xã Tân Tiến")
    else:  # nobody (nor the deceased) has a residence on record
        undecided = facts(code, home=None, others=None, deceased=None)
    choice = competent_choice(session, CATALOGUE.procedures[code], body, undecided)
    assert choice.decided is None
    if rule != "any_commune":  # a free choice needs no excuse
        assert choice.notice and (
            "Vui lòng chọn" in choice.notice or "Vui lòng nhập" in (choice.notice)
        )
    with pytest.raises(RoutingError) as caught:
        decide(session, code, undecided)  # nothing chosen: asked to choose
    assert caught.value.field == COMPETENT_FIELD
    if choice.typed is not None:
        chosen = decide(session, code, undecided, competent="Phường Tân Định")
        assert chosen.office_code.split(".")[:2] == ["79", "26737"]
    else:
        picked = choice.candidates[-1]
        assert decide(session, code, undecided, competent=picked.key).office_code == (
            picked.office_code
        )


@pytest.mark.parametrize("code", TEMPORARY)
def test_only_the_commune_of_the_temporary_residence_is_competent(session, code):
    proc = CATALOGUE.procedures[code]
    choice = competent_choice(session, proc, CATALOGUE.authority(proc), facts(code))
    assert choice.decided is not None and choice.decided.office_code == "79.26737.ca"
    assert [c.office_code for c in choice.candidates] == ["79.26737.ca"]  # not Bến Thành's
    decision = decide(session, code, facts(code))
    assert "nơi bạn đã đăng ký tạm trú (Phường Tân Định" in decision.reason
    assert "Luật Cư trú 2020" in decision.reason
    with pytest.raises(RoutingError) as caught:  # the permanent residence's Công an
        decide(session, code, facts(code), competent="79.26743.ca")
    assert caught.value.field == COMPETENT_FIELD
    assert "Công an Phường Tân Định" in str(caught.value)
    elsewhere = facts(code, home=None, temporary=DONG_DA)  # no permanent residence at all
    assert decide(session, code, elsewhere).office_code == "01.00235.ca"


@pytest.mark.parametrize("code", TEMPORARY)
def test_no_temporary_residence_on_record_is_said_plainly(session, code):
    proc = CATALOGUE.procedures[code]
    for only_permanent in (facts(code, temporary=None), facts(code, home=None, temporary=None)):
        with pytest.raises(RoutingError) as caught:
            competent_choice(session, proc, CATALOGUE.authority(proc), only_permanent)
        message = str(caught.value)
        assert caught.value.field is None  # nothing to choose: said on the "noi-nop" step
        assert message.startswith("CSDLQG về dân cư chưa có nơi tạm trú của bạn.")
        assert f"Thủ tục “{proc.name}” do Công an cấp xã nơi bạn đã đăng ký tạm trú" in message
        with pytest.raises(RoutingError):
            decide(session, code, only_permanent, competent="79.26743.ca")


@pytest.mark.parametrize("code", [c for c in CODES if _rule(c) == "party_residence"])
def test_two_communes_of_residence_leave_the_choice_between_them(session, code):
    both = facts(code, temporary=TAN_DINH)
    proc = CATALOGUE.procedures[code]
    choice = competent_choice(session, proc, CATALOGUE.authority(proc), both)
    assert [c.office_code.split(".")[1] for c in choice.candidates] == ["26743", "26737"]
    assert "2 nơi khác nhau" in (choice.notice or "")
    assert decide(session, code, both).office_code == EXPECTED[code][0]  # the default
    other = choice.candidates[1].office_code
    assert decide(session, code, both, competent=other).office_code == other


@pytest.mark.parametrize("code", [c for c in CODES if _named_fields(c)])
def test_a_named_person_without_residence_is_said_plainly(session, code):
    proc = CATALOGUE.procedures[code]
    if proc.routing.rule != "party_residence":
        pytest.skip("the rule does not read the other people's residence")
    missing = facts(code, others=None)
    choice = competent_choice(session, proc, CATALOGUE.authority(proc), missing)
    assert "CSDLQG về dân cư chưa có nơi thường trú, tạm trú của" in (choice.notice or "")
    assert decide(session, code, missing).office_code == EXPECTED[code][0]
