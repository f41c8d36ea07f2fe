"""Synthetic citizens for the mock population registry (CSDLQG về dân cư).

`generate_citizens` adds households of one to six people (a head, often a spouse,
children, sometimes an elderly parent) with real communes, personal IDs that follow the
12-digit structure, ID cards that follow the renewal ages, and Vietnamese names. Output
is deterministic for a given seed and starting state of the tables.

Speed matters (a million citizens in well under a minute), so rows are plain lists
written through the raw DBAPI connection: `executemany` on SQLite, COPY on PostgreSQL.
The secondary indexes are dropped during the load and rebuilt afterwards.
"""

from __future__ import annotations

import calendar
import gc
import io
import random
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

import click
from sqlalchemy.engine import Engine
from sqlalchemy.schema import CreateIndex, DropIndex

from common.divisions import provinces, wards
from common.personal_id import prefix
from identity_mock.models.base import idp_registry
from identity_mock.models.population import REGISTRY_SOURCE

REFERENCE_DATE = date(2026, 11, 23)
SNAPSHOT = "2026-11-23 00:00:00.000000"  # updated_at of every generated row
CARD_CAMPAIGN = date(2021, 1, 1)  # chip ID cards: nobody's current card is older
REGISTRY_START = date(1990, 1, 1)  # earliest permanent-residence registration date
CHUNK = 100_000  # people per transaction
HOUSEHOLD_PREFIX = "G"  # "G" + 11 digits; demo households look like "HCM-0001"
NULL = ""  # how rows spell SQL NULL: binding None (or bool) is slow in Python's sqlite3
SOUTH = frozenset({75, 79, 80, 82, 86, 91, 92, 96})  # villages are "ấp" there

PERSON_COLUMNS = (
    "personal_id", "full_name", "birth_date", "sex", "ethnicity", "nationality",
    "birth_province_code", "father_id", "mother_id", "spouse_id", "household_id",
    "relation_to_head", "marital_status", "id_card_issued_on", "id_card_expires_on",
    "meritorious_family", "disability", "health_insurance", "source", "updated_at",
    "provenance", "version",
)  # fmt: skip
NULLABLE = frozenset({"father_id", "mother_id", "spouse_id", "id_card_issued_on",
                      "id_card_expires_on"})  # fmt: skip
HOUSEHOLD_COLUMNS = ("id", "head_id", "poor_household", "source", "updated_at")
RESIDENCE_COLUMNS = (
    "personal_id", "kind", "province_code", "ward_code", "street", "registered_on", "source",
    "updated_at",
)  # fmt: skip
PID, NAME, BIRTH, FATHER, MOTHER, SPOUSE = 0, 1, 2, 7, 8, 9

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
MIDDLE_NAMES = {  # (sex, born before 1985)
    ("nam", True): "Văn:6 Hữu:2 Đức:2 Minh:2 Quốc Thanh Công Xuân Ngọc Trọng",
    ("nam", False): "Văn:3 Minh:3 Hoàng:2 Quốc:2 Gia:2 Đức:2 Thanh Anh Hữu Tuấn Bảo Trọng",
    ("nu", True): "Thị:10 Ngọc:2 Thu Thanh Kim Hồng Xuân",
    ("nu", False): "Thị:4 Ngọc:3 Thu:2 Thanh:2 Minh Mai Kim Bảo Phương Khánh Hồng",
}
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
# Non-Kinh share and the main minority groups (largest first) by current province code.
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


def _table(spec: str, sep: str | None = None) -> list[str]:
    """Expand "a:3 b c:2" into a list where each value appears `weight` times."""
    out: list[str] = []
    for item in spec.split(sep):
        value, _, weight = item.strip().partition(":")
        out += [value] * int(weight or 1)
    return out


def _ethnicity_table(code: int) -> list[str]:
    """1,000 slots: Kinh and the province's minorities (weights falling with rank)."""
    share, groups = MINORITIES.get(code, DEFAULT_MINORITIES)
    names = [g.strip() for g in groups.split(",")]
    minority = [n for i, n in enumerate(names) for _ in range(len(names) - i)]
    table = ["Kinh"] * round(1000 * (1 - share))
    for name in minority:
        table += [name] * round(share * 1000 / len(minority))
    return table


