"""Eligibility rules of the procedures: named checks over registry records, in plain Vietnamese.

A procedure file lists its rules (`[[eligibility]]`, `rule` + `params`, procedures/schema.py);
`check` runs them all against a `FilingContext` and returns every failure, in order, so the
citizen sees everything that stands in the way at once. A rule returns None when satisfied,
else one sentence naming the people concerned, saying what is wrong and, where possible, what
to do. Missing input (no partner, no birth notice, a record without a birth date) gives such a
sentence too, never an exception. Identical sentences are reported once (e.g. "enter the other
party's number", which every marriage rule would otherwise repeat).

The other person a dossier names (the future spouse, the deceased) did not ask for their data
to be shown: a failure that rests on their record says so without their data (PARTNER_UNFIT),
whatever the rule found; only the applicant's own data is spelled out.

Records are as the portal receives them from the population registry
(identity_mock/population.py, `person_record`): field → {"value", "source", "updated_at"}.
Plain functions: no Flask, no database, no HTTP.

Sources: Law on Marriage and Family 2014 (Luật Hôn nhân và gia đình 52/2014/QH13) art. 5(2)(d),
8 [law]; counting "đủ 20 tuổi" by date of birth, the birthday itself included
(TTLT 01/2016/TTLT-TANDTC-VKSNDTC-BTP art. 2(1)) [2nd].
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from procedures.schema import Eligibility

REGISTRY = "CSDLQG về dân cư"
MARRIED = "Đã kết hôn"
MALE, FEMALE = "Nam", "Nữ"
MARRIAGE_LAW = "Luật Hôn nhân và gia đình 2014"

ASK_PARTNER = (
    "Chưa có thông tin của bên kết hôn còn lại: vui lòng nhập số định danh cá nhân, họ tên "
    f"và ngày sinh của người mình kết hôn để cổng đối chiếu với {REGISTRY}."
)
ASK_DECEASED = (
    "Chưa có thông tin của người đã chết: vui lòng nhập số định danh cá nhân và họ tên của "
    f"người đã chết để cổng đối chiếu với {REGISTRY}."
)
PARTNER_UNFIT = (
    f"Theo dữ liệu trong {REGISTRY}, người kết hôn cùng chưa đáp ứng điều kiện đăng ký kết hôn "
    "(Luật Hôn nhân và gia đình 2014, điều 5 và điều 8), nên chưa thể nộp hồ sơ. Để bảo vệ dữ "
    "liệu cá nhân, cổng không hiển thị thông tin của người kết hôn cùng; người đó có thể xem "
    "dữ liệu của mình trên VNeID hoặc liên hệ UBND cấp xã để được hướng dẫn."
)
NOT_A_RELATIVE = (
    f"Theo {REGISTRY}, bạn không phải là vợ, chồng, cha, mẹ, con, anh, chị, em ruột, ông, bà "
    "hoặc cháu của người mang số định danh này, nên cổng không hiển thị thông tin của người đó "
    "và không nhận hồ sơ trực tuyến. Nếu bạn là người thân thích khác, vui lòng đăng ký khai tử "
    "tại UBND cấp xã nơi cư trú cuối cùng của người đã chết."
)
NOT_A_RELATIVE_CLAIM = (
    f"Theo {REGISTRY}, bạn không phải là vợ, chồng, cha, mẹ, con, anh, chị, em ruột, ông, bà "
    "hoặc cháu của người mang số định danh này, nên cổng không hiển thị thông tin của người đó "
    "và không nhận hồ sơ trực tuyến. Nếu bạn là người khác đã lo mai táng, vui lòng nộp hồ sơ "
    "trực tiếp tại cơ quan giải quyết."
)
RELATION_LABELS = {
    "spouse": "vợ hoặc chồng",
    "parent": "cha hoặc mẹ",
    "child": "con",
    "sibling": "anh, chị hoặc em ruột",
    "grandparent": "ông hoặc bà",
    "grandchild": "cháu",
}
NOT_A_DECLARED_PARENT = (
    "Trên cổng, chỉ cha hoặc mẹ của trẻ mới đăng ký khai sinh trực tuyến được: tờ khai phải "
    "ghi bạn là cha hoặc mẹ của trẻ. Nếu cha mẹ không thể đi khai sinh, ông, bà hoặc người thân "
    "thích khác vui lòng đăng ký tại UBND cấp xã."
)
ASK_NOTICE = (
    "Chưa chọn giấy chứng sinh của trẻ: vui lòng chọn giấy chứng sinh điện tử trong danh sách. "
    "Nếu không thấy, có thể trẻ đã được đăng ký khai sinh hoặc cơ sở y tế chưa gửi giấy chứng "
    "sinh điện tử; vui lòng liên hệ cơ sở y tế nơi trẻ được sinh ra."
)


@dataclass(frozen=True, kw_only=True)
class FilingContext:
    """What a rule may look at: registry records and what the citizen typed."""

    applicant: dict  # the applicant's registry record
    partner: dict | None = None  # the other party: spouse-to-be, the deceased, …
    birth_notice: dict | None = None  # the chosen notice's "value" dict
    form: dict[str, str] = field(default_factory=dict)  # the dossier's values (typed, locked)
    today: date


Rule = Callable[[FilingContext, dict], str | None]
RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    """Register a rule under `name` (the name procedure files use)."""

    def register(fn: Rule) -> Rule:
        if name in RULES:
            raise ValueError(f"eligibility rule {name!r} is defined twice")
        RULES[name] = fn
        return fn

    return register


def known_rules() -> set[str]:
    """Every rule name `check` accepts, for the catalogue loader to verify procedure files."""
    return set(RULES)


def check(eligibility: Iterable[Eligibility], ctx: FilingContext) -> list[str]:
    """Every failure of the rules, in the order listed (the partner's general refusal,
    once, last); [] when the applicant may file.

    Raises KeyError, before running any rule, when a rule name is unknown."""
    items = list(eligibility)
    unknown = [e.rule for e in items if e.rule not in RULES]
    if unknown:
        raise KeyError(
            f"unknown eligibility rule(s) {', '.join(unknown)}; "
            f"known rules: {', '.join(sorted(RULES))}"
        )
    failures: list[str] = []
    partner_unfit = False
    for item in items:
        message = RULES[item.rule](ctx, dict(item.params))
        if message is None:
            continue
        # The partner's part is the same sentence whatever the rule: said once, after
        # everything that concerns the applicant.
        partner_unfit = partner_unfit or PARTNER_UNFIT in message
        own = message.replace(PARTNER_UNFIT, "").strip()
        if own and own not in failures:
            failures.append(own)
    return failures + ([PARTNER_UNFIT] if partner_unfit else [])


def _with_partner(own: str | None, partner_fails: bool) -> str | None:
    """The applicant's own reason, spelled out, then the partner's in general terms."""
    parts = [own, PARTNER_UNFIT if partner_fails else None]
    return " ".join(p for p in parts if p) or None


# --- reading records --------------------------------------------------------------------


def age_on(birth: date, today: date) -> int:
    """Full years between `birth` and `today`; the birthday itself counts as the new age.

    Someone born on 29 February reaches a new age on 1 March in common years [?: no legal
    text found on this; it never counts a year before it has fully passed]."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _reaches_age(birth: date, years: int) -> date:
    """The first day on which someone born on `birth` is `years` old."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # 29 February in a common year
        return date(birth.year + years, 3, 1)


def _value(record: dict | None, key: str):
    item = (record or {}).get(key)
    return item.get("value") if isinstance(item, dict) else None


def _text(record: dict | None, key: str) -> str | None:
    value = _value(record, key)
    return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else None


def _date(record: dict | None, key: str) -> date | None:
    value = _value(record, key)
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _id(record: dict) -> str | None:
    return _text(record, "personal_id")


def _alive(record: dict) -> bool:
    return _value(record, "died_on") is None


def _brief_id(brief) -> str | None:
    return brief.get("personal_id") if isinstance(brief, dict) else None


def _parent_ids(record: dict) -> set[str]:
    return {i for i in (_brief_id(_value(record, k)) for k in ("father", "mother")) if i}


def _child_ids(record: dict) -> set[str]:
    return {i for i in (_brief_id(c) for c in _value(record, "children") or []) if i}


def _spouse_id(record: dict) -> str | None:
    return _brief_id(_value(record, "spouse"))


def _dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _who(record: dict, *, capital: bool = False) -> str:
    """'ông Nguyễn Văn An' / 'bà Lê Thị Hoa' (the bare name when the sex is unknown);
    'Ông …' / 'Bà …' with `capital`, to start a sentence."""
    name = _text(record, "full_name") or f"người có số định danh {_id(record) or '(không rõ)'}"
    title = {MALE: "ông ", FEMALE: "bà "}.get(_text(record, "sex") or "", "")
    text = title + name
    return text[0].upper() + text[1:] if capital else text


def _by_sex(record: dict, male: str, female: str, unknown: str) -> str:
    return {MALE: male, FEMALE: female}.get(_text(record, "sex") or "", unknown)


# --- marriage ---------------------------------------------------------------------------


@rule("both_alive")
def both_alive(ctx: FilingContext, params: dict) -> str | None:
    if ctx.partner is None:
        return ASK_PARTNER
    p = ctx.applicant
    own = (
        None
        if _alive(p)
        else f"Theo {REGISTRY}, {_who(p)} đã mất"
        + (f" ngày {_dmy(d)}" if (d := _date(p, "died_on")) else "")
        + ", nên không thể đăng ký kết hôn."
    )
    return _with_partner(own, not _alive(ctx.partner))


def _under_age(person: dict, men: int, women: int, today: date) -> str | None:
    minimum = {MALE: men, FEMALE: women}.get(_text(person, "sex") or "")
    birth = _date(person, "birth_date")
    if minimum is None or birth is None:
        missing = "giới tính" if minimum is None else "ngày sinh"
        return (
            f"{REGISTRY} chưa có {missing} của {_who(person)}, nên chưa kiểm tra được tuổi "
            "kết hôn; vui lòng liên hệ Công an cấp xã để cập nhật thông tin."
        )
    age = age_on(birth, today)
    if age >= minimum:
        return None
    sex = _by_sex(person, "nam", "nữ", "")
    return (
        f"{_who(person, capital=True)} sinh ngày {_dmy(birth)}, đến ngày {_dmy(today)} mới "
        f"{age} tuổi; {sex} phải từ đủ {minimum} tuổi mới được kết hôn ({MARRIAGE_LAW}, điều 8). "
        f"Có thể đăng ký kết hôn từ ngày {_dmy(_reaches_age(birth, minimum))}."
    )


@rule("legal_marriage_age")
def legal_marriage_age(ctx: FilingContext, params: dict) -> str | None:
    """Men from full `men` years, women from full `women` years, at `today` (20 and 18)."""
    if ctx.partner is None:
        return ASK_PARTNER
    men, women = int(params.get("men", 20)), int(params.get("women", 18))
    own = _under_age(ctx.applicant, men, women, ctx.today)
    return _with_partner(own, _under_age(ctx.partner, men, women, ctx.today) is not None)


@rule("both_single")
def both_single(ctx: FilingContext, params: dict) -> str | None:
    """Neither is married now; single, divorced and widowed people may marry."""
    if ctx.partner is None:
        return ASK_PARTNER
    p = ctx.applicant
    own = (
        f"{_who(p, capital=True)} đang có tình trạng hôn nhân «{MARRIED}» trong {REGISTRY}, "
        "nên chưa thể đăng ký kết hôn. Nếu đã ly hôn hoặc vợ/chồng đã mất, vui lòng đề "
        "nghị cập nhật tình trạng hôn nhân trước khi nộp hồ sơ."
        if _text(p, "marital_status") == MARRIED
        else None
    )
    return _with_partner(own, _text(ctx.partner, "marital_status") == MARRIED)


@rule("different_sex")
def different_sex(ctx: FilingContext, params: dict) -> str | None:
    """The State does not recognise marriage between people of the same sex (art. 8(2))."""
    if ctx.partner is None:
        return ASK_PARTNER
    sex = _text(ctx.applicant, "sex")
    if sex is None or sex != _text(ctx.partner, "sex"):
        return None
    return PARTNER_UNFIT  # the partner's sex is their data


# Luật Hôn nhân và gia đình 2014, art. 5(2)(d), the prohibitions the records can show.
DIRECT_LINE = "cấm kết hôn giữa những người cùng dòng máu về trực hệ"
THREE_GENERATIONS = "cấm kết hôn giữa những người có họ trong phạm vi ba đời"
BY_MARRIAGE = (
    "cấm kết hôn giữa cha chồng với con dâu, mẹ vợ với con rể, cha dượng với con riêng của "
    "vợ, mẹ kế với con riêng của chồng"
)


def _parent_of(x: dict, y: dict) -> tuple[str, str] | None:
    if _id(x) in _parent_ids(y) or _id(y) in _child_ids(x):
        return f"{_who(x)} là {_by_sex(x, 'cha', 'mẹ', 'cha hoặc mẹ')} của {_who(y)}", DIRECT_LINE
    return None


def _grandparent_of(x: dict, y: dict) -> tuple[str, str] | None:
    if _child_ids(x) & _parent_ids(y):
        return f"{_who(x)} là {_by_sex(x, 'ông', 'bà', 'ông hoặc bà')} của {_who(y)}", DIRECT_LINE
    return None


def _sibling_of(x: dict, y: dict) -> tuple[str, str] | None:
    shared = [
        label
        for key, label in (("father", "cha"), ("mother", "mẹ"))
        if (i := _brief_id(_value(x, key))) and i == _brief_id(_value(y, key))
    ]
    if not shared:
        return None
    bx, by = _date(x, "birth_date"), _date(y, "birth_date")
    if bx is None or by is None or bx == by:
        role = "anh, chị hoặc em"
    else:
        role = _by_sex(x, "anh", "chị", "anh, chị") if bx < by else "em"
    kind = "ruột" if len(shared) == 2 else f"cùng {shared[0]}"
    return f"{_who(x)} là {role} {kind} của {_who(y)}", THREE_GENERATIONS


def _step_parent_of(x: dict, y: dict) -> tuple[str, str] | None:
    spouse = _spouse_id(x)
    if spouse and spouse in _parent_ids(y):
        role = _by_sex(x, "cha dượng", "mẹ kế", "cha dượng hoặc mẹ kế")
        return f"{_who(x)} là {role} của {_who(y)}", BY_MARRIAGE
    return None


def _parent_in_law_of(x: dict, y: dict) -> tuple[str, str] | None:
    spouse = _spouse_id(y)
    if spouse and spouse in _child_ids(x):
        role = _by_sex(x, "cha", "mẹ", "cha hoặc mẹ")
        partner = _by_sex(y, "vợ", "chồng", "vợ hoặc chồng")
        return f"{_who(x)} là {role} của người là {partner} của {_who(y)}", BY_MARRIAGE
    return None


KINSHIP = (_parent_of, _grandparent_of, _sibling_of, _step_parent_of, _parent_in_law_of)


@rule("not_close_relatives")
def not_close_relatives(ctx: FilingContext, params: dict) -> str | None:
    """Not the same person, and no kinship the two records show.

    Each record names only the person's father, mother, spouse and children, so the rule
    finds: parent/child and grandparent/grandchild (either way), siblings sharing a father or
    a mother, step-parent/step-child and parent-in-law/child-in-law through a (current or last)
    spouse. It cannot see great-grandparents, uncles, aunts, nephews, nieces, cousins, or
    adoptive links (the registry has no adoption data): the civil servant checks those.
    """
    if ctx.partner is None:
        return ASK_PARTNER
    a, b = ctx.applicant, ctx.partner
    if _id(a) and _id(a) == _id(b):
        return (
            f"Số định danh cá nhân của bên kết hôn còn lại trùng với số của chính {_who(a)}; "
            "vui lòng nhập số định danh cá nhân của người mình kết hôn."
        )
    for relation in KINSHIP:
        if relation(a, b) or relation(b, a):
            return PARTNER_UNFIT  # the kinship found rests on the partner's record
    return None


def kinship_found(applicant: dict, partner: dict) -> str | None:
    """The kinship the two records show, spelled out ("bà … là mẹ của ông …") with the
    prohibition it falls under: for the civil servant, never for the applicant."""
    for relation in KINSHIP:
        found = relation(applicant, partner) or relation(partner, applicant)
        if found:
            fact, prohibition = found
            return f"Theo {REGISTRY}, {fact}; {MARRIAGE_LAW} (điều 5 khoản 2 điểm d) {prohibition}."
    return None


# --- birth ------------------------------------------------------------------------------


@rule("has_unregistered_birth_notice")
def has_unregistered_birth_notice(ctx: FilingContext, params: dict) -> str | None:
    """A birth notice was chosen. The registry lists only notices not yet registered
    (identity_mock/population.py), so a notice taken from the record is unregistered."""
    return ASK_NOTICE if ctx.birth_notice is None else None


@rule("applicant_is_parent")
def applicant_is_parent(ctx: FilingContext, params: dict) -> str | None:
    """The applicant is a parent of the child: on the electronic birth notice, or, for a
    birth declared without one, named as the mother or the father on the form (the portal
    fills that from their own record, services/filing.own_parent_role)."""
    notice = ctx.birth_notice
    if notice is None:
        declared = {ctx.form.get("mother_personal_id"), ctx.form.get("father_personal_id")}
        if _id(ctx.applicant) in declared - {None, ""}:
            return None
        return NOT_A_DECLARED_PARENT
    if _id(ctx.applicant) in {notice.get("mother_id"), notice.get("father_id")} - {None}:
        return None
    number = notice.get("number") or "(không rõ số)"
    return (
        f"{_who(ctx.applicant, capital=True)} không phải là cha hoặc mẹ của trẻ trong giấy "
        f"chứng sinh số {number}; trên cổng, chỉ cha hoặc mẹ của trẻ mới đăng ký khai sinh "
        "trực tuyến được. Nếu cha mẹ không thể đi khai sinh, ông, bà hoặc người thân thích khác "
        "vui lòng đăng ký tại UBND cấp xã."
    )


# --- death and other relatives ------------------------------------------------------------


def relation(applicant: dict, other: dict) -> str | None:
    """What `other` is to `applicant` as the two records show it ("spouse", "parent",
    "child", "sibling", "grandparent", "grandchild"), or None. Households do not count: a
    relative who lives elsewhere is still a relative."""
    a, b = _id(applicant), _id(other)
    if not a or not b or a == b:
        return None
    if _spouse_id(applicant) == b or _spouse_id(other) == a:
        return "spouse"
    if b in _parent_ids(applicant) or a in _child_ids(other):
        return "parent"
    if b in _child_ids(applicant) or a in _parent_ids(other):
        return "child"
    if _shared_parent(applicant, other):
        return "sibling"
    if _parent_ids(applicant) & _child_ids(other):
        return "grandparent"
    if _child_ids(applicant) & _parent_ids(other):
        return "grandchild"
    return None


def _shared_parent(x: dict, y: dict) -> bool:
    return any(
        (i := _brief_id(_value(x, key))) and i == _brief_id(_value(y, key))
        for key in ("father", "mother")
    )


def _relative_problem(ctx: FilingContext, not_relative: str) -> str | None:
    """Why the applicant may not file about the deceased (`ctx.partner`): no number given,
    their own number, or no relation the records prove (`not_relative`); None when the
    registry shows the applicant as the deceased's spouse, parent, child, sibling,
    grandparent or grandchild (in any household). Until that is proven nothing of the
    deceased's record is said."""
    applicant, deceased = ctx.applicant, ctx.partner
    if deceased is None:
        return ASK_DECEASED
    if _id(deceased) and _id(deceased) == _id(applicant):
        return (
            f"Số định danh cá nhân của người đã chết trùng với số của chính {_who(applicant)}; "
            "vui lòng kiểm tra lại số định danh cá nhân của người đã chết."
        )
    if relation(applicant, deceased) is None:
        return not_relative
    return None


