"""Dossier codes: the TT 01/2018 shape, daily sequences per office, no duplicates under
concurrent submits (real threads, real database: SQLite file or PostgreSQL)."""

import re
import threading
from datetime import date

import pytest
from sqlmodel import Session

from common.db import make_engine
from portal.models.base import portal_registry
from portal.services.dossier_codes import format_code, new_code
from tests.support.databases import database_settings, drop_schema

DAY = date(2026, 11, 23)


@pytest.fixture
def engine(tmp_path):
    settings = database_settings(tmp_path, "portal")
    engine = make_engine(settings["DATABASE_URL"], schema=settings["DATABASE_SCHEMA"])
    portal_registry.metadata.create_all(engine)
    yield engine
    engine.dispose()
    drop_schema(settings["DATABASE_SCHEMA"])


def _take(engine, office: str, day: date) -> str:
    with Session(engine) as session:
        code = new_code(session, office, day)
        session.commit()
        return code


@pytest.mark.parametrize(
    ("office", "day", "number", "code"),
    [
        ("79.26743", date(2026, 11, 23), 1, "79.26743-261123-0001"),
        ("01.so-tu-phap", date(2027, 1, 5), 361, "01.so-tu-phap-270105-0361"),
        ("79.26743", date(2026, 11, 23), 12345, "79.26743-261123-12345"),
    ],
)
def test_format(office, day, number, code):
    assert format_code(office, day, number) == code


def test_sequence_is_per_office_and_per_day(engine):
    assert _take(engine, "79.26743", DAY).endswith("-261123-0001")
    assert _take(engine, "79.26743", DAY).endswith("-261123-0002")
    assert _take(engine, "79.26737", DAY).endswith("-261123-0001")
    assert _take(engine, "79.26743", date(2026, 11, 24)).endswith("-261124-0001")


def test_a_rolled_back_submit_does_not_burn_a_number(engine):
    with Session(engine) as session:
        new_code(session, "79.26743", DAY)
        session.rollback()
    assert _take(engine, "79.26743", DAY).endswith("-0001")


def test_concurrent_submits_get_distinct_codes(engine):
    codes: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def submit():
        try:
            start.wait()
            for _ in range(5):
                codes.append(_take(engine, "79.26743", DAY))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(codes) == 40 and len(set(codes)) == 40
    numbers = sorted(int(re.search(r"-(\d{4})$", c)[1]) for c in codes)
    assert numbers == list(range(1, 41))
