"""Catalogue search as people type it: without diacritics, with typos, abbreviations,
everyday words, joined words and procedure codes; what it offers when nothing matches; the
synonyms file's checks."""

from pathlib import Path

import pytest

from procedures import CatalogueError, load_catalogue
from procedures.search import SearchIndex, build_index, fields_of, fold
from procedures.search_schema import SearchData, load_search_data

PROCEDURES = list(load_catalogue().procedures.values())
INDEX = build_index(PROCEDURES)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đăng ký kết hôn", "dang ky ket hon"),
        ("ĐĂNG KÝ KHAI TỬ", "dang ky khai tu"),
        ("Chứng thực bản sao", "chung thuc ban sao"),
        ("Phường Bến Thành", "phuong ben thanh"),
        ("đường Nguyễn Huệ", "duong nguyen hue"),
        ("abc 123", "abc 123"),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def _codes(query, **filters):
    return [p.code for p in INDEX.find(query, **filters).results]


# (query, the expected FIRST result): what people type, as they type it.
FIRST = [
    # The queries that found nothing before.
    ("dang ki khai sinh", "1.001193"),
    ("giay khai sinh", "1.001193"),
    ("khaisinh", "1.001193"),
    ("bhyt", "1.014137"),
    ("xac nhan doc than", "1.004873"),
    ("can cuoc", "1.014061"),
    # Diacritics or none, any case.
    ("Đăng ký khai sinh", "1.001193"),
    ("dang ky ket hon", "1.000894"),
    ("KET HON", "1.000894"),
    ("khai tu", "1.000656"),
    ("tam tru", "1.004194"),
    ("thuong tru", "1.004222"),
    ("tinh trang hon nhan", "1.004873"),
    ("ly lich tu phap", "3.000333"),
    ("chung thuc", "2.000815"),
    ("gia han tam tru", "1.002755"),
    ("xoa dang ky tam tru", "1.010028"),
    ("tam vang", "1.003677"),
    ("giam ho", "1.004837"),
    ("trich luc", "2.000635"),
    ("dang ky lai khai sinh", "1.004884"),
    ("cap doi can cuoc", "1.014063"),
    ("chung thuc chu ky", "2.000884"),
    # Abbreviations and everyday words (procedures/search_synonyms.toml).
    ("cccd", "1.014061"),
    ("CMND", "1.014061"),
    ("lam can cuoc", "1.014061"),
    ("đổi cccd", "1.014063"),
    ("lltp", "3.000333"),
    ("giấy độc thân", "1.004873"),
    ("ho khau", "1.004222"),
    ("cắt khẩu", "1.003197"),
    ("xoa tam tru", "1.010028"),
    ("cong chung", "2.000815"),
    ("sao y ban chinh", "2.000815"),
    ("cong chung hop dong", "2.001035"),
    ("giay chung tu", "1.000656"),
    ("dang ky cuoi", "1.000894"),
    ("nhan con", "1.001022"),
    ("doi ten", "1.004859"),
    ("bhxh", "1.014177"),
    ("tien mai tang", "1.014177"),
    ("thủ tục làm cccd ở đâu", "1.014061"),
    # Typos and joined words.
    ("khai snh", "1.001193"),
    ("dang ky khia sinh", "1.001193"),
    ("ket hom", "1.000894"),
    ("dangkykethon", "1.000894"),
    ("tamtru", "1.004194"),
    ("can cuocc", "1.014061"),
    ("chung thuc ban sa", "2.000815"),
    # Procedure codes, whole or begun.
    ("1.001193", "1.001193"),
    ("3.000333", "3.000333"),
    ("2.0008", "2.000815"),
]


@pytest.mark.parametrize(("query", "first"), FIRST)
def test_first_result(query, first):
    codes = _codes(query)
    assert codes and codes[0] == first, (query, codes[:3])


def test_the_table_is_large_enough():
    assert len(FIRST) >= 30


def test_name_matches_rank_above_description_matches():
    # "trích lục" is 2.000635's name and several results' names: the name comes first.
    codes = _codes("trich luc")
    assert codes[0] == "2.000635" and "1.000656" in codes[1:]


def test_popularity_orders_equal_matches():
    assert _codes("khai sinh")[:1] == ["1.001193"]  # before đăng ký lại, kết hợp
    assert _codes("ket hon") == ["1.000894", "1.004746"]


