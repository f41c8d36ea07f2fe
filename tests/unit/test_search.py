"""Catalogue search without diacritics, and the filters."""

import pytest

from procedures import load_catalogue
from procedures.search import fields_of, fold, search

PROCEDURES = list(load_catalogue().procedures.values())


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


def _names(query, **filters):
    return [p.name for p in search(PROCEDURES, query, **filters)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("dang ky ket hon", "Đăng ký kết hôn"),
        ("Đăng ký kết hôn", "Đăng ký kết hôn"),
        ("KET HON", "Đăng ký kết hôn"),
        ("khai sinh", "Đăng ký khai sinh"),
        ("1.000656", "Đăng ký khai tử"),
        ("tinh trang hon nhan", "Cấp Giấy xác nhận tình trạng hôn nhân"),
    ],
)
def test_search_finds_without_diacritics(query, expected):
    assert expected in _names(query)


def test_every_word_must_match():
    assert _names("ket hon khai tu") == []


def test_empty_query_lists_everything():
    assert len(_names("")) == len(PROCEDURES)


def test_filters():
    province = search(PROCEDURES, "", level="province")
    assert province and all(p.level == "province" for p in province)
    civil = search(PROCEDURES, "", field="Hộ tịch")
    assert civil and all(p.field == "Hộ tịch" for p in civil)
    assert "Hộ tịch" in fields_of(PROCEDURES)
