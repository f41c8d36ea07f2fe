"""The fee rule, in one place: what a dossier costs, which rule decided it, why, and each
step of the computation (label, amount, legal basis) for the dossier and its receipt.

1. The gross amount from the procedure's schedule (procedures/fee_schema.py): flat (online
   may be lower), per unit (copies, cases), per page with a cap per copy (chứng thực), or per
   request with a surcharge per copy beyond those included (LLTP).
2. The benefits the applicant has on the filing date: the procedure's statutory exemptions and
   reductions (percent 100 = exemption), national time-bound policies (TT 117/2026/TT-BTC, for
   VNeID level-2 accounts) and the province's online 0-đồng policy — a provincial policy only
   for a fee the provincial council sets. Where several apply, the highest wins (on a tie, the
   first in that order).
3. What is left to pay.

The procedure page's fee sentences come from the same rule (`fee_table`): each shown amount
is a `decide_fee` result for a stated case. Plain functions, no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from common import divisions
from procedures.fee_schema import (
    KIND_WORDS,
    ON_TIME_RULES,
    FeePolicy,
    FeeRule,
    Fees,
    Flat,
    PerPage,
    PerRequest,
    PerUnit,
    Reduction,
)
from procedures.schema import Procedure

# Luật Hộ tịch 2014, art. 15: a birth is registered "within 60 days from the birth"; art. 33:
# a death within 15 days. Counting (the day of the event not counted, so event + 60 days is
# the last day on time) follows Civil Code 2015 art. 147 [secondary].
ON_TIME_BIRTH_DAYS = 60
ON_TIME_DEATH_DAYS = 15
CHILD_UNDER = 16  # Luật Trẻ em 2016, điều 1
ELDERLY_FROM = 60  # Luật Người cao tuổi 2009, điều 2
# Luật Căn cước 2023, điều 21: a card is renewed at 14, 25, 40 and 60, or within the two years
# before; we read "at 25" as the year of turning 25 included [unverified].
RENEWAL_AGES = (14, 25, 40, 60)
RENEWAL_YEARS_BEFORE = 2
TO_PAY = "Phải nộp"


@dataclass(frozen=True, kw_only=True)
class ApplicantFacts:
    """What the fee rule needs to know about the applicant: population data, the VNeID level
    of the login, and what the applicant declared on the form."""

    province_code: int  # province of the office the dossier goes to (its council's policy)
    meritorious_family: bool = False  # gia đình người có công với cách mạng
    poor_household: bool = False  # hộ nghèo
    disability: bool = False  # người khuyết tật
    birth_date: date | None = None  # the applicant's own (child, elderly)
    birth_date_of_child: date | None = None  # for on-time birth registration
    death_date: date | None = None  # for on-time death registration
    vneid_level: int | None = None  # 1 or 2; None: not known (no level-bound policy applies)
    declared: frozenset[str] = frozenset()  # rules ticked on the form (proof attached)


@dataclass(frozen=True)
class FeeStep:
    """One line of the computation: a charge (positive), a benefit (negative) or the total."""

    label: str
    amount: int
    basis: str = ""

    @property
    def text(self) -> str:
        """ "Lệ phí đăng ký thường trú trực tuyến: 10.000 đồng (Thông tư 75/2022/TT-BTC)"."""
        amount = format_dong(self.amount) if self.amount >= 0 else f"−{format_dong(-self.amount)}"
        return f"{self.label}: {amount}" + (f" ({self.basis})" if self.basis else "")

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "amount": self.amount, "basis": self.basis}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeeStep:
        return cls(str(data["label"]), int(data["amount"]), str(data.get("basis") or ""))


@dataclass(frozen=True)
class FeeDecision:
    """The amount to pay (đồng), the rule code that set it, the reason shown, the steps."""

    amount: int
    # "none" | "base" | "exemption:<rule>" | "reduction:<rule>" | "national:<circular>" |
    # "online_zero:<province>" | "online_reduction:<province>"
    rule: str
    reason: str
    steps: tuple[FeeStep, ...] = ()

    @property
    def free(self) -> bool:
        return self.amount == 0

    def steps_json(self) -> list[dict[str, Any]]:
        """The steps as Dossier.fee_steps stores them."""
        return [s.as_dict() for s in self.steps]


def format_dong(amount: int | None) -> str:
    """An amount in Vietnamese style: 200000 → "200.000 đồng" ("—" when not set)."""
    if amount is None:
        return "—"
    return f"{amount:,}".replace(",", ".") + " đồng"


def steps_from_json(stored: Iterable[Mapping[str, Any]] | None) -> tuple[FeeStep, ...]:
    """Dossier.fee_steps back as steps (() for a dossier filed before steps were stored)."""
    return tuple(FeeStep.from_dict(s) for s in stored or ())


def _on_time(event: date | None, registered_on: date, days: int) -> bool:
    return event is not None and event <= registered_on <= event + timedelta(days=days)


def is_birth_on_time(birth: date, registered_on: date) -> bool:
    """True when a birth is registered within 60 days of it (day 60 included)."""
    return _on_time(birth, registered_on, ON_TIME_BIRTH_DAYS)


def is_death_on_time(death: date, registered_on: date) -> bool:
    """True when a death is registered within 15 days of it (day 15 included)."""
    return _on_time(death, registered_on, ON_TIME_DEATH_DAYS)


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _child(facts: ApplicantFacts, on: date) -> bool:
    return facts.birth_date is not None and age_on(facts.birth_date, on) < CHILD_UNDER


def _elderly(facts: ApplicantFacts, on: date) -> bool:
    return facts.birth_date is not None and age_on(facts.birth_date, on) >= ELDERLY_FROM


def _age_renewal(facts: ApplicantFacts, on: date) -> bool:
    if facts.birth_date is None:
        return False
    age = age_on(facts.birth_date, on)
    return any(a - RENEWAL_YEARS_BEFORE <= age <= a for a in RENEWAL_AGES)


EXEMPTION_TESTS: dict[str, Callable[[ApplicantFacts, date], bool]] = {
    "on_time_birth": lambda f, on: _on_time(f.birth_date_of_child, on, ON_TIME_BIRTH_DAYS),
    "on_time_death": lambda f, on: _on_time(f.death_date, on, ON_TIME_DEATH_DAYS),
    "meritorious_family": lambda f, on: f.meritorious_family,
    "poor_household": lambda f, on: f.poor_household,
    "disability": lambda f, on: f.disability,
    "child": _child,
    "elderly": _elderly,
    "student": lambda f, on: False,  # no registry knows; only a declaration on the form
    "id_card_age_renewal": _age_renewal,
}


def exemption_applies(rule: FeeRule, facts: ApplicantFacts, on: date) -> bool:
    """True when the applicant's facts (or a declaration on the form) satisfy `rule` on `on`."""
    return rule in facts.declared or EXEMPTION_TESTS[rule](facts, on)


