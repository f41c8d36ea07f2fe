"""Write-back payloads built from an approved dossier, with a fake registry, each body its
own change (the birth, the residence, the card, the removal); the write first, then the
signed result and the linked group's parts at their own bodies; a refusal back to the
officer, without a result."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import update
from sqlmodel import Session, select

from portal.models import Citizen, Dossier, DossierEvent, Office, Staff
from portal.services import issuing, results, workflow, writeback, writeback_client
from portal.services.registry import (
    PersonNotFound,
    RegistryAuthExpired,
    RegistryError,
    RegistryRefused,
)
from procedures.loader import load_catalogue
from tests.support.databases import portal_engine

STAFF = "079090000001"
BASE = "http://idp.test/"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


class FakeRegistry:
    def __init__(
        self,
        answer: dict | None = None,
        error: Exception | None = None,
        records: dict | None = None,
    ):
        self.calls: list[tuple[str, str, dict]] = []
        self.answer, self.error = answer or {}, error
        self.scopes: list[str] = []
        self.records = RECORDS if records is None else records
        self.lookups: list[str] = []

    def lookup(self, personal_id: str, purpose: str, actor: str) -> dict:
        self.lookups.append(personal_id)
        if personal_id not in self.records:
            raise PersonNotFound(personal_id)
        return self.records[personal_id]

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
    fake = FakeRegistry({"personal_id": "079325123456", "full_name": "Trần Bảo Ngọc"})
    found = dossier("1.001193", **BIRTH)
    found.office_code = "79.26743"
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
        "registration_province_code": 79,  # the province of the registering office
    }
    assert "079325123456" in message and "giấy chứng sinh điện tử" in message
    assert "thường trú" not in message and "BHYT" not in message  # the other bodies' writes


DECLARED = {
    **BIRTH,
    "birth_notice_number": "",
    "child_birth_date": "2026-11-01",
    "child_sex": "Nam",
    "child_birth_place": "Nhà riêng, 12 Lê Lợi",
    "mother_full_name": "Lê Thị Hoa",
    "mother_birth_date": "02/03/1996",
    "father_personal_id": "079093004567",
    "father_full_name": "Trần Minh Khoa",
    "_typed": ["child_birth_date", "child_sex", "child_birth_place", "birth_notice_number"],
}


@pytest.mark.parametrize(
    ("paper", "proof"), [("", "nguoi_lam_chung"), ("GCS-GIAY-01", "giay_chung_sinh")]
)
def test_a_birth_without_an_electronic_notice_sends_what_was_declared(catalogue, paper, proof):
    fake = FakeRegistry(
        {
            "personal_id": "079326123456",
            "full_name": "Trần Bảo Ngọc",
            "declared": True,
            "proof_label": "Văn bản của người làm chứng xác nhận việc sinh",
        }
    )
    found = dossier("1.001193", **{**DECLARED, "birth_notice_number": paper})
    message, _ = writeback.write_back(
        found, catalogue.get("1.001193"), fake.token, BASE, STAFF, post=fake.post
    )
    [(_, _, body)] = fake.calls
    assert "birth_notice_number" not in body
    assert (body["birth_date"], body["sex"], body["birth_place"]) == (
        "2026-11-01",
        "nam",
        "Nhà riêng, 12 Lê Lợi",
    )
    assert body["proof"] == proof and body.get("proof_number") == (paper or None)
    assert (body["mother_id"], body["mother_full_name"], body["mother_birth_date"]) == (
        "079195001111",
        "Lê Thị Hoa",
        "1996-03-02",
    )
    assert (body["father_id"], body["father_full_name"]) == ("079093004567", "Trần Minh Khoa")
    assert "văn bản của người làm chứng" in message


def test_residence_payloads_for_a_move_and_for_a_newborn(catalogue):
    fake = FakeRegistry(
        {
            "personal_id": "079095001234",
            "full_name": "Nguyễn Văn An",
            "residence_address": "7 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh",
            "relation_to_head": "Chủ hộ",
        }
    )
    move = dossier(
        "1.004222",
        applicant_personal_id="079095001234",
        new_street="7 Lê Lợi",
        new_ward_code="Phường Bến Thành",
        relation_to_head="Là chủ hộ",
        household_head_personal_id="079095001234",
    )
    move.office_code = "79.26743.ca"
    message, _ = writeback.write_back(
        move, catalogue.get("1.004222"), fake.token, BASE, STAFF, post=fake.post
    )
    newborn = dossier(
        "1.004222",
        applicant_personal_id="079326001234",
        new_street="12 Lê Lợi",
        new_ward_code="26743",
        household_head_personal_id="079093004567",
    )
    writeback.write_back(
        newborn, catalogue.get("1.004222"), fake.token, BASE, STAFF, post=fake.post
    )
    [(url, _, moved), (_, _, born)] = fake.calls
    assert url == "http://idp.test/api/population/residences"
    assert moved["personal_id"] == "079095001234" and "household_head_id" not in moved
    assert (moved["ward_code"], moved["street"], moved["relation_to_head"]) == (
        26743,  # the name resolved to the ward's code
        "7 Lê Lợi",
        "Là chủ hộ",
    )
    assert born["household_head_id"] == "079093004567" and "relation_to_head" not in born
    assert (born["personal_id"], born["ward_code"]) == ("079326001234", 26743)
    assert "đăng ký thường trú tại 7 Lê Lợi" in message and "Chủ hộ" in message


def test_removal_and_card_payloads(catalogue):
    fake = FakeRegistry(
        {
            "personal_id": "079049003311",
            "full_name": "Huỳnh Văn Sáu",
            "removed_residence": "64 Nguyễn An Ninh, Phường Bến Thành",
            "health_insurance_number": "TE1790326001234",
        }
    )
    removal = dossier(
        "1.003197",
        applicant_personal_id="079178055642",
        removed_is_applicant="Thành viên khác trong hộ gia đình",
        removed_personal_id="079049003311",
        reason="Đã chết, bị Tòa án tuyên bố mất tích hoặc đã chết",
        event_date="2026-11-26",
    )
    message, _ = writeback.write_back(
        removal, catalogue.get("1.003197"), fake.token, BASE, STAFF, post=fake.post
    )
    own = dossier(
        "1.003197", applicant_personal_id="079178055642", removed_is_applicant="Bản thân tôi",
        removed_personal_id="079049003311", reason="Ra nước ngoài để định cư",
    )  # fmt: skip
    writeback.write_back(own, catalogue.get("1.003197"), fake.token, BASE, STAFF, post=fake.post)
    card = dossier("1.014137", child_personal_id="079326001234", primary_care_facility="Trạm")
    card.office_code = "79.bhxh"
    card_message, _ = writeback.write_back(
        card, catalogue.get("1.014137"), fake.token, BASE, STAFF, post=fake.post
    )
    [(url, _, removed), (_, _, mine), (card_url, _, issued)] = fake.calls
    assert url.endswith("/api/population/residence-removals")
    assert (removed["personal_id"], removed["event_date"]) == ("079049003311", "2026-11-26")
    assert mine["personal_id"] == "079178055642"  # "Bản thân tôi": the applicant
    assert "xóa đăng ký thường trú của Huỳnh Văn Sáu" in message
    assert card_url.endswith("/api/population/health-insurance-cards")
    assert issued == {
        "reference": card.code,
        "purpose": f"Liên thông kết quả Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi, hồ sơ "
        f"{card.code}",
        "actor": STAFF,
        "personal_id": "079326001234",
        "province_code": 79,
        "primary_care_facility": "Trạm",
    }
    assert "TE1790326001234" in card_message


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


@pytest.mark.parametrize("code", ["3.000333", "2.000884", "1.014177", "1.001731"])
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
# The registry's answer to the birth: the child, no residence or card yet.
CHILD = {
    "personal_id": "079326001234",
    "full_name": "Trần Bảo Ngọc",
    "birth_date": "2026-11-02",
    "sex": "nu",
    "mother_id": "079195001111",
    "father_id": None,
    "declared": False,
}


def _item(value):
    return {"value": value, "source": "CSDLQG", "updated_at": ""}


# The registry's records the linked parts read: the child once registered, the mother who
# filed (the child is registered at her permanent residence).
CHILD_RECORD = {
    "personal_id": _item(CHILD["personal_id"]),
    "full_name": _item("Trần Bảo Ngọc"),
    "birth_date": _item("2026-11-02"),
    "sex": _item("Nữ"),
    "permanent_residence": None,
    "health_insurance": _item(False),
}
APPLICANT = "079095001234"
APPLICANT_RECORD = {
    "personal_id": _item(APPLICANT),
    "full_name": _item("Lê Thị Hoa"),
    "permanent_residence": _item(
        {
            "street": "12 Lê Lợi",
            "ward_code": 26743,
            "province_code": 79,
            "full": "12 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh",
        }
    ),
    "household": _item({"id": "HCM-0012", "head_id": APPLICANT}),
}
RECORDS = {CHILD["personal_id"]: CHILD_RECORD, APPLICANT: APPLICANT_RECORD}
PARTS_AT = {"1.004222": "79.26743.ca", "1.014137": "79.bhxh"}


@pytest.fixture
def session(tmp_path):
    with portal_engine(tmp_path) as engine, Session(engine) as session:
        session.add(
            Office(
                code=OFFICE,
                name="UBND Phường Bến Thành",
                kind="ubnd_xa",
                province_code=79,
                ward_code=26743,
            )
        )
        session.add(
            Office(
                code="79.26743.ca",
                name="Công an Phường Bến Thành",
                kind="cong_an_xa",
                province_code=79,
                ward_code=26743,
            )
        )
        session.add(
            Office(
                code="79.bhxh",
                name="Bảo hiểm xã hội Thành phố Hồ Chí Minh",
                kind="bhxh",
                province_code=79,
            )
        )
        session.add(Citizen(personal_id=STAFF, full_name="Trương Thị Hạnh", level=2))
        session.add(Staff(personal_id=STAFF, office_code=OFFICE, roles="xu_ly,lanh_dao"))
        session.commit()
        yield session


def approved(session, catalogue, code: str, **data) -> Dossier:
    """A dossier the leader STAFF approved, its write owed to the registry: nothing signed."""
    found = dossier(code, **data)
    found.office_code, found.draft_key, found.registry_sync = OFFICE, None, "pending"
    found.draft_confirmed_at = NOW  # the parties confirmed the draft
    session.add(found)
    session.flush()
    session.add(
        DossierEvent(
            dossier_id=found.id,
            actor_id=STAFF,
            actor_role="lanh_dao",
            action="approve",
            from_status="processing",
            to_status="approved",
        )
    )
    session.commit()
    return found


def sync(session, tmp_path, catalogue, found, fake, now=NOW):
    return writeback.sync(
        session,
        found.id,
        catalogue,
        writeback.Registry(BASE, fake.token, fake.post, fake.lookup),
        now=now,
        key_folder=tmp_path / "keys",
    )


def parts(session, found) -> dict[str, str]:
    """The group's parts: procedure code -> office."""
    rows = session.exec(select(Dossier).where(Dossier.group_id == found.id)).all()
    return {d.procedure_code: d.office_code for d in rows}


