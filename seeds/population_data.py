"""Constant tables behind the synthetic citizens, and the lookup tables built from them.

Names, ethnic groups, province populations, streets and age bands are kept as weighted
specs; `tables()` turns them once into lists indexed with `getrandbits`, together with the
calendar lookups ("day numbers" since 1 January 1900) that the generator uses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache

from common.divisions import wards

REFERENCE_DATE = date(2026, 11, 23)
EPOCH = date(1900, 1, 1).toordinal()  # "day numbers" below count from 1 January 1900
TODAY = REFERENCE_DATE.toordinal() - EPOCH
CARD_CAMPAIGN = date(2021, 1, 1).toordinal() - EPOCH  # no current chip ID card is older
REGISTRY_START = date(1990, 1, 1).toordinal() - EPOCH  # earliest residence registration kept
SOUTH = frozenset({75, 79, 80, 82, 86, 91, 92, 96})  # villages are "ấp" there, not "thôn"

# Approximate population (thousands) of the 34 provinces formed on 1 July 2025.
POPULATION = {
    1: 8600, 4: 540, 8: 1730, 11: 640, 12: 480, 14: 1300, 15: 1610, 19: 1650, 20: 800,
    22: 1380, 24: 3400, 25: 3580, 31: 4050, 33: 3160, 37: 3760, 38: 3700, 40: 3400, 42: 1300,
    44: 1560, 46: 1160, 48: 2770, 51: 1830, 52: 3100, 56: 1850, 66: 2780, 68: 3250, 75: 4300,
    79: 13500, 80: 2920, 82: 3400, 86: 3330, 91: 3650, 92: 3180, 96: 2120,
}  # fmt: skip
# Age bands (first age, last age, weight per year of age).
HEAD_AGES = ((20, 29, 1.0), (30, 49, 1.3), (50, 59, 1.1), (60, 69, 0.8), (70, 79, 0.45),
             (80, 90, 0.15))  # fmt: skip
BIRTH_AGES = ((19, 21, 2), (22, 25, 5), (26, 30, 6), (31, 35, 4), (36, 40, 2), (41, 45, 0.5))
# Weighted pools, "value:weight" (weight 1 when omitted).
FAMILY_NAMES = (
    "Nguyễn:38 Trần:11 Lê:9 Phạm:7 Hoàng:5 Huỳnh:4 Phan:4 Vũ:4 Võ:4 Đặng:2 Bùi:2 Đỗ:2 "
    "Hồ:2 Ngô:2 Dương:1 Lý:1"
)
MINORITY_FAMILY_NAMES = {
    "Tày": "Hoàng:3, Nông:3, Lương:2, Lục, Bế, Ma, Triệu, Hà, Vi",
    "Nùng": "Hoàng:3, Nông:2, Lương, Lục, Vi, Lăng, Triệu",
    "Thái": "Lò:3, Lường:2, Quàng, Cầm, Vi, Hà, Tòng, Điêu",
    "H'Mông": "Giàng:3, Vàng:3, Sùng:2, Thào:2, Lầu, Mùa, Hờ, Lý",
    "Dao": "Triệu:3, Bàn:3, Đặng:2, Lý, Chảo, Phùng",
    "Mường": "Bùi:3, Đinh:3, Quách, Hà, Xa",
    "Khmer": "Thạch:3, Danh:3, Sơn:2, Kim, Lâm, Châu, Lý",
    "Hoa": "Lâm:2, Trương:2, Quách, Lưu, Mạc, Tăng, Hứa, Lý",
    "Gia Rai": "Ksor:3, Siu:3, Rơ Mah:2, Nay:2, Rơ Châm",
}
MIDDLE_NAMES = {  # by sex: (born from 1985, born before 1985)
    "nam": ("Văn:3 Minh:3 Hoàng:2 Quốc:2 Gia:2 Đức:2 Thanh Anh Hữu Tuấn Bảo Trọng",
            "Văn:6 Hữu:2 Đức:2 Minh:2 Quốc Thanh Công Xuân Ngọc Trọng"),
    "nu": ("Thị:4 Ngọc:3 Thu:2 Thanh:2 Minh Mai Kim Bảo Phương Khánh Hồng",
           "Thị:10 Ngọc:2 Thu Thanh Kim Hồng Xuân"),
}  # fmt: skip
GIVEN_NAMES = {
    "nam": "An Anh:3 Bảo:2 Bình Cường Dũng:2 Duy:2 Đạt:2 Đức:2 Hải:2 Hào Hiếu Hoàng Hùng:2 "
    "Huy:3 Khang Khánh Khoa:2 Kiên Long:2 Lâm Minh:3 Nam:3 Nghĩa Nhân Phong:2 Phúc:2 Quân:2 "
    "Quang Sơn:2 Tài Tâm Thắng Thành:2 Thịnh Toàn Trung:2 Tú Tuấn:3 Tùng Việt Vinh Vũ",
    "nu": "An Anh:3 Bích Châu Chi:2 Diệp Dung:2 Duyên Giang Hà:2 Hạnh Hằng:2 Hiền:2 Hoa:2 "
    "Hồng Huệ Hương:3 Lan:3 Linh:3 Loan Mai:3 My Nga Ngân Ngọc:2 Nhung Oanh Phương:2 "
    "Quỳnh Tâm Thảo:3 Thủy:2 Trang:3 Trinh Tuyết Uyên Vân:2 Vy:2 Yến",
}
STREETS = (
    "Lê Lợi:Trần Hưng Đạo:Nguyễn Huệ:Hai Bà Trưng:Lý Thường Kiệt:Quang Trung:Nguyễn Trãi:"
    "Lê Duẩn:Điện Biên Phủ:Hùng Vương:Phan Chu Trinh:Nguyễn Du:Bà Triệu:Hoàng Diệu:Trần Phú:"
    "Lê Lai:Nguyễn Văn Cừ:Võ Thị Sáu:Cách Mạng Tháng Tám:Ngô Quyền:Lê Thánh Tông:Phan Bội Châu:"
    "Nguyễn Thị Minh Khai:Lạc Long Quân:Trường Chinh:Hoàng Văn Thụ:Nguyễn Chí Thanh:Lý Tự Trọng"
).split(":")
# Non-Kinh share and the main minority groups (largest first) by province code.
MINORITIES: dict[int, tuple[float, str]] = {
    4: (0.93, "Tày, Nùng, H'Mông, Dao"), 8: (0.75, "Tày, H'Mông, Dao, Nùng"),
    11: (0.80, "Thái, H'Mông, Khơ Mú"), 12: (0.85, "H'Mông, Thái, Dao, Hà Nhì"),
    14: (0.83, "Thái, H'Mông, Mường, Dao"), 15: (0.60, "H'Mông, Tày, Dao, Giáy"),
    19: (0.40, "Tày, Nùng, Dao, Sán Dìu"), 20: (0.83, "Nùng, Tày, Dao"),
    22: (0.12, "Dao, Tày, Sán Dìu"), 25: (0.30, "Mường, Dao, Tày, Thái"),
    38: (0.17, "Mường, Thái"), 40: (0.14, "Thái, Khơ Mú, H'Mông"), 44: (0.05, "Bru-Vân Kiều"),
    48: (0.05, "Cơ Tu, Xơ Đăng"), 51: (0.25, "Xơ Đăng, Hrê, Ba Na"),
    52: (0.25, "Gia Rai, Ba Na"), 56: (0.10, "Chăm, Ra Glai"),
    66: (0.25, "Ê Đê, Nùng, Tày, M'Nông"), 68: (0.18, "Cơ Ho, Mạ, Chăm"),
    75: (0.08, "Xtiêng, Hoa, Nùng, Khmer"), 79: (0.05, "Hoa, Khmer, Chăm"),
    86: (0.10, "Khmer, Hoa"), 91: (0.12, "Khmer, Hoa, Chăm"), 92: (0.18, "Khmer, Hoa"),
    96: (0.05, "Khmer, Hoa"),
}  # fmt: skip
DEFAULT_MINORITIES = (0.02, "Hoa, Mường, Tày, Nùng, Thái")


def _weights(spec: str, sep: str | None = None) -> list[tuple[str, float]]:
    """Parse "a:3 b c:2" into [(value, weight), ...]."""
    pairs = (item.strip().partition(":") for item in spec.split(sep))
    return [(value, float(weight or 1)) for value, _, weight in pairs]


def _bands(bands: tuple) -> list[tuple[int, float]]:
    return [(age, weight) for first, last, weight in bands for age in range(first, last + 1)]


def _resample(pairs: Iterable[tuple[object, float]], bits: int = 10) -> list:
    """A lookup table of 2**bits slots, each value taking a share of slots by weight;
    indexed with `getrandbits(bits)`, it is the fastest weighted choice in pure Python."""
    pairs = list(pairs)
    size, total, done, table = 1 << bits, sum(w for _, w in pairs), 0.0, []
    for value, weight in pairs:
        start = round(done / total * size)
        done += weight
        table += [value] * (round(done / total * size) - start)
    return table


def _ethnicities(code: int) -> list[str]:
    share, groups = MINORITIES.get(code, DEFAULT_MINORITIES)
    names = [g.strip() for g in groups.split(",")]
    rank_total = sum(range(1, len(names) + 1))
    minority = [(n, share * (len(names) - i) / rank_total) for i, n in enumerate(names)]
    return _resample([("Kinh", 1 - share), *minority])


def _places() -> list[tuple[int, int, bool]]:
    """(province, ward, is_urban) in 2**16 slots: provinces by population, then phường 5,
    xã 2, đặc khu 1 within each (Hoàng Sa has no registered residents)."""
    by_province: dict[int, list[tuple[tuple[int, int, bool], float]]] = {}
    for w in sorted(wards().values(), key=lambda w: w.code):
        urban = w.name.startswith("Phường")
        weight = 5.0 if urban else 2.0 if w.name.startswith("Xã") else 1.0
        weight *= not w.name.endswith("Hoàng Sa")
        place = (w.province_code, w.code, urban)
        by_province.setdefault(w.province_code, []).append((place, weight))
    pairs = []
    for code, entries in sorted(by_province.items()):
        total = sum(weight for _, weight in entries)
        pairs += [(place, POPULATION[code] * weight / total) for place, weight in entries]
    return _resample(pairs, 16)


@dataclass(frozen=True)
class Tables:
    dates: list[str]  # ISO date by day number
    years: list[int]  # year by day number
    birthdays: list[int]  # by age: day number of the reference day `age` years before it
    year_lengths: list[int]  # by age: days from the `age + 1` to the `age` birthday above
    cards: list[tuple[int, int]]  # by age: (days from birth to the card window, expiry age)
    head_ages: list[int]
    birth_ages: list[int]  # mothers' ages at a birth
    places: list[tuple[int, int, bool]]
    ethnicities: dict[int, list[str]]
    families: dict[str, list[str]]
    middles: dict[str, tuple[list[str], list[str]]]
    givens: dict[str, list[str]]


@cache
def tables() -> Tables:
    """Lookup tables shared by every chunk (built once, before worker processes fork)."""
    days = [date.fromordinal(EPOCH + day) for day in range(TODAY + 1)]
    ages = range(112)
    birthdays = [REFERENCE_DATE.replace(year=REFERENCE_DATE.year - a).toordinal() - EPOCH
                 for a in (*ages, 112)]  # fmt: skip
    kinh = _resample(_weights(FAMILY_NAMES))
    families = {e: kinh for code in POPULATION for e in _ethnicities(code)}
    families.update({k: _resample(_weights(v, ",")) for k, v in MINORITY_FAMILY_NAMES.items()})
    return Tables(
        dates=[d.isoformat() for d in days],
        years=[d.year for d in days],
        birthdays=birthdays[:-1],
        year_lengths=[birthdays[a] - birthdays[a + 1] for a in ages],
        cards=[_card_rule(age) for age in ages],
        head_ages=_resample(_bands(HEAD_AGES)),
        birth_ages=_resample(_bands(BIRTH_AGES)),
        places=_places(),
        ethnicities={code: _ethnicities(code) for code in POPULATION},
        families=families,
        middles={
            s: (_resample(_weights(young)), _resample(_weights(old)))
            for s, (young, old) in MIDDLE_NAMES.items()
        },  # fmt: skip
        givens={s: _resample(_weights(v)) for s, v in GIVEN_NAMES.items()},
    )


def _card_rule(age: int) -> tuple[int, int]:
    """Chip ID cards are renewed at 25, 40 and 60; one issued within two years before
    those ages lasts until the next, and one issued from 58 never expires. A valid card of
    someone aged `age` was therefore issued from the age returned (as days after birth,
    rounded up), and expires at the age returned (0: never)."""
    since, expiry = (14, 25) if age < 23 else (23, 40) if age < 38 else (38, 60) if (
        age < 58) else (58, 0)  # fmt: skip
    return 365 * since + since // 4 + 1, expiry
