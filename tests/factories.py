"""One home for the portal's test data: who is who, the offices and procedures the tests
use, the registry's record of An, and helpers that sign in and write dossiers, rows and
signed results straight into an app's database (no provider, no HTTP).

Test modules import from here (or from tests/support/), never from one another
(tests/unit/test_test_layout.py checks it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

from flask_login.utils import _create_identifier
from sqlalchemy import update
from sqlmodel import Session, select

from portal.db import db
from portal.models import Citizen, Dossier, Office, utcnow
from portal.models.results import ResultDocument
from portal.services import deadlines, dossiers, parties, results, sessions, workflow
from portal.services.offices import seed_offices
from portal.services.staff import seed_staff
from tests.support.apps import dispose, make_portal
from tests.support.databases import portal_engine
from tests.support.filing import csrf_token

# --- who ----------------------------------------------------------------------------------

AN = "079095001234"  # a citizen of Phường Bến Thành, not staff
BINH = "079190004321"  # another citizen
LAN = "079302034567"  # a third citizen
HANH = "079187090123"  # staff of 79.26743 (Phường Bến Thành), every role
LONG = "001085101234"  # staff of 01.00004 (Hà Nội)
QUYNH = "079178112345"  # staff of 79.so-tu-phap
NAMES = {
    AN: "Nguyễn Văn An",
    LAN: "Đỗ Thị Lan",
    HANH: "Trương Thị Hạnh",
    LONG: "Đặng Văn Long",
    QUYNH: "Phan Thị Quỳnh",
}

# --- where and what -----------------------------------------------------------------------

COMMUNE, PROVINCE = "79.26743", "79.so-tu-phap"
COMMUNE_NAME = "UBND Phường Bến Thành"
MARITAL = "1.004873"  # commune level, 3 working days: the marital-status confirmation
CRIMINAL_RECORD = "3.000333"  # province level (Sở Tư pháp)
DATA = {  # what An typed for MARITAL
    "applicant_full_name": "Nguyễn Văn An",
    "applicant_personal_id": AN,
    "applicant_birth_date": "1995-04-12",
    "marital_status": "Chưa kết hôn",
    "purpose": "Đăng ký kết hôn",
}
PURPOSE = "Mục đích sử dụng giấy xác nhận"  # a field of the signed confirmation
FOR_MARRIAGE = {PURPOSE: "Đăng ký kết hôn"}
SIGNER_ID, SIGNER_NAME = "079080001111", "Trần Văn Chủ tịch"


def commune_office() -> Office:
    return Office(code=COMMUNE, name=COMMUNE_NAME, kind="commune", province_code=79)


# --- what the population registry knows about An ----------------------------------------


def registry_item(value, source: str = "CSDLQG về dân cư") -> dict:
    return {"value": value, "source": source, "updated_at": "2026-11-01T08:00:00"}


RECORD: dict[str, Any] = {
    "personal_id": registry_item(AN),
    "full_name": registry_item("Nguyễn Văn An"),
    "birth_date": registry_item("1995-04-12"),
    "sex": registry_item("Nam"),
    "ethnicity": registry_item("Kinh"),
    "nationality": registry_item("Việt Nam"),
    "permanent_residence": registry_item(
        {"full": "15 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh"}
    ),
    "temporary_residence": None,
    "marital_status": registry_item("Chưa kết hôn"),
    "father": registry_item(None),
    "mother": registry_item(None),
    "spouse": registry_item(None),
    "children": registry_item([]),
    "household": registry_item(
        {
            "id": "HCM-0001",
            "head_id": AN,
            "poor_household": False,
            "members": [
                {
                    "personal_id": AN,
                    "full_name": "Nguyễn Văn An",
                    "birth_date": "1995-04-12",
                    "alive": True,
                    "relation_to_head": "chủ hộ",
                }
            ],
        }
    ),
    "id_card": registry_item({"issued_on": "2021-04-20", "expires_on": "2035-04-12"}),
    "meritorious_family": registry_item(False),
    "disability": registry_item(False),
    "health_insurance": registry_item(True),
    "died_on": registry_item(None),
    "birth_notices": [],
}

# What the registry knows about Lan, the other spouse of the marriage tests
LAN_RECORD = {
    **RECORD,
    "personal_id": registry_item(LAN),
    "full_name": registry_item("Đỗ Thị Lan"),
    "birth_date": registry_item("2002-03-04"),
    "sex": registry_item("Nữ"),
    "ethnicity": registry_item("Tày"),
    "permanent_residence": registry_item({"full": "3 Hai Bà Trưng, Phường Sài Gòn"}),
}


# --- apps and databases -------------------------------------------------------------------


def staff_and_commune(session: Session) -> None:
    """The commune's office, then the demo staff (Hạnh's is a one-person office)."""
    session.add(commune_office())
    session.flush()
    seed_staff(session)


@contextmanager
def backoffice_portal(tmp: Path) -> Iterator:
    """A portal (no provider) with the demo staff and the commune's office, dropped after."""
    app = make_portal(
        tmp, issuer="http://127.0.0.1:9", portal_url="http://portal.test", seed=staff_and_commune
    )
    try:
        yield app
    finally:
        dispose(app)


