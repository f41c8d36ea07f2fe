"""The fee rule: statutory exemptions → the province's online zero-fee policy → base fee."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import get_args

import pytest

from portal.services import fees
from portal.services.fees import ApplicantFacts, FeeDecision, decide_fee, format_dong
from procedures.schema import FeeRule, Procedure, ZeroFeePolicy

CODE = "2.000635"
HCMC, HANOI, DA_NANG = 79, 1, 48
HCMC_SOURCE = "Nghị quyết số 01/2025/NQ-HĐND Thành phố Hồ Chí Minh"
HANOI_SOURCE = "Nghị quyết số 02/2025/NQ-HĐND Thành phố Hà Nội"
LABELS = {
    "meritorious_family": "Miễn lệ phí: gia đình người có công với cách mạng",
    "poor_household": "Miễn lệ phí: hộ nghèo",
    "disability": "Miễn lệ phí: người khuyết tật",
    "on_time_birth": "Miễn lệ phí: đăng ký khai sinh đúng hạn (Luật Hộ tịch 2014, điều 11)",
}


def make_procedure(base: int, exemptions: tuple[str, ...] = (), code: str = CODE) -> Procedure:
    return Procedure.model_validate(
        {
            "code": code,
            "version": 1,
            "name": "Cấp bản sao trích lục hộ tịch",
            "field": "Hộ tịch",
            "authority": "ubnd_xa",
            "routing": {"rule": "any_commune"},
            "processing": {"days": 0},
            "legal_basis": ["Luật Hộ tịch số 60/2014/QH13"],
            "service_level": "toan_trinh",
            "steps": ["Nộp hồ sơ trực tuyến."],
            "components": [{"name": "Tờ khai", "source": "form"}],
            "fees": {
                "base": base,
                "exemptions": [{"rule": r, "label": LABELS[r]} for r in exemptions],
            },
            "result": {"name": "Bản sao trích lục", "kind": "trich_luc"},
        }
    )


def policy(
    province: int = HCMC,
    source: str = HCMC_SOURCE,
    valid_from: date = date(2025, 7, 1),
    valid_to: date | None = date(2026, 12, 31),
    procedures: tuple[str, ...] = (CODE,),
) -> ZeroFeePolicy:
    return ZeroFeePolicy(
        province=province,
        source=source,
        valid_from=valid_from,
        valid_to=valid_to,
        procedures=list(procedures),
    )


CIVIL = make_procedure(200_000, ("meritorious_family", "poor_household", "disability"))
POLICIES = (policy(), policy(province=HANOI, source=HANOI_SOURCE))
ON = date(2026, 3, 10)

BASE = FeeDecision(200_000, "base", "Lệ phí: 200.000 đồng theo biểu phí của thủ tục")
ZERO_HCMC = FeeDecision(0, "online_zero:79", f"Miễn phí: nộp trực tuyến theo {HCMC_SOURCE}")
ZERO_HANOI = FeeDecision(0, "online_zero:1", f"Miễn phí: nộp trực tuyến theo {HANOI_SOURCE}")


def exempt(rule: str) -> FeeDecision:
    return FeeDecision(0, f"exemption:{rule}", LABELS[rule])


def hcmc(**flags: bool) -> ApplicantFacts:
    return ApplicantFacts(province_code=HCMC, **flags)


@pytest.mark.parametrize(
    ("facts", "online", "on", "expected"),
    [
        # base fee
        (hcmc(), False, ON, BASE),
        (ApplicantFacts(province_code=DA_NANG), True, ON, BASE),  # no policy there
        # statutory exemptions
        (hcmc(meritorious_family=True), False, ON, exempt("meritorious_family")),
        (hcmc(poor_household=True), False, ON, exempt("poor_household")),
        (hcmc(disability=True), False, ON, exempt("disability")),
        (hcmc(poor_household=True, disability=True), False, ON, exempt("poor_household")),
        (hcmc(disability=True), True, ON, exempt("disability")),  # beats the online policy
        # online zero-fee policy
        (hcmc(), True, ON, ZERO_HCMC),
        (ApplicantFacts(province_code=HANOI), True, ON, ZERO_HANOI),
        (hcmc(), False, ON, BASE),  # filed at the counter
        (hcmc(), True, date(2025, 7, 1), ZERO_HCMC),  # first valid day
        (hcmc(), True, date(2026, 12, 31), ZERO_HCMC),  # last valid day
        (hcmc(), True, date(2025, 6, 30), BASE),  # not yet valid
        (hcmc(), True, date(2027, 1, 1), BASE),  # expired
    ],
)
def test_decide_fee(facts, online, on, expected):
    assert decide_fee(CIVIL, POLICIES, facts, online=online, on=on) == expected


def test_another_provinces_policy_is_ignored():
    only_hanoi = (policy(province=HANOI, source=HANOI_SOURCE),)
    facts = ApplicantFacts(province_code=HCMC)
    assert decide_fee(CIVIL, only_hanoi, facts, online=True, on=ON) == BASE


def test_policy_that_does_not_list_the_procedure_is_ignored():
    other = (policy(procedures=("1.000894",)),)
    facts = ApplicantFacts(province_code=HCMC)
    assert decide_fee(CIVIL, other, facts, online=True, on=ON) == BASE


def test_open_ended_policy_has_no_end():
    open_ended = (policy(valid_to=None),)
    facts = ApplicantFacts(province_code=HCMC)
    assert decide_fee(CIVIL, open_ended, facts, online=True, on=date(2040, 1, 1)) == ZERO_HCMC


def test_first_policy_in_force_wins():
    older = policy(source="Nghị quyết cũ", valid_to=date(2025, 12, 31))
    newer = policy(valid_from=date(2026, 1, 1), valid_to=None)
    facts = ApplicantFacts(province_code=HCMC)
    assert decide_fee(CIVIL, (older, newer), facts, online=True, on=ON) == ZERO_HCMC
    decision = decide_fee(CIVIL, (older, newer), facts, online=True, on=date(2025, 12, 31))
    assert decision.reason == "Miễn phí: nộp trực tuyến theo Nghị quyết cũ"


def test_exemption_not_listed_in_the_procedure_does_not_apply():
    poor_only = make_procedure(50_000, ("poor_household",))
    facts = ApplicantFacts(province_code=DA_NANG, meritorious_family=True, disability=True)
    decision = decide_fee(poor_only, (), facts, online=False, on=ON)
    assert (decision.amount, decision.rule) == (50_000, "base")


@pytest.mark.parametrize(
    ("order", "winner"),
    [
        (("disability", "meritorious_family"), "disability"),
        (("meritorious_family", "disability"), "meritorious_family"),
    ],
)
def test_exemption_order_is_the_procedures(order, winner):
    facts = ApplicantFacts(province_code=HCMC, meritorious_family=True, disability=True)
    decision = decide_fee(make_procedure(8_000, order), (), facts, online=False, on=ON)
    assert decision == exempt(winner)


@pytest.mark.parametrize(
    ("online", "expected"),
    [
        (False, FeeDecision(0, "base", "Thủ tục không thu lệ phí")),
        (True, ZERO_HCMC),  # the order is applied literally, even when the base is 0
    ],
)
def test_base_zero(online, expected):
    free = make_procedure(0)
    facts = ApplicantFacts(province_code=HCMC)
    assert decide_fee(free, POLICIES, facts, online=online, on=ON) == expected


BIRTH = make_procedure(8_000, ("on_time_birth",), code="1.001193")
BORN = date(2026, 1, 10)


@pytest.mark.parametrize(
    ("birth", "registered_on", "rule", "amount"),
    [
        (BORN, date(2026, 1, 10), "exemption:on_time_birth", 0),  # the day of birth
        (BORN, date(2026, 2, 20), "exemption:on_time_birth", 0),
        (BORN, date(2026, 3, 11), "exemption:on_time_birth", 0),  # day 60
        (BORN, date(2026, 3, 12), "base", 8_000),  # day 61
        (BORN, date(2026, 1, 9), "base", 8_000),  # before the birth: inconsistent data
        (None, date(2026, 1, 20), "base", 8_000),  # no birth date known
    ],
)
def test_on_time_birth(birth, registered_on, rule, amount):
    facts = ApplicantFacts(province_code=DA_NANG, birth_date_of_child=birth)
    decision = decide_fee(BIRTH, (), facts, online=False, on=registered_on)
    assert (decision.rule, decision.amount) == (rule, amount)
    if amount == 0:
        assert decision.reason == LABELS["on_time_birth"]


def test_day_60_is_birth_plus_60_days():
    assert fees.is_birth_on_time(BORN, date(2026, 3, 11))
    assert not fees.is_birth_on_time(BORN, date(2026, 3, 12))


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "0 đồng"),
        (999, "999 đồng"),
        (1_000, "1.000 đồng"),
        (2_000, "2.000 đồng"),
        (200_000, "200.000 đồng"),
        (1_500_000, "1.500.000 đồng"),
        (12_345_678, "12.345.678 đồng"),
    ],
)
def test_format_dong(amount, text):
    assert format_dong(amount) == text


def test_every_schema_exemption_rule_has_a_test():
    assert set(fees.EXEMPTION_TESTS) == set(get_args(FeeRule))


def test_decisions_and_facts_are_frozen():
    decision = decide_fee(CIVIL, (), ApplicantFacts(province_code=HCMC), online=False, on=ON)
    assert decision.free is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.amount = 0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        ApplicantFacts(province_code=HCMC).poor_household = True  # type: ignore[misc]


@pytest.mark.parametrize(
    ("facts", "quantity", "amount", "rule"),
    [
        (ApplicantFacts(province_code=HANOI), 1, 8_000, "base"),
        (ApplicantFacts(province_code=HANOI), 3, 24_000, "base"),
        (ApplicantFacts(province_code=HCMC), 3, 0, f"online_zero:{HCMC}"),
        (ApplicantFacts(province_code=HANOI, poor_household=True), 3, 0,
         "exemption:poor_household"),
    ],
)  # fmt: skip
def test_quantity_multiplies_the_base_only(facts, quantity, amount, rule):
    proc = make_procedure(8_000, ("poor_household",))
    decision = decide_fee(
        proc, [policy()], facts, online=True, on=date(2026, 11, 23), quantity=quantity
    )
    assert (decision.amount, decision.rule) == (amount, rule)
    if quantity > 1 and rule == "base":
        assert "8.000 đồng/hồ sơ × 3" in decision.reason
