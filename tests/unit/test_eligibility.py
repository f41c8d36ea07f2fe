"""Eligibility rules of the procedures, over registry records shaped as the portal gets them."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

import procedures
from portal.services import eligibility
from portal.services.eligibility import (
    ASK_DECEASED,
    ASK_NOTICE,
    ASK_PARTNER,
    RULES,
    FilingContext,
    age_on,
    check,
    known_rules,
)
from procedures.schema import Eligibility

TODAY = date(2026, 3, 1)
SOURCE = "CSDLQG về dân cư"


def _item(value) -> dict:
    return {"value": value, "source": SOURCE, "updated_at": "2025-01-01T00:00:00"}


def _iso(day: date | str | None) -> str | None:
    return day.isoformat() if isinstance(day, date) else day


def brief(record: dict) -> dict:
    """A relative as the registry shows it inside another record."""
    return {
        "personal_id": record["personal_id"]["value"],
        "full_name": record["full_name"]["value"],
        "birth_date": record["birth_date"]["value"],
        "alive": record["died_on"]["value"] is None,
    }


def make_record(
    *,
    personal_id: str,
    full_name: str,
    birth_date: date | str | None,
    sex: str,
    marital_status: str = "Chưa kết hôn",
    died_on: date | str | None = None,
    father: dict | None = None,
    mother: dict | None = None,
    household: dict | None = None,
    children: tuple[dict, ...] = (),
) -> dict:
    """A registry record (identity_mock/population.py `person_record`), the parts rules read.

    `father`, `mother` and `children` are records (made by this helper); `household` is the
    household's value {id, head_id, poor_household, members}."""
    return {
        "personal_id": _item(personal_id),
        "full_name": _item(full_name),
        "birth_date": _item(_iso(birth_date)),
        "sex": _item(sex),
        "marital_status": _item(marital_status),
        "died_on": _item(_iso(died_on)),
        "father": _item(father and brief(father)),
        "mother": _item(mother and brief(mother)),
        "spouse": _item(None),
        "children": _item([brief(c) for c in children]),
        "household": _item(household),
        "birth_notices": [],
    }


def with_spouse(record: dict, spouse: dict) -> dict:
    return {**record, "spouse": _item(brief(spouse))}


def household(hid: str, head: dict, *members: tuple[dict, str]) -> dict:
    return {
        "id": hid,
        "head_id": head["personal_id"]["value"],
        "poor_household": False,
        "members": [{**brief(m), "relation_to_head": rel} for m, rel in members],
    }


def ctx(applicant: dict, partner: dict | None = None, *, notice=None, today=TODAY):
    return FilingContext(applicant=applicant, partner=partner, birth_notice=notice, today=today)


# --- the cast ---------------------------------------------------------------------------
# A family: Cường → Bình (+ Hoa) → An, Mai; Hoa → Lan by another father (Phạm Văn Đức).

CUONG = make_record(
    personal_id="001050000001",
    full_name="Trần Văn Cường",
    birth_date="1950-04-02",
    sex="Nam",
    marital_status="Góa",
)
BINH = make_record(
    personal_id="001075000002",
    full_name="Trần Văn Bình",
    birth_date="1975-06-11",
    sex="Nam",
    marital_status="Đã ly hôn",
    father=CUONG,
)
HOA = make_record(
    personal_id="001178000003",
    full_name="Lê Thị Hoa",
    birth_date="1978-09-30",
    sex="Nữ",
    marital_status="Đã ly hôn",
)
DUC = make_record(
    personal_id="001072000004",
    full_name="Phạm Văn Đức",
    birth_date="1972-01-20",
    sex="Nam",
    marital_status="Đã ly hôn",
)
AN = make_record(
    personal_id="001200000005",
    full_name="Trần Văn An",
    birth_date="2000-05-10",
    sex="Nam",
    father=BINH,
    mother=HOA,
)
MAI = make_record(
    personal_id="001303000006",
    full_name="Trần Thị Mai",
    birth_date="2003-07-15",
    sex="Nữ",
    father=BINH,
    mother=HOA,
)
LAN = make_record(
    personal_id="001304000007",
    full_name="Phạm Thị Lan",
    birth_date="2004-11-02",
    sex="Nữ",
    father=DUC,
    mother=HOA,
)
# Unrelated people.
THU = make_record(
    personal_id="079301000008", full_name="Nguyễn Thị Thu", birth_date="2001-09-15", sex="Nữ"
)
NAM = make_record(
    personal_id="079098000009", full_name="Hoàng Văn Nam", birth_date="1998-02-14", sex="Nam"
)


