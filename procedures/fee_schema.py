"""The shape of a procedure's `[fees]` section and of a fee policy file (procedures/policies).

A procedure's fee states what it is (kind: lệ phí, phí or none), who sets its amount (setter:
a Ministry of Finance circular, "national", or the provincial council, "province"), the legal
basis of its schedule, and the schedule itself (one of four pricings below), with the
statutory exemptions and reductions as rules (percent 100 = exemption). The computation is in
portal/services/fees.py; this module only describes and checks the data.

A fee policy (procedures/policies/*.toml) waives or reduces fees for a period: a province's
online "0 đồng" resolution (scope "province", only for fees the provincial council sets) or a
national time-bound exemption (scope "national", e.g. TT 117/2026/TT-BTC, possibly conditioned
on the applicant's VNeID level). `policy_problems` and `overlap_problems` are what the loader
refuses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Annotated, Literal, Protocol

from pydantic import Field, computed_field, model_validator

from procedures.base import Confidence, Strict

FeeKind = Literal["le_phi", "phi", "none"]  # lệ phí | phí | no fee at all
Setter = Literal["national", "province"]  # Ministry of Finance circular | provincial council
KIND_WORDS = {"le_phi": "Lệ phí", "phi": "Phí", "none": "Phí, lệ phí"}

# The applicant's facts a statutory exemption or reduction tests (portal/services/fees.py has
# one test per rule):
# on_time_birth / on_time_death: the event is registered within 60 / 15 days (Luật Hộ tịch
#   2014, điều 15, 33); meritorious_family: gia đình người có công với cách mạng (registry);
#   poor_household: hộ nghèo (registry); disability: người khuyết tật (registry);
#   child: under 16 (Luật Trẻ em 2016, điều 1); elderly: 60 or over (Luật Người cao tuổi 2009,
#   điều 2); student: declared on the form (a checkbox, `declared_field`) and proved by an
#   attached paper — no database the portal reads says who is a student;
#   id_card_age_renewal: a card renewed at 14, 25, 40 or 60, or in the two years before (Luật
#   Căn cước 2023, điều 21; the fee exemption is TT 73/2024/TT-BTC's as secondary sources say).
FeeRule = Literal[
    "on_time_birth",
    "on_time_death",
    "meritorious_family",
    "poor_household",
    "disability",
    "child",
    "elderly",
    "student",
    "id_card_age_renewal",
]
ON_TIME_RULES = ("on_time_birth", "on_time_death")


class Reduction(Strict):
    """A statutory exemption (percent = 100) or reduction for applicants the rule describes."""

    rule: FeeRule
    percent: int = Field(default=100, ge=1, le=100)
    who: str  # shown: "người thuộc hộ nghèo", "đăng ký khai sinh đúng hạn"
    basis: str  # shown: "Luật Hộ tịch 2014, điều 11"
    confidence: Confidence = "law"
    # A checkbox field of the form by which the applicant declares the fact (proof attached);
    # the rule then applies when the registry says so or the box is ticked.
    declared_field: str | None = None
    # For the on-time rules: the form's date field holding the event's date when the registry
    # has no notice (birth notice, death notice).
    date_field: str | None = None

    @model_validator(mode="after")
    def _coherent(self) -> Reduction:
        if self.rule == "student" and not self.declared_field:
            raise ValueError("rule 'student' needs declared_field: no registry says who studies")
        if self.date_field and self.rule not in ON_TIME_RULES:
            raise ValueError("date_field is for the on-time rules only")
        return self


class Flat(Strict):
    """One amount per dossier, possibly lower online (TT 75/2022: 20.000 đ, 10.000 đ online)."""

    pricing: Literal["flat"]
    counter: int = Field(ge=0)  # đồng, filed at the counter
    online: int | None = Field(default=None, ge=0)  # đồng, filed online; None = as counter
    unit: str = "hồ sơ"  # "lần đăng ký"


class PerUnit(Strict):
    """An amount per unit the form counts (TT 281/2016: 8.000 đ per copy)."""

    pricing: Literal["per_unit"]
    amount: int = Field(gt=0)
    unit: str  # "bản sao", "trường hợp", "hợp đồng"
    field: str  # the form's number field counting the units


class PerPage(Strict):
    """Certified copies (TT 226/2016): per page, a lower rate from page `first_pages + 1`,
    at most `cap_per_copy` per copy, times the number of copies."""

    pricing: Literal["per_page"]
    first_pages: int = Field(default=2, ge=1)
    first_page_amount: int = Field(gt=0)  # đồng per page, pages 1..first_pages
    next_page_amount: int = Field(ge=0)  # đồng per page after them
    cap_per_copy: int | None = Field(default=None, gt=0)
    pages_field: str  # the form's number field: pages of the original
    copies_field: str  # the form's number field: copies wanted

    def per_copy(self, pages: int) -> tuple[int, bool]:
        """The amount for one copy of `pages` pages, and whether the cap applied."""
        first = min(pages, self.first_pages)
        uncapped = first * self.first_page_amount + (pages - first) * self.next_page_amount
        if self.cap_per_copy is not None and uncapped > self.cap_per_copy:
            return self.cap_per_copy, True
        return uncapped, False


class PerRequest(Strict):
    """One amount per request covering `included_copies` copies, then a surcharge per extra
    copy (LLTP: 200.000 đ per request; from the third Phiếu 5.000 đ each)."""

    pricing: Literal["per_request"]
    amount: int = Field(gt=0)
    unit: str = "lần yêu cầu"
    copy_word: str = "bản"  # "Phiếu"
    copies_field: str
    included_copies: int = Field(default=2, ge=1)
    extra_copy_amount: int = Field(ge=0)


Schedule = Annotated[Flat | PerUnit | PerPage | PerRequest, Field(discriminator="pricing")]


class Fees(Strict):
    kind: FeeKind
    setter: Setter | None = None  # required unless kind = "none"
    # The schedule's legal basis, shown with every amount: "Thông tư 75/2022/TT-BTC".
    basis: str | None = None
    schedule: Schedule | None = None
    title: str | None = None  # "Phí chứng thực bản sao"; default: kind + procedure name
    reductions: list[Reduction] = []
    # kind = "none": why nothing is charged, shown ("Luật Hộ tịch 2014, điều 11").
    free_basis: str | None = None
    confidence: Confidence = "unverified"
    # Never shown to citizens (nor in the API's dump): where a figure comes from, what is
    # uncertain.
    internal_note: str | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _coherent(self) -> Fees:
        if self.kind == "none":
            if self.setter or self.schedule or self.reductions or self.basis:
                raise ValueError(
                    "kind 'none' takes no setter, basis, schedule or reductions (free_basis only)"
                )
            return self
        if self.setter is None or self.schedule is None or not self.basis:
            raise ValueError(f"kind {self.kind!r} needs setter, basis and schedule")
        if self.free_basis:
            raise ValueError("free_basis is for kind 'none'")
        if self.setter == "province" and not isinstance(self.schedule, Flat):
            raise ValueError("a provincial fee is a flat amount per dossier")
        rules = [r.rule for r in self.reductions]
        if len(set(rules)) != len(rules):
            raise ValueError("each reduction rule once")
        return self

    @property
    def charged(self) -> bool:
        return self.kind != "none"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def base(self) -> int:
        """The headline amount (đồng): per dossier at the counter, per unit, for the first
        page, or per request; 0 when nothing is charged."""
        s = self.schedule
        if s is None:
            return 0
        if isinstance(s, Flat):
            return s.counter
        if isinstance(s, PerPage):
            return s.first_page_amount
        return s.amount

    def form_fields(self) -> dict[str, str]:
        """The form fields the fee reads, name → the field type they must have."""
        s = self.schedule
        wanted: dict[str, str] = {}
        if isinstance(s, PerUnit):
            wanted[s.field] = "number"
        elif isinstance(s, PerPage):
            wanted |= {s.pages_field: "number", s.copies_field: "number"}
        elif isinstance(s, PerRequest):
            wanted[s.copies_field] = "number"
        for r in self.reductions:
            if r.declared_field:
                wanted[r.declared_field] = "checkbox"
            if r.date_field:
                wanted[r.date_field] = "date"
        return wanted

    def form_problems(self, field_types: Mapping[str, str]) -> list[str]:
        """What is wrong with the fields the fee reads, given the form's name → type."""
        return [
            f"fees: {name!r} must name a {kind} field of the form"
            for name, kind in self.form_fields().items()
            if field_types.get(name) != kind
        ]


