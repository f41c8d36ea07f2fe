"""The fee rule on made-up procedures: the schedule gives the gross amount; statutory
exemptions and reductions, national time-bound policies and the province's online 0-đồng
policy are benefits, the highest wins; every decision carries its steps.

The real catalogue's schedules are in test_fee_schedules.py."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any, get_args

import pytest

from portal.services import fees
from portal.services.fees import (
    ApplicantFacts,
    FeeDecision,
    FeeStep,
    decide_fee,
    format_dong,
)
from procedures.fee_schema import FeePolicy, FeeRule
from procedures.schema import Procedure

CODE = "9.000001"
HCMC, HANOI, DA_NANG = 79, 1, 48
HCMC_SOURCE = "Nghị quyết số 01/2025/NQ-HĐND Thành phố Hồ Chí Minh"
HANOI_SOURCE = "Nghị quyết số 02/2025/NQ-HĐND Thành phố Hà Nội"
ART11 = "Luật Hộ tịch 2014, điều 11"
ON = date(2026, 3, 10)
PROVINCIAL = {"kind": "le_phi", "setter": "province", "basis": "Nghị quyết HĐND"}
NATIONAL = {"kind": "phi", "setter": "national", "basis": "Thông tư thử"}


def reduction(rule: str, percent: int = 100, **extra: Any) -> dict[str, Any]:
    return {"rule": rule, "percent": percent, "who": f"nhóm {rule}", "basis": ART11, **extra}


def make_procedure(fee: dict[str, Any], code: str = CODE, fields: list | None = None) -> Procedure:
    return Procedure.model_validate(
        {
            "code": code,
            "version": 1,
            "name": "Cấp giấy thử",
            "field": "Hộ tịch",
            "authority": "ubnd_xa",
            "routing": {"rule": "any_commune"},
            "processing": {"days": 0},
            "legal_basis": ["Luật Hộ tịch số 60/2014/QH13"],
            "service_level": "toan_trinh",
            "steps": ["Nộp hồ sơ trực tuyến."],
            "components": [{"name": "Tờ khai", "source": "form"}],
            "fields": fields or [],
            "fees": fee,
            "result": {"name": "Giấy thử", "kind": "giay_thu"},
        }
    )


def flat(counter: int, online: int | None = None, reductions=(), **base: Any) -> Procedure:
    schedule = {"pricing": "flat", "counter": counter, "online": online}
    return make_procedure({**(base or PROVINCIAL), "schedule": schedule,
                           "reductions": list(reductions)})  # fmt: skip


def policy(
    province: int | None = HCMC,
    source: str = HCMC_SOURCE,
    valid_from: date = date(2025, 7, 1),
    valid_to: date | None = date(2026, 12, 31),
    procedures: tuple[str, ...] = (CODE,),
    **extra: Any,
) -> FeePolicy:
    scope = "province" if province is not None else "national"
    return FeePolicy(
        scope=scope,
        province=province,
        source=source,
        valid_from=valid_from,
        valid_to=valid_to,
        procedures=list(procedures),
        **extra,
    )


TT117 = policy(
    None,
    "Thông tư số 117/2026/TT-BTC của Bộ Tài chính",
    date(2026, 8, 15),
    date(2027, 2, 28),
    short="TT 117/2026/TT-BTC",
    min_vneid_level=2,
)
CIVIL = flat(200_000, reductions=[reduction(r) for r in ("meritorious_family", "poor_household",
                                                         "disability")])  # fmt: skip
POLICIES = (policy(), policy(province=HANOI, source=HANOI_SOURCE))


def hcmc(**flags: Any) -> ApplicantFacts:
    return ApplicantFacts(province_code=HCMC, **flags)


def rule_of(proc, policies, facts, *, online=True, on=ON, **units) -> tuple[int, str]:
    decision = decide_fee(proc, policies, facts, online=online, on=on, **units)
    return decision.amount, decision.rule


# --- the order and the winner -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "online", "on", "expected"),
    [
        # base fee
        (hcmc(), False, ON, (200_000, "base")),
        (ApplicantFacts(province_code=DA_NANG), True, ON, (200_000, "base")),  # no policy there
        # statutory exemptions
        (hcmc(meritorious_family=True), False, ON, (0, "exemption:meritorious_family")),
        (hcmc(poor_household=True), False, ON, (0, "exemption:poor_household")),
        (hcmc(disability=True), False, ON, (0, "exemption:disability")),
        (hcmc(poor_household=True, disability=True), False, ON, (0, "exemption:poor_household")),
        (hcmc(disability=True), True, ON, (0, "exemption:disability")),  # a tie: statute first
        # the province's online zero-fee policy
        (hcmc(), True, ON, (0, "online_zero:79")),
        (ApplicantFacts(province_code=HANOI), True, ON, (0, "online_zero:1")),
        (hcmc(), False, ON, (200_000, "base")),  # filed at the counter
        (hcmc(), True, date(2025, 7, 1), (0, "online_zero:79")),  # first valid day
        (hcmc(), True, date(2026, 12, 31), (0, "online_zero:79")),  # last valid day
        (hcmc(), True, date(2025, 6, 30), (200_000, "base")),  # not yet valid
        (hcmc(), True, date(2027, 1, 1), (200_000, "base")),  # expired
    ],
)
def test_decide_fee(facts, online, on, expected):
    assert rule_of(CIVIL, POLICIES, facts, online=online, on=on) == expected


def test_reasons_name_the_rule_and_its_basis():
    assert decide_fee(CIVIL, (), hcmc(), online=False, on=ON).reason == (
        "Lệ phí: 200.000 đồng theo biểu phí của thủ tục (Nghị quyết HĐND)"
    )
    assert decide_fee(CIVIL, (), hcmc(poor_household=True), online=False, on=ON).reason == (
        f"Miễn lệ phí: nhóm poor_household ({ART11})"
    )
    assert decide_fee(CIVIL, POLICIES, hcmc(), online=True, on=ON).reason == (
        f"Miễn phí: nộp trực tuyến theo {HCMC_SOURCE}"
    )


def test_another_provinces_policy_is_ignored():
    only_hanoi = (policy(province=HANOI, source=HANOI_SOURCE),)
    assert rule_of(CIVIL, only_hanoi, hcmc()) == (200_000, "base")


def test_policy_that_does_not_list_the_procedure_is_ignored():
    assert rule_of(CIVIL, (policy(procedures=("1.000894",)),), hcmc()) == (200_000, "base")


def test_open_ended_policy_has_no_end():
    assert rule_of(CIVIL, (policy(valid_to=None),), hcmc(), on=date(2040, 1, 1)) == (
        0,
        "online_zero:79",
    )


def test_first_policy_in_force_wins():
    older = policy(source="Nghị quyết cũ", valid_to=date(2025, 12, 31))
    newer = policy(valid_from=date(2026, 1, 1), valid_to=None)
    assert decide_fee(CIVIL, (older, newer), hcmc(), online=True, on=ON).reason == (
        f"Miễn phí: nộp trực tuyến theo {HCMC_SOURCE}"
    )
    decision = decide_fee(CIVIL, (older, newer), hcmc(), online=True, on=date(2025, 12, 31))
    assert decision.reason == "Miễn phí: nộp trực tuyến theo Nghị quyết cũ"


def test_a_provincial_policy_never_waives_a_national_fee():
    """The loader refuses such a file; the rule ignores one all the same."""
    national = flat(10_000, **NATIONAL)
    assert rule_of(national, POLICIES, hcmc()) == (10_000, "base")


def test_exemption_not_listed_in_the_procedure_does_not_apply():
    poor_only = flat(50_000, reductions=[reduction("poor_household")])
    facts = ApplicantFacts(province_code=DA_NANG, meritorious_family=True, disability=True)
    assert rule_of(poor_only, (), facts, online=False) == (50_000, "base")


@pytest.mark.parametrize(
    ("order", "winner"),
    [
        (("disability", "meritorious_family"), "disability"),
        (("meritorious_family", "disability"), "meritorious_family"),
    ],
)
def test_between_equal_exemptions_the_procedures_order_decides(order, winner):
    proc = flat(8_000, reductions=[reduction(r) for r in order])
    facts = hcmc(meritorious_family=True, disability=True)
    assert rule_of(proc, (), facts, online=False) == (0, f"exemption:{winner}")


@pytest.mark.parametrize(
    ("facts", "policies", "expected"),
    [
        (hcmc(meritorious_family=True), (), (100_000, "reduction:meritorious_family")),
        # a 50 % reduction listed first loses to a later exemption: the highest wins
        (hcmc(meritorious_family=True, poor_household=True), (), (0, "exemption:poor_household")),
        # …and to the online 0-đồng policy
        (hcmc(meritorious_family=True), POLICIES, (0, "online_zero:79")),
        (ApplicantFacts(province_code=DA_NANG, meritorious_family=True), POLICIES,
         (100_000, "reduction:meritorious_family")),
    ],
)  # fmt: skip
def test_the_highest_benefit_wins(facts, policies, expected):
    proc = flat(200_000, reductions=[reduction("meritorious_family", 50),
                                     reduction("poor_household")])  # fmt: skip
    assert rule_of(proc, policies, facts) == expected


def test_a_partial_policy_loses_to_a_full_exemption():
    half = policy(percent=50)
    proc = flat(20_000, reductions=[reduction("disability")])
    assert rule_of(proc, (half,), hcmc()) == (10_000, "online_reduction:79")
    assert rule_of(proc, (half,), hcmc(disability=True)) == (0, "exemption:disability")


# --- kinds and schedules --------------------------------------------------------------------------


def test_a_procedure_without_fee_charges_nothing_and_says_why():
    free = make_procedure({"kind": "none", "free_basis": ART11})
    decision = decide_fee(free, POLICIES, hcmc(), online=True, on=ON)
    assert (decision.amount, decision.rule) == (0, "none")
    assert decision.reason == f"Không thu phí, lệ phí ({ART11})"
    assert [s.amount for s in decision.steps] == [0, 0]


@pytest.mark.parametrize(
    ("online", "amount", "label"),
    [(False, 20_000, "Lệ phí cấp giấy thử"), (True, 10_000, "Lệ phí cấp giấy thử trực tuyến")],
)
def test_flat_online_amount(online, amount, label):
    proc = flat(20_000, 10_000)
    decision = decide_fee(proc, (), hcmc(), online=online, on=ON)
    assert decision.amount == amount
    assert decision.steps[0] == FeeStep(label, amount, "Nghị quyết HĐND")


def test_flat_without_online_amount_charges_the_counter_amount_online():
    assert rule_of(flat(15_000), (), hcmc()) == (15_000, "base")


COPIES = [{"name": "copies", "label": "Số bản", "type": "number"}]
PAGES = [{"name": "pages", "label": "Số trang", "type": "number"}, *COPIES]


def per_unit(amount: int = 8_000, reductions=()) -> Procedure:
    schedule = {"pricing": "per_unit", "amount": amount, "unit": "bản sao", "field": "copies"}
    fee = {**NATIONAL, "schedule": schedule, "reductions": list(reductions)}
    return make_procedure(fee, fields=COPIES)


@pytest.mark.parametrize(
    ("facts", "quantity", "expected"),
    [
        (ApplicantFacts(province_code=HANOI), 1, (8_000, "base")),
        (ApplicantFacts(province_code=HANOI), 3, (24_000, "base")),
        (ApplicantFacts(province_code=HANOI), 0, (8_000, "base")),  # at least one
        (ApplicantFacts(province_code=HANOI, poor_household=True), 3,
         (0, "exemption:poor_household")),
    ],
)  # fmt: skip
def test_per_unit_multiplies_the_amount(facts, quantity, expected):
    proc = per_unit(reductions=[reduction("poor_household")])
    assert rule_of(proc, (), facts, quantity=quantity) == expected


def per_page(cap: int | None = 200_000) -> Procedure:
    schedule = {"pricing": "per_page", "first_pages": 2, "first_page_amount": 2_000,
                "next_page_amount": 1_000, "cap_per_copy": cap, "pages_field": "pages",
                "copies_field": "copies"}  # fmt: skip
    return make_procedure({**NATIONAL, "schedule": schedule}, fields=PAGES)


@pytest.mark.parametrize(
    ("pages", "copies", "amount"),
    [
        (1, 1, 2_000),
        (2, 1, 4_000),
        (3, 1, 5_000),
        (10, 1, 12_000),
        (10, 3, 36_000),
        (197, 1, 199_000),
        (198, 1, 200_000),  # the cap reached exactly
        (199, 1, 200_000),  # the cap
        (1_000, 2, 400_000),  # the cap is per copy
    ],
)
def test_per_page_with_a_cap_per_copy(pages, copies, amount):
    assert rule_of(per_page(), (), hcmc(), pages=pages, quantity=copies) == (amount, "base")


def test_per_page_without_cap():
    assert rule_of(per_page(cap=None), (), hcmc(), pages=1_000) == (1_002_000, "base")


def test_the_capped_step_says_so():
    (step, total) = decide_fee(per_page(), (), hcmc(), online=True, on=ON, pages=250).steps
    assert "mức tối đa 200.000 đồng/bản" in step.label and total.amount == 200_000


def per_request(reductions=()) -> Procedure:
    schedule = {
        "pricing": "per_request",
        "amount": 200_000,
        "copy_word": "Phiếu",
        "copies_field": "copies",
        "included_copies": 2,
        "extra_copy_amount": 5_000,
    }
    fee = {**NATIONAL, "schedule": schedule, "reductions": list(reductions)}  # fmt: skip
    return make_procedure(fee, fields=COPIES)


@pytest.mark.parametrize(
    ("copies", "amount", "steps"),
    [(1, 200_000, 2), (2, 200_000, 2), (3, 205_000, 3), (4, 210_000, 3), (10, 240_000, 3)],
)
def test_per_request_surcharge_from_the_third_copy(copies, amount, steps):
    decision = decide_fee(per_request(), (), hcmc(), online=True, on=ON, quantity=copies)
    assert decision.amount == amount and len(decision.steps) == steps
    if copies > 2:
        assert decision.steps[1].label.startswith("Từ Phiếu thứ 3:")
        assert decision.steps[1].amount == (copies - 2) * 5_000


def test_a_reduction_takes_its_percent_of_the_whole_amount():
    proc = per_request([reduction("meritorious_family", 50)])
    facts = hcmc(meritorious_family=True)
    assert rule_of(proc, (), facts, quantity=1) == (100_000, "reduction:meritorious_family")
    assert rule_of(proc, (), facts, quantity=4) == (105_000, "reduction:meritorious_family")


# --- the national time-bound exemption (TT 117/2026/TT-BTC) --------------------------------------


@pytest.mark.parametrize(
    ("on", "level", "expected"),
    [
        (date(2026, 8, 14), 2, (10_000, "base")),  # the day before
        (date(2026, 8, 15), 2, (0, "national:TT 117/2026/TT-BTC")),  # first day
        (date(2027, 2, 28), 2, (0, "national:TT 117/2026/TT-BTC")),  # last day
        (date(2027, 3, 1), 2, (10_000, "base")),  # the day after
        (date(2026, 11, 23), 1, (10_000, "base")),  # a level-1 account
        (date(2026, 11, 23), None, (10_000, "base")),  # level not known
    ],
)
def test_tt117_dates_and_vneid_level(on, level, expected):
    proc = flat(20_000, 10_000, **NATIONAL)
    facts = ApplicantFacts(province_code=HCMC, vneid_level=level)
    assert rule_of(proc, (TT117,), facts, on=on) == expected


def test_tt117_steps_as_the_receipt_shows_them():
    proc = make_procedure(
        {
            **NATIONAL,
            "kind": "le_phi",
            "basis": "TT 75/2022/TT-BTC",
            "title": "Lệ phí đăng ký thường trú",
            "schedule": {"pricing": "flat", "counter": 20_000, "online": 10_000},
        }  # fmt: skip
    )
    facts = ApplicantFacts(province_code=HCMC, vneid_level=2)
    decision = decide_fee(proc, (TT117,), facts, online=True, on=date(2026, 11, 23))
    assert [s.text for s in decision.steps] == [
        "Lệ phí đăng ký thường trú trực tuyến: 10.000 đồng (TT 75/2022/TT-BTC)",
        "Miễn theo TT 117/2026/TT-BTC (tài khoản VNeID mức 2, nộp trực tuyến, "
        "15/08/2026–28/02/2027): −10.000 đồng (Thông tư số 117/2026/TT-BTC của Bộ Tài chính)",
        "Phải nộp: 0 đồng",
    ]


def test_tt117_online_only_and_beats_a_reduction():
    proc = per_request([reduction("meritorious_family", 50)])
    facts = ApplicantFacts(province_code=HCMC, vneid_level=2, meritorious_family=True)
    assert rule_of(proc, (TT117,), facts, on=date(2026, 11, 23)) == (0, f"national:{TT117.cited}")
    assert rule_of(proc, (TT117,), facts, online=False, on=date(2026, 11, 23)) == (
        100_000,
        "reduction:meritorious_family",
    )


# --- on-time registration and ages --------------------------------------------------------------

BIRTH = flat(8_000, reductions=[reduction("on_time_birth")])
DEATH = flat(5_000, reductions=[reduction("on_time_death")])
BORN = date(2026, 1, 10)


@pytest.mark.parametrize(
    ("birth", "registered_on", "expected"),
    [
        (BORN, date(2026, 1, 10), (0, "exemption:on_time_birth")),  # the day of birth
        (BORN, date(2026, 2, 20), (0, "exemption:on_time_birth")),
        (BORN, date(2026, 3, 11), (0, "exemption:on_time_birth")),  # day 60
        (BORN, date(2026, 3, 12), (8_000, "base")),  # day 61
        (BORN, date(2026, 1, 9), (8_000, "base")),  # before the birth: inconsistent data
        (None, date(2026, 1, 20), (8_000, "base")),  # no birth date known
    ],
)
def test_on_time_birth(birth, registered_on, expected):
    facts = ApplicantFacts(province_code=DA_NANG, birth_date_of_child=birth)
    assert rule_of(BIRTH, (), facts, online=False, on=registered_on) == expected


@pytest.mark.parametrize(
    ("died", "registered_on", "expected"),
    [
        (BORN, date(2026, 1, 25), (0, "exemption:on_time_death")),  # day 15
        (BORN, date(2026, 1, 26), (5_000, "base")),  # day 16
        (None, date(2026, 1, 12), (5_000, "base")),
    ],
)
def test_on_time_death(died, registered_on, expected):
    facts = ApplicantFacts(province_code=DA_NANG, death_date=died)
    assert rule_of(DEATH, (), facts, on=registered_on) == expected


def test_day_60_is_birth_plus_60_days():
    assert fees.is_birth_on_time(BORN, date(2026, 3, 11))
    assert not fees.is_birth_on_time(BORN, date(2026, 3, 12))
    assert fees.is_death_on_time(BORN, date(2026, 1, 25))
    assert not fees.is_death_on_time(BORN, date(2026, 1, 26))


@pytest.mark.parametrize(
    ("rule", "born", "on", "applies"),
    [
        ("child", date(2010, 11, 24), date(2026, 11, 23), True),  # 15, the day before 16
        ("child", date(2010, 11, 23), date(2026, 11, 23), False),  # 16 that day
        ("elderly", date(1966, 11, 23), date(2026, 11, 23), True),  # 60 that day
        ("elderly", date(1966, 11, 24), date(2026, 11, 23), False),  # 59
        ("id_card_age_renewal", date(2001, 11, 23), date(2026, 11, 23), True),  # 25
        ("id_card_age_renewal", date(2003, 11, 23), date(2026, 11, 23), True),  # 23: 2 before
        ("id_card_age_renewal", date(2003, 11, 24), date(2026, 11, 23), False),  # 22
        ("id_card_age_renewal", date(2000, 11, 23), date(2026, 11, 23), False),  # 26
        ("id_card_age_renewal", date(1966, 1, 1), date(2026, 11, 23), True),  # 60
        ("child", None, date(2026, 11, 23), False),
    ],
)
def test_age_rules(rule, born, on, applies):
    facts = ApplicantFacts(province_code=HCMC, birth_date=born)
    assert fees.exemption_applies(rule, facts, on) is applies


def test_a_student_only_by_declaration():
    fields = [*COPIES, {"name": "is_student", "label": "Sinh viên", "type": "checkbox",
                        "required": False}]  # fmt: skip
    schedule = {"pricing": "per_unit", "amount": 8_000, "unit": "bản", "field": "copies"}
    proc = make_procedure(
        {**NATIONAL, "schedule": schedule,
         "reductions": [reduction("student", 50, declared_field="is_student")]},
        fields=fields,
    )  # fmt: skip
    assert fees.declared_from_form(proc, {"is_student": "có"}) == {"student"}
    assert fees.declared_from_form(proc, {"is_student": ""}) == frozenset()
    assert fees.declared_from_form(proc, {}) == frozenset()
    facts = hcmc(declared=fees.declared_from_form(proc, {"is_student": "có"}))
    assert rule_of(proc, (), facts) == (4_000, "reduction:student")
    assert rule_of(proc, (), hcmc()) == (8_000, "base")


def test_every_schema_rule_has_a_test():
    assert set(fees.EXEMPTION_TESTS) == set(get_args(FeeRule))


# --- steps, formatting, form values -------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "0 đồng"),
        (999, "999 đồng"),
        (1_000, "1.000 đồng"),
        (200_000, "200.000 đồng"),
        (1_500_000, "1.500.000 đồng"),
        (12_345_678, "12.345.678 đồng"),
        (None, "—"),
    ],
)
def test_format_dong(amount, text):
    assert format_dong(amount) == text


CASES = [
    (CIVIL, hcmc(), {}),
    (CIVIL, hcmc(poor_household=True), {}),
    (per_request([reduction("meritorious_family", 50)]), hcmc(meritorious_family=True),
     {"quantity": 5}),
    (per_page(), hcmc(), {"pages": 300, "quantity": 2}),
    (make_procedure({"kind": "none"}), hcmc(), {}),
]  # fmt: skip


@pytest.mark.parametrize(("proc", "facts", "units"), CASES)
def test_steps_add_up_to_the_amount_and_survive_storage(proc, facts, units):
    decision = decide_fee(proc, POLICIES, facts, online=True, on=ON, **units)
    *items, total = decision.steps
    assert total.label == "Phải nộp" and total.amount == decision.amount
    assert sum(s.amount for s in items) == decision.amount
    assert fees.steps_from_json(decision.steps_json()) == decision.steps


def test_steps_from_nothing():
    assert fees.steps_from_json(None) == ()


def test_a_benefit_step_has_a_minus_sign():
    step = FeeStep("Miễn lệ phí: hộ nghèo", -15_000, ART11)
    assert step.text == f"Miễn lệ phí: hộ nghèo: −15.000 đồng ({ART11})"


def test_decisions_and_facts_are_frozen():
    decision = decide_fee(CIVIL, (), hcmc(), online=False, on=ON)
    assert decision.free is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.amount = 0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        hcmc().poor_household = True  # type: ignore[misc]


def test_the_old_constructor_still_works():
    assert FeeDecision(0, "base", "Miễn lệ phí").steps == ()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"pages": "12", "copies": "3"}, {"pages": 12, "quantity": 3}),
        ({"pages": "", "copies": "x"}, {"pages": 1, "quantity": 1}),
        ({"pages": "١٢", "copies": "9999999"}, {"pages": 1, "quantity": 1}),  # not ASCII, too long
        ({}, {"pages": 1, "quantity": 1}),
    ],
)
def test_units_from_the_form(data, expected):
    assert fees.units_from_form(per_page(), data) == expected


def test_event_date_from_the_form():
    fields = [{"name": "death_date", "label": "Ngày chết", "type": "date"}]
    proc = make_procedure(
        {**PROVINCIAL, "schedule": {"pricing": "flat", "counter": 5_000},
         "reductions": [reduction("on_time_death", date_field="death_date")]},
        fields=fields,
    )  # fmt: skip
    assert fees.event_date_from_form(proc, {"death_date": "2026-11-26"}, "on_time_death") == date(
        2026, 11, 26
    )
    assert fees.event_date_from_form(proc, {"death_date": "26/11/2026"}, "on_time_death") is None
    assert fees.event_date_from_form(proc, {}, "on_time_birth") is None


# --- the schema refuses incoherent fees ---------------------------------------------------------


@pytest.mark.parametrize(
    ("fee", "fields", "message"),
    [
        ({"kind": "le_phi"}, [], "needs setter, basis and schedule"),
        ({"kind": "none", "setter": "national"}, [], "kind 'none' takes no setter"),
        ({**PROVINCIAL, "schedule": {"pricing": "per_unit", "amount": 1, "unit": "bản",
                                     "field": "copies"}}, COPIES, "provincial fee is a flat"),
        ({**NATIONAL, "schedule": {"pricing": "per_unit", "amount": 1, "unit": "bản",
                                   "field": "copies"}}, [], "'copies' must name a number field"),
        ({**NATIONAL, "schedule": {"pricing": "flat", "counter": 1},
          "reductions": [reduction("student")]}, [], "declared_field"),
        ({**NATIONAL, "schedule": {"pricing": "flat", "counter": 1},
          "reductions": [reduction("poor_household"), reduction("poor_household", 50)]}, [],
         "each reduction rule once"),
        ({**NATIONAL, "schedule": {"pricing": "flat", "counter": 1},
          "reductions": [reduction("child", 0)]}, [], "percent"),
        ({**NATIONAL, "schedule": {"pricing": "flat", "counter": 1}, "note": "x"}, [],
         "note"),  # the old displayed note is gone: internal_note, never shown
    ],
)  # fmt: skip
def test_incoherent_fees_are_refused(fee, fields, message):
    with pytest.raises(ValueError, match=message):
        make_procedure(fee, fields=fields)