def variant(record: dict, **changes) -> dict:
    """`record` with some of make_record's arguments changed (same person)."""
    base = {
        "personal_id": record["personal_id"]["value"],
        "full_name": record["full_name"]["value"],
        "birth_date": record["birth_date"]["value"],
        "sex": record["sex"]["value"],
        "marital_status": record["marital_status"]["value"],
        "died_on": record["died_on"]["value"],
    }
    out = make_record(**{**base, **changes})
    for key in ("father", "mother", "spouse", "children", "household"):
        if key not in changes:
            out[key] = record[key]
    return out


# --- age_on -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "today", "age"),
    [
        pytest.param(date(2006, 3, 1), date(2026, 3, 1), 20, id="on-the-birthday"),
        pytest.param(date(2006, 3, 2), date(2026, 3, 1), 19, id="day-before-birthday"),
        pytest.param(date(2006, 2, 28), date(2026, 3, 1), 20, id="day-after-birthday"),
        pytest.param(date(2026, 3, 1), date(2026, 3, 1), 0, id="newborn"),
        pytest.param(date(1999, 12, 31), date(2000, 1, 1), 0, id="new-year"),
        pytest.param(date(2000, 2, 29), date(2020, 2, 29), 20, id="29-feb-leap-year"),
        pytest.param(date(2004, 2, 29), date(2022, 2, 28), 17, id="29-feb-on-28-feb"),
        pytest.param(date(2004, 2, 29), date(2022, 3, 1), 18, id="29-feb-on-1-march"),
    ],
)
def test_age_on(birth, today, age):
    assert age_on(birth, today) == age


# --- every rule, pass and fail ----------------------------------------------------------

MARRIAGE_AGE = {"men": 20, "women": 18}
DEAD_THU = variant(THU, died_on="2025-12-01")
MAN_20_TODAY = make_record(
    personal_id="001206000010", full_name="Đỗ Văn Hùng", birth_date="2006-03-01", sex="Nam"
)
MAN_19_Y_364_D = variant(MAN_20_TODAY, birth_date="2006-03-02")
WOMAN_18_TODAY = make_record(
    personal_id="001308000011", full_name="Vũ Thị Ngọc", birth_date="2008-03-01", sex="Nữ"
)
WOMAN_17_Y_364_D = variant(WOMAN_18_TODAY, birth_date="2008-03-02")
WOMAN_19 = variant(WOMAN_18_TODAY, birth_date="2007-01-05")
MARRIED_HOA = variant(HOA, marital_status="Đã kết hôn")

# Parent and child, each link visible from one side only (the other record is silent).
MOTHER_KNOWS_CHILD = variant(HOA, children=(THU,))  # THU's record names no mother
CHILD_KNOWS_FATHER = variant(THU, father=NAM)  # NAM's record lists no children
# Grandparent and grandchild: Cường's record lists Bình, An's record names Bình as father.
CUONG_WITH_SON = variant(CUONG, children=(BINH,))
# First cousins: children of Bình and of his brother Khoa; their grandfather is not in the
# two records, so the rule cannot see it (the documented limit).
KHOA = make_record(
    personal_id="001077000012",
    full_name="Trần Văn Khoa",
    birth_date="1977-03-03",
    sex="Nam",
    father=CUONG,
)
COUSIN = make_record(
    personal_id="001305000013",
    full_name="Trần Thị Yến",
    birth_date="2005-05-05",
    sex="Nữ",
    father=KHOA,
)
# A widowed stepfather: his late wife is Thu's mother; he is not Thu's father.
LATE_WIFE = make_record(
    personal_id="001175000014",
    full_name="Ngô Thị Sen",
    birth_date="1975-01-01",
    sex="Nữ",
    died_on="2024-08-08",
    marital_status="Đã kết hôn",
)
STEPFATHER = with_spouse(variant(NAM, birth_date="1970-10-10", marital_status="Góa"), LATE_WIFE)
STEPDAUGHTER = variant(THU, mother=LATE_WIFE)
# A widowed daughter-in-law and her late husband's father.
LATE_HUSBAND = make_record(
    personal_id="001199000015",
    full_name="Lý Văn Tài",
    birth_date="1999-01-01",
    sex="Nam",
    died_on="2025-01-01",
    marital_status="Đã kết hôn",
)
FATHER_IN_LAW = variant(
    NAM, birth_date="1968-06-06", marital_status="Góa", children=(LATE_HUSBAND,)
)
DAUGHTER_IN_LAW = with_spouse(variant(THU, marital_status="Góa"), LATE_HUSBAND)