def notes(session, found) -> list[str]:
    return list(
        session.exec(select(DossierEvent.note).where(DossierEvent.dossier_id == found.id)).all()
    )


def test_a_birth_is_signed_after_the_write_and_its_parts_go_to_their_bodies(
    session, tmp_path, catalogue
):
    found = approved(session, catalogue, "1.001193", **BIRTH)
    assert results.of_dossier(session, found.id) == []  # nothing signed at approval
    fake = FakeRegistry(CHILD)
    outcome = sync(session, tmp_path, catalogue, found, fake)
    assert outcome.state == "done" and "079326001234" in outcome.message
    assert "Đã ký số Giấy khai sinh số " in outcome.message
    # the UBND signs its own result only: the residence and the card are the other bodies'
    [doc] = results.of_dossier(session, found.id)
    assert doc.kind == "giay_khai_sinh" and results.verify(doc, tmp_path / "keys")
    assert (doc.signer_id, doc.signer_name) == (STAFF, "Trương Thị Hạnh")
    child = doc.content["Người được đăng ký khai sinh"]
    assert child["Số định danh cá nhân"] == "079326001234"  # from the registry's answer
    assert parts(session, found) == PARTS_AT
    # the child's record and the applicant's (where the child is registered), once each
    assert fake.lookups == ["079326001234", APPLICANT]
    assert found.registry_sync == "done"
    assert "Đã chuyển hồ sơ liên thông" in notes(session, found)[-1]


