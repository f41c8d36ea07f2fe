"""Routing: which office gets a dossier and why; offices seeded from the divisions."""

import pytest
from sqlmodel import Session, select

from common.db import make_engine
from portal.models import Office
from portal.models.base import portal_registry
from portal.services.offices import seed_offices
from portal.services.routing import RoutingError, route
from procedures import load_catalogue
from tests.support.databases import database_settings, drop_schema

BEN_THANH, TAN_DINH, BINH_CHANH, BA_DINH = 26743, 26737, 27637, 4
CATALOGUE = load_catalogue()


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    settings = database_settings(tmp_path_factory.mktemp("routing"), "portal")
    engine = make_engine(settings["DATABASE_URL"], schema=settings["DATABASE_SCHEMA"])
    portal_registry.metadata.create_all(engine)
    with Session(engine) as s:
        seed_offices(s, CATALOGUE)
        yield s
    engine.dispose()
    drop_schema(settings["DATABASE_SCHEMA"])


@pytest.mark.parametrize(
    ("kind", "count"),
    [("ubnd_xa", 3321), ("cong_an_xa", 3321), ("ttpvhcc_xa", 3321), ("cong_an_tinh", 34),
     ("bhxh", 34), ("so_tu_phap", 34), ("ttpvhcc_tinh", 34)],
)  # fmt: skip
def test_every_body_has_an_office_in_every_commune_or_province(session, kind, count):
    assert len(session.exec(select(Office.code).where(Office.kind == kind)).all()) == count


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("79.26743", "UBND Phường Bến Thành"),
        ("79.26743.ca", "Công an Phường Bến Thành"),
        ("79.26743.tt", "Trung tâm Phục vụ hành chính công Phường Bến Thành"),
        ("79.cong-an", "Công an Thành phố Hồ Chí Minh"),
        ("79.bhxh", "Bảo hiểm xã hội Thành phố Hồ Chí Minh"),
        ("01.so-tu-phap", "Sở Tư pháp Thành phố Hà Nội"),
    ],
)
def test_office_codes_and_names(session, code, name):
    assert session.get(Office, code).name == name


def test_seeding_twice_creates_nothing_new(session):
    assert seed_offices(session, CATALOGUE) == 0


MARRIAGE, BIRTH, RESIDENCE = (CATALOGUE.get(c) for c in ("1.000894", "1.001193", "1.004222"))
CRIMINAL_RECORD = CATALOGUE.get("3.000333")


@pytest.mark.parametrize(
    ("procedure", "residence", "chosen", "office", "reason"),
    [
        (MARRIAGE, BEN_THANH, None, "79.26743", "nơi bạn thường trú"),
        (MARRIAGE, BEN_THANH, BEN_THANH, "79.26743", "nơi bạn thường trú"),
        (MARRIAGE, BEN_THANH, TAN_DINH, "79.26737", "Theo lựa chọn của bạn"),
        (BIRTH, TAN_DINH, BINH_CHANH, "79.27637", "không phụ thuộc địa giới"),
        (RESIDENCE, BA_DINH, None, "01.00004.ca", "nơi bạn thường trú"),
        (CRIMINAL_RECORD, BEN_THANH, None, "79.cong-an", "Công an Thành phố Hồ Chí Minh"),
        (CRIMINAL_RECORD, BA_DINH, TAN_DINH, "01.cong-an", "Hà Nội"),
    ],
)
def test_route(session, procedure, residence, chosen, office, reason):
    body = CATALOGUE.authority(procedure)
    decision = route(session, procedure, body, residence_ward=residence, chosen_ward=chosen)
    assert decision.office_code == office
    assert reason in decision.reason


@pytest.mark.parametrize(
    ("procedure", "residence", "chosen", "message"),
    [
        (MARRIAGE, BEN_THANH, BA_DINH, "Thành phố Hồ Chí Minh"),  # another province
        (MARRIAGE, BEN_THANH, 999999, "Chỉ được chọn"),  # no such commune
        (RESIDENCE, BEN_THANH, TAN_DINH, "chỉ giải quyết tại xã/phường nơi bạn thường trú"),
    ],
)
def test_refused_choices_explain_why(session, procedure, residence, chosen, message):
    with pytest.raises(RoutingError, match=message):
        route(
            session,
            procedure,
            CATALOGUE.authority(procedure),
            residence_ward=residence,
            chosen_ward=chosen,
        )