NOTICE = {
    "number": "GCS-2026-000123",
    "hospital": "Bệnh viện Phụ sản Hà Nội",
    "birth_date": "2026-02-20",
    "sex": "Nữ",
    "weight_grams": 3100,
    "mother_id": THU["personal_id"]["value"],
    "father_id": AN["personal_id"]["value"],
}
NOTICE_NO_FATHER = {**NOTICE, "father_id": None}

# Death: Cường lives with his son Bình's household; Thu lives elsewhere.
HOME = household("HH-0001", BINH, (BINH, "chủ hộ"), (CUONG, "cha"), (AN, "con"))
BINH_AT_HOME = variant(BINH, household=HOME)
CUONG_AT_HOME = variant(CUONG, household=HOME)
CUONG_DEAD = variant(CUONG_AT_HOME, died_on="2026-02-25")
BINH_NO_HOUSEHOLD = variant(BINH, household=None)
# A relative elsewhere: Hoa's record lists An as her child, An lives in another household.
ELSEWHERE = household("HH-0002", AN, (AN, "chủ hộ"))
AN_ELSEWHERE = variant(AN, household=ELSEWHERE)
BINH_NO_HOUSEHOLD = variant(BINH, household=None)
# Thu shares Bình's household but is no relative of his.
THU_AT_HOME = variant(THU, household=HOME)
SPOUSE_OF_NAM = with_spouse(THU, NAM)

# The partner's part of a marriage refusal never names the partner or their data.
UNFIT = [eligibility.PARTNER_UNFIT]