@contextmanager
def office_session(tmp: Path) -> Iterator[Session]:
    """A session on a fresh portal database that knows the commune's office and An."""
    with portal_engine(tmp) as engine, Session(engine) as session:
        session.add(commune_office())
        session.add(Citizen(personal_id=AN, full_name=NAMES[AN], level=2))
        session.commit()
        yield session


@contextmanager
def every_office_session(tmp: Path, catalogue) -> Iterator[Session]:
    """A session on a fresh portal database with an office of every body in every commune
    and province (services/offices.seed_offices)."""
    with portal_engine(tmp) as engine, Session(engine) as session:
        seed_offices(session, catalogue)
        yield session


# --- signing in ---------------------------------------------------------------------------


def sign_in(
    app, client, personal_id: str = AN, full_name: str | None = None, *, level: int = 2
) -> None:
    """A signed-in session without the provider: open the session row, set the cookie.
    The name defaults to the person's (NAMES), else An's."""
    with app.app_context(), db.new_session() as session:
        login = sessions.open_session(
            session,
            personal_id=personal_id,
            full_name=full_name or NAMES.get(personal_id, NAMES[AN]),
            level=level,
            access_token="at",
            id_token="it",
            hours=1,
        )
    with client:
        client.get("/healthz")
        identifier = _create_identifier()  # what session_protection="strong" checks
    with client.session_transaction() as s:
        s.update(_user_id=login.id, _fresh=True, _id=identifier)


# --- dossiers, rows and results -----------------------------------------------------------

_serial = count(1)
BEFORE_RECEPTION = ("draft", "awaiting_parties", "submitted", "refused_reception", "withdrawn")


def _add_parties(app, session: Session, dossier: Dossier) -> None:
    """The dossier's party rows as a submission writes them (the applicant first)."""
    procedure = app.extensions["catalogue"].get(dossier.procedure_code)
    if procedure is not None and dossier.status != "draft":
        parties.add_parties(session, dossier, procedure, dossier.data, deadlines.today())