def test_every_word_must_match():
    assert _codes("ket hon khai tu") == []


@pytest.mark.parametrize(
    ("query", "suggested"),
    [
        ("ket hon khai tu", {"1.000894", "1.000656"}),
        ("dang ky ket hn", {"1.000894"}),
        ("ket hon voi nguoi nuoc ngoai", {"1.000894"}),
        ("chung thuc hop dong mua ban xe", {"2.001035"}),
        ("khai sinh nuoc ngoai", {"1.001193"}),
    ],
)
def test_did_you_mean(query, suggested):
    found = INDEX.find(query)
    assert found.results == []
    assert suggested <= {p.code for p in found.suggestions}, found.suggestions
    assert found.popular and found.popular[0].code == "1.001193"


@pytest.mark.parametrize("query", ["kham benh", "giay phep xay dung", "xyzxyz"])
def test_no_suggestion_from_a_stray_word(query):
    found = INDEX.find(query)
    assert found.results == [] and found.suggestions == [] and found.popular


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("ho chieu", "Cấp hộ chiếu phổ thông"),
        ("Hộ chiếu", "Cấp hộ chiếu phổ thông"),
        ("passport", "Cấp hộ chiếu phổ thông"),
        ("lam ho chieu o dau", "Cấp hộ chiếu phổ thông"),
        ("bang lai xe", "Cấp, đổi giấy phép lái xe"),
    ],
)
def test_what_the_portal_does_not_offer_is_said(query, name):
    found = INDEX.find(query)
    assert found.results == [] and found.not_offered == name and found.popular


def test_empty_query_lists_everything():
    assert len(_codes("")) == len(PROCEDURES)
    assert INDEX.find("   ").results == INDEX.find("").results


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("a", "ít nhất 2"),
        ("中文", "tiếng Việt"),
        ("😀", "tiếng Việt"),
        ("!!!", "tiếng Việt"),
    ],
)
def test_unusable_queries_say_why(query, says):
    found = INDEX.find(query)
    assert found.results == [] and any(says in n for n in found.notes) and found.popular


def test_long_and_control_characters():
    found = INDEX.find("khai sinh " + "x" * 10_000)
    assert len(found.query) == 100 and found.notes
    assert _codes("khai\x00 sinh\u200b\t") == _codes("khai sinh")


def test_filters():
    province = INDEX.find("", level="province").results
    assert province and all(p.level == "province" for p in province)
    civil = INDEX.find("", field="Hộ tịch").results
    assert civil and all(p.field == "Hộ tịch" for p in civil)
    assert "Hộ tịch" in fields_of(PROCEDURES)
    assert _codes("can cuoc", level="province") == []
    assert _codes("1.014137", field="Hộ tịch") == []


def test_the_synonyms_file_is_valid_and_its_codes_exist():
    data = load_search_data()
    assert data.synonyms and data.not_offered
    assert set(data.popular) <= {p.code for p in PROCEDURES}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('popular = ["1.001193", "1.001193"]', "repeated"),
        ('popular = ["12345"]', "popular.0"),
        ('popular = ["1.001193"]\nstray = 1', "stray"),
        (
            'popular = ["1.001193"]\n[[synonyms]]\nmeans = "khai sinh"\nphrases = ["ks"]\n'
            '[[synonyms]]\nmeans = "kết hôn"\nphrases = ["KS"]',
            "repeats",
        ),
        (
            'popular = ["1.001193"]\n[[synonyms]]\nmeans = "khai sinh"\nphrases = ["khai sính"]',
            "its own means",
        ),
    ],
)
def test_a_malformed_synonyms_file_names_the_problem(tmp_path: Path, text, problem):
    path = tmp_path / "search_synonyms.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError, match=problem):
        load_search_data(path)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"popular": ["9.999999"]}, "not in the catalogue"),
        (
            {"popular": ["1.001193"], "synonyms": [{"means": "hộ chiếu", "phrases": ["hc"]}]},
            "no procedure has",
        ),
    ],
)
def test_synonyms_must_fit_the_catalogue(data, problem):
    with pytest.raises(CatalogueError, match=problem):
        SearchIndex(PROCEDURES, SearchData.model_validate(data))