CASES = [
    # both_alive
    ("both_alive", {}, ctx(AN, THU), None),
    ("both_alive", {}, ctx(AN, DEAD_THU), UNFIT),
    ("both_alive", {}, ctx(variant(AN, died_on="2026-01-01"), THU), ["ông Trần Văn An đã mất"]),
    ("both_alive", {}, ctx(AN), [ASK_PARTNER]),
    # legal_marriage_age
    ("legal_marriage_age", MARRIAGE_AGE, ctx(MAN_20_TODAY, WOMAN_18_TODAY), None),
    (
        "legal_marriage_age",
        MARRIAGE_AGE,
        ctx(MAN_19_Y_364_D, WOMAN_19),
        [
            "Ông Đỗ Văn Hùng sinh ngày 02/03/2006, đến ngày 01/03/2026 mới 19 tuổi",
            "nam phải từ đủ 20 tuổi",
            "Có thể đăng ký kết hôn từ ngày 02/03/2026.",
        ],
    ),
    ("legal_marriage_age", MARRIAGE_AGE, ctx(AN, WOMAN_17_Y_364_D), UNFIT),
    (
        "legal_marriage_age",
        MARRIAGE_AGE,
        ctx(WOMAN_17_Y_364_D, AN),
        ["Bà Vũ Thị Ngọc sinh ngày 02/03/2008", "mới 17 tuổi", "nữ phải từ đủ 18 tuổi"],
    ),
    ("legal_marriage_age", {"men": 20, "women": 20}, ctx(AN, WOMAN_19), UNFIT),
    (
        "legal_marriage_age",
        {"men": 20, "women": 20},
        ctx(WOMAN_19, AN),
        ["nữ phải từ đủ 20 tuổi"],
    ),
    ("legal_marriage_age", MARRIAGE_AGE, ctx(AN, variant(THU, birth_date=None)), UNFIT),
    (
        "legal_marriage_age",
        MARRIAGE_AGE,
        ctx(variant(THU, birth_date=None), AN),
        ["chưa có ngày sinh của bà Nguyễn Thị Thu"],
    ),
    ("legal_marriage_age", MARRIAGE_AGE, ctx(AN), [ASK_PARTNER]),
    # both_single
    ("both_single", {}, ctx(AN, THU), None),
    ("both_single", {}, ctx(AN, variant(THU, marital_status="Đã ly hôn")), None),
    ("both_single", {}, ctx(AN, variant(THU, marital_status="Góa")), None),
    ("both_single", {}, ctx(variant(AN, marital_status="Góa"), HOA), None),
    ("both_single", {}, ctx(NAM, MARRIED_HOA), UNFIT),
    (
        "both_single",
        {},
        ctx(variant(AN, marital_status="Đã kết hôn"), THU),
        ["Ông Trần Văn An đang có tình trạng hôn nhân «Đã kết hôn»"],
    ),
    (
        "both_single",
        {},
        ctx(variant(AN, marital_status="Đã kết hôn"), MARRIED_HOA),
        ["Ông Trần Văn An đang có tình trạng hôn nhân «Đã kết hôn»", *UNFIT],
    ),
    ("both_single", {}, ctx(AN), [ASK_PARTNER]),
    # different_sex
    ("different_sex", {}, ctx(AN, THU), None),
    ("different_sex", {}, ctx(AN, NAM), UNFIT),
    ("different_sex", {}, ctx(THU, MAI), UNFIT),
    ("different_sex", {}, ctx(AN), [ASK_PARTNER]),
    # not_close_relatives (the kinship itself: kinship_found, below)
    ("not_close_relatives", {}, ctx(AN, THU), None),
    ("not_close_relatives", {}, ctx(AN, variant(AN)), ["trùng với số của chính ông Trần Văn An"]),
    ("not_close_relatives", {}, ctx(AN, HOA), UNFIT),
    ("not_close_relatives", {}, ctx(HOA, AN), UNFIT),
    ("not_close_relatives", {}, ctx(AN, LAN), UNFIT),
    ("not_close_relatives", {}, ctx(AN, COUSIN), None),  # cousins: beyond what records show
    ("not_close_relatives", {}, ctx(STEPDAUGHTER, STEPFATHER), UNFIT),
    ("not_close_relatives", {}, ctx(AN), [ASK_PARTNER]),
    # has_unregistered_birth_notice
    ("has_unregistered_birth_notice", {}, ctx(THU, notice=NOTICE), None),
    ("has_unregistered_birth_notice", {}, ctx(THU), [ASK_NOTICE]),
    # applicant_is_parent
    ("applicant_is_parent", {}, ctx(THU, notice=NOTICE), None),
    ("applicant_is_parent", {}, ctx(AN, notice=NOTICE), None),
    (
        "applicant_is_parent",
        {},
        ctx(AN, notice=NOTICE_NO_FATHER),
        [
            "Ông Trần Văn An không phải là cha hoặc mẹ của trẻ trong giấy chứng sinh số "
            "GCS-2026-000123"
        ],
    ),
    ("applicant_is_parent", {}, ctx(HOA, notice=NOTICE), ["Bà Lê Thị Hoa không phải"]),
    # without an electronic notice: named a parent on the form (services/filing.own_parent_role)
    ("applicant_is_parent", {}, ctx(THU), [eligibility.NOT_A_DECLARED_PARENT]),
    (
        "applicant_is_parent",
        {},
        FilingContext(
            applicant=THU, form={"mother_personal_id": THU["personal_id"]["value"]}, today=TODAY
        ),
        None,
    ),
    (
        "applicant_is_parent",
        {},
        FilingContext(applicant=AN, form={"mother_personal_id": "079195001111"}, today=TODAY),
        [eligibility.NOT_A_DECLARED_PARENT],
    ),
    # deceased_is_relative: any relative the records prove, in any household
    ("deceased_is_relative", {}, ctx(BINH_AT_HOME, CUONG_AT_HOME), None),  # his father, at home
    ("deceased_is_relative", {}, ctx(BINH_NO_HOUSEHOLD, CUONG), None),  # his father, no household
    ("deceased_is_relative", {}, ctx(HOA, AN_ELSEWHERE), None),  # her son, elsewhere
    ("deceased_is_relative", {}, ctx(AN_ELSEWHERE, MAI), None),  # his sister
    ("deceased_is_relative", {}, ctx(AN, CUONG_WITH_SON), None),  # his grandfather
    ("deceased_is_relative", {}, ctx(CUONG_WITH_SON, AN), None),  # his grandson
    ("deceased_is_relative", {}, ctx(SPOUSE_OF_NAM, NAM), None),  # her husband
    ("deceased_is_relative", {}, ctx(BINH_AT_HOME, THU), [eligibility.NOT_A_RELATIVE]),
    # Sharing a household is not a relation the law names.
    ("deceased_is_relative", {}, ctx(BINH_AT_HOME, THU_AT_HOME), [eligibility.NOT_A_RELATIVE]),
    (
        "deceased_is_relative",
        {},
        ctx(BINH_AT_HOME, CUONG_DEAD),
        [
            "ông Trần Văn Cường đã được ghi nhận là đã mất ngày 25/02/2026",
            "không đăng ký khai tử lại được",
        ],
    ),
    (
        "deceased_is_relative",
        {},
        ctx(BINH_AT_HOME, BINH_AT_HOME),
        ["trùng với số của chính ông Trần Văn Bình"],
    ),
    ("deceased_is_relative", {}, ctx(BINH_AT_HOME), [ASK_DECEASED]),
    # relative_of_recorded_deceased: a funeral allowance claimed after the death is registered
    ("relative_of_recorded_deceased", {}, ctx(BINH_AT_HOME, CUONG_DEAD), None),  # his father
    ("relative_of_recorded_deceased", {}, ctx(DAUGHTER_IN_LAW, LATE_HUSBAND), None),  # spouse
    (
        "relative_of_recorded_deceased",
        {},
        ctx(BINH_AT_HOME, CUONG_AT_HOME),  # alive in the registry: the death comes first
        ["ông Trần Văn Cường chưa được ghi nhận là đã mất", "Vui lòng đăng ký khai tử trước"],
    ),
    (
        "relative_of_recorded_deceased",
        {},
        ctx(BINH_AT_HOME, DEAD_THU),
        [eligibility.NOT_A_RELATIVE_CLAIM],
    ),
    (
        "relative_of_recorded_deceased",
        {},
        ctx(BINH_AT_HOME, BINH_AT_HOME),
        ["trùng với số của chính ông Trần Văn Bình"],
    ),
    ("relative_of_recorded_deceased", {}, ctx(BINH_AT_HOME), [ASK_DECEASED]),
]