def _ward_table() -> list[tuple[int, int, bool]]:
    """(province, ward, is_urban) weighted by rough population: phường 5, xã 2, đặc khu 1."""
    out = []
    for w in wards().values():
        urban = w.name.startswith("Phường")
        weight = 5 if urban else 2 if w.name.startswith("Xã") else 1
        if w.name.endswith("Hoàng Sa"):
            weight = 0  # no registered residents
        out += [(w.province_code, w.code, urban)] * weight
    return out


class _Generator:
    """Builds households; keeps the RNG, the IDs in use and the next household number."""

    def __init__(self, rng: random.Random, taken: set[str], next_household: int) -> None:
        self.random = rng.random
        self.taken = taken
        self.next_household = next_household
        self.base = date(1900, 1, 1).toordinal()
        self.today = REFERENCE_DATE.toordinal()
        self.dates = [date.fromordinal(o).isoformat() for o in range(self.base, self.today + 1)]
        self.ordinals = {s: i + self.base for i, s in enumerate(self.dates)}
        self.birthdays = [  # ordinal of the reference day `age` years back, age 0..110
            REFERENCE_DATE.replace(year=REFERENCE_DATE.year - a).toordinal() for a in range(111)
        ]
        self.wards = _ward_table()
        self.provinces = sorted(provinces())
        self.ethnicities = {code: _ethnicity_table(code) for code in self.provinces}
        self.families = {k: _table(v, ",") for k, v in MINORITY_FAMILY_NAMES.items()}
        self.families["Kinh"] = _table(FAMILY_NAMES)
        self.middles = {k: _table(v) for k, v in MIDDLE_NAMES.items()}
        self.givens = {k: _table(v) for k, v in GIVEN_NAMES.items()}
        self.prefixes: dict[tuple[int, str, int], str] = {}

    def pick(self, seq: list | tuple):
        return seq[int(self.random() * len(seq))]

    def batch(self, size: int) -> tuple[list, list, list]:
        """Households totalling exactly `size` people: (households, people, residences)."""
        households: list[tuple] = []
        people: list[list] = []
        residences: list[tuple] = []
        while len(people) < size:
            self.household(size - len(people), households, people, residences)
        return households, people, residences

    def household(self, room: int, households: list, people: list, residences: list) -> None:
        """Append one household of at most `room` people to the three row lists."""
        r = self.random
        self.province, ward, urban = self.pick(self.wards)
        self.household_id = f"{HOUSEHOLD_PREFIX}{self.next_household:011d}"
        self.next_household += 1
        self.ethnicity = self.pick(self.ethnicities[self.province])
        self.merit = 1 if r() < 0.01 else 0
        poor = 1 if r() < 0.03 else 0
        self.insured = 1.0 if poor else 0.9
        members = self.family(room)
        head = members[0]
        households.append((self.household_id, head[PID], poor, REGISTRY_SOURCE, SNAPSHOT))
        street = self.street(urban)
        since = max(self.ordinals[head[BIRTH]] + 6575, REGISTRY_START.toordinal())  # head 18
        since += int(r() * (self.today - since))
        for p in members:
            registered = self.dates[min(max(since, self.ordinals[p[BIRTH]] + 30), self.today)
                                    - self.base]  # fmt: skip
            residences.append((p[PID], "thuong_tru", self.province, ward, street, registered,
                               REGISTRY_SOURCE, SNAPSHOT))  # fmt: skip
        people += members

    def family(self, room: int) -> list[list]:
        """Members of one household, head first, linked by spouse and parent IDs."""
        r = self.random
        x, male_head = r(), r() < 0.72
        head_age = 20 + int(r() * 66) if x < 0.25 else 22 + int(r() * 58)
        spouse_age = head_age + (int(r() * 8) - 2) * (1 if male_head else -1)
        couple = x >= 0.10 and x < 0.88 and room > 1 and 18 <= spouse_age <= 95
        kids = self.kid_ages(head_age, spouse_age, male_head, couple) if x >= 0.25 else []
        parent_age = head_age + 20 + int(r() * 15)
        with_parent = r() < 0.12 and parent_age <= 95
        del kids[max(0, room - 1 - couple - with_parent) :]
        with_parent = with_parent and room > 1 + couple + len(kids)
        head_sex = "nam" if male_head else "nu"
        family = self.pick(self.families.get(self.ethnicity, self.families["Kinh"]))
        marital = "ket_hon" if couple else self.single_status(head_age, bool(kids))
        head = self.person(head_sex, head_age, family, "chủ hộ", marital)
        members = [head]
        father = mother = None
        if couple:
            sex = "nu" if male_head else "nam"
            spouse = self.person(sex, spouse_age, self.family_name(), _spouse(sex), "ket_hon")
            head[SPOUSE], spouse[SPOUSE] = spouse[PID], head[PID]
            members.append(spouse)
            father, mother = (head, spouse) if male_head else (spouse, head)
        elif kids:
            father, mother = (head, None) if male_head else (None, head)
        if with_parent:
            members.append(self.elder(head, parent_age, family))
        kid_family = father[NAME].split(" ", 1)[0] if father else self.family_name()
        for age in kids:
            members.append(self.child(age, kid_family, father, mother))
        return members

    def kid_ages(self, head: int, spouse: int, male_head: bool, couple: bool) -> list[int]:
        """Children's ages: at most 45 years younger than, and 19 older than, the mother."""
        mother = (spouse if male_head else head) if couple else head
        upper = min(head, spouse) - 19 if couple else head - 19
        lower = max(0, mother - 45)
        if upper < lower:
            return []
        count = self.pick((1, 1, 1, 2, 2, 2, 2, 3, 3, 4))
        return sorted((lower + int(self.random() * (upper - lower + 1)) for _ in range(count)),
                      reverse=True)  # fmt: skip

    def single_status(self, age: int, has_kids: bool) -> str:
        x = self.random()
        if age < 30 and not has_kids:
            return "doc_than" if x < 0.93 else "ly_hon"
        if age >= 60:
            return "goa" if x < 0.6 else "ly_hon" if x < 0.75 else "doc_than"
        return "ly_hon" if x < 0.5 else "goa" if x < 0.75 else "doc_than"

    def family_name(self) -> str:
        return self.pick(self.families.get(self.ethnicity, self.families["Kinh"]))

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
        r = self.random
        born = self.birthdays[age] - int(r() * (self.birthdays[age] - self.birthdays[age + 1]))
        birth = self.dates[born - self.base]
        year = int(birth[:4])
        province = self.province if r() < (0.9 if age < 18 else 0.75) else self.pick(self.provinces)
        middle = self.pick(self.middles[sex, year < 1985])
        issued, expires = self.card(age, birth) if age >= 14 else (NULL, NULL)
        insured = 1 if age < 6 or r() < self.insured else 0
        return [
            self.new_id(province, sex, year), f"{family} {middle} {self.pick(self.givens[sex])}",
            birth, sex, self.ethnicity, "Việt Nam", province, NULL, NULL, NULL,
            self.household_id, relation, marital, issued, expires, self.merit,
            1 if r() < 0.015 else 0, insured, REGISTRY_SOURCE, SNAPSHOT, "{}", 1,
        ]  # fmt: skip

    def card(self, age: int, birth: str) -> tuple[str, str]:
        """Issue and expiry dates of a currently valid chip ID card (holder aged 14+).

        A card expires at the 25th, 40th or 60th birthday; one issued within two years
        before that age stays valid until the next one, and one issued from 58 never expires.
        """
        threshold, expiry = (14, 25) if age < 23 else (23, 40) if age < 38 else (38, 60) if (
            age < 58) else (58, None)  # fmt: skip
        start = max(self.ordinals[_birthday(birth, threshold)], CARD_CAMPAIGN.toordinal())
        issued = self.dates[start + int(self.random() * (self.today - start + 1)) - self.base]
        return issued, (_birthday(birth, expiry) if expiry else NULL)

    def new_id(self, province: int, sex: str, year: int) -> str:
        key = (province, sex, year)
        head = self.prefixes.get(key) or self.prefixes.setdefault(key, prefix(*key))
        while True:
            number = f"{head}{int(self.random() * 1_000_000):06d}"
            if number not in self.taken:
                self.taken.add(number)
                return number

    def street(self, urban: bool) -> str:
        r = self.random
        if not urban:
            village = "Ấp" if self.province in SOUTH else "Thôn"
            return f"{village} {1 + int(r() * 15)}"
        number, name = 1 + int(r() * 300), self.pick(STREETS)
        if r() < 0.7:
            return f"{number} {name}"
        if self.province in SOUTH:
            return f"{number}/{1 + int(r() * 60)} {name}"
        return f"Số {1 + int(r() * 60)} ngõ {number} {name}"