def test_the_write_and_the_result_name_the_approving_officer(session, tmp_path, catalogue):
    found = approved(session, catalogue, "1.001193", **BIRTH)
    session.add(
        DossierEvent(
            dossier_id=found.id,
            actor_id="079190000009",
            actor_role="lanh_dao",
            from_status="processing",
            to_status="approved",
        )
    )
    session.commit()
    fake = FakeRegistry(CHILD)
    sync(session, tmp_path, catalogue, found, fake)
    [(_, _, body)] = fake.calls
    assert body["actor"] == "079190000009"
    main = results.of_dossier(session, found.id)[0]
    assert (main.signer_id, main.signer_name) == ("079190000009", "079190000009")  # no name


def test_linked_parts_follow_what_the_registry_records(session, tmp_path, catalogue):
    """No permanent residence of the parent to register the child at, and a card already:
    no part; the UBND signs its own result."""
    found = approved(session, catalogue, "1.001193", **BIRTH)
    homeless = {**APPLICANT_RECORD, "permanent_residence": None}
    carded = {**CHILD_RECORD, "health_insurance": _item(True)}
    records = {CHILD["personal_id"]: carded, APPLICANT: homeless}
    sync(session, tmp_path, catalogue, found, FakeRegistry(CHILD, records=records))
    assert [d.kind for d in results.of_dossier(session, found.id)] == ["giay_khai_sinh"]
    assert parts(session, found) == {}


