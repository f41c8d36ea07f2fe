"""The registry's API for what the portal adds in late 2026: the Phiếu LLTP statement
(/api/population/people/<id>/judicial-record), the death notice, last residence and social
insurance in a looked-up record, and sign-in with a personal ID registered abroad. The
shared provider's demo data is only read here."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from identity_mock.db import db
from identity_mock.models import PopulationAudit
from tests.support import oauth
from tests.support.oauth import AN

VINH = "079079082468"
THANG = "001090067531"
SAU = "079049003311"
HAN = "079178055642"
DIEP = "392301045612"
UNKNOWN = "079095999999"


@pytest.fixture(scope="module")
def lookup_token(idp_app, rp) -> str:
    return oauth.client_credentials_token(idp_app.test_client(), rp=rp)


def purpose() -> str:
    return "Kiểm thử LLTP " + uuid.uuid4().hex[:8]


def judicial(client, token: str, personal_id: str, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.get(
        f"/api/population/people/{personal_id}/judicial-record?{query}",
        headers=oauth.bearer(token),
    )


def people(client, token: str, personal_id: str) -> dict:
    resp = client.get(
        f"/api/population/people/{personal_id}?purpose={purpose()}", headers=oauth.bearer(token)
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()["data"]


def audits(app, why: str) -> list[PopulationAudit]:
    with app.app_context(), db.new_session() as session:
        return list(session.exec(select(PopulationAudit).where(PopulationAudit.purpose == why)))


# --- judicial record ----------------------------------------------------------------------


def test_phieu_1_with_the_ban_for_a_current_record(idp_app, idp_client, lookup_token):
    why = purpose()
    resp = judicial(idp_client, lookup_token, VINH, form=1, bans=1, purpose=why, actor="cb-01")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    data = resp.get_json()["data"]
    assert data["personal_id"] == VINH and data["form"] == 1
    assert data["criminal_record"]["statement"] == "Có án tích"
    assert set(data["criminal_record"]["convictions"][0]) == {
        "offence",
        "main_penalty",
        "additional_penalty",
    }
    assert data["bans"]["banned"] is True
    [row] = audits(idp_app, why)
    assert (row.subject_id, row.actor_id, row.endpoint, row.outcome) == (
        VINH,
        "cb-01",
        "judicial_record_1",
        "found",
    )


def test_phieu_1_without_the_request_leaves_the_bans_out(idp_client, lookup_token):
    data = judicial(idp_client, lookup_token, VINH, form=1, purpose=purpose()).get_json()["data"]
    assert data["bans"] is None


def test_phieu_2_of_an_expunged_record(idp_app, idp_client, lookup_token):
    why = purpose()
    data = judicial(idp_client, lookup_token, THANG, form=2, purpose=why).get_json()["data"]
    record = data["criminal_record"]
    assert record["statement"] == "Đã bị kết án, án tích đã được xóa"
    assert record["convictions"][0]["status"] == "Đã được xóa án tích ngày 10/01/2014"
    assert data["bans"]["statement"].startswith("Không bị cấm")
    assert [r.endpoint for r in audits(idp_app, why)] == ["judicial_record_2"]


def test_phieu_1_of_an_expunged_record_says_no_record(idp_client, lookup_token):
    data = judicial(idp_client, lookup_token, THANG, form=1, purpose=purpose()).get_json()["data"]
    assert data["criminal_record"] == {
        "has_record": False,
        "statement": "Không có án tích",
        "convictions": [],
    }


def test_an_unknown_number_is_404_and_audited(idp_app, idp_client, lookup_token):
    why = purpose()
    resp = judicial(idp_client, lookup_token, UNKNOWN, form=1, purpose=why)
    assert resp.status_code == 404 and resp.get_json()["error"] == "not_found"
    assert "Không có người" in resp.get_json()["message"]
    assert [r.outcome for r in audits(idp_app, why)] == ["not_found"]


@pytest.mark.parametrize(
    ("personal_id", "params", "message"),
    [
        (VINH, {"form": "1"}, "purpose"),
        (VINH, {"purpose": "x"}, "form"),
        (VINH, {"purpose": "x", "form": "3"}, "form"),
        (VINH, {"purpose": "x", "form": "1", "bans": "co"}, "bans"),
        ("12345", {"purpose": "x", "form": "1"}, "Số định danh"),
        ("003095001234", {"purpose": "x", "form": "1"}, "Số định danh"),
    ],
    ids=["no-purpose", "no-form", "form-3", "bad-bans", "short-id", "bad-place-code"],
)
def test_bad_requests_are_400_in_vietnamese(idp_client, lookup_token, personal_id, params, message):
    resp = judicial(idp_client, lookup_token, personal_id, **params)
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["error"] == "invalid_request" and message in body["message"]


def test_a_citizen_token_cannot_read_judicial_records(idp_client, rp):
    _, tokens = oauth.login_tokens(
        idp_client, rp=rp, scope="openid population population.lookup", personal_id=AN
    )
    resp = judicial(idp_client, tokens["access_token"], VINH, form=1, purpose="x")
    assert resp.status_code == 403


def test_without_a_token_is_401(idp_client):
    resp = idp_client.get(f"/api/population/people/{VINH}/judicial-record?form=1&purpose=x")
    assert resp.status_code == 401 and resp.is_json


def test_a_token_without_the_lookup_scope_is_403(idp_client, rp):
    token = oauth.client_credentials_token(idp_client, rp=rp, scope="population")
    resp = judicial(idp_client, token, VINH, form=1, purpose="x")
    assert resp.status_code == 403


# --- death notices, last residence, social insurance in a looked-up record -----------------------


def test_the_relative_who_files_sees_the_death_notice(idp_client, lookup_token):
    (item,) = people(idp_client, lookup_token, HAN)["death_notices"]
    assert item["value"]["number"] == "GBT-79-2026-000871"
    assert item["value"]["relation"] == "father"
    assert item["value"]["deceased"]["personal_id"] == SAU


def test_the_deceased_record_prefills_a_death_registration(idp_client, lookup_token):
    sau = people(idp_client, lookup_token, SAU)
    assert sau["death_notice"]["value"]["died_on"] == "2026-11-26"
    assert sau["death_notice"]["value"]["place_of_death"].startswith("Bệnh viện Chợ Rẫy")
    assert sau["last_residence"]["value"]["ward_name"] == "Phường Bến Thành"
    assert sau["social_insurance"]["value"]["funeral_allowance"]["payer"] == "bhxh"


def test_every_record_states_social_insurance_and_last_residence(idp_client, lookup_token):
    an = people(idp_client, lookup_token, AN)
    assert an["social_insurance"]["value"]["status"] == "khong_tham_gia"
    assert an["last_residence"]["value"]["full"] == an["permanent_residence"]["value"]["full"]
    assert an["death_notice"] is None and an["death_notices"] == []


# --- a personal ID registered abroad ----------------------------------------------------------


def test_a_citizen_registered_abroad_signs_in_and_reads_her_record(idp_client, rp):
    _, tokens = oauth.login_tokens(idp_client, rp=rp, scope="openid population", personal_id=DIEP)
    resp = idp_client.get("/api/population/me", headers=oauth.bearer(tokens["access_token"]))
    assert resp.status_code == 200
    assert resp.get_json()["data"]["personal_id"]["value"] == DIEP


def test_a_person_registered_abroad_can_be_looked_up(idp_client, lookup_token):
    assert people(idp_client, lookup_token, DIEP)["full_name"]["value"] == "Nguyễn Ngọc Diệp"