def policy_in_force(policy: FeePolicy, on: date) -> bool:
    """True when `on` is within valid_from..valid_to, both inclusive (open end if None)."""
    return policy.in_force(on)


def policies_in_force(policies: Iterable[FeePolicy], code: str, on: date) -> list[FeePolicy]:
    """The fee policies covering procedure `code` on `on` (any scope, any province)."""
    return [p for p in policies if code in p.procedures and p.in_force(on)]


# --- the gross amount -------------------------------------------------------------------------


def title(procedure: Procedure) -> str:
    """ "Lệ phí đăng ký thường trú", "Phí cấp Phiếu lý lịch tư pháp"."""
    fees = procedure.fees
    if fees.title:
        return fees.title
    name = procedure.name
    return f"{KIND_WORDS[fees.kind]} {name[:1].lower()}{name[1:]}"


def _gross(procedure: Procedure, *, online: bool, quantity: int, pages: int) -> tuple[FeeStep, ...]:
    fees, name = procedure.fees, title(procedure)
    s, basis = fees.schedule, fees.basis or ""
    quantity, pages = max(quantity, 1), max(pages, 1)
    if isinstance(s, Flat):
        if online and s.online is not None and s.online != s.counter:
            return (FeeStep(f"{name} trực tuyến", s.online, basis),)
        return (FeeStep(name, s.counter, basis),)
    if isinstance(s, PerUnit):
        label = f"{name} ({quantity} {s.unit} × {format_dong(s.amount)})"
        return (FeeStep(label, quantity * s.amount, basis),)
    if isinstance(s, PerPage):
        per_copy, capped = s.per_copy(pages)
        cap = f", mức tối đa {format_dong(s.cap_per_copy)}/bản" if capped else ""
        label = f"{name} ({pages} trang: {format_dong(per_copy)}/bản{cap}; × {quantity} bản)"
        return (FeeStep(label, per_copy * quantity, basis),)
    if isinstance(s, PerRequest):
        included = f"{s.unit}, đến {s.included_copies} {s.copy_word}"
        steps = [FeeStep(f"{name} ({included})", s.amount, basis)]
        extra = quantity - s.included_copies
        if extra > 0:
            label = (
                f"Từ {s.copy_word} thứ {s.included_copies + 1}: {extra} {s.copy_word} × "
                f"{format_dong(s.extra_copy_amount)}"
            )
            steps.append(FeeStep(label, extra * s.extra_copy_amount, basis))
        return tuple(steps)
    return ()


