"""Personal identification numbers (số định danh cá nhân), 12 digits.

Structure (Decree 137/2015 art. 13, Circular 07/2016/TT-BCA): 3-digit province code of
birth registration, 1 digit for century and sex, 2 digits of birth year, 6 random digits.
There is no check digit.
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
_PATTERN = re.compile(r"[0-9]{12}")  # ASCII only: \d also matches other scripts


class PersonalIdError(ValueError):
    """The number is not a well-formed personal identification number."""


@dataclass(frozen=True)
class PersonalId:
    province_code: int
    sex: str  # "nam" | "nu"
    birth_year: int


def parse(number: str) -> PersonalId:
    """Parse and check the structure; raise PersonalIdError with a Vietnamese message."""
    if not isinstance(number, str) or not _PATTERN.fullmatch(number):
        raise PersonalIdError("Số định danh cá nhân phải gồm đúng 12 chữ số.")
    province = int(number[:3])
    if province not in PROVINCE_CODES:
        raise PersonalIdError("Ba chữ số đầu không phải mã tỉnh, thành phố hợp lệ.")
    gender_century = int(number[3])
    century = 1900 + 100 * (gender_century // 2)
    sex = "nam" if gender_century % 2 == 0 else "nu"
    return PersonalId(province, sex, century + int(number[4:6]))


def is_valid(number: str) -> bool:
    try:
        parse(number)
    except PersonalIdError:
        return False
    return True


def prefix(province_code: int, sex: str, birth_year: int) -> str:
    """The first six digits for a person born in `birth_year`."""
    if province_code not in PROVINCE_CODES:
        raise PersonalIdError(f"unknown province code {province_code}")
    if not 1900 <= birth_year <= 2399:
        raise PersonalIdError(f"birth year {birth_year} out of range")
    century_digit = 2 * ((birth_year - 1900) // 100) + (0 if sex == "nam" else 1)
    return f"{province_code:03d}{century_digit}{birth_year % 100:02d}"


def generate(rng: random.Random, province_code: int, sex: str, birth_year: int) -> str:
    """A new number with random last six digits (uniqueness is the caller's job)."""
    return prefix(province_code, sex, birth_year) + f"{rng.randrange(1_000_000):06d}"
