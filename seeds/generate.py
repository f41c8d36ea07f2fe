"""Synthetic citizens for the mock population registry (CSDLQG về dân cư).

`generate_citizens` adds households of one to six people (a head, often a spouse,
children, sometimes a widowed parent of the head) living in real communes, with personal
IDs that follow the 12-digit structure, chip ID cards that follow the renewal ages, and
Vietnamese names. The rows depend only on the seed and on how many people the registry
already holds.

A million citizens must load in well under a minute, so rows are plain lists and tuples
written through the raw DBAPI connection (`executemany` on SQLite, COPY on PostgreSQL)
while worker processes generate the next chunks; the secondary indexes are dropped during
the load and rebuilt afterwards.
"""

from __future__ import annotations

import gc
import io
import multiprocessing
import os
import random
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cache
from operator import itemgetter

import click
from sqlalchemy.engine import Engine
from sqlalchemy.schema import CreateIndex, DropIndex

from common.divisions import wards
from common.personal_id import prefix
from identity_mock.models.base import idp_registry
from identity_mock.models.population import REGISTRY_SOURCE

REFERENCE_DATE = date(2026, 11, 23)
SNAPSHOT = "2026-11-23 00:00:00.000000"  # updated_at of every generated row
EPOCH = date(1900, 1, 1).toordinal()  # "day numbers" below count from 1 January 1900
TODAY = REFERENCE_DATE.toordinal() - EPOCH
CARD_CAMPAIGN = date(2021, 1, 1).toordinal() - EPOCH  # no current chip ID card is older
REGISTRY_START = date(1990, 1, 1).toordinal() - EPOCH  # earliest residence registration kept
CHUNK = 25_000  # people per generated chunk
COMMIT_EVERY = 200_000  # people per transaction: every commit rewrites the dirtied pages
HOUSEHOLD_PREFIX = "G"  # "G" + 11 digits; the demo households look like "HCM-0001"
NULL = ""  # how rows spell SQL NULL: binding None or bool is slow in Python's sqlite3
SOUTH = frozenset({75, 79, 80, 82, 86, 91, 92, 96})  # villages are "ấp" there, not "thôn"

