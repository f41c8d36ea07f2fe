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
    parsed = pid.parse(number)
    assert parsed == pid.PersonalId(province, sex, year)
    assert parsed.province_code == province and not parsed.registered_abroad


@pytest.mark.parametrize(
    ("number", "country", "sex", "year"),
    [
        ("392301045612", 392, "nu", 2001),  # the demo persona registered in Japan (placeholder)
        ("100095001234", 100, "nam", 1995),  # the lowest code taken as a country
        ("999095001234", 999, "nam", 1995),  # the highest
        ("840224000001", 840, "nam", 2024),
    ],
)
def test_births_registered_abroad_carry_a_country_code(number, country, sex, year):
    parsed = pid.parse(number)
    assert parsed == pid.PersonalId(country, sex, year)
    assert parsed.registered_abroad and parsed.province_code is None
    assert pid.is_valid(number)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "12 chữ số"),
        ("07909500123", "12 chữ số"),  # 11 digits
        ("0790950012345", "12 chữ số"),  # 13 digits
        ("07909500123a", "12 chữ số"),
        (" 79095001234", "12 chữ số"),
        ("０７９０９５００１２３４", "12 chữ số"),  # full-width digits are not ASCII digits
        ("000095001234", "mã quốc gia"),
        ("003095001234", "mã tỉnh"),  # 003 was never a province code
        ("099095001234", "mã tỉnh"),  # the province range ends at 096, countries start at 100
        ("097095001234", "mã tỉnh"),
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


def test_prefix_of_a_birth_registered_abroad():
    assert pid.prefix(392, "nu", 2001) == "392301"


@pytest.mark.parametrize(
    ("province", "year"), [(3, 1990), (0, 1990), (99, 1990), (1000, 1990), (79, 1899), (79, 2400)]
)
def test_prefix_rejects_impossible_inputs(province, year):
    with pytest.raises(pid.PersonalIdError):
        pid.prefix(province, "nam", year)


def test_generated_numbers_round_trip():
    rng = random.Random(7)
    for _ in range(200):
        year = rng.randrange(1920, 2027)
        sex = rng.choice(["nam", "nu"])
        place = rng.choice([79, 1, 392])
        number = pid.generate(rng, place, sex, year)
        assert pid.parse(number) == pid.PersonalId(place, sex, year)
