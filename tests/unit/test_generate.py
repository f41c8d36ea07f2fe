"""The synthetic-citizen generator: structure, realism, determinism, repeat runs, PostgreSQL."""

from __future__ import annotations

import calendar
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

import identity_mock.models  # noqa: F401 - registers the tables
from common.db import make_engine
from common.divisions import wards
from common.personal_id import parse
from identity_mock.models.base import idp_registry
from seeds import bulk_load, generate
from seeds.generate import generate_citizens
from tests.support.databases import PG_URL, on_postgres

N = 2000
REFERENCE = date(2026, 11, 23)
PERSON_COLUMNS = (
    "personal_id, full_name, birth_date, sex, ethnicity, nationality, birth_province_code, "
    "father_id, mother_id, spouse_id, household_id, relation_to_head, marital_status, "
    "id_card_issued_on, id_card_expires_on, meritorious_family, disability, health_insurance, "
    "died_on, source, updated_at, provenance, version"
)


def _engine(path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    idp_registry.metadata.create_all(engine)
    return engine


def _rows(engine: Engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def _people(engine: Engine) -> dict[str, dict]:
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT {PERSON_COLUMNS} FROM pop_person")).mappings()
        return {r["personal_id"]: dict(r) for r in rows}


def _dump(engine: Engine) -> tuple[list, list, list]:
    return (
        _rows(engine, "SELECT * FROM pop_person ORDER BY personal_id"),
        _rows(engine, "SELECT * FROM pop_household ORDER BY id"),
        _rows(engine, "SELECT * FROM pop_residence ORDER BY id"),
    )


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _plus_years(day: date, years: int) -> date:
    """The same day `years` later (29 February falls on the 28th in common years)."""
    if (day.month, day.day) == (2, 29) and not calendar.isleap(day.year + years):
        return date(day.year + years, 2, 28)
    return day.replace(year=day.year + years)


@pytest.fixture(scope="module")
def population(tmp_path_factory) -> tuple[Engine, dict, dict[str, dict]]:
    engine = _engine(tmp_path_factory.mktemp("gen") / "x.sqlite")
    stats = generate_citizens(engine, N, seed=7)
    return engine, stats, _people(engine)


def test_counts(population):
    engine, stats, people = population
    assert stats["people"] == N == len(people)
    assert _rows(engine, "SELECT count(*) FROM pop_household") == [(stats["households"],)]
    assert _rows(engine, "SELECT count(*), count(DISTINCT personal_id) FROM pop_residence") == [
        (N, N)
    ]
    sizes = _rows(engine, "SELECT count(*) FROM pop_person GROUP BY household_id")
    assert {size for (size,) in sizes} <= set(range(1, 7))
    assert len(sizes) == stats["households"]


def test_personal_ids_match_birth_and_sex(population):
    _, _, people = population
    for pid, p in people.items():
        parsed = parse(pid)
        assert parsed.sex == p["sex"]
        assert parsed.birth_year == _as_date(p["birth_date"]).year
        assert parsed.province_code == p["birth_province_code"]
        assert p["nationality"] == "Việt Nam" and p["version"] == 1
        assert p["died_on"] is None


def test_residences_are_real_communes_of_their_province(population):
    engine, _, people = population
    divisions = wards()
    rows = _rows(engine, "SELECT personal_id, province_code, ward_code, kind, registered_on, "
                         "ended_on FROM pop_residence")  # fmt: skip
    for pid, province, ward, kind, registered_on, ended_on in rows:
        assert divisions[ward].province_code == province
        assert kind == "thuong_tru" and ended_on is None
        birth = _as_date(people[pid]["birth_date"])
        assert birth <= _as_date(registered_on) <= REFERENCE


def test_households_have_one_head(population):
    engine, _, people = population
    for household_id, head_id in _rows(engine, "SELECT id, head_id FROM pop_household"):
        assert household_id.startswith("G") and len(household_id) == 12
        assert people[head_id]["household_id"] == household_id
        assert people[head_id]["relation_to_head"] == "chủ hộ"
    heads = sum(p["relation_to_head"] == "chủ hộ" for p in people.values())
    assert heads == len(_rows(engine, "SELECT id FROM pop_household"))


def test_spouses_point_at_each_other(population):
    _, _, people = population
    married = [p for p in people.values() if p["spouse_id"]]
    assert married, "some households are couples"
    for p in married:
        spouse = people[p["spouse_id"]]
        assert spouse["spouse_id"] == p["personal_id"]
        assert p["marital_status"] == spouse["marital_status"] == "ket_hon"
        assert p["sex"] != spouse["sex"]
        assert p["household_id"] == spouse["household_id"]


def test_parents_are_at_least_18_years_older(population):
    _, _, people = population
    children = 0
    for p in people.values():
        for key, sex in (("father_id", "nam"), ("mother_id", "nu")):
            if p[key]:
                parent = people[p[key]]
                assert parent["sex"] == sex
                born, parent_born = _as_date(p["birth_date"]), _as_date(parent["birth_date"])
                assert _plus_years(parent_born, 18) <= born
                if sex == "nam":  # children take the father's family name
                    assert p["full_name"].split()[0] == parent["full_name"].split()[0]
                children += 1
    assert children > N / 4


def test_id_cards_follow_the_renewal_ages(population):
    """Issued from 14; expires at 25, 40 or 60, or the next of those when issued within two
    years before one; never expires when issued from 58. Every card is currently valid."""
    _, _, people = population
    for p in people.values():
        born = _as_date(p["birth_date"])
        if _age(born, REFERENCE) < 14:
            assert p["id_card_issued_on"] is None and p["id_card_expires_on"] is None
            continue
        issued = _as_date(p["id_card_issued_on"])
        assert _plus_years(born, 14) <= issued <= REFERENCE
        age_at_issue = _age(born, issued)
        expiry_age = next((a for a in (25, 40, 60) if age_at_issue < a - 2), None)
        expected = _plus_years(born, expiry_age) if expiry_age else None
        expires = p["id_card_expires_on"]
        assert (_as_date(expires) if expires else None) == expected
        assert expected is None or expected > REFERENCE


def test_realistic_mix(population):
    _, _, people = population
    values = list(people.values())
    share = lambda pred: sum(map(pred, values)) / len(values)  # noqa: E731
    assert 0.75 < share(lambda p: p["ethnicity"] == "Kinh") < 0.95
    assert 0.25 < share(lambda p: p["full_name"].startswith("Nguyễn ")) < 0.5
    assert 0.8 < share(lambda p: p["health_insurance"]) < 0.98
    assert share(lambda p: p["disability"]) < 0.05
    assert {p["source"] for p in values} == {"CSDLQG về dân cư"}
    assert {p["provenance"] for p in values} == {"{}"}


def test_same_seed_same_rows_other_seed_other_rows(tmp_path):
    first, second, other = (_engine(tmp_path / f"{name}.sqlite") for name in "abc")
    generate_citizens(first, 500, seed=11)
    generate_citizens(second, 500, seed=11)
    generate_citizens(other, 500, seed=12)
    assert _dump(first) == _dump(second)
    assert _dump(first)[0] != _dump(other)[0]


# The parallel run forks its workers; a test process has threads (pytest-xdist's), and
# forking a threaded process can deadlock the child on a lock another thread held. So that
# run happens in a fresh single-threaded interpreter, as `seed` runs, with a time limit.
PARALLEL_RUN = """
import sys
from common.db import make_engine
from identity_mock.models.base import idp_registry
import identity_mock.models
from seeds import bulk_load, generate
generate.CHUNK = 300
bulk_load._workers = lambda chunks: 2
engine = make_engine("sqlite:///" + sys.argv[1])
idp_registry.metadata.create_all(engine)
generate.generate_citizens(engine, 1000, seed=5)
"""


def test_worker_processes_give_the_same_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(generate, "CHUNK", 300)
    serial = _engine(tmp_path / "serial.sqlite")
    monkeypatch.setattr(bulk_load, "_workers", lambda chunks: 0)
    generate_citizens(serial, 1000, seed=5)
    path = tmp_path / "par.sqlite"
    root = Path(__file__).resolve().parents[2]
    run = [sys.executable, "-c", PARALLEL_RUN, str(path)]
    subprocess.run(run, check=True, timeout=120, cwd=root)
    assert _dump(serial) == _dump(_engine(path))


def test_second_run_adds_new_people(tmp_path, capsys):
    engine = _engine(tmp_path / "x.sqlite")
    generate_citizens(engine, 400, seed=3)
    stats = generate_citizens(engine, 300, seed=3, progress=True)
    assert stats["people"] == 300
    assert _rows(engine, "SELECT count(*), count(DISTINCT personal_id) FROM pop_person") == [
        (700, 700)
    ]
    assert _rows(engine, "SELECT count(*) FROM pop_residence") == [(700,)]
    indexes = {ix["name"] for ix in inspect(engine).get_indexes("pop_person")}
    assert {"ix_pop_person_father_id", "ix_pop_person_household_id"} <= indexes
    assert "Generating citizens" in capsys.readouterr().err


def test_clashing_ids_are_renumbered_everywhere():
    households, people, residences = generate._make_chunk(("clash", 50, 1))
    couple = next(p for p in people if p[generate.SPOUSE])
    old = couple[generate.PID]
    generate._claim_ids({old}, households, people, residences)
    new = couple[generate.PID]
    assert new != old and new[:6] == old[:6]
    ids = [p[generate.PID] for p in people]
    assert len(set(ids)) == len(ids) and old not in ids
    spouse = next(p for p in people if p[generate.PID] == couple[generate.SPOUSE])
    assert spouse[generate.SPOUSE] == new
    assert old not in {r[0] for r in residences} | {h[1] for h in households}


@pytest.mark.skipif(
    not on_postgres(),
    reason="set TEST_DATABASE_URL=postgresql://... to run the generator against PostgreSQL",
)
def test_postgresql():
    schema = f"gen_test_{uuid.uuid4().hex[:8]}"
    engine = make_engine(PG_URL, schema=schema)
    try:
        idp_registry.metadata.create_all(engine)
        generate_citizens(engine, 1000, seed=9)
        stats = generate_citizens(engine, 500, seed=9)
        assert stats["people"] == 500
        people = _people(engine)
        assert len(people) == 1500
        for pid, p in people.items():
            assert parse(pid).sex == p["sex"]
            assert p["provenance"] == {} and p["updated_at"].year == 2026
            if p["spouse_id"]:
                assert people[p["spouse_id"]]["spouse_id"] == pid
        assert _rows(engine, "SELECT count(*) FROM pop_residence") == [(1500,)]
        indexes = {ix["name"] for ix in inspect(engine).get_indexes("pop_residence")}
        assert "ix_pop_residence_personal_id" in indexes
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()
