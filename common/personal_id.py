"""Personal identification numbers (số định danh cá nhân), 12 digits.

Structure (Luật Căn cước 2023, NĐ 70/2024/NĐ-CP, TT 17/2024/TT-BCA, keeping the layout of
NĐ 137/2015 art. 13 and TT 07/2016/TT-BCA art. 7): a 3-digit code of the province **or the
country** where the birth was registered, 1 digit for century and sex, 2 digits of birth
year, 6 random digits. There is no check digit.

Country codes (a birth registered abroad, at a Vietnamese embassy or consulate) come from an
annex of the circular that was not found [?, unverified]. The rule used here: the province
table fills 001–096, so a code from 001 to 099 must be one of the 63 province codes (the gaps,
and 000, were never assigned); any code from 100 to 999 is taken as a country code. The demo
data uses ISO 3166-1 numeric codes (392 Nhật Bản) as placeholders, not as the real list.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

# The 63 pre-2025 province codes; IDs keep the code of the province that registered the
# birth, so numbers issued before the 2025 merger use codes that no longer name a province.
PROVINCE_CODES = frozenset(
    int(c)
    for c in (
        "01 02 04 06 08 10 11 12 14 15 17 19 20 22 24 25 26 27 30 31 33 34 35 36 37 38 40 42 "
        "44 45 46 48 49 51 52 54 56 58 60 62 64 66 67 68 70 72 74 75 77 79 80 82 83 84 86 87 "
        "89 91 92 93 94 95 96"
    ).split()
)
# Codes taken as the country where the birth was registered [?, see the module docstring].
COUNTRY_CODES = range(100, 1000)
_PATTERN = re.compile(r"[0-9]{12}")  # ASCII only: \d also matches other scripts


class PersonalIdError(ValueError):
    """The number is not a well-formed personal identification number."""


@dataclass(frozen=True)
class PersonalId:
    place_code: int  # province (PROVINCE_CODES) or country (COUNTRY_CODES) of birth registration
    sex: str  # "nam" | "nu"
    birth_year: int

    @property
    def registered_abroad(self) -> bool:
        """The birth was registered abroad: the first three digits are a country code."""
        return self.place_code in COUNTRY_CODES

    @property
    def province_code(self) -> int | None:
        """The province that registered the birth; None for a birth registered abroad."""
        return None if self.registered_abroad else self.place_code


def is_place_code(code: int) -> bool:
    """A province code or a country code of birth registration."""
    return code in PROVINCE_CODES or code in COUNTRY_CODES


def parse(number: str) -> PersonalId:
    """Parse and check the structure; raise PersonalIdError with a Vietnamese message."""
    if not isinstance(number, str) or not _PATTERN.fullmatch(number):
        raise PersonalIdError("Số định danh cá nhân phải gồm đúng 12 chữ số.")
    place = int(number[:3])
    if not is_place_code(place):
        raise PersonalIdError(
            "Ba chữ số đầu không phải mã tỉnh, thành phố hoặc mã quốc gia nơi đăng ký khai sinh "
            "hợp lệ."
        )
    gender_century = int(number[3])
    century = 1900 + 100 * (gender_century // 2)
    sex = "nam" if gender_century % 2 == 0 else "nu"
    return PersonalId(place, sex, century + int(number[4:6]))


def is_valid(number: str) -> bool:
    try:
        parse(number)
    except PersonalIdError:
        return False
    return True


def prefix(place_code: int, sex: str, birth_year: int) -> str:
    """The first six digits for a person born in `birth_year` whose birth was registered in
    the province or country `place_code`."""
    if not is_place_code(place_code):
        raise PersonalIdError(f"unknown province or country code {place_code}")
    if not 1900 <= birth_year <= 2399:
        raise PersonalIdError(f"birth year {birth_year} out of range")
    century_digit = 2 * ((birth_year - 1900) // 100) + (0 if sex == "nam" else 1)
    return f"{place_code:03d}{century_digit}{birth_year % 100:02d}"


def generate(rng: random.Random, place_code: int, sex: str, birth_year: int) -> str:
    """A new number with random last six digits (uniqueness is the caller's job)."""
    return prefix(place_code, sex, birth_year) + f"{rng.randrange(1_000_000):06d}"