def _spouse(sex: str) -> str:
    return "vợ" if sex == "nu" else "chồng"


def _birthday(birth: str, years: int) -> str:
    """ISO date of the `years`-th birthday (29 February falls on the 28th in common years)."""
    year = int(birth[:4]) + years
    if birth[5:] == "02-29" and not calendar.isleap(year):
        return f"{year}-02-28"
    return f"{year}{birth[4:]}"


class _Loader:
    """Writes row batches through one raw DBAPI connection (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        self.raw = engine.raw_connection()
        self.cursor = self.raw.cursor()
        tables = idp_registry.metadata.tables
        self.indexes = [ix for name in ("pop_person", "pop_residence")
                        for ix in sorted(tables[name].indexes, key=lambda i: i.name)]  # fmt: skip

    def scalar(self, sql: str):
        self.cursor.execute(sql)
        return self.cursor.fetchone()[0]

    def state(self) -> tuple[set[str], int]:
        """IDs already in pop_person, and the number after the last generated household."""
        self.cursor.execute("SELECT personal_id FROM pop_person")
        taken = {row[0] for row in self.cursor.fetchall()}
        last = self.scalar(
            f"SELECT max(id) FROM pop_household WHERE id LIKE '{HOUSEHOLD_PREFIX}%'"
            f" AND length(id) = {len(HOUSEHOLD_PREFIX) + 11}"
        )
        return taken, int(last[len(HOUSEHOLD_PREFIX) :]) + 1 if last else 1

    def begin(self) -> None:
        """Drop the secondary indexes; on SQLite trade durability for speed until `end`."""
        if self.sqlite:
            self.cursor.execute("PRAGMA synchronous=OFF")
            self.cursor.execute("PRAGMA cache_size=-262144")  # 256 MiB
        for ix in self.indexes:
            self.cursor.execute(str(DropIndex(ix, if_exists=True).compile(dialect=self.engine.dialect)))
        self.raw.commit()

    def end(self) -> None:
        """Rebuild the indexes and restore the connection's settings."""
        self.raw.rollback()
        for ix in self.indexes:
            self.cursor.execute(str(CreateIndex(ix, if_not_exists=True).compile(dialect=self.engine.dialect)))
        self.raw.commit()
        if self.sqlite:
            self.cursor.execute("PRAGMA synchronous=NORMAL")
            self.cursor.execute("PRAGMA cache_size=-2000")
        self.cursor.close()
        self.raw.close()

    def write(self, households: list, people: list, residences: list) -> None:
        """Insert one batch and commit it."""
        for table, columns, rows in (
            ("pop_household", HOUSEHOLD_COLUMNS, households),
            ("pop_person", PERSON_COLUMNS, people),
            ("pop_residence", RESIDENCE_COLUMNS, residences),
        ):
            if self.sqlite:
                marks = ", ".join("nullif(?, '')" if c in NULLABLE else "?" for c in columns)
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
                self.cursor.executemany(sql, rows)
            else:
                sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (NULL '')"
                self.cursor.copy_expert(sql, _copy_text(rows))
        self.raw.commit()