def test_a_dossier_signed_at_approval_before_gets_its_linked_results(session, tmp_path, catalogue):
    """Approved before the registry came first: its own result exists, the rest is owed."""
    found = approved(session, catalogue, "1.001193", **BIRTH)
    first = issuing.issue_main(
        session,
        found,
        catalogue.get("1.001193"),
        signer_id=STAFF,
        signer_name="Trương Thị Hạnh",
        now=NOW,
        key_folder=tmp_path / "keys",
    )
    session.commit()
    outcome = sync(session, tmp_path, catalogue, found, FakeRegistry(CHILD))
    assert "Đã ký số" not in outcome.message
    docs = results.of_dossier(session, found.id)
    assert [d.id for d in docs] == [first.id] and parts(session, found) == PARTS_AT


def test_a_transient_failure_asks_for_retries_with_growing_delays(session, tmp_path, catalogue):
    found = approved(session, catalogue, "1.001193", **BIRTH)
    down = FakeRegistry(error=writeback.WriteFailed("503 The population registry is down.", 503))
    delays = [sync(session, tmp_path, catalogue, found, down).delay for _ in range(4)]
    assert delays == [30.0, 60.0, 120.0, 240.0]
    session.refresh(found)
    assert found.registry_sync == "pending" and found.registry_attempts == 4
    assert found.status == "approved" and found.registry_error_status == 503
    # noted once on the timeline, in Vietnamese, not at every retry
    [note] = [n for n in notes(session, found) if n and n.startswith(writeback.RETRY_LATER)]
    assert "503" not in note and "down" not in note
    assert results.of_dossier(session, found.id) == []  # no paper while the write is owed

    assert sync(session, tmp_path, catalogue, found, FakeRegistry(CHILD)).state == "done"
    again = FakeRegistry(CHILD)
    assert sync(session, tmp_path, catalogue, found, again).state == "skipped"  # nothing pending
    assert again.calls == []
    assert len(results.of_dossier(session, found.id)) == 1 and len(parts(session, found)) == 2
    # signed by the approving officer, not by the system that noted the retries meanwhile
    assert results.of_dossier(session, found.id)[0].signer_id == STAFF
    assert writeback.pending(session) == []


ALREADY = "409 Birth notice CS-2025-0001 is already registered as 079325000001."