# --- benefits ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Benefit:
    percent: int
    label: str
    basis: str
    rule: str
    reason: str


def _verb(percent: int) -> str:
    return "Miễn" if percent == 100 else f"Giảm {percent} %"


def _period(policy: FeePolicy) -> str:
    if policy.valid_to is None:
        return f"từ {policy.valid_from:%d/%m/%Y}"
    return f"{policy.valid_from:%d/%m/%Y}–{policy.valid_to:%d/%m/%Y}"


def _statutory(fees: Fees, r: Reduction) -> _Benefit:
    kind = KIND_WORDS[fees.kind].lower()
    label = f"{_verb(r.percent)} {kind}: {r.who}"
    code = "exemption" if r.percent == 100 else "reduction"
    return _Benefit(r.percent, label, r.basis, f"{code}:{r.rule}", f"{label} ({r.basis})")


def _national(p: FeePolicy) -> _Benefit:
    conditions = [f"tài khoản VNeID mức {p.min_vneid_level}"] if p.min_vneid_level else []
    if p.channel == "online":
        conditions.append("nộp trực tuyến")
    label = f"{_verb(p.percent)} theo {p.cited} ({', '.join([*conditions, _period(p)])})"
    return _Benefit(p.percent, label, p.source, f"national:{p.cited}", label)


def _provincial(p: FeePolicy) -> _Benefit:
    assert p.province is not None
    where = divisions.province_name(p.province)
    label = f"{_verb(p.percent)} khi nộp trực tuyến tại {where}"
    code = "online_zero" if p.percent == 100 else "online_reduction"
    word = "Miễn phí" if p.percent == 100 else f"Giảm {p.percent} %"
    reason = f"{word}: nộp trực tuyến theo {p.source}"
    return _Benefit(p.percent, label, p.source, f"{code}:{p.province}", reason)


def _policy_applies(p: FeePolicy, fees: Fees, facts: ApplicantFacts, online: bool) -> bool:
    if p.channel == "online" and not online:
        return False
    if p.min_vneid_level and (facts.vneid_level or 0) < p.min_vneid_level:
        return False
    if p.scope == "province":
        # Only the council's own fees; the loader refuses other lists, this is the backstop.
        return p.province == facts.province_code and fees.setter == "province"
    return True


def _benefits(
    procedure: Procedure,
    policies: Iterable[FeePolicy],
    facts: ApplicantFacts,
    *,
    online: bool,
    on: date,
) -> list[_Benefit]:
    fees = procedure.fees
    found = [_statutory(fees, r) for r in fees.reductions if exemption_applies(r.rule, facts, on)]
    in_force = [
        p
        for p in policies_in_force(policies, procedure.code, on)
        if _policy_applies(p, fees, facts, online)
    ]
    found += [_national(p) for p in in_force if p.scope == "national"]
    found += [_provincial(p) for p in in_force if p.scope == "province"]
    return found


# --- the decision -----------------------------------------------------------------------------


def decide_fee(
    procedure: Procedure,
    policies: Iterable[FeePolicy],
    facts: ApplicantFacts,
    *,
    online: bool,
    on: date,
    quantity: int = 1,
    pages: int = 1,
) -> FeeDecision:
    """The fee for a dossier of `procedure` filed on `on` (the filing date). `quantity` counts
    the schedule's units (copies, cases, Phiếu), `pages` the pages of the original (chứng thực
    bản sao); both come from the form (`units_from_form`)."""
    fees = procedure.fees
    if not fees.charged:
        why = fees.free_basis or ""
        steps = (FeeStep("Thủ tục không thu phí, lệ phí", 0, why), FeeStep(TO_PAY, 0))
        reason = "Không thu phí, lệ phí" + (f" ({why})" if why else "")
        return FeeDecision(0, "none", reason, steps)
    charges = _gross(procedure, online=online, quantity=quantity, pages=pages)
    gross = sum(s.amount for s in charges)
    kind = KIND_WORDS[fees.kind]
    if gross == 0:
        reason = f"{kind}: 0 đồng theo biểu phí của thủ tục ({fees.basis})"
        return FeeDecision(0, "base", reason, (*charges, FeeStep(TO_PAY, 0)))
    benefits = _benefits(procedure, policies, facts, online=online, on=on)
    best = max(benefits, key=lambda b: b.percent, default=None)  # first of the highest
    if best is None:
        reason = f"{kind}: {format_dong(gross)} theo biểu phí của thủ tục ({fees.basis})"
        return FeeDecision(gross, "base", reason, (*charges, FeeStep(TO_PAY, gross)))
    cut = gross * best.percent // 100
    benefit = FeeStep(best.label, -cut, best.basis)
    return FeeDecision(
        gross - cut, best.rule, best.reason, (*charges, benefit, FeeStep(TO_PAY, gross - cut))
    )


