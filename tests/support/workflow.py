"""A state-machine test bench shared by the workflow tests (tests/unit/test_workflow*.py):
one database per module emptied before each test, staff of every role, dossiers at any
status (with parties, a result), actors for each action and `act` with sensible defaults."""

from datetime import date, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import update
from sqlmodel import Session

from common.tz import VN_TZ
from portal.models import Dossier, DossierParty, ResultDocument, Staff
from portal.services import workflow
from portal.services.workflow import ACTIONS, citizen
from tests.support.databases import emptied, module_database

APPLICANT = "079203001234"
PARTNER = "079303005678"  # a party whose confirmation the dossier needs
OTHER_CITIZEN = "079190004321"
COMMUNE = "79.26743"  # Phường Bến Thành
OTHER_COMMUNE = "79.26740"
PROVINCE = "79.so-tu-phap"
ALL_ROLES = "tiep_nhan,xu_ly,lanh_dao"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=VN_TZ)  # a Monday morning, Vietnam time
# Wednesday 25/11 09:00 (Tuesday 24/11 is Vietnam Culture Day), at the commune's desk
APPOINTMENT = (datetime(2026, 11, 25, 9, 0, tzinfo=VN_TZ), "Bộ phận một cửa UBND phường")
WORKING_DAYS = 5

STAFF = {  # personal_id: (office, roles)
    "079100000001": (COMMUNE, "tiep_nhan"),
    "079100000002": (COMMUNE, "xu_ly"),
    "079100000003": (COMMUNE, "lanh_dao"),
    "079100000004": (COMMUNE, ALL_ROLES),
    "079100000005": (OTHER_COMMUNE, ALL_ROLES),
    "079100000006": (PROVINCE, ALL_ROLES),
}
BY_ROLE = {"tiep_nhan": "079100000001", "xu_ly": "079100000002", "lanh_dao": "079100000003"}
ALL_IN_ONE, OTHER_OFFICE, PROVINCE_CLERK = "079100000004", "079100000005", "079100000006"


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    """One database for the module."""
    with module_database(tmp_path_factory.mktemp("workflow")) as engine:
        yield engine


@pytest.fixture
def engine(tables):
    """The module's database emptied, with the staff of STAFF."""
    emptied(tables)
    with Session(tables) as session:
        for pid, (office, roles) in STAFF.items():
            session.add(Staff(personal_id=pid, office_code=office, roles=roles))
        session.commit()
    return tables


@pytest.fixture
def session(engine):
    with Session(engine) as session:
        yield session


_serial = iter(range(1, 1_000_000))


def make_dossier(
    session, status: str, office: str = COMMUNE, *, parties: bool = False, **extra
) -> Dossier:
    dossier = Dossier(
        code=f"{office}-261123-{next(_serial):04d}",
        procedure_code="1.001193",
        procedure_version=1,
        status=status,
        office_code=office,
        version=3,
        **({"due_date": date(2026, 11, 30), "applicant_id": APPLICANT} | extra),
    )
    session.add(dossier)
    session.flush()
    if status != "draft":  # like submit: the draft key is cleared once filed
        session.execute(update(Dossier).where(Dossier.id == dossier.id).values(draft_key=None))
    if parties:  # the applicant and a co-party who must confirm
        session.add(DossierParty(dossier_id=dossier.id, personal_id=dossier.applicant_id,
                                 role="applicant", consent="applicant"))  # fmt: skip
        session.add(DossierParty(dossier_id=dossier.id, personal_id=PARTNER, role="spouse",
                                 consent="required"))  # fmt: skip
    session.commit()
    session.refresh(dossier)
    return dossier


def add_result(session, dossier: Dossier) -> ResultDocument:
    doc = ResultDocument(dossier_id=dossier.id, number=f"{dossier.id}/2026/KS", kind="ks",
                         title="Giấy khai sinh", office_code=dossier.office_code,
                         office_name="UBND", signer_id="079100000003", signer_name="Lãnh đạo",
                         issued_at=NOW, verification_code=f"V{dossier.id}", signature="s",
                         key_id="k")  # fmt: skip
    session.add(doc)
    session.commit()
    return doc


PARTY_KINDS = ("party", "co_party")
# A procedure with a draft to confirm and an in-person step (the marriage's)
WITH_STEPS = SimpleNamespace(draft_confirmation=True, in_person=SimpleNamespace(what="Ký sổ"))


def needs_parties(action: str) -> bool:
    return ACTIONS[action].actor in PARTY_KINDS


def prepared(session, action: str, status: str, **extra) -> Dossier:
    """A dossier at `status` with what `action` needs besides: parties, a result."""
    dossier = make_dossier(session, status, parties=needs_parties(action), **extra)
    if action == "revoke":
        add_result(session, dossier)
    return dossier


def staff(session, pid: str) -> workflow.Actor:
    return workflow.staff_actor(session, pid)


def actor_for(session, action: str, dossier: Dossier | None = None) -> workflow.Actor:
    a = ACTIONS[action]
    if a.actor == "citizen":
        return citizen(APPLICANT)
    if a.actor in PARTY_KINDS:
        return workflow.party(PARTNER)
    if a.actor == "system":
        return workflow.system()
    role = a.role_for(dossier) if dossier is not None else a.role
    return staff(session, BY_ROLE[role])


def act(session, dossier, action, actor, **kw):
    kw.setdefault("expected_version", dossier.version)
    kw.setdefault("note", "Ghi chú" if ACTIONS[action].note_label else None)
    kw.setdefault("working_days", WORKING_DAYS)
    kw.setdefault("new_due_date", date(2026, 12, 15))
    kw.setdefault("now", NOW)
    kw.setdefault("appointment", APPOINTMENT)
    kw.setdefault("procedure", WITH_STEPS if action in ("send_draft", "schedule") else None)
    return workflow.apply(session, dossier, action, actor, **kw)
