"""Write-back payloads built from an approved dossier, with a fake registry."""

from __future__ import annotations

import pytest

from portal.models import Dossier
from portal.services import writeback
from portal.services.registry import RegistryError, RegistryRefused
from procedures.loader import load_catalogue

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
    message = writeback.write_back(
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
    message = writeback.write_back(
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
    message = writeback.write_back(
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


class FakeSession:
    def __init__(self):
        self.added, self.commits = [], 0

    def add(self, row):
        self.added.append(row)

    def commit(self):
        self.commits += 1


def test_after_approval_notes_failure_and_keeps_going(catalogue):
    fake = FakeRegistry(error=RegistryError("status 503"))
    session = FakeSession()
    found = dossier("1.001193", **BIRTH)
    found.id = 7
    message, category = writeback.after_approval(
        session,
        found,
        catalogue.get("1.001193"),
        fake.token,
        BASE,
        STAFF,
        "lanh_dao",
        post=fake.post,
    )
    assert category == "warn"
    assert message.startswith("Chưa ghi được vào CSDLQG về dân cư, sẽ thử lại")
    [event] = session.added
    assert (event.dossier_id, event.note, event.to_status) == (7, message, "approved")
    assert session.commits == 1


def test_after_approval_only_for_approved_dossiers(catalogue):
    found = dossier("1.001193", **BIRTH)
    found.status = "processing"
    fake = FakeRegistry()
    assert (
        writeback.after_approval(
            FakeSession(), found, catalogue.get("1.001193"), fake.token, BASE, STAFF, "lanh_dao"
        )
        is None
    )
