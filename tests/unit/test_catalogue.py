"""The procedure catalogue: the real files load and hang together, and a malformed file stops
loading with a message naming the file and the field."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from procedures.loader import HERE, CatalogueError, load_catalogue
from procedures.schema import PREFILL_ROOTS

REFERENCE_DATE = date(2026, 11, 23)

REQUIRED_CODES = [
    "1.001193",  # đăng ký khai sinh
    "1.000894",  # đăng ký kết hôn
    "1.000656",  # đăng ký khai tử
    "1.004873",  # xác nhận tình trạng hôn nhân
    "2.000635",  # cấp bản sao trích lục hộ tịch
    "2.000815",  # chứng thực bản sao từ bản chính
    "1.004222",  # đăng ký thường trú
    "1.004194",  # đăng ký tạm trú
    "1.014137",  # thẻ BHYT trẻ em dưới 6 tuổi
    "1.004884",  # đăng ký lại khai sinh
    "2.000884",  # chứng thực chữ ký
    "3.000333",  # phiếu lý lịch tư pháp (province level)
]

# Keys of a registry record (the population API), and of the nested values prefill may reach.
RECORD_KEYS = {
    "personal_id", "full_name", "birth_date", "sex", "ethnicity", "nationality",
    "permanent_residence", "temporary_residence", "marital_status", "spouse", "father",
    "mother", "household", "id_card",
}  # fmt: skip
NESTED_KEYS = {
    "permanent_residence": {"street", "ward_code", "ward_name", "province_code",
                            "province_name", "full", "registered_on"},
    "temporary_residence": {"street", "ward_code", "ward_name", "province_code",
                            "province_name", "full", "registered_on"},
    "father": {"personal_id", "full_name", "birth_date", "alive"},
    "mother": {"personal_id", "full_name", "birth_date", "alive"},
    "spouse": {"personal_id", "full_name", "birth_date", "alive"},
    "household": {"id", "head_id", "poor_household", "members"},
}  # fmt: skip
BIRTH_NOTICE_KEYS = {
    "number", "hospital", "birth_date", "sex", "weight_grams", "mother_id", "father_id",
}  # fmt: skip
# A relative's electronic death notice (identity_mock/population.py, `death_notices`).
DEATH_NOTICE_KEYS = {
    "number", "issuer", "issued_on", "died_on", "died_at", "place_of_death", "cause",
    "relation", "deceased.personal_id", "deceased.full_name", "deceased.birth_date",
}  # fmt: skip


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def _all_fields(catalogue):
    return [(p.code, f) for p in catalogue.procedures.values() for f in p.fields]


# --- the real catalogue -----------------------------------------------------------------------


def test_real_catalogue_loads_with_every_listed_procedure(catalogue):
    assert len(catalogue.procedures) >= 10
    missing = [c for c in REQUIRED_CODES if c not in catalogue.procedures]
    assert not missing


def test_a_province_procedure_with_a_fee_exists(catalogue):
    paying = [p for p in catalogue.procedures.values() if p.level == "province" and p.fees.base > 0]
    assert paying
    assert all(catalogue.authority(p).level == "province" for p in paying)


@pytest.mark.parametrize("path", sorted((HERE / "catalogue").glob("*.toml")), ids=lambda p: p.name)
def test_file_name_is_code_and_ascii_slug(path, catalogue):
    match = re.fullmatch(r"(\d\.\d{6})-[a-z0-9]+(?:-[a-z0-9]+)*\.toml", path.name)
    assert match, path.name
    assert match.group(1) in catalogue.procedures


def test_every_linked_code_exists(catalogue):
    for proc in catalogue.procedures.values():
        for link in proc.linked:
            assert link.code in catalogue.procedures, f"{proc.code} links to unknown {link.code}"


def _known_prefill(path: str) -> bool:
    root, *rest = path.split(".")
    if root not in PREFILL_ROOTS or not rest:
        return False
    if root == "birth_notice":
        return len(rest) == 1 and rest[0] in BIRTH_NOTICE_KEYS
    if root == "death_notice":
        return ".".join(rest) in DEATH_NOTICE_KEYS
    head, *tail = rest
    if head not in RECORD_KEYS:
        return False
    if not tail:
        return True
    return len(tail) == 1 and tail[0] in NESTED_KEYS.get(head, set())


def test_every_prefill_path_is_known_registry_data(catalogue):
    unknown = [(code, f.name, f.prefill) for code, f in _all_fields(catalogue)
               if f.prefill and not _known_prefill(f.prefill)]  # fmt: skip
    assert not unknown


def test_every_field_has_a_step_slug(catalogue):
    for code, f in _all_fields(catalogue):
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", f.step), (code, f.name, f.step)


def test_reused_components_say_what_they_replace(catalogue):
    for proc in catalogue.procedures.values():
        for comp in proc.components:
            if comp.source in ("population", "data_store"):
                assert comp.replaces, (proc.code, comp.name)


def test_data_store_components_are_results_of_some_procedure(catalogue):
    produced = {p.result.kind for p in catalogue.procedures.values()}
    for proc in catalogue.procedures.values():
        for comp in proc.components:
            if comp.source == "data_store":
                assert comp.kind in produced, (proc.code, comp.name, comp.kind)


def test_marriage_queries_the_registry_instead_of_a_marital_status_certificate(catalogue):
    # A domestic marriage no longer needs the Giấy xác nhận tình trạng hôn nhân: the civil-
    # status registry is queried (portal-2026 record of 1.000894, REFERENCE-VN).
    marriage = catalogue.get("1.000894")
    kinds = {c.kind for c in marriage.components if c.source == "data_store"}
    assert "xac_nhan_tinh_trang_hon_nhan" not in kinds
    (status,) = [c for c in marriage.components if "tình trạng hôn nhân" in (c.replaces or "")]
    assert status.source == "population"
    typed = [f.name for f in marriage.fields if not f.prefill]
    assert typed == ["partner_personal_id", "partner_full_name", "partner_birth_date"]


# Texts replaced by late 2026 (REFERENCE-VN.md "2026 corrections"), never a current legal basis:
# the one-stop decree and circular (now NĐ 118/2025/NĐ-CP), the decision that only announced the
# liên thông groups (they are NĐ 63/2024/NĐ-CP), the personal-ID decree and circular (now
# NĐ 70/2024/NĐ-CP, TT 17/2024/TT-BCA). A file may keep them in comments, as history.
REPLACED = ("61/2018/NĐ-CP", "107/2021/NĐ-CP", "01/2018/TT-VPCP", "296/QĐ-VPCP",
            "137/2015/NĐ-CP", "07/2016/TT-BCA")  # fmt: skip


def test_legal_bases_cite_texts_in_force(catalogue):
    cited = {
        (code, text)
        for code, proc in catalogue.procedures.items()
        for text in proc.legal_basis + [proc.fees.basis or ""]
        if any(old in text for old in REPLACED)
    }
    assert cited == set()


def test_the_linked_groups_cite_their_decree(catalogue):
    for code in ("1.001193", "1.014137", "1.000656", "1.003197", "1.014177", "1.001731"):
        assert any(
            "Nghị định 63/2024/NĐ-CP" in t and "301/2026" in t
            for t in catalogue.procedures[code].legal_basis
        ), code


def test_policies_name_paying_procedures(catalogue):
    for policy in catalogue.policies:
        for code in policy.procedures:
            assert catalogue.get(code).fees.base > 0, (policy.province, code)


@pytest.mark.parametrize(
    ("province", "in_force"),
    [(79, True), (1, False)],  # Hà Nội's policy ended on 2025-12-31
)
def test_policy_validity_on_the_reference_date(catalogue, province, in_force):
    (policy,) = [p for p in catalogue.policies if p.province == province]
    active = policy.valid_from <= REFERENCE_DATE and (
        policy.valid_to is None or REFERENCE_DATE <= policy.valid_to
    )
    assert active is in_force


def test_prefilled_share(catalogue):
    total = prefilled = 0
    for code, proc in sorted(catalogue.procedures.items()):
        n = sum(1 for f in proc.fields if f.prefill)
        print(f"{code} {n}/{len(proc.fields)}")
        total += len(proc.fields)
        prefilled += n
    print(f"overall {prefilled}/{total}")
    assert prefilled / total >= 0.5
    birth = catalogue.get("1.001193")
    assert sum(1 for f in birth.fields if not f.prefill) <= 6


# --- malformed files --------------------------------------------------------------------------

VALID = """\
code = "{code}"
version = 1
name = "Thủ tục thử"
field = "Hộ tịch"
authority = "ubnd_xa"
routing = {{ rule = "party_residence" }}
service_level = "toan_trinh"
legal_basis = ["Luật Hộ tịch số 60/2014/QH13"]
steps = ["Nộp hồ sơ."]