@rule("deceased_is_relative")
def deceased_is_relative(ctx: FilingContext, params: dict) -> str | None:
    """Khai tử: the registry shows the applicant as a relative of the deceased, and the
    deceased is not recorded dead yet (a registered death is not registered again).

    Luật Hộ tịch 2014, điều 33: the spouse, a child, a parent or another relative declares
    the death; online, the portal accepts the relatives the records can prove."""
    problem = _relative_problem(ctx, NOT_A_RELATIVE)
    if problem is not None:
        return problem
    deceased = ctx.partner or {}
    if not _alive(deceased):
        died = _date(deceased, "died_on")
        return (
            f"Theo {REGISTRY}, {_who(deceased)} đã được ghi nhận là đã mất"
            + (f" ngày {_dmy(died)}" if died else "")
            + ", nên không đăng ký khai tử lại được. Nếu cần trích lục khai tử, vui lòng dùng "
            "thủ tục cấp bản sao trích lục hộ tịch."
        )
    return None


@rule("relative_of_recorded_deceased")
def relative_of_recorded_deceased(ctx: FilingContext, params: dict) -> str | None:
    """A claim after the death is registered (funeral allowances filed on their own, at BHXH
    or at the UBND xã): the registry shows the applicant as a relative of the deceased, and
    records the death. A death not registered yet is registered first: the khai tử brings
    the allowance with it (liên thông, Nghị định 63/2024/NĐ-CP)."""
    problem = _relative_problem(ctx, NOT_A_RELATIVE_CLAIM)
    if problem is not None:
        return problem
    deceased = ctx.partner or {}
    if _alive(deceased):
        return (
            f"Theo {REGISTRY}, {_who(deceased)} chưa được ghi nhận là đã mất (việc khai tử chưa "
            "được đăng ký), nên chưa nộp được hồ sơ này. Vui lòng đăng ký khai tử trước; khi "
            "đăng ký khai tử trên cổng, chế độ mai táng được giải quyết liên thông cùng hồ sơ "
            "khai tử."
        )
    return None