# (table, generated columns, nullable ones, constant columns)
TABLES = (
    ("pop_household", ("id", "head_id", "poor_household"), (),
     {"source": REGISTRY_SOURCE, "updated_at": SNAPSHOT}),
    ("pop_person", (
        "personal_id", "full_name", "birth_date", "sex", "ethnicity", "birth_province_code",
        "father_id", "mother_id", "spouse_id", "household_id", "relation_to_head",
        "marital_status", "id_card_issued_on", "id_card_expires_on", "meritorious_family",
        "disability", "health_insurance"),
     ("father_id", "mother_id", "spouse_id", "id_card_issued_on", "id_card_expires_on"),
     {"nationality": "Việt Nam", "source": REGISTRY_SOURCE, "updated_at": SNAPSHOT,
      "provenance": "{}", "version": 1}),
    ("pop_residence", ("personal_id", "province_code", "ward_code", "street", "registered_on"),
     (), {"kind": "thuong_tru", "source": REGISTRY_SOURCE, "updated_at": SNAPSHOT}),
)  # fmt: skip
PID, BIRTH, FATHER, MOTHER, SPOUSE = 0, 2, 6, 7, 8  # pop_person row positions

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
class _Tables:
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
def _tables() -> _Tables:
    """Lookup tables shared by every chunk (built once, before worker processes fork)."""
    days = [date.fromordinal(EPOCH + day) for day in range(TODAY + 1)]
    ages = range(112)
    birthdays = [REFERENCE_DATE.replace(year=REFERENCE_DATE.year - a).toordinal() - EPOCH
                 for a in (*ages, 112)]  # fmt: skip
    kinh = _resample(_weights(FAMILY_NAMES))
    families = {e: kinh for code in POPULATION for e in _ethnicities(code)}
    families.update({k: _resample(_weights(v, ",")) for k, v in MINORITY_FAMILY_NAMES.items()})
    return _Tables(
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


class _Generator:
    """Builds the households of one chunk from its own random stream."""

    def __init__(self, rng_seed: str, first_household: int) -> None:
        rng = random.Random(rng_seed)
        self.random, self.bits = rng.random, rng.getrandbits
        self.t = _tables()
        self.number = first_household
        self.taken: set[str] = set()  # IDs of this chunk; the loader checks earlier ones
        self.prefixes: dict[tuple[int, str, int], str] = {}

    def chunk(self, size: int) -> tuple[list, list, list]:
        """Households of exactly `size` people in all: (households, people, residences)."""
        households: list[tuple] = []
        people: list[list] = []
        residences: list[tuple] = []
        while len(people) < size:
            head_age, members = self.household(size - len(people), households)
            self.residences(head_age, members, residences)
            people += members
        return households, people, residences

    def household(self, room: int, households: list) -> tuple[int, list[list]]:
        """(head's age, members) of one household of at most `room` people; its own row
        goes into `households`."""
        r = self.random
        self.province, self.ward, self.urban = self.t.places[self.bits(16)]
        self.household_id = f"{HOUSEHOLD_PREFIX}{self.number:011d}"
        self.number += 1
        self.ethnicity = self.t.ethnicities[self.province][self.bits(10)]
        self.family_names = self.t.families[self.ethnicity]
        self.merit = 1 if r() < 0.01 else 0
        poor = 1 if r() < 0.03 else 0
        self.insured = 1.0 if poor else 0.9
        head_age = self.t.head_ages[self.bits(10)]
        members = self.family(room, head_age)
        households.append((self.household_id, members[0][PID], poor))
        return head_age, members

    def residences(self, head_age: int, members: list[list], residences: list) -> None:
        """Everyone's permanent residence, registered after the head came of age (or at
        birth, for children born later)."""
        since = max(self.t.birthdays[head_age - 18], REGISTRY_START)
        since_iso = self.t.dates[since + int(self.random() * (TODAY - since))]
        street = self.street()
        for p in members:
            registered = p[BIRTH] if p[BIRTH] > since_iso else since_iso
            residences.append((p[PID], self.province, self.ward, street, registered))

    def family(self, room: int, head_age: int) -> list[list]:
        """Members of one household, head first, linked by spouse and parent IDs."""
        r, room = self.random, min(room, 6)
        x, male_head = r(), r() < 0.72
        spouse_age = head_age - (int(r() * 8) - 2) * (1 if male_head else -1)  # wife younger
        couple = 0.10 <= x < 0.88 and room > 1 and 18 <= spouse_age <= 95
        mother = spouse_age if couple and male_head else head_age
        youngest = min(head_age, spouse_age) if couple else head_age
        kids = self.kid_ages(mother, youngest) if x >= 0.25 else []
        parent_age = head_age + 20 + int(r() * 15)
        del kids[max(0, room - 1 - couple) :]
        with_parent = r() < 0.12 and parent_age <= 95 and room > 1 + couple + len(kids)
        family, other_family = self.family_name(), self.family_name()  # spouse's or ex's
        marital = "ket_hon" if couple else self.single_status(head_age, bool(kids))
        head = self.person("nam" if male_head else "nu", head_age, family, "chủ hộ", marital)
        members = [head]
        father = mother = None
        if couple:
            sex = "nu" if male_head else "nam"
            relation = "vợ" if male_head else "chồng"
            spouse = self.person(sex, spouse_age, other_family, relation, "ket_hon")
            head[SPOUSE], spouse[SPOUSE] = spouse[PID], head[PID]
            members.append(spouse)
            father, mother = (head, spouse) if male_head else (spouse, head)
        elif kids:
            father, mother = (head, None) if male_head else (None, head)
        if with_parent:
            members.append(self.elder(head, parent_age, family))
        kid_family = family if male_head else other_family  # the father's
        members += [self.child(age, kid_family, father, mother) for age in kids]
        return members

    def kid_ages(self, mother: int, youngest_parent: int) -> list[int]:
        """Up to four children's ages, from the mother's age at each birth (19 to 45, mostly
        22 to 35); a gap of 19 whole years keeps every parent at least 18 at the birth."""
        count = (1, 1, 2, 2, 2, 2, 3, 3, 3, 4)[int(self.random() * 10)]
        ages = (mother - self.t.birth_ages[self.bits(10)] for _ in range(2 * count))
        return sorted([a for a in ages if 0 <= a <= youngest_parent - 19][:count], reverse=True)

    def single_status(self, age: int, has_kids: bool) -> str:
        x = self.random()
        if age < 30 and not has_kids:
            return "doc_than" if x < 0.93 else "ly_hon"
        if age >= 60:
            return "goa" if x < 0.6 else "ly_hon" if x < 0.75 else "doc_than"
        return "ly_hon" if x < 0.5 else "goa" if x < 0.75 else "doc_than"

    def family_name(self) -> str:
        return self.family_names[self.bits(10)]

    def elder(self, head: list, age: int, family: str) -> list:
        """The head's widowed father or mother; the head's parent ID points at them."""
        if self.random() < 0.3:
            elder = self.person("nam", age, family, "cha", "goa")
            head[FATHER] = elder[PID]
        else:
            elder = self.person("nu", age, self.family_name(), "mẹ", "goa")
            head[MOTHER] = elder[PID]
        return elder

    def child(self, age: int, family: str, father: list | None, mother: list | None) -> list:
        sex = "nam" if self.random() < 0.512 else "nu"
        divorced = age >= 25 and self.random() < 0.2
        kid = self.person(sex, age, family, "con", "ly_hon" if divorced else "doc_than")
        if father:
            kid[FATHER] = father[PID]
        if mother:
            kid[MOTHER] = mother[PID]
        return kid

    def person(self, sex: str, age: int, family: str, relation: str, marital: str) -> list:
        """One pop_person row (a list, so relatives can be linked afterwards)."""
        r, t, bits = self.random, self.t, self.bits
        born = t.birthdays[age] - int(r() * t.year_lengths[age])
        birth, year = t.dates[born], t.years[born]
        province = self.province if r() < (0.9 if age < 18 else 0.75) else t.places[bits(16)][0]
        name = f"{family} {t.middles[sex][year < 1985][bits(10)]} {t.givens[sex][bits(10)]}"
        issued, expires = self.card(age, born, birth, year) if age >= 14 else (NULL, NULL)
        return [
            self.new_id(province, sex, year), name, birth, sex, self.ethnicity, province,
            NULL, NULL, NULL, self.household_id, relation, marital, issued, expires,
            self.merit, 1 if r() < 0.015 else 0, 1 if age < 6 or r() < self.insured else 0,
        ]  # fmt: skip

    def card(self, age: int, born: int, birth: str, year: int) -> tuple[str, str]:
        """Issue and expiry dates of a currently valid chip ID card."""
        days, expiry_age = self.t.cards[age]
        start = min(max(born + days, CARD_CAMPAIGN), TODAY)
        issued = self.t.dates[start + int(self.random() * (TODAY - start + 1))]
        if not expiry_age:
            return issued, NULL
        expires = f"{year + expiry_age}{birth[4:]}"
        if expires.endswith("02-29") and (year + expiry_age) % 4:
            expires = expires[:5] + "02-28"
        return issued, expires

    def new_id(self, province: int, sex: str, year: int) -> str:
        key = (province, sex, year)
        head = self.prefixes.get(key) or self.prefixes.setdefault(key, prefix(*key))
        while True:
            suffix = self.bits(20)
            if suffix < 1_000_000:
                number = f"{head}{suffix:06d}"
                if number not in self.taken:
                    self.taken.add(number)
                    return number

    def street(self) -> str:
        r = self.random
        if not self.urban:
            return f"{'Ấp' if self.province in SOUTH else 'Thôn'} {1 + int(r() * 15)}"
        number, name = 1 + int(r() * 300), STREETS[int(r() * len(STREETS))]
        if r() < 0.7:
            return f"{number} {name}"
        if self.province in SOUTH:
            return f"{number}/{1 + int(r() * 60)} {name}"
        return f"Số {1 + int(r() * 60)} ngõ {number} {name}"


def _make_chunk(spec: tuple[str, int, int]) -> tuple[list, list, list]:
    """Generate one chunk: spec is (random seed, people, first household number)."""
    rng_seed, size, first_household = spec
    return _Generator(rng_seed, first_household).chunk(size)


def _claim_ids(seen: set[str], households: list, people: list, residences: list) -> None:
    """Give a new number (same prefix, next free suffix) to anyone whose ID an earlier
    chunk or run already uses, and fix the references to it; then mark all as used."""
    chunk_ids = set(map(itemgetter(PID), people))
    clashes = chunk_ids & seen
    if clashes:
        renamed = {}
        for old in sorted(clashes):
            suffix = int(old[6:])
            new = old
            while new in seen or new in chunk_ids:
                suffix = (suffix + 1) % 1_000_000
                new = f"{old[:6]}{suffix:06d}"
            renamed[old] = new
            seen.add(new)
        _rename(renamed, households, people, residences)
    seen |= chunk_ids


def _rename(renamed: dict[str, str], households: list, people: list, residences: list) -> None:
    for p in people:
        for col in (PID, FATHER, MOTHER, SPOUSE):
            if p[col] in renamed:
                p[col] = renamed[p[col]]
    for rows, col in ((households, 1), (residences, 0)):
        for i, row in enumerate(rows):
            if row[col] in renamed:
                rows[i] = (*row[:col], renamed[row[col]], *row[col + 1 :])


class _Loader:
    """Writes chunks through one raw DBAPI connection: executemany on SQLite, COPY on
    PostgreSQL. Drops the secondary indexes for the load and rebuilds them in `close`."""

    def __init__(self, engine: Engine) -> None:
        self.dialect = engine.dialect
        self.sqlite = engine.dialect.name == "sqlite"
        self.raw = engine.raw_connection()
        self.cursor = self.raw.cursor()
        tables = idp_registry.metadata.tables
        self.indexes = sorted((ix for name in ("pop_person", "pop_residence")
                               for ix in tables[name].indexes), key=lambda ix: ix.name)  # fmt: skip
        self.statements = [self.statement(*spec) for spec in TABLES]
        self.uncommitted = 0

    def statement(self, table: str, columns: tuple, nullable: tuple, constants: dict) -> tuple:
        """(SQL, constant tail of each COPY line): constants are SQL literals on SQLite."""
        names = ", ".join((*columns, *constants))
        if not self.sqlite:
            values = [f"{v}+00" if v == SNAPSHOT else v for v in constants.values()]  # UTC
            tail = "".join(f"\t{v}" for v in values) + "\n"
            return f"COPY {table} ({names}) FROM STDIN WITH (NULL '')", tail
        marks = ["nullif(?, '')" if c in nullable else "?" for c in columns]
        literals = [f"'{v}'" if isinstance(v, str) else str(v) for v in constants.values()]
        return f"INSERT INTO {table} ({names}) VALUES ({', '.join(marks + literals)})", ""

    def state(self) -> tuple[set[str], int]:
        """IDs already in pop_person, and the number after the last generated household."""
        self.cursor.execute("SELECT personal_id FROM pop_person")
        taken = {row[0] for row in self.cursor.fetchall()}
        self.cursor.execute(
            f"SELECT max(id) FROM pop_household WHERE id LIKE '{HOUSEHOLD_PREFIX}%'"
            f" AND length(id) = {len(HOUSEHOLD_PREFIX) + 11}"
        )
        last = self.cursor.fetchone()[0]
        return taken, int(last[len(HOUSEHOLD_PREFIX) :]) + 1 if last else 1

    def begin(self) -> None:
        """Drop the secondary indexes; on SQLite, trade durability for speed until `close`."""
        if self.sqlite:
            self.cursor.execute("PRAGMA synchronous=OFF")
            self.cursor.execute("PRAGMA cache_size=-262144")  # 256 MiB
        for ix in self.indexes:
            self.cursor.execute(str(DropIndex(ix, if_exists=True).compile(dialect=self.dialect)))
        self.raw.commit()
        self.uncommitted = 0

    def write(self, households: list, people: list, residences: list) -> None:
        """Insert one chunk; commit every COMMIT_EVERY people."""
        chunk = (households, people, residences)
        for (sql, tail), rows in zip(self.statements, chunk, strict=True):
            if self.sqlite:
                self.cursor.executemany(sql, rows)
            else:  # COPY text format; no generated value holds a tab, newline or backslash
                data = "".join("\t".join(map(str, row)) + tail for row in rows)
                self.cursor.copy_expert(sql, io.StringIO(data))
        self.uncommitted += len(people)
        if self.uncommitted >= COMMIT_EVERY:
            self.commit()

    def commit(self) -> None:
        self.raw.commit()
        self.uncommitted = 0

    def close(self) -> None:
        """Roll back anything uncommitted (a failed chunk), rebuild the indexes (with helper
        threads for SQLite's sorter), restore the connection's settings and release it."""
        self.raw.rollback()
        if self.sqlite:
            self.cursor.execute("PRAGMA threads=4")
        for ix in self.indexes:
            create = CreateIndex(ix, if_not_exists=True).compile(dialect=self.dialect)
            self.cursor.execute(str(create))
        self.raw.commit()
        if self.sqlite:
            self.cursor.execute("PRAGMA synchronous=NORMAL")
            self.cursor.execute("PRAGMA cache_size=-2000")
            self.cursor.execute("PRAGMA threads=0")
        self.cursor.close()
        self.raw.close()


def _workers(chunks: int) -> int:
    """Worker processes for generation: none for a single chunk or a single CPU."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return 0 if chunks < 2 or (cpus or 1) < 2 else min(cpus or 1, 4)


@contextmanager
def _chunk_stream(specs: list[tuple[str, int, int]]) -> Iterator[Iterator[tuple]]:
    """The chunks in order, generated ahead by a process pool (bounded look-ahead)."""
    workers = _workers(len(specs))
    if not workers:
        yield map(_make_chunk, specs)
        return
    _tables()  # build once in this process; forked workers inherit it
    with multiprocessing.get_context().Pool(workers, initializer=gc.disable) as pool:
        yield _ordered(pool, specs, workers + 1)


def _ordered(pool, specs: list, ahead: int) -> Iterator[tuple]:
    pending: deque = deque()
    for spec in specs:
        pending.append(pool.apply_async(_make_chunk, (spec,)))
        if len(pending) > ahead:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


@contextmanager
def _progress(total: int, enabled: bool) -> Iterator[Callable[[int], None]]:
    if not enabled:
        yield lambda _count: None
        return
    with click.progressbar(length=total, label="Generating citizens", file=sys.stderr) as bar:
        yield bar.update


def generate_citizens(engine: Engine, n: int, *, seed: int = 2025, progress: bool = False) -> dict:
    """Add `n` synthetic citizens in new households; return the counts added.

    The random streams derive from `seed` and from how many people the registry already
    holds, so the same seed on the same starting data gives identical rows, and a second
    run adds different people; IDs already in use are never reused.
    """
    loader = _Loader(engine)
    households = people = 0
    gc_was_enabled = gc.isenabled()
    gc.disable()  # millions of small acyclic lists: collection passes only cost time
    try:
        seen, first_household = loader.state()
        specs = [(f"{seed}:{len(seen)}:{k}", min(CHUNK, n - start), first_household + start)
                 for k, start in enumerate(range(0, n, CHUNK))]  # fmt: skip
        loader.begin()
        with _progress(n, progress) as advance, _chunk_stream(specs) as chunks:
            for chunk in chunks:
                _claim_ids(seen, *chunk)
                loader.write(*chunk)
                households, people = households + len(chunk[0]), people + len(chunk[1])
                advance(len(chunk[1]))
        loader.commit()
    finally:
        if gc_was_enabled:
            gc.enable()
        loader.close()
    return {"people": people, "households": households}
