import random

import pytest

from common import personal_id as pid


@pytest.mark.parametrize(
    ("number", "province", "sex", "year"),
    [
        ("079095001234", 79, "nam", 1995),
        ("001190023456", 1, "nu", 1990),
        ("079302034567", 79, "nu", 2002),
        ("001212045678", 1, "nam", 2012),
        ("052196007890", 52, "nu", 1996),  # Bình Định: a pre-2025 province code stays valid
        ("001040056789", 1, "nam", 1940),
        ("096599000001", 96, "nu", 2199),
    ],
)
def test_valid_numbers_parse(number, province, sex, year):
    assert pid.parse(number) == pid.PersonalId(province, sex, year)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "12 chữ số"),
        ("07909500123", "12 chữ số"),  # 11 digits
        ("0790950012345", "12 chữ số"),  # 13 digits
        ("07909500123a", "12 chữ số"),
        (" 79095001234", "12 chữ số"),
        ("０７９０９５００１２３４", "12 chữ số"),  # full-width digits are not ASCII digits
        ("999095001234", "mã tỉnh"),
        ("000095001234", "mã tỉnh"),
        ("003095001234", "mã tỉnh"),  # 003 was never a province code
    ],
)
def test_invalid_numbers_are_refused_in_vietnamese(number, message):
    with pytest.raises(pid.PersonalIdError, match=message):
        pid.parse(number)
    assert not pid.is_valid(number)


def test_non_string_is_invalid():
    assert not pid.is_valid(79095001234)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("province", "sex", "year", "expected"),
    [
        (79, "nam", 1995, "079095"),
        (1, "nu", 1999, "001199"),
        (1, "nam", 2000, "001200"),
        (1, "nu", 2100, "001500"),
        (96, "nam", 2026, "096226"),
    ],
)
def test_prefix(province, sex, year, expected):
    assert pid.prefix(province, sex, year) == expected


@pytest.mark.parametrize(("province", "year"), [(3, 1990), (79, 1899), (79, 2400)])
def test_prefix_rejects_impossible_inputs(province, year):
    with pytest.raises(pid.PersonalIdError):
        pid.prefix(province, "nam", year)


def test_generated_numbers_round_trip():
    rng = random.Random(7)
    for _ in range(200):
        year = rng.randrange(1920, 2027)
        sex = rng.choice(["nam", "nu"])
        number = pid.generate(rng, 79, sex, year)
        assert pid.parse(number) == pid.PersonalId(79, sex, year)