def test_a_refusal_goes_back_to_the_officer_without_a_result(session, tmp_path, catalogue):
    found = approved(session, catalogue, "1.001193", **BIRTH)
    version = found.version
    refused = FakeRegistry(error=writeback.WriteRefused(ALREADY, 409))
    outcome = sync(session, tmp_path, catalogue, found, refused)
    assert outcome.state == "refused" and outcome.delay is None
    assert outcome.message == writeback.refusal_message(409, ALREADY)
    assert "đã được đăng ký trước đó" in outcome.message
    assert "giấy chứng sinh này đã được dùng để đăng ký khai sinh" in outcome.message
    assert "registered" not in outcome.message and "079325000001" not in outcome.message
    session.refresh(found)
    assert (found.status, found.version, found.decided_at) == ("processing", version + 1, None)
    assert found.registry_sync == "refused" and found.registry_error == ALREADY
    assert found.registry_error_status == 409
    event = session.exec(
        select(DossierEvent).where(DossierEvent.action == "registry_refused")
    ).one()
    assert (event.from_status, event.to_status, event.actor_id) == (
        "approved",
        "processing",
        workflow.SYSTEM,
    )
    assert event.note == outcome.message
    assert results.of_dossier(session, found.id) == []  # never a paper for a failed write
    assert writeback.overdue(session, NOW + timedelta(days=1)) == []  # the sweep leaves it
    assert sync(session, tmp_path, catalogue, found, FakeRegistry(CHILD)).state == "skipped"
    assert not writeback.request_retry(session, found, STAFF, "lanh_dao", NOW)  # approve again

    # the officer approves again: a new write, pending from zero, then done and signed
    workflow.apply(
        session,
        found,
        "approve",
        workflow.staff_actor(session, STAFF),
        expected_version=found.version,
        now=NOW,
        writes_back=True,
        procedure=catalogue.get("1.001193"),
    )
    assert (found.status, found.registry_sync, found.registry_attempts) == (
        "approved",
        "pending",
        0,
    )
    assert found.registry_error is None
    assert sync(session, tmp_path, catalogue, found, FakeRegistry(CHILD)).state == "done"
    assert len(results.of_dossier(session, found.id)) == 1 and len(parts(session, found)) == 2


def test_a_refusal_of_a_dossier_no_longer_approved_is_only_marked(session, tmp_path, catalogue):
    """A dossier moved on meanwhile (older data) keeps its status; the refusal is noted."""
    found = approved(session, catalogue, "1.001193", **BIRTH)
    session.execute(update(Dossier).where(Dossier.id == found.id).values(status="returned"))
    session.commit()
    refused = FakeRegistry(error=writeback.WriteRefused(ALREADY, 409))
    assert sync(session, tmp_path, catalogue, found, refused).state == "refused"
    session.refresh(found)
    assert (found.status, found.registry_sync) == ("returned", "refused")


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        (ALREADY, "đã được dùng để đăng ký khai sinh trước đó"),
        ("409 079095001234 is already married.", "đang có vợ hoặc chồng"),
        ("409 The deceased 079050003333 is recorded as deceased.", "đã được ghi nhận là đã chết"),
        ("404 No birth notice number X.", "không tìm thấy giấy chứng sinh"),
    ],
)
def test_the_registry_reasons_are_told_in_vietnamese(reason, words):
    status = int(reason[:3])
    message = writeback.refusal_message(status, reason)
    assert words in message
    assert not any(w in message for w in ("already", "deceased", "No birth", "079"))
    assert writeback_client.registry_reason("500 Something else") is None


def test_overdue_lists_pending_dossiers_past_their_due_attempt(session, tmp_path, catalogue):
    found = approved(session, catalogue, "1.001193", **BIRTH)
    session.execute(update(Dossier).where(Dossier.id == found.id).values(registry_next_at=NOW))
    session.commit()
    assert writeback.overdue(session, NOW - timedelta(seconds=1)) == []
    assert writeback.overdue(session, NOW) == [found.id]
    down = FakeRegistry(error=writeback.WriteFailed("no answer"))
    sync(session, tmp_path, catalogue, found, down, now=NOW)  # next attempt in 30 s
    assert writeback.overdue(session, NOW + timedelta(seconds=29)) == []
    assert writeback.overdue(session, NOW + timedelta(seconds=30)) == [found.id]


def test_a_concurrent_retry_that_lost_issues_nothing(session, tmp_path, catalogue):
    found = approved(session, catalogue, "1.001193", **BIRTH)
    assert found.registry_sync == "pending"  # what the loser read
    with Session(session.get_bind()) as other:  # the winner, on its own connection
        other.execute(update(Dossier).where(Dossier.id == found.id).values(registry_sync="done"))
        other.commit()
    assert sync(session, tmp_path, catalogue, found, FakeRegistry(CHILD)).state == "skipped"
    assert results.of_dossier(session, found.id) == [] and parts(session, found) == {}