def _case_id(case) -> str:
    name, _params, _ctx, expected = case
    return f"{name}-{'pass' if expected is None else 'fail'}"


@pytest.mark.parametrize(
    ("name", "params", "context", "expected"), CASES, ids=[_case_id(c) for c in CASES]
)
def test_rule(name, params, context, expected):
    message = RULES[name](context, params)
    if expected is None:
        assert message is None
    else:
        assert message is not None, "the rule should fail"
        for fragment in expected:
            assert fragment in message
        refusals = (UNFIT, [eligibility.NOT_A_RELATIVE], [eligibility.NOT_A_RELATIVE_CLAIM])
        if context.partner is not None and expected in refusals:
            assert_nothing_of(context.partner, context.applicant, message)


def assert_nothing_of(other: dict, applicant: dict, message: str) -> None:
    """Nothing of the other person's record: not their name, birth or death date, status."""
    for key in ("full_name", "birth_date", "marital_status", "died_on"):
        value = other[key]["value"]
        if not value or value == applicant[key]["value"]:
            continue
        shown = [value]
        if key in ("birth_date", "died_on"):
            shown.append(date.fromisoformat(value).strftime("%d/%m/%Y"))
        for text in shown:
            assert text not in message, key


KINSHIP_CASES = [
    (AN, HOA, ["bà Lê Thị Hoa là mẹ của ông Trần Văn An", "cùng dòng máu về trực hệ"]),
    (HOA, AN, ["bà Lê Thị Hoa là mẹ của ông Trần Văn An"]),
    (MOTHER_KNOWS_CHILD, THU, ["bà Lê Thị Hoa là mẹ của bà Nguyễn Thị Thu"]),
    (NAM, CHILD_KNOWS_FATHER, ["ông Hoàng Văn Nam là cha của bà Nguyễn Thị Thu"]),
    (CUONG_WITH_SON, AN, ["ông Trần Văn Cường là ông của ông Trần Văn An", "trực hệ"]),
    (AN, CUONG_WITH_SON, ["ông Trần Văn Cường là ông của"]),
    (AN, LAN, ["ông Trần Văn An là anh cùng mẹ của bà Phạm Thị Lan", "trong phạm vi ba đời"]),
    (LAN, AN, ["bà Phạm Thị Lan là em cùng mẹ của ông"]),
    (AN, MAI, ["ông Trần Văn An là anh ruột của bà Trần"]),
    (AN, variant(THU, father=BINH), ["ông Trần Văn An là anh cùng cha của bà Nguyễn Thị Thu"]),
    (
        STEPDAUGHTER,
        STEPFATHER,
        ["ông Hoàng Văn Nam là cha dượng của bà Nguyễn Thị Thu", "cha dượng với con riêng"],
    ),
    (
        DAUGHTER_IN_LAW,
        FATHER_IN_LAW,
        ["ông Hoàng Văn Nam là cha của người là chồng của bà Nguyễn Thị Thu", "cha chồng"],
    ),
]


