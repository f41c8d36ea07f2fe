"""Write-back payloads built from an approved dossier, with a fake registry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from portal.models import Dossier, DossierEvent, Office
from portal.services import issuing, results, writeback
from portal.services.registry import RegistryError, RegistryRefused
from procedures.loader import load_catalogue
from tests.support.databases import portal_engine

STAFF = "079090000001"
BASE = "http://idp.test/"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


class FakeRegistry:
    def __init__(self, answer: dict | None = None, error: Exception | None = None):
        self.calls: list[tuple[str, str, dict]] = []
        self.answer, self.error = answer or {}, error
        self.scopes: list[str] = []

    def token(self, scope: str) -> str:
        self.scopes.append(scope)
        return "tok-" + scope

    def post(self, url: str, token: str, body: dict, timeout: int) -> dict:
        self.calls.append((url, token, body))
        if self.error:
            raise self.error
        return self.answer


def dossier(code: str, **data) -> Dossier:
    return Dossier(
        code=f"{code}-TEST-01",
        procedure_code=code,
        procedure_version=1,
        applicant_id="079095001234",
        status="approved",
        data=data,
    )


BIRTH = {
    "birth_notice_number": "CS-2025-0001",
    "child_full_name": " Trần Bảo Ngọc ",
    "child_ethnicity": "Kinh",
    "child_birth_date": "2025-06-01",
    "mother_personal_id": "079195001111",
    "father_personal_id": "",
    "applicant_personal_id": "079195001111",
}


def test_birth_payload_and_message(catalogue):
    fake = FakeRegistry(
        {
            "personal_id": "079325123456",
            "full_name": "Trần Bảo Ngọc",
            "permanent_residence": True,
            "health_insurance": True,
        }
    )
    found = dossier("1.001193", **BIRTH)
    message, _ = writeback.write_back(
        found, catalogue.get("1.001193"), fake.token, BASE, STAFF, post=fake.post
    )
    [(url, token, body)] = fake.calls
    assert url == "http://idp.test/api/population/births"
    assert token == "tok-population.write"
    assert body == {
        "reference": found.code,
        "purpose": f"Liên thông kết quả Đăng ký khai sinh, hồ sơ {found.code}",
        "actor": STAFF,
        "birth_notice_number": "CS-2025-0001",
        "full_name": "Trần Bảo Ngọc",
        "ethnicity": "Kinh",
        "mother_id": "079195001111",
        "residence_of": "079195001111",
        "health_insurance": True,
    }
    assert "079325123456" in message
    assert "thường trú" in message and "BHYT" in message


def test_marriage_payload(catalogue):
    fake = FakeRegistry({"personal_ids": ["079095001234", "079195002222"]})
    found = dossier(
        "1.000894", applicant_personal_id="079095001234", partner_personal_id="079195002222"
    )
    message, _ = writeback.write_back(
        found, catalogue.get("1.000894"), fake.token, BASE, STAFF, post=fake.post
    )
    [(url, _, body)] = fake.calls
    assert url.endswith("/api/population/marriages")
    assert (body["person_id"], body["partner_id"]) == ("079095001234", "079195002222")
    assert body["reference"] == found.code
    assert "Đã kết hôn" in message


def test_death_payload(catalogue):
    fake = FakeRegistry({"personal_id": "079050003333", "died_on": "2025-05-30"})
    found = dossier("1.000656", deceased_personal_id="079050003333", death_date="2025-05-30")
    message, _ = writeback.write_back(
        found, catalogue.get("1.000656"), fake.token, BASE, STAFF, post=fake.post
    )
    [(url, _, body)] = fake.calls
    assert url.endswith("/api/population/deaths")
    assert (body["personal_id"], body["died_on"]) == ("079050003333", "2025-05-30")
    assert "079050003333" in message


@pytest.mark.parametrize("code", ["1.001078", "1.004222", "1.011634", "2.000884"])
def test_procedures_without_a_known_write_back_call_nothing(catalogue, code):
    fake = FakeRegistry()
    found = dossier(code)
    assert writeback.write_back(found, catalogue.get(code), fake.token, BASE, STAFF) is None
    assert fake.calls == [] and fake.scopes == []


@pytest.mark.parametrize(
    "error", [RegistryError("status 503"), RegistryRefused("No birth notice number X.")]
)
def test_registry_errors_propagate(catalogue, error):
    fake = FakeRegistry(error=error)
    with pytest.raises(RegistryError):
        writeback.write_back(
            dossier("1.001193", **BIRTH),
            catalogue.get("1.001193"),
            fake.token,
            BASE,
            STAFF,
            post=fake.post,
        )


def test_token_failure_is_a_registry_error(catalogue):
    def no_token(scope):
        raise RuntimeError("token endpoint down")

    with pytest.raises(RegistryError, match="token endpoint down"):
        writeback.write_back(
            dossier("1.000656", deceased_personal_id="079050003333", death_date="2025-05-30"),
            catalogue.get("1.000656"),
            no_token,
            BASE,
            STAFF,
        )


# --- sync: approval → registry → linked results, with a real database ---------------------

OFFICE = "79.26743"
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
CHILD = {
    "personal_id": "079326001234",
    "full_name": "Trần Bảo Ngọc",
    "birth_date": "2026-11-02",
    "household_id": 12,
    "permanent_residence": True,
    "residence_address": "12 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh",
    "health_insurance": True,
    "health_insurance_number": "TE1790326001234",
    "health_insurance_group": "Trẻ em dưới 6 tuổi",
    "health_insurance_valid_from": "2026-11-02",
    "health_insurance_valid_until": "2032-11-01",
}


@pytest.fixture
def session(tmp_path):
    with portal_engine(tmp_path) as engine, Session(engine) as session:
        session.add(
            Office(code=OFFICE, name="UBND Phường Bến Thành", kind="commune", province_code=79)
        )
        session.commit()
        yield session


def approved(session, tmp_path, catalogue, code: str, **data) -> Dossier:
    """An approved dossier waiting for the registry, with its own result signed."""
    found = dossier(code, **data)
    found.office_code, found.draft_key, found.registry_sync = OFFICE, None, "pending"
    session.add(found)
    session.flush()
    issuing.issue_main(
        session,
        found,
        catalogue.get(code),
        signer_id=STAFF,
        signer_name="Trương Thị Hạnh",
        now=NOW,
        key_folder=tmp_path / "keys",
    )
    session.commit()
    return found


def sync(session, tmp_path, catalogue, found, fake):
    return writeback.sync(
        session,
        found,
        catalogue.get(found.procedure_code),
        catalogue,
        writeback.Registry(BASE, fake.token, fake.post),
        actor_id=STAFF,
        actor_role="lanh_dao",
        now=NOW,
        key_folder=tmp_path / "keys",
    )


def notes(session, found) -> list[str]:
    return list(
        session.exec(select(DossierEvent.note).where(DossierEvent.dossier_id == found.id)).all()
    )


def test_a_birth_yields_three_signed_results(session, tmp_path, catalogue):
    found = approved(session, tmp_path, catalogue, "1.001193", **BIRTH)
    message, category = sync(session, tmp_path, catalogue, found, FakeRegistry(CHILD))
    assert category == "ok" and "079326001234" in message
    docs = results.of_dossier(session, found.id)
    assert [d.kind for d in docs] == ["trich_luc_khai_sinh", "xac_nhan_thuong_tru", "the_bhyt"]
    assert all(results.verify(d, tmp_path / "keys") for d in docs)
    residence, card = docs[1].content, docs[2].content
    assert residence["Số định danh cá nhân"] == "079326001234"
    assert residence["Nơi thường trú"].startswith("12 Lê Lợi")
    assert card["Mã số thẻ BHYT"] == "TE1790326001234"
    assert card["Giá trị sử dụng đến ngày"] == "01/11/2032"
    assert {d.signer_id for d in docs} == {STAFF}
    assert found.registry_sync == "done"
    assert "Đã cấp kèm" in notes(session, found)[-1]


def test_linked_results_follow_what_the_registry_did(session, tmp_path, catalogue):
    found = approved(session, tmp_path, catalogue, "1.001193", **BIRTH)
    answer = {**CHILD, "permanent_residence": False, "health_insurance": False}
    sync(session, tmp_path, catalogue, found, FakeRegistry(answer))
    assert [d.kind for d in results.of_dossier(session, found.id)] == ["trich_luc_khai_sinh"]


def test_a_failure_stays_pending_then_a_retry_issues_once(session, tmp_path, catalogue):
    found = approved(session, tmp_path, catalogue, "1.001193", **BIRTH)
    message, category = sync(
        session, tmp_path, catalogue, found, FakeRegistry(error=RegistryError("status 503"))
    )
    assert category == "warn"
    assert message.startswith("Chưa ghi được vào CSDLQG về dân cư, sẽ thử lại")
    assert found.registry_sync == "pending"
    assert writeback.pending(session) == [found]
    assert len(results.of_dossier(session, found.id)) == 1

    assert sync(session, tmp_path, catalogue, found, FakeRegistry(CHILD))[1] == "ok"
    again = FakeRegistry(CHILD)
    assert sync(session, tmp_path, catalogue, found, again) is None  # nothing pending
    assert again.calls == []
    assert len(results.of_dossier(session, found.id)) == 3
    assert writeback.pending(session) == []


def test_a_concurrent_retry_that_lost_issues_nothing(session, tmp_path, catalogue):
    found = approved(session, tmp_path, catalogue, "1.001193", **BIRTH)
    assert found.registry_sync == "pending"  # what the loser read
    with Session(session.get_bind()) as other:  # the winner, on its own connection
        other.execute(update(Dossier).where(Dossier.id == found.id).values(registry_sync="done"))
        other.commit()
    assert sync(session, tmp_path, catalogue, found, FakeRegistry(CHILD)) is None
    assert len(results.of_dossier(session, found.id)) == 1


def test_a_marriage_issues_no_linked_result(session, tmp_path, catalogue):
    found = approved(
        session,
        tmp_path,
        catalogue,
        "1.000894",
        applicant_personal_id="079095001234",
        partner_personal_id="079195002222",
    )
    fake = FakeRegistry({"personal_ids": ["079095001234", "079195002222"]})
    message, _ = sync(session, tmp_path, catalogue, found, fake)
    assert "Đã kết hôn" in message and "Đã cấp kèm" not in message
    assert found.registry_sync == "done"


@pytest.mark.parametrize(
    ("code", "writes"),
    [("1.001193", True), ("1.000894", True), ("1.000656", True), ("1.004222", False),
     ("1.004873", False)],
)  # fmt: skip
def test_writes_back(catalogue, code, writes):
    assert writeback.writes_back(catalogue.get(code)) is writes
    assert writeback.writes_back(None) is False