def test_a_marriage_issues_no_linked_result(session, tmp_path, catalogue):
    found = approved(
        session,
        catalogue,
        "1.000894",
        applicant_personal_id="079095001234",
        partner_personal_id="079195002222",
    )
    fake = FakeRegistry({"personal_ids": ["079095001234", "079195002222"]})
    outcome = sync(session, tmp_path, catalogue, found, fake)
    assert "Đã kết hôn" in outcome.message and "liên thông" not in outcome.message
    assert fake.lookups == []  # no group: nobody looked up
    assert found.registry_sync == "done"
    [certificate] = results.of_dossier(session, found.id)
    assert certificate.signer_id == STAFF


@pytest.mark.parametrize(
    ("code", "writes"),
    [("1.001193", True), ("1.000894", True), ("1.000656", True), ("1.004222", True),
     ("1.014137", True), ("1.003197", True), ("1.004873", False), ("1.014177", False),
     ("1.001731", False)],
)  # fmt: skip
def test_writes_back(catalogue, code, writes):
    assert writeback.writes_back(catalogue.get(code)) is writes
    assert writeback.writes_back(None) is False


# --- transient or permanent, and the backoff ----------------------------------------------


@pytest.mark.parametrize(
    ("status", "permanent"),
    [(400, True), (403, True), (404, True), (409, True), (422, True), (401, False),
     (408, False), (425, False), (429, False), (500, False), (502, False), (503, False)],
)  # fmt: skip
def test_which_statuses_are_refusals(status, permanent):
    assert writeback.is_permanent_status(status) is permanent


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (writeback.WriteRefused("409 already registered", 409), True),
        (writeback.WriteFailed("503 down", 503), False),
        (writeback.WriteFailed("429 slow down", 429), False),
        (writeback.WriteFailed("no answer: connection refused"), False),
        (RegistryRefused("No birth notice number X."), True),  # a fake's refusal
        (RegistryError("no service token: token endpoint down"), False),
        (RegistryAuthExpired("access token refused"), False),
    ],
)
def test_which_failures_are_permanent(error, permanent):
    assert writeback.is_permanent(error) is permanent


def test_backoff_doubles_up_to_the_cap():
    assert [writeback.backoff(n) for n in range(8)] == [
        30, 60, 120, 240, 480, 960, 1920, 3600,
    ]  # fmt: skip
    assert writeback.backoff(500) == 3600 and writeback.backoff(-1) == 30
    assert [writeback.backoff(n, base=1, cap=5) for n in range(4)] == [1, 2, 4, 5]


def _answer(status: int, body: dict, **headers) -> requests.Response:
    resp = requests.Response()
    resp.status_code, resp._content = status, json.dumps(body).encode()
    resp.headers.update(headers)
    return resp


@pytest.mark.parametrize(
    ("status", "error"),
    [(409, writeback.WriteRefused), (404, writeback.WriteRefused), (503, writeback.WriteFailed),
     (429, writeback.WriteFailed), (500, writeback.WriteFailed)],
)  # fmt: skip
def test_post_json_classifies_the_answer(monkeypatch, status, error):
    resp = _answer(
        status, {"error_description": "Reason from the registry."}, **{"Retry-After": "7"}
    )
    monkeypatch.setattr(writeback_client._http, "post", lambda *a, **kw: resp)
    with pytest.raises(error) as raised:
        writeback.post_json("http://idp.test/api/population/births", "tok", {}, 5)
    assert raised.value.status == status
    assert str(raised.value) == f"{status} Reason from the registry."
    if status == 429:
        assert raised.value.retry_after == 7


def test_post_json_without_an_answer_is_transient(monkeypatch):
    def refuse(*args, **kwargs):
        raise requests.ConnectionError("connection refused")

    monkeypatch.setattr(writeback_client._http, "post", refuse)
    with pytest.raises(writeback.WriteFailed) as raised:
        writeback.post_json("http://idp.test/api/population/births", "tok", {}, 5)
    assert raised.value.status is None and not writeback.is_permanent(raised.value)
    ok = _answer(201, {"data": {"personal_id": "079326001234"}})
    monkeypatch.setattr(writeback_client._http, "post", lambda *a, **kw: ok)
    assert writeback.post_json("http://x", "tok", {}, 5) == {"personal_id": "079326001234"}


@pytest.mark.parametrize("status", [400, 403, 404, 409, 422, 418, None])
def test_refusal_messages_are_vietnamese_sentences(status):
    message = writeback.refusal_message(status)
    assert message.startswith("CSDLQG về dân cư từ chối ghi kết quả: ")
    assert "không tự động gửi lại" in message