@pytest.mark.parametrize(("applicant", "partner", "expected"), KINSHIP_CASES)
def test_kinship_is_found_and_refused_in_general_terms(applicant, partner, expected):
    """The rule refuses every kinship the records show without naming it to the applicant;
    kinship_found spells it out for the civil servant."""
    fact = eligibility.kinship_found(applicant, partner)
    assert fact is not None
    for fragment in expected:
        assert fragment in fact
    assert RULES["not_close_relatives"](ctx(applicant, partner), {}) == eligibility.PARTNER_UNFIT


def test_no_kinship_between_strangers_or_cousins():
    assert eligibility.kinship_found(AN, THU) is None
    assert eligibility.kinship_found(AN, COUSIN) is None


@pytest.mark.parametrize(
    ("applicant", "other", "expected"),
    [
        (SPOUSE_OF_NAM, NAM, "spouse"),
        (NAM, SPOUSE_OF_NAM, "spouse"),
        (AN, BINH, "parent"),  # An's record names Bình
        (THU, MOTHER_KNOWS_CHILD, "parent"),  # only Hoa's record names Thu
        (BINH, AN, "child"),
        (MOTHER_KNOWS_CHILD, THU, "child"),
        (AN, MAI, "sibling"),
        (AN, LAN, "sibling"),  # half-siblings by their mother
        (AN, CUONG_WITH_SON, "grandparent"),
        (CUONG_WITH_SON, AN, "grandchild"),
        (AN, COUSIN, None),
        (AN, THU, None),
        (AN, variant(AN), None),  # the same person is no relative
        (BINH_AT_HOME, THU_AT_HOME, None),  # one household, no kinship
    ],
)
def test_relation_as_the_records_prove_it(applicant, other, expected):
    assert eligibility.relation(applicant, other) == expected


def test_every_rule_has_a_passing_and_a_failing_case():
    covered = {(name, expected is None) for name, _p, _c, expected in CASES}
    assert covered == {(name, ok) for name in RULES for ok in (True, False)}


def test_marriage_age_boundary_is_the_exact_birthday():
    """Nam from the day he turns 20 (19 years 364 days is not enough); nữ from 18."""
    rule = RULES["legal_marriage_age"]
    assert rule(ctx(MAN_20_TODAY, WOMAN_18_TODAY), MARRIAGE_AGE) is None
    assert rule(ctx(MAN_19_Y_364_D, WOMAN_18_TODAY), MARRIAGE_AGE) is not None
    assert rule(ctx(MAN_20_TODAY, WOMAN_17_Y_364_D), MARRIAGE_AGE) is not None
    the_day_before = date(2026, 2, 28)
    assert rule(ctx(MAN_20_TODAY, THU, today=the_day_before), MARRIAGE_AGE) is not None