[processing]
days = 0

[result]
name = "Kết quả"
kind = "ket_qua"

[fees]
kind = "le_phi"
setter = "province"
basis = "Nghị quyết thử"
schedule = {{ pricing = "flat", counter = 1000 }}

[[components]]
name = "Tờ khai"
source = "form"
"""


# The minimal file's provincial fee, and a national per-copy fee (procedures/fee_schema.py).
PROVINCIAL_FEE = 'setter = "province"\nbasis = "Nghị quyết thử"\nschedule = { pricing = "flat"'
PER_COPY = (
    'setter = "national"\nbasis = "Thông tư thử"\nschedule = { pricing = "per_unit", '
    'amount = 1000, unit = "bản", field = "copies"'
)


def proc(code: str = "9.000001", *, drop: str = "", replace: tuple[str, str] = ("", ""),
         prepend: str = "", append: str = "") -> str:  # fmt: skip
    text = VALID.format(code=code)
    if drop:
        text = "\n".join(line for line in text.splitlines() if not line.startswith(drop)) + "\n"
    if replace[0]:
        assert replace[0] in text
        text = text.replace(replace[0], replace[1], 1)
    return prepend + text + append


# A linked part (liên thông), appended to a file: `LINK.format(code)`.
LINK = '\n[[linked]]\ncode = "{}"\n'


def policy(procedures: str = '["9.000001"]', valid_to: str = "2026-12-31") -> str:
    return (
        f'province = 79\nsource = "Nghị quyết thử"\nvalid_from = 2025-07-01\n'
        f"valid_to = {valid_to}\nprocedures = {procedures}\n"
    )


BROKEN = [
    pytest.param(
        {"broken.toml": 'code = "9.000001"\nname = "Thủ tục\n'}, {},
        ["broken.toml", "TOML", "line"], id="invalid-toml",
    ),
    pytest.param(
        {"no-name.toml": proc(drop="name =")}, {},
        ["no-name.toml", "name", "Field required"], id="missing-name",
    ),
    pytest.param(
        {"body.toml": proc(replace=('authority = "ubnd_xa"', 'authority = "ubnd_huyen"'))}, {},
        ["body.toml", "authority", "unknown body", "ubnd_huyen"], id="unknown-body",
    ),
    pytest.param(
        {"desk.toml": proc(replace=('authority = "ubnd_xa"', 'authority = "ttpvhcc_xa"'))}, {},
        ["desk.toml", "authority", "only receives"], id="receiving-point-as-body",
    ),
    pytest.param(
        {"rule.toml": proc(replace=('"party_residence"', '"nowhere"'))}, {},
        ["rule.toml", "routing.rule"], id="unknown-routing-rule",
    ),
    pytest.param(
        {"addr.toml": proc(replace=('"party_residence"', '"address_field"'))}, {},
        ["addr.toml", "routing", "field"], id="address-rule-without-field",
    ),
    pytest.param(
        {"addr2.toml": proc(replace=('"party_residence" }', '"address_field", field = "w" }'))},
        {}, ["addr2.toml", "routing.field", "'w'"], id="routing-field-not-in-form",
    ),
    pytest.param(
        {"dead.toml": proc(replace=('"party_residence"', '"deceased_residence"'))}, {},
        ["dead.toml", "routing.rule", "deceased_residence", "subject", "'applicant'"],
        id="deceased-rule-without-a-deceased",
    ),
    pytest.param(
        {"dead2.toml": proc(replace=('"party_residence"', '"deceased_residence"'),
                            prepend='subject = { kind = "deceased", fields = ["dead_name"] }\n',
                            append='\n[[fields]]\nname = "dead_name"\nlabel = "Họ tên"\n')},
        {}, ["dead2.toml", "routing.rule", "deceased_residence", "personal_id", "dead_name"],
        id="deceased-rule-subject-without-personal-id",
    ),
    pytest.param(
        {"prov.toml": proc(replace=('"party_residence"', '"province_of_residence"'))}, {},
        ["prov.toml", "routing.rule", "province_of_residence", "province body", "'ubnd_xa'"],
        id="province-rule-on-a-commune-body",
    ),
    pytest.param(
        {"typo.toml": proc(prepend='legal_bases = ["Luật"]\n')}, {},
        ["typo.toml", "legal_bases", "Extra inputs"], id="unknown-key",
    ),
    pytest.param(
        {"a-first.toml": proc(), "b-second.toml": proc()}, {},
        ["b-second.toml", "code", "9.000001"], id="duplicate-code",
    ),
    pytest.param(
        {"a.toml": proc()}, {"79-test.toml": policy('["9.000001", "9.999999"]')},
        ["79-test.toml", "procedures", "9.999999"], id="policy-unknown-procedure",
    ),
    pytest.param(
        {"select.toml": proc(append='\n[[fields]]\nname = "kind"\nlabel = "Loại"\n'
                                   'type = "select"\n')},
        {}, ["select.toml", "fields.0", "options"], id="select-without-options",
    ),
    pytest.param(
        {"a.toml": proc()}, {"79-dates.toml": policy(valid_to="2025-06-30")},
        ["79-dates.toml", "valid_to"], id="valid-to-before-valid-from",
    ),
    pytest.param(
        {"prefill.toml": proc(append='\n[[fields]]\nname = "x"\nlabel = "X"\n'
                                     'prefill = "neighbour.full_name"\n')},
        {}, ["prefill.toml", "fields.0.prefill", "applicant"], id="unknown-prefill-root",
    ),
    pytest.param(
        {"fee.toml": proc(replace=("counter = 1000", "counter = -1"))}, {},
        ["fee.toml", "fees.schedule", "counter"], id="negative-fee",
    ),
    pytest.param(
        {"step.toml": proc(append='\n[[fields]]\nname = "x"\nlabel = "X"\n'
                                 'step = "xem-lai"\n')},
        {}, ["step.toml", "fields.0.step", "reserved"], id="reserved-step",
    ),
    pytest.param(
        {"per.toml": proc(replace=(PROVINCIAL_FEE + ", counter = 1000", PER_COPY))}, {},
        ["per.toml", "fees", "copies", "number field"], id="fee-per-unknown-field",
    ),
    pytest.param(
        {"slug.toml": proc(append='\n[[fields]]\nname = "x"\nlabel = "X"\n'
                                 'step = "Bước 1"\n')},
        {}, ["slug.toml", "fields.0.step"], id="step-not-a-slug",
    ),
    pytest.param(
        {"a.toml": proc(append=LINK.format("9.000002")), "b.toml": proc("9.000002")}, {},
        ["a.toml", "linked", "write_backs"], id="linked-without-write-back",
    ),
]  # fmt: skip


def _write(root: Path, catalogue_files: dict[str, str], policy_files: dict[str, str]) -> None:
    (root / "authorities.toml").write_text(
        (HERE / "authorities.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    for folder, files in (("catalogue", catalogue_files), ("policies", policy_files)):
        (root / folder).mkdir()
        for name, text in files.items():
            (root / folder / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize(("catalogue_files", "policy_files", "expected"), BROKEN)
def test_malformed_file_is_named_with_the_field(tmp_path, catalogue_files, policy_files, expected):
    _write(tmp_path, catalogue_files, policy_files)
    with pytest.raises(CatalogueError) as info:
        load_catalogue(tmp_path)
    message = str(info.value)
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"


def test_the_minimal_file_used_above_is_valid(tmp_path):
    _write(tmp_path, {"a.toml": proc(), "b.toml": proc("9.000002")}, {"79.toml": policy()})
    loaded = load_catalogue(tmp_path)
    assert set(loaded.procedures) == {"9.000001", "9.000002"}
    assert loaded.policies[0].province == 79


def test_link_to_a_missing_procedure_is_refused(tmp_path):
    _write(tmp_path, {"a.toml": proc(append=LINK.format("9.999999"))}, {})
    with pytest.raises(CatalogueError, match=r"a\.toml: linked: .*9\.999999"):
        load_catalogue(tmp_path)
