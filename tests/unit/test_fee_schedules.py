"""The real catalogue's fee schedules and policies against the law as the reference notes
state it (/work/shared/REFERENCE-VN.md "2026 corrections", Fees): the amounts below are written
by hand from those notes and the national records, not read from the TOML files.

Also what the loader refuses: a provincial policy on a fee the province has no power over, two
policies of the same scope overlapping in time for the same procedure."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from portal.services.fees import ApplicantFacts, decide_fee
from procedures import load_catalogue
from procedures.loader import CatalogueError

HERE = Path(__file__).resolve().parents[2] / "procedures"
HCMC, HANOI, HAI_PHONG, DA_NANG = 79, 1, 31, 48
BEFORE_TT117, DURING_TT117, AFTER_TT117 = date(2026, 8, 14), date(2026, 11, 23), date(2027, 3, 1)
TT117 = "national:TT 117/2026/TT-BTC"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def fee(catalogue, code, *, online=True, on=BEFORE_TT117, province=DA_NANG, level=None, **kw):
    units = {k: kw.pop(k) for k in ("quantity", "pages") if k in kw}
    facts = ApplicantFacts(province_code=province, vneid_level=level, **kw)
    return decide_fee(catalogue.get(code), catalogue.policies, facts, online=online, on=on, **units)


# --- every schedule ---------------------------------------------------------------------------

# (code, online amount, counter amount): one dossier, no benefit, before TT 117.
FLAT = [
    ("1.004222", 10_000, 20_000),  # thường trú, TT 75/2022 as amended by TT 71/2025
    ("1.004194", 7_000, 15_000),  # tạm trú
    ("1.002755", 7_000, 15_000),  # gia hạn tạm trú (record 1.002755)
    ("1.003197", 0, 0),  # xóa đăng ký thường trú: free
    ("1.010028", 0, 0),  # xóa đăng ký tạm trú: free
    ("1.003677", 0, 0),  # khai báo tạm vắng: free
    ("1.000894", 0, 0),  # kết hôn: free by statute
    ("1.004837", 0, 0),  # giám hộ: free by statute
    ("1.014061", 0, 0),  # căn cước, first issue
    ("1.014063", 50_000, 50_000),  # cấp đổi căn cước, TT 73/2024 [2nd]
    ("1.014137", 0, 0),  # BHYT for a child
    ("1.014177", 0, 0),  # trợ cấp mai táng (BHXH)
    ("1.001731", 0, 0),  # hỗ trợ mai táng (UBND xã)
    ("2.001035", 50_000, 50_000),  # chứng thực hợp đồng, giao dịch, TT 226/2016
]


@pytest.mark.parametrize(("code", "online", "counter"), FLAT)
def test_flat_schedules(catalogue, code, online, counter):
    if code not in catalogue.procedures:
        pytest.skip(f"{code} not in the catalogue")
    assert fee(catalogue, code, online=True).amount == online
    assert fee(catalogue, code, online=False).amount == counter


@pytest.mark.parametrize(("copies", "amount"), [(1, 8_000), (2, 16_000), (3, 24_000), (10, 80_000)])
def test_trich_luc_copies(catalogue, copies, amount):
    """TT 281/2016/TT-BTC: 8.000 đ per copy, on every channel."""
    for online in (True, False):
        decision = fee(catalogue, "2.000635", online=online, quantity=copies)
        assert (decision.amount, decision.rule) == (amount, "base")


@pytest.mark.parametrize(
    ("pages", "copies", "amount"),
    [
        (1, 1, 2_000),
        (2, 1, 4_000),
        (3, 1, 5_000),
        (5, 2, 14_000),
        (197, 1, 199_000),
        (198, 1, 200_000),
        (199, 1, 200_000),  # the cap per copy
        (500, 3, 600_000),  # the cap, times the copies
    ],
)
def test_certified_copy_per_page_with_the_cap(catalogue, pages, copies, amount):
    """TT 226/2016/TT-BTC: 2.000 đ/page for pages 1–2, 1.000 đ/page from page 3, at most
    200.000 đ per copy, times the copies."""
    assert fee(catalogue, "2.000815", pages=pages, quantity=copies).amount == amount


@pytest.mark.parametrize(("cases", "amount"), [(1, 10_000), (3, 30_000)])
def test_certified_signature_per_case(catalogue, cases, amount):
    assert fee(catalogue, "2.000884", quantity=cases).amount == amount


@pytest.mark.parametrize(
    ("copies", "amount"),
    [(1, 200_000), (2, 200_000), (3, 205_000), (4, 210_000), (5, 215_000)],
)
def test_judicial_record_third_copy_surcharge(catalogue, copies, amount):
    """TT 16/2025/TT-BTC (figures of TT 244/2016 [2nd]): 200.000 đ per request, from the third
    Phiếu 5.000 đ each."""
    decision = fee(catalogue, "3.000333", quantity=copies)
    assert (decision.amount, decision.rule) == (amount, "base")


@pytest.mark.parametrize(
    ("facts", "copies", "amount", "rule"),
    [
        ({"meritorious_family": True}, 1, 100_000, "reduction:meritorious_family"),
        ({"meritorious_family": True}, 3, 102_500, "reduction:meritorious_family"),
        ({"poor_household": True}, 3, 0, "exemption:poor_household"),
        ({"disability": True}, 1, 0, "exemption:disability"),
        ({"birth_date": date(1960, 1, 1)}, 1, 0, "exemption:elderly"),
        ({"birth_date": date(2012, 1, 1)}, 1, 0, "exemption:child"),
        ({"birth_date": date(1990, 1, 1)}, 1, 200_000, "base"),
        ({"declared": frozenset({"student"})}, 1, 100_000, "reduction:student"),
        # 50 % and 100 % both apply: the highest wins
        ({"meritorious_family": True, "disability": True}, 1, 0, "exemption:disability"),
    ],
)
def test_judicial_record_reductions_and_exemptions(catalogue, facts, copies, amount, rule):
    decision = fee(catalogue, "3.000333", quantity=copies, **facts)
    assert (decision.amount, decision.rule) == (amount, rule)


@pytest.mark.parametrize("code", ["1.004222", "1.004194", "1.002755"])
@pytest.mark.parametrize(
    ("facts", "rule"),
    [
        ({"meritorious_family": True}, "exemption:meritorious_family"),
        ({"poor_household": True}, "exemption:poor_household"),
        ({"birth_date": date(2015, 6, 1)}, "exemption:child"),
    ],
)
def test_residence_exemptions_of_tt75_article_4(catalogue, code, facts, rule):
    assert (fee(catalogue, code, **facts).amount, fee(catalogue, code, **facts).rule) == (0, rule)


CIVIL_PROVINCIAL = ["1.004873", "1.004884", "1.005461", "1.004859", "1.001022", "1.004746"]


@pytest.mark.parametrize("code", CIVIL_PROVINCIAL)
def test_civil_status_fees_are_the_councils_with_the_article_11_exemptions(catalogue, code):
    proc = catalogue.get(code)
    assert proc.fees.kind == "le_phi" and proc.fees.setter == "province"
    assert fee(catalogue, code).amount > 0
    for flag in ("meritorious_family", "poor_household", "disability"):
        decision = fee(catalogue, code, **{flag: True})
        assert (decision.amount, decision.rule) == (0, f"exemption:{flag}")


@pytest.mark.parametrize(
    ("code", "event", "on_time", "late"),
    [
        ("1.001193", "birth_date_of_child", date(2026, 6, 13), date(2026, 6, 14)),  # 60 days
        ("1.000656", "death_date", date(2026, 4, 29), date(2026, 4, 30)),  # 15 days
    ],
)
def test_birth_and_death_are_free_on_time_only(catalogue, code, event, on_time, late):
    happened = date(2026, 4, 14)
    assert fee(catalogue, code, on=on_time, **{event: happened}).amount == 0
    assert fee(catalogue, code, on=late, **{event: happened}).amount > 0


def test_id_card_renewal_at_the_milestone_ages_is_free(catalogue):
    assert fee(catalogue, "1.014063", birth_date=date(1986, 5, 1), on=date(2026, 6, 1)).amount == 0
    assert fee(catalogue, "1.014063", birth_date=date(1990, 5, 1), on=date(2026, 6, 1)).amount > 0


# --- TT 117/2026/TT-BTC -------------------------------------------------------------------------

TT117_CODES = ["1.004222", "1.004194", "1.002755", "2.000635", "3.000333", "1.014063"]


@pytest.mark.parametrize("code", TT117_CODES)
@pytest.mark.parametrize(
    ("on", "level", "waived"),
    [
        (date(2026, 8, 14), 2, False),
        (date(2026, 8, 15), 2, True),
        (date(2027, 2, 28), 2, True),
        (date(2027, 3, 1), 2, False),
        (date(2026, 11, 23), 1, False),
    ],
)
def test_tt117_waives_the_four_fees_for_level_2(catalogue, code, on, level, waived):
    decision = fee(catalogue, code, on=on, level=level, birth_date=date(1990, 1, 1))
    assert (decision.amount == 0) is waived
    assert (decision.rule == TT117) is waived


def test_tt117_covers_every_fee_of_its_four_schedules(catalogue):
    """A new procedure charging a residence, trích lục, LLTP or căn cước fee is listed."""
    (tt117,) = [p for p in catalogue.policies if p.scope == "national"]
    bases = ("Thông tư 75/2022", "Thông tư 281/2016", "Thông tư 16/2025", "Thông tư 73/2024")
    charged = {
        code
        for code, p in catalogue.procedures.items()
        if p.fees.charged and p.fees.basis and p.fees.basis.startswith(bases)
    }
    assert charged == set(tt117.procedures)


def test_tt117_is_not_offered_at_the_counter(catalogue):
    assert fee(catalogue, "1.004222", online=False, level=2, on=DURING_TT117).amount == 20_000


def test_tt117_beats_the_50_percent_reduction(catalogue):
    decision = fee(catalogue, "3.000333", meritorious_family=True, level=2, on=DURING_TT117)
    assert (decision.amount, decision.rule) == (0, TT117)
    assert decision.steps[-2].label.startswith("Miễn theo TT 117/2026/TT-BTC")


# --- provincial policies ----------------------------------------------------------------------


@pytest.mark.parametrize("code", ["1.004222", "1.004194", "2.000635", "3.000333", "2.000815"])
def test_no_province_waives_a_national_fee(catalogue, code):
    for province in (HCMC, HANOI, HAI_PHONG):
        decision = fee(catalogue, code, province=province, on=date(2026, 8, 1))
        assert not decision.rule.startswith("online_zero"), (province, decision)


def test_every_provincial_policy_lists_province_set_fees_only(catalogue):
    for policy in catalogue.policies:
        if policy.scope == "province":
            for code in policy.procedures:
                assert catalogue.get(code).fees.setter == "province", (policy.province, code)


@pytest.mark.parametrize(
    ("province", "on", "rule"),
    [
        (HCMC, date(2026, 11, 23), "online_zero:79"),
        (HCMC, date(2027, 1, 1), "base"),  # ended on 31/12/2026
        (HANOI, date(2026, 11, 23), "base"),  # ended on 31/12/2025
        (HAI_PHONG, date(2026, 8, 7), "base"),
        (HAI_PHONG, date(2026, 8, 8), "online_zero:31"),  # NQ 23/2026/NQ-HĐND
        (DA_NANG, date(2026, 11, 23), "base"),
    ],
)
def test_provincial_online_policies_on_marital_status(catalogue, province, on, rule):
    assert fee(catalogue, "1.004873", province=province, on=on).rule == rule
    assert fee(catalogue, "1.004873", province=province, on=on, online=False).rule == "base"


# --- what the loader refuses ------------------------------------------------------------------


def _copy_catalogue(tmp_path: Path) -> Path:
    (tmp_path / "catalogue").mkdir()
    (tmp_path / "policies").mkdir()
    (tmp_path / "authorities.toml").write_bytes((HERE / "authorities.toml").read_bytes())
    for path in (HERE / "catalogue").glob("*.toml"):
        (tmp_path / "catalogue" / path.name).write_bytes(path.read_bytes())
    return tmp_path


def _policy(province: int | None, codes: list[str], start: str, end: str | None) -> str:
    scope = f'scope = "province"\nprovince = {province}' if province else 'scope = "national"'
    valid_to = f"valid_to = {end}\n" if end else ""
    return (
        f'{scope}\nsource = "Nghị quyết thử"\nvalid_from = {start}\n{valid_to}'
        f"procedures = {codes!r}\n".replace("'", '"')
    )


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {"79-x.toml": _policy(79, ["1.004873", "1.004222"], "2026-01-01", None)},
            ["79-x.toml", "procedures", "1.004222", "national fee", "Thông tư 75/2022"],
            id="provincial-policy-on-a-national-fee",
        ),
        pytest.param(
            {"79-x.toml": _policy(79, ["2.000635"], "2026-01-01", None)},
            ["79-x.toml", "procedures", "2.000635", "national fee", "Thông tư 281/2016"],
            id="provincial-policy-on-trich-luc",
        ),
        pytest.param(
            {"79-x.toml": _policy(79, ["1.000894"], "2026-01-01", None)},
            ["79-x.toml", "procedures", "1.000894", "charges no fee"],
            id="policy-on-a-free-procedure",
        ),
        pytest.param(
            {"79-x.toml": _policy(79, ["9.999999"], "2026-01-01", None)},
            ["79-x.toml", "procedures", "unknown code 9.999999"],
            id="policy-on-an-unknown-code",
        ),
        pytest.param(
            {"79-a.toml": _policy(79, ["1.004873"], "2026-01-01", "2026-06-30"),
             "79-b.toml": _policy(79, ["1.004884", "1.004873"], "2026-06-30", None)},
            ["79-b.toml", "valid_from", "overlaps 79-a.toml", "1.004873"],
            id="provincial-policies-overlap-by-one-day",
        ),
        pytest.param(
            {"00-a.toml": _policy(None, ["1.004222"], "2026-08-15", "2027-02-28"),
             "00-b.toml": _policy(None, ["1.004222"], "2027-01-01", None)},
            ["00-b.toml", "valid_from", "overlaps 00-a.toml", "1.004222"],
            id="national-policies-overlap",
        ),
        pytest.param(
            {"79-a.toml": _policy(79, ["1.004873"], "2026-01-01", None),
             "79-b.toml": _policy(79, ["1.004873"], "2030-01-01", None)},
            ["79-b.toml", "overlaps 79-a.toml"],
            id="open-ended-policy-overlaps-a-later-one",
        ),
    ],
)  # fmt: skip
def test_the_loader_refuses(tmp_path, files, expected):
    root = _copy_catalogue(tmp_path)
    for name, text in files.items():
        (root / "policies" / name).write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(root)
    for part in expected:
        assert part in str(info.value), f"{part!r} not in {info.value}"


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(
            {"79-a.toml": _policy(79, ["1.004873"], "2026-01-01", "2026-06-29"),
             "79-b.toml": _policy(79, ["1.004873"], "2026-06-30", None)},
            id="consecutive-periods",
        ),
        pytest.param(
            {"79-a.toml": _policy(79, ["1.004873"], "2026-01-01", None),
             "31-a.toml": _policy(31, ["1.004873"], "2026-01-01", None)},
            id="two-provinces",
        ),
        pytest.param(
            {"79-a.toml": _policy(79, ["1.004873"], "2026-01-01", None),
             "00-n.toml": _policy(None, ["1.004873"], "2026-01-01", None)},
            id="national-and-provincial",
        ),
        pytest.param(
            {"79-a.toml": _policy(79, ["1.004873"], "2026-01-01", None),
             "79-b.toml": _policy(79, ["1.004884"], "2026-01-01", None)},
            id="same-province-other-procedures",
        ),
    ],
)  # fmt: skip
def test_the_loader_accepts(tmp_path, files):
    root = _copy_catalogue(tmp_path)
    for name, text in files.items():
        (root / "policies" / name).write_text(text, encoding="utf-8")
    assert len(load_catalogue(root).policies) == len(files)


def test_the_real_policies_load_and_name_their_files_in_errors(catalogue):
    assert {p.scope for p in catalogue.policies} == {"province", "national"}
    assert all(re.fullmatch(r"\d{2}-[a-z0-9-]+\.toml", p.name)
               for p in (HERE / "policies").glob("*.toml"))  # fmt: skip