def add_dossiers(app, *specs: dict) -> list[str]:
    """Insert filed dossiers directly (An's MARITAL at the commune, submitted, due in 20
    days; received now when the status is past reception), with their party rows; each spec
    overrides the defaults. Their codes."""
    codes = []
    with app.app_context(), db.new_session() as session:
        for spec in specs:
            n = next(_serial)
            values = {
                "code": f"{spec.get('office_code', COMMUNE)}-261123-{n:05d}",
                "procedure_code": MARITAL,
                "procedure_version": 1,
                "applicant_id": AN,
                "draft_key": None,
                "status": "submitted",
                "office_code": COMMUNE,
                "data": DATA,
                "submitted_at": utcnow(),
                "due_date": deadlines.today() + timedelta(days=20),
            } | spec
            if values["status"] not in BEFORE_RECEPTION:
                values.setdefault("received_at", values["submitted_at"])
            dossier = Dossier(**values)
            session.add(dossier)
            session.flush()  # a filed dossier has no draft key (the model's default is "draft")
            filed = update(Dossier).where(Dossier.code == values["code"]).values(draft_key=None)
            session.execute(filed)
            _add_parties(app, session, dossier)
            codes.append(values["code"])
        session.commit()
    return codes


def load(app, code: str) -> Dossier:
    """The dossier with `code`, detached from its session."""
    with app.app_context(), db.new_session() as session:
        found = session.exec(select(Dossier).where(Dossier.code == code)).one()
        session.expunge(found)
        return found


def add_rows(app, *rows) -> None:
    with app.app_context(), db.new_session() as session:
        session.add_all(rows)
        session.commit()


def stored(app, model, **where) -> list:
    """The rows of `model` whose columns equal `where`, detached from their session."""
    with app.app_context(), db.new_session() as session:
        query = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        rows = session.exec(query).all()
        for row in rows:
            session.expunge(row)
        return list(rows)


def issue_result(
    app,
    dossier_id: int | None,
    title: str = "Trích lục khai sinh",
    *,
    kind: str = "trich_luc_khai_sinh",
    content: dict | None = None,
    now: datetime | None = None,
) -> ResultDocument:
    """A result signed by the commune's chairman on the dossier (a birth extract issued on
    25/11/2026 unless told otherwise), detached from its session."""
    with app.app_context(), db.new_session() as session:
        dossier = session.get(Dossier, dossier_id)
        assert dossier is not None, f"no dossier {dossier_id}"
        doc = results.issue(
            session,
            dossier,
            kind=kind,
            title=title,
            content=content or {"Họ, chữ đệm, tên": "Nguyễn Văn Bé"},
            office_code=COMMUNE,
            signer_id=SIGNER_ID,
            signer_name=SIGNER_NAME,
            now=now or datetime(2026, 11, 25, 3, 0, tzinfo=UTC),
            key_folder=results.key_folder(app.instance_path),
        )
        session.commit()
        session.expunge(doc)
        return doc


def issue_confirmation(app, *, owner=AN, content=FOR_MARRIAGE, days_ago=10) -> ResultDocument:
    """A signed marital-status confirmation issued `days_ago` on an approved MARITAL dossier
    of `owner`: what the data store offers for a marriage."""
    (code,) = add_dossiers(
        app, {"procedure_code": MARITAL, "applicant_id": owner, "status": "approved"}
    )
    return issue_result(
        app,
        load(app, code).id,
        "Giấy xác nhận tình trạng hôn nhân (bản điện tử)",
        kind="xac_nhan_tinh_trang_hon_nhan",
        content={"Họ, chữ đệm và tên": DATA["applicant_full_name"], **content},
        now=utcnow() - timedelta(days=days_ago),
    )


# --- the back office's pages --------------------------------------------------------------


def act(client, code: str, action: str, **form) -> object:
    """Post a back-office action on a dossier as its page's form would (CSRF, version)."""
    page = client.get(f"/can-bo/ho-so/{code}")
    token = csrf_token(page.get_data(as_text=True))
    version = re.search(r'name="version" value="(\d+)"', page.get_data(as_text=True))
    data = {"csrf_token": token, "version": version[1] if version else ""} | form
    return client.post(f"/can-bo/ho-so/{code}/{action}", data=data)


def tab_counts(html: str) -> dict[str, int]:
    found = re.findall(r'tab=([a-z-]+)"[^>]*>[^<]*<span class="count">\((\d+)\)', html)
    return {key: int(n) for key, n in found}