def test_both_too_young_the_applicant_is_named_the_partner_is_not():
    message = RULES["legal_marriage_age"](ctx(MAN_19_Y_364_D, WOMAN_17_Y_364_D), MARRIAGE_AGE)
    assert message.index("Đỗ Văn Hùng") < message.index(eligibility.PARTNER_UNFIT)
    assert "Vũ Thị Ngọc" not in message and "02/03/2008" not in message


# --- check ------------------------------------------------------------------------------

MARRIAGE = [
    Eligibility(rule="both_alive"),
    Eligibility(rule="legal_marriage_age", params=MARRIAGE_AGE),
    Eligibility(rule="both_single"),
    Eligibility(rule="not_close_relatives"),
]


def test_check_passes_with_no_messages():
    assert check(MARRIAGE, ctx(AN, THU)) == []
    assert check([], ctx(AN)) == []


def test_check_reports_every_failure_in_order():
    # An's half-sister by their mother, married, 17 and dead: all four rules fail on her
    # record, and she is refused once, in general terms.
    partner = variant(
        LAN, birth_date="2008-06-01", marital_status="Đã kết hôn", died_on="2026-01-15"
    )
    for item in MARRIAGE:
        assert RULES[item.rule](ctx(AN, partner), dict(item.params)) == eligibility.PARTNER_UNFIT
    assert check(MARRIAGE, ctx(AN, partner)) == [eligibility.PARTNER_UNFIT]
    # An, married and dead himself, gets his own reasons in full, then hers once.
    applicant = variant(AN, marital_status="Đã kết hôn", died_on="2026-01-01")
    failures = check(MARRIAGE, ctx(applicant, partner))
    assert len(failures) == 3
    for message, expected in zip(
        failures, ["ông Trần Văn An đã mất", "«Đã kết hôn»", "người kết hôn cùng"], strict=True
    ):
        assert expected in message
    assert "Phạm Thị Lan" not in " ".join(failures)


def test_check_asks_for_a_missing_partner_once():
    assert check(MARRIAGE, ctx(AN)) == [ASK_PARTNER]


def test_check_refuses_unknown_rules_before_running_any():
    with pytest.raises(KeyError, match="no_such_rule") as raised:
        check([Eligibility(rule="both_alive"), Eligibility(rule="no_such_rule")], ctx(AN))
    assert "known rules" in str(raised.value)


def test_catalogue_names_only_known_rules():
    catalogue = procedures.load_catalogue()
    used = {e.rule for proc in catalogue.procedures.values() for e in proc.eligibility}
    assert used, "the catalogue names no eligibility rule"
    assert used <= known_rules(), f"unknown: {sorted(used - known_rules())}"


FUNERAL_ALLOWANCES = ("1.014177", "1.001731")  # at BHXH, at the UBND xã


@pytest.mark.parametrize("code", FUNERAL_ALLOWANCES)
def test_a_funeral_allowance_is_claimed_for_a_death_the_registry_records(code):
    catalogue = procedures.load_catalogue()
    claim = catalogue.procedures[code].eligibility
    assert check(claim, ctx(BINH_AT_HOME, CUONG_DEAD)) == []
    (alive,) = check(claim, ctx(BINH_AT_HOME, CUONG_AT_HOME))
    assert "chưa được ghi nhận là đã mất" in alive
    assert check(claim, ctx(BINH_AT_HOME, DEAD_THU)) == [eligibility.NOT_A_RELATIVE_CLAIM]


def test_a_death_recorded_already_is_not_registered_again():
    death = procedures.load_catalogue().procedures["1.000656"].eligibility
    assert check(death, ctx(BINH_AT_HOME, CUONG_AT_HOME)) == []
    (again,) = check(death, ctx(BINH_AT_HOME, CUONG_DEAD))
    assert "không đăng ký khai tử lại được" in again


def test_known_rules_lists_the_registry():
    assert known_rules() == set(RULES)
    assert {"different_sex", "deceased_is_relative", "applicant_is_parent"} <= known_rules()


def test_a_rule_name_cannot_be_registered_twice():
    with pytest.raises(ValueError, match="both_alive"):
        eligibility.rule("both_alive")(lambda c, p: None)
    assert RULES["both_alive"] is eligibility.both_alive


def test_filing_context_is_frozen():
    context = ctx(AN, THU)
    with pytest.raises(dataclasses.FrozenInstanceError):
        context.partner = None  # type: ignore[misc]