class FeePolicy(Strict):
    """A decision waiving (percent 100) or reducing fees for a period.

    scope "province": a provincial council's online "0 đồng" resolution; it may only list
    procedures whose fee the council sets (setter "province"). scope "national": a Ministry of
    Finance circular (TT 117/2026/TT-BTC), possibly for VNeID level-2 accounts only.
    """

    scope: Literal["province", "national"] = "province"
    province: int | None = None  # for scope "province"
    source: str  # the text, in full: "Thông tư số 117/2026/TT-BTC của Bộ Tài chính"
    short: str | None = None  # as steps cite it: "TT 117/2026/TT-BTC"; default: source
    valid_from: date
    valid_to: date | None = None  # inclusive; None = open-ended
    channel: Literal["online", "any"] = "online"
    min_vneid_level: Literal[1, 2] | None = None
    percent: int = Field(default=100, ge=1, le=100)
    procedures: list[str] = Field(min_length=1)
    confidence: Confidence = "unverified"
    internal_note: str | None = Field(default=None, exclude=True)  # never shown

    @model_validator(mode="after")
    def _coherent(self) -> FeePolicy:
        if self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        if (self.scope == "province") != (self.province is not None):
            raise ValueError("province is required for scope 'province', and only there")
        if len(set(self.procedures)) != len(self.procedures):
            raise ValueError("procedures: a code is listed twice")
        return self

    @property
    def cited(self) -> str:
        return self.short or self.source

    @property
    def scope_key(self) -> tuple[str, int | None]:
        return (self.scope, self.province)

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


