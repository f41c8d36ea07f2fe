"""The fee rule, in one place: what a dossier costs, which rule decided it, and why.

Order (DESIGN.md, "Fees"):

1. statutory exemptions listed in the procedure that the applicant's facts satisfy
   (the first one listed that applies wins);
2. the province's online zero-fee policy ("0 đồng"), when the dossier is filed online and a
   policy of the applicant's province lists the procedure and is valid on the filing date;
3. the base fee of the procedure (a base of 0 means the procedure charges no fee).

The order is applied literally, even when the base fee is 0: the citizen then sees the
most specific reason (e.g. "đăng ký khai sinh đúng hạn") rather than a generic one.
Plain functions, no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from procedures.schema import Exemption, FeeRule, Procedure, ZeroFeePolicy

# Luật Hộ tịch 2014, art. 15: parents register a birth "within 60 days from the birth".
# Confidence: law for the 60 days; counting (the day of birth not counted, so birth + 60 days
# is the last day on time) follows Civil Code 2015 art. 147 [secondary].
ON_TIME_BIRTH_DAYS = 60


@dataclass(frozen=True, kw_only=True)
class ApplicantFacts:
    """What the fee rule needs to know about the applicant, read from population data."""

    province_code: int  # province where the dossier is filed (the policy that applies)
    meritorious_family: bool = False  # gia đình người có công với cách mạng
    poor_household: bool = False  # hộ nghèo
    disability: bool = False  # người khuyết tật
    birth_date_of_child: date | None = None  # for on-time birth registration


@dataclass(frozen=True)
class FeeDecision:
    """The amount to pay (đồng), the rule code that set it, and the reason shown."""

    amount: int
    rule: str  # "exemption:<rule>" | "online_zero:<province>" | "base"
    reason: str

    @property
    def free(self) -> bool:
        return self.amount == 0


def format_dong(amount: int | None) -> str:
    """An amount in Vietnamese style: 200000 → "200.000 đồng" ("—" when not set)."""
    if amount is None:
        return "—"
    return f"{amount:,}".replace(",", ".") + " đồng"


def is_birth_on_time(birth: date, registered_on: date) -> bool:
    """True when a birth is registered within 60 days of it (day 60 included)."""
    return birth <= registered_on <= birth + timedelta(days=ON_TIME_BIRTH_DAYS)


def _on_time_birth(facts: ApplicantFacts, on: date) -> bool:
    birth = facts.birth_date_of_child
    return birth is not None and is_birth_on_time(birth, on)


EXEMPTION_TESTS: dict[str, Callable[[ApplicantFacts, date], bool]] = {
    "on_time_birth": _on_time_birth,
    "meritorious_family": lambda facts, on: facts.meritorious_family,
    "poor_household": lambda facts, on: facts.poor_household,
    "disability": lambda facts, on: facts.disability,
}


def exemption_applies(rule: FeeRule, facts: ApplicantFacts, on: date) -> bool:
    """True when the applicant's facts satisfy the statutory exemption `rule` on `on`."""
    return EXEMPTION_TESTS[rule](facts, on)


def policy_in_force(policy: ZeroFeePolicy, on: date) -> bool:
    """True when `on` is within valid_from..valid_to, both inclusive (open end if None)."""
    return policy.valid_from <= on and (policy.valid_to is None or on <= policy.valid_to)


def _first_exemption(procedure: Procedure, facts: ApplicantFacts, on: date) -> Exemption | None:
    for exemption in procedure.fees.exemptions:
        if exemption_applies(exemption.rule, facts, on):
            return exemption
    return None


def policies_in_force(
    policies: Iterable[ZeroFeePolicy], code: str, on: date
) -> list[ZeroFeePolicy]:
    """The online zero-fee policies covering procedure `code` on `on` (any province)."""
    return [p for p in policies if code in p.procedures and policy_in_force(p, on)]


def _online_policy(
    procedure: Procedure, policies: Iterable[ZeroFeePolicy], province: int, on: date
) -> ZeroFeePolicy | None:
    in_force = policies_in_force(policies, procedure.code, on)
    return next((p for p in in_force if p.province == province), None)


def decide_fee(
    procedure: Procedure,
    policies: Iterable[ZeroFeePolicy],
    facts: ApplicantFacts,
    *,
    online: bool,
    on: date,
    quantity: int = 1,
) -> FeeDecision:
    """The fee for a dossier of `procedure` filed on `on` (the filing date); `quantity` is
    the number of units (copies) the base is charged for (`fees.per_field`)."""
    exemption = _first_exemption(procedure, facts, on)
    if exemption is not None:
        return FeeDecision(0, f"exemption:{exemption.rule}", exemption.label)
    if online:
        policy = _online_policy(procedure, policies, facts.province_code, on)
        if policy is not None:
            return FeeDecision(
                0,
                f"online_zero:{policy.province}",
                f"Miễn phí: nộp trực tuyến theo {policy.source}",
            )
    base = procedure.fees.base
    if base == 0:
        return FeeDecision(0, "base", procedure.fees.note or "Thủ tục không thu lệ phí")
    if quantity > 1:
        return FeeDecision(
            base * quantity,
            "base",
            f"Lệ phí: {format_dong(base)}/{procedure.fees.unit} × {quantity} "
            f"theo biểu phí của thủ tục",
        )
    return FeeDecision(base, "base", f"Lệ phí: {format_dong(base)} theo biểu phí của thủ tục")