def _copy_text(rows: list) -> io.StringIO:
    """Rows in PostgreSQL's COPY text format (no value here holds a tab, newline or \\)."""
    lines = ("\t".join(map(str, row)) for row in rows)
    return io.StringIO("\n".join(lines) + "\n")


@contextmanager
def _progress(total: int, enabled: bool) -> Iterator[Callable[[int], None]]:
    if not enabled:
        yield lambda _count: None
        return
    with click.progressbar(length=total, label="Generating citizens", file=sys.stderr) as bar:
        yield bar.update


def generate_citizens(engine: Engine, n: int, *, seed: int = 2025, progress: bool = False) -> dict:
    """Add `n` synthetic citizens in households; return counts of people and households.

    The random stream depends on `seed` and on how many people the registry already
    holds, so a second run with the same seed adds different people instead of clashing.
    """
    loader = _Loader(engine)
    households = people = 0
    gc_was_enabled = gc.isenabled()
    gc.disable()  # millions of small lists, none cyclic: the collector only costs time
    try:
        taken, next_household = loader.state()
        rng = random.Random(f"{seed}:{len(taken)}")
        generator = _Generator(rng, taken, next_household)
        loader.begin()
        with _progress(n, progress) as advance:
            while people < n:
                batch = generator.batch(min(CHUNK, n - people))
                loader.write(*batch)
                households += len(batch[0])
                people += len(batch[1])
                advance(len(batch[1]))
    finally:
        if gc_was_enabled:
            gc.enable()
        loader.end()
    return {"people": people, "households": households, "residences": people}
