"""Synthetic citizens for the mock population registry (CSDLQG về dân cư).

`generate_citizens` adds households of one to six people (a head, often a spouse,
children, sometimes a widowed parent of the head) living in real communes, with personal
IDs that follow the 12-digit structure, chip ID cards that follow the renewal ages, and
Vietnamese names. The rows depend only on the seed and on how many people the registry
already holds.

A million citizens must load in well under a minute, so rows are plain lists and tuples
written through the raw DBAPI connection (`executemany` on SQLite, COPY on PostgreSQL)
while worker processes generate the next chunks; the secondary indexes are dropped during
the load and rebuilt afterwards (`seeds.bulk_load`). The names, places and age bands, and
the lookup tables built from them, are in `seeds.population_data`.
"""

from __future__ import annotations

import gc
import random
from operator import itemgetter

from sqlalchemy.engine import Engine

from common.personal_id import prefix
from seeds.bulk_load import HOUSEHOLD_PREFIX, Loader, chunk_stream, progress_bar
from seeds.population_data import (
    CARD_CAMPAIGN,
    REGISTRY_START,
    SOUTH,
    STREETS,
    TODAY,
    tables,
)

CHUNK = 25_000  # people per generated chunk
NULL = ""  # how rows spell SQL NULL: binding None or bool is slow in Python's sqlite3
PID, BIRTH, FATHER, MOTHER, SPOUSE = 0, 2, 6, 7, 8  # positions in bulk_load.TABLES' pop_person


class _Generator:
    """Builds the households of one chunk from its own random stream."""

    def __init__(self, rng_seed: str, first_household: int) -> None:
        rng = random.Random(rng_seed)
        self.random, self.bits = rng.random, rng.getrandbits
        self.t = tables()
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
        mother_age = spouse_age if couple and male_head else head_age
        youngest = min(head_age, spouse_age) if couple else head_age
        kids = self.kid_ages(mother_age, youngest) if x >= 0.25 else []
        parent_age = head_age + 20 + int(r() * 15)
        del kids[max(0, room - 1 - couple) :]
        with_parent = r() < 0.12 and parent_age <= 95 and room > 1 + couple + len(kids)
        family, other_family = self.family_name(), self.family_name()  # spouse's or ex's
        marital = "ket_hon" if couple else self.single_status(head_age, bool(kids))
        head = self.person("nam" if male_head else "nu", head_age, family, "chủ hộ", marital)
        members = [head]
        father: list | None = None
        mother: list | None = None
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


def generate_citizens(engine: Engine, n: int, *, seed: int = 2025, progress: bool = False) -> dict:
    """Add `n` synthetic citizens in new households; return the counts added.

    The random streams derive from `seed` and from how many people the registry already
    holds, so the same seed on the same starting data gives identical rows, and a second
    run adds different people; IDs already in use are never reused.
    """
    loader = Loader(engine)
    households = people = 0
    gc_was_enabled = gc.isenabled()
    gc.disable()  # millions of small acyclic lists: collection passes only cost time
    try:
        seen, first_household = loader.state()
        specs = [(f"{seed}:{len(seen)}:{k}", min(CHUNK, n - start), first_household + start)
                 for k, start in enumerate(range(0, n, CHUNK))]  # fmt: skip
        loader.begin()
        with (
            progress_bar(n, progress) as advance,
            chunk_stream(_make_chunk, specs, before_fork=tables) as chunks,
        ):
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