def _number(value: object, default: int = 1) -> int:
    raw = str(value or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else default


def units_from_form(procedure: Procedure, data: Mapping[str, Any]) -> dict[str, int]:
    """`quantity` and `pages` for `decide_fee` from the dossier's form values (1 when a value
    is missing or not a number: the form's own validation reports it)."""
    s = procedure.fees.schedule
    if isinstance(s, PerUnit):
        return {"quantity": _number(data.get(s.field))}
    if isinstance(s, PerPage):
        return {
            "quantity": _number(data.get(s.copies_field)),
            "pages": _number(data.get(s.pages_field)),
        }
    if isinstance(s, PerRequest):
        return {"quantity": _number(data.get(s.copies_field))}
    return {}


def declared_from_form(procedure: Procedure, data: Mapping[str, Any]) -> frozenset[str]:
    """The rules the applicant ticked on the form (e.g. "student"): a checkbox keeps "có"
    when ticked, "" when not (services/filing.clean_value)."""
    return frozenset(
        r.rule
        for r in procedure.fees.reductions
        if r.declared_field and str(data.get(r.declared_field) or "").strip()
    )


def event_date_from_form(procedure: Procedure, data: Mapping[str, Any], rule: str) -> date | None:
    """The event date an on-time rule reads from the form (when the registry has none)."""
    for r in procedure.fees.reductions:
        if r.rule == rule and r.date_field:
            try:
                return date.fromisoformat(str(data.get(r.date_field) or ""))
            except ValueError:
                return None
    return None


# --- the procedure page -----------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A case the page states an amount for; `facts()` and `decide` reproduce it."""

    online: bool
    on: date
    province: int = 0  # 0: a province with no policy of its own
    level: int | None = None
    rule: str | None = None  # a statutory rule the applicant meets
    quantity: int = 1
    pages: int = 1

    def facts(self) -> ApplicantFacts:
        return case_facts(self.rule, self.on, self.province, self.level)

    def attributes(self) -> dict[str, str]:
        """The case as data-* attributes of the sentence on the page."""
        attrs = {
            "data-fee-amount": "",
            "data-online": "1" if self.online else "0",
            "data-on": self.on.isoformat(),
            "data-province": str(self.province),
            "data-quantity": str(self.quantity),
            "data-pages": str(self.pages),
        }
        if self.level is not None:
            attrs["data-level"] = str(self.level)
        if self.rule:
            attrs["data-rule"] = self.rule
        return attrs


def _years_before(on: date, years: int) -> date:
    return date(on.year - years, on.month, min(on.day, 28))


def case_facts(rule: str | None, on: date, province: int, level: int | None) -> ApplicantFacts:
    """An applicant meeting `rule` (and nothing else) on `on`."""
    facts = ApplicantFacts(province_code=province, vneid_level=level)
    if rule == "meritorious_family":
        return replace(facts, meritorious_family=True)
    if rule == "poor_household":
        return replace(facts, poor_household=True)
    if rule == "disability":
        return replace(facts, disability=True)
    if rule == "child":
        return replace(facts, birth_date=_years_before(on, 10))
    if rule == "elderly":
        return replace(facts, birth_date=_years_before(on, 70))
    if rule == "id_card_age_renewal":
        return replace(facts, birth_date=_years_before(on, 25))
    if rule == "on_time_birth":
        return replace(facts, birth_date_of_child=on)
    if rule == "on_time_death":
        return replace(facts, death_date=on)
    if rule:
        return replace(facts, declared=frozenset({rule}))
    return facts


@dataclass(frozen=True)
class FeeLine:
    """A sentence of the page: its text ends with the amount the rule gives for `case`."""

    text: str
    amount: int
    case: Case

    @property
    def attributes(self) -> dict[str, str]:
        return self.case.attributes() | {"data-fee-amount": str(self.amount)}


@dataclass(frozen=True)
class FeeTable:
    online: tuple[FeeLine, ...]  # the "Trực tuyến" cell
    counter: tuple[FeeLine, ...]  # the "Trực tiếp tại cơ quan" cell
    examples: tuple[FeeLine, ...] = ()  # how the schedule counts (copies, pages, Phiếu)
    benefits: tuple[FeeLine, ...] = ()  # exemptions, reductions, policies
    basis: str = ""  # the schedule's legal basis (or why nothing is charged)
    setter_text: str = ""  # who sets the amount
    kind: str = ""


def fee_table(
    procedure: Procedure,
    policies: Iterable[FeePolicy],
    on: date,
) -> FeeTable:
    """The fee sentences of the procedure page on `on`, each computed by `decide_fee`."""
    policies = tuple(policies)
    fees = procedure.fees

    def line(text: str, case: Case, suffix: str = "") -> FeeLine:
        decision = decide_fee(
            procedure,
            policies,
            case.facts(),
            online=case.online,
            on=case.on,
            quantity=case.quantity,
            pages=case.pages,
        )
        return FeeLine(f"{text}{format_dong(decision.amount)}{suffix}", decision.amount, case)

    if not fees.charged:
        free = "Không thu phí, lệ phí: "
        online_free, counter_free = line(free, Case(True, on)), line(free, Case(False, on))
        return FeeTable((online_free,), (counter_free,), basis=fees.free_basis or "")
    s = fees.schedule
    unit = f"/{s.unit}" if isinstance(s, Flat | PerUnit | PerRequest) else "/bản (1 trang)"
    # With an on-time exemption (khai sinh, khai tử) the schedule's amount is the late one.
    late = "Đăng ký quá hạn: " if any(r.rule in ON_TIME_RULES for r in fees.reductions) else ""
    online = [line(late, Case(True, on), unit)]
    counter = [line(late, Case(False, on), unit)]
    examples = _examples(s, on, line)
    benefits = [
        line(f"{_verb(r.percent)}: {r.who} ({r.basis}): ", Case(True, on, rule=r.rule))
        for r in fees.reductions
    ]
    for p in policies:
        if procedure.code not in p.procedures:
            continue
        if p.valid_to is not None and p.valid_to < on:
            continue  # ended
        when = max(on, p.valid_from)
        period = f"từ {p.valid_from:%d/%m/%Y}" + (
            f" đến {p.valid_to:%d/%m/%Y}" if p.valid_to else ""
        )
        if p.scope == "national":
            level = p.min_vneid_level
            who = f"tài khoản VNeID mức {level}, " if level else ""
            text = f"{_verb(p.percent)} với {who}{period} ({p.source}): "
            online.append(line(text, Case(True, when, level=level)))
            if p.channel == "any":
                counter.append(line(text, Case(False, when, level=level)))
        else:
            assert p.province is not None
            text = f"Tại {divisions.province_name(p.province)}, {period} ({p.source}): "
            online.append(line(text, Case(True, when, province=p.province)))
    setter = (
        "Mức thu do Bộ Tài chính quy định, áp dụng trên cả nước."
        if fees.setter == "national"
        else "Mức thu do Hội đồng nhân dân cấp tỉnh quyết định."
    )
    return FeeTable(
        tuple(online),
        tuple(counter),
        tuple(examples),
        tuple(benefits),
        basis=fees.basis or "",
        setter_text=setter,
        kind=KIND_WORDS[fees.kind],
    )


def _examples(s: object, on: date, line: Callable[..., FeeLine]) -> list[FeeLine]:
    if isinstance(s, PerUnit):
        return [line(f"{n} {s.unit}: ", Case(True, on, quantity=n)) for n in (2, 3)]
    if isinstance(s, PerPage):
        pages = sorted({1, s.first_pages, s.first_pages + 1, 10})
        found = [line(f"Bản sao {n} trang: ", Case(True, on, pages=n), "/bản") for n in pages]
        if s.cap_per_copy is not None and s.next_page_amount > 0:
            first = s.first_pages * s.first_page_amount
            top = s.first_pages + -(-(s.cap_per_copy - first) // s.next_page_amount)
            found.append(
                line(f"Bản sao từ {top} trang: ", Case(True, on, pages=top), "/bản (mức tối đa)")
            )
        found.append(line("2 bản sao, mỗi bản 10 trang: ", Case(True, on, quantity=2, pages=10)))
        return found
    if isinstance(s, PerRequest):
        n = s.included_copies
        return [
            line(f"{k} {s.copy_word} trong một lần yêu cầu: ", Case(True, on, quantity=k))
            for k in (n, n + 1, n + 2)
        ]
    return []