def listed_codes(html: str) -> list[str]:
    return re.findall(r'<td><a href="/can-bo/ho-so/([^"]+)"', html)


# --- the hospital birth of the demo parents (birth notice of the registry) ----------------

BIRTH_COMMUNE = "79.26743"
BIRTH_NOTICE = "GCS-79-2026-004512"
MOTHER, FATHER = "052196007890", "079093004567"
BIRTH_DATA = {
    "birth_notice_number": BIRTH_NOTICE,
    "child_full_name": "Trần Bảo Ngọc",
    "child_ethnicity": "Kinh",
    "mother_personal_id": MOTHER,
    "father_personal_id": FATHER,
    "applicant_personal_id": FATHER,
}


def add_birth_dossier(app, code: str, *, status: str = "processing", **extra: Any) -> int:
    """The father's birth registration (1.001193) at the commune, received today, with its
    parties (the father, the mother informed); returns its id. `extra` sets further columns
    (an approval's `registry_sync`, …). Approving it needs the draft confirmed first
    (`ready_to_sign`)."""
    with app.app_context(), db.new_session() as session:
        dossier = Dossier(
            code=code,
            procedure_code="1.001193",
            procedure_version=1,
            applicant_id=FATHER,
            status=status,
            office_code=BIRTH_COMMUNE,
            data=BIRTH_DATA,
            submitted_at=utcnow(),
            received_at=utcnow(),
            due_date=deadlines.today() + timedelta(days=3),
            **extra,
        )
        session.add(dossier)
        session.flush()
        session.execute(update(Dossier).where(Dossier.code == code).values(draft_key=None))
        _add_parties(app, session, dossier)
        session.commit()
        assert dossier.id is not None
        return dossier.id


# --- the steps before signing a civil-status result ---------------------------------------

PLACE = "Bộ phận Một cửa, UBND Phường Bến Thành"


def confirm_draft(app, client, code: str) -> None:
    """The clerk (signed in on `client`) sends the draft result; the applicant and every
    party asked confirm it (workflow.party), each with their own answer."""
    resp = act(client, code, "send_draft")
    assert resp.status_code == 302, resp.get_data(as_text=True)
    with app.app_context(), db.new_session() as session:
        found = session.exec(select(Dossier).where(Dossier.code == code)).one()
        procedure = app.extensions["catalogue"].get(found.procedure_code)
        for reader in dossiers.draft_readers(session, found):
            workflow.apply(
                session,
                found,
                "confirm_draft",
                workflow.party(reader.personal_id),
                expected_version=found.version,
                now=utcnow(),
                procedure=procedure,
            )


def appointment_day() -> str:
    """The next working day (an appointment the office may give), yyyy-mm-dd."""
    return deadlines.add_working_days(deadlines.today(), 1).isoformat()


def attend(app, client, code: str) -> None:
    """The clerk gives an appointment (the next working day, 09:00), the day comes, and he
    records that the parties came."""
    resp = act(
        client,
        code,
        "schedule",
        appointment_date=appointment_day(),
        appointment_time="09:00",
        appointment_place=PLACE,
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    with app.app_context(), db.new_session() as session:  # the day of the appointment
        session.execute(update(Dossier).where(Dossier.code == code).values(appointment_at=utcnow()))
        session.commit()
    resp = act(client, code, "record_attendance")
    assert resp.status_code == 302, resp.get_data(as_text=True)


def ready_to_sign(app, client, code: str) -> None:
    """Whatever the dossier's procedure asks before its result is signed: the draft
    confirmed (hộ tịch), the parties' attendance (marriage). The clerk is on `client`."""
    procedure = app.extensions["catalogue"].get(load(app, code).procedure_code)
    if procedure.draft_confirmation:
        confirm_draft(app, client, code)
    if procedure.in_person is not None:
        attend(app, client, code)