class _HasFees(Protocol):
    @property
    def fees(self) -> Fees: ...


def policy_problems(policy: FeePolicy, procedures: Mapping[str, _HasFees]) -> list[str]:
    """Why `policy` may not cover the procedures it lists ("field: problem" each)."""
    problems = []
    for code in policy.procedures:
        proc = procedures.get(code)
        if proc is None:
            problems.append(f"procedures: unknown code {code}")
        elif not proc.fees.charged:
            problems.append(f"procedures: {code} charges no fee, there is nothing to waive")
        elif policy.scope == "province" and proc.fees.setter != "province":
            problems.append(
                f"procedures: {code} has a national fee ({proc.fees.basis}); a provincial "
                "policy may only waive fees the provincial council sets"
            )
    return problems


def _overlap(a: FeePolicy, b: FeePolicy) -> bool:
    a_end, b_end = a.valid_to or date.max, b.valid_to or date.max
    return a.valid_from <= b_end and b.valid_from <= a_end


def overlap_problems(named: Iterable[tuple[str, FeePolicy]]) -> list[str]:
    """Two policies of the same scope (the same province, or national) whose periods overlap
    for the same procedure: "<file>: valid_from: … overlaps <other file> for <codes>"."""
    seen: list[tuple[str, FeePolicy]] = []
    problems = []
    for name, policy in named:
        for other_name, other in seen:
            if other.scope_key != policy.scope_key or not _overlap(policy, other):
                continue
            shared = sorted(set(policy.procedures) & set(other.procedures))
            if shared:
                problems.append(
                    f"{name}: valid_from: {policy.valid_from:%d/%m/%Y}–"
                    f"{policy.valid_to and f'{policy.valid_to:%d/%m/%Y}' or '…'} overlaps "
                    f"{other_name} for {', '.join(shared)} (same scope)"
                )
        seen.append((name, policy))
    return problems
