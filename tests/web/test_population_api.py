"""The population data API: who may read what, provenance on every value, and the audit."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from identity_mock.db import db
from identity_mock.models import PopulationAudit, Token
from tests.support import oauth
from tests.support.oauth import AN, RelyingParty

PROVENANCE_KEYS = {"value", "source", "updated_at"}
REGISTRY = "CSDLQG về dân cư"
UNKNOWN = "079095999999"  # well formed, nobody in the registry


@pytest.fixture(scope="module")
def lookup_token(idp_app, rp) -> str:
    """A client-credentials token with `population.lookup`."""
    return oauth.client_credentials_token(idp_app.test_client(), rp=rp)


def user_token(client, rp: RelyingParty, *, scope: str, personal_id: str = AN) -> str:
    _, tokens = oauth.login_tokens(client, rp=rp, scope=scope, personal_id=personal_id)
    return tokens["access_token"]


def purpose() -> str:
    return "Kiểm thử " + uuid.uuid4().hex[:8]


def audits(app, **where) -> list[PopulationAudit]:
    with app.app_context(), db.new_session() as session:
        query = select(PopulationAudit)
        for name, value in where.items():
            query = query.where(getattr(PopulationAudit, name) == value)
        return list(session.exec(query).all())


def assert_json_error(resp, status: int) -> None:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.is_json
    assert resp.get_json()["error"]


# --- /api/population/me --------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer khong-ton-tai"},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic eDp5"},
        {"Authorization": "Bearer a b c"},
    ],
    ids=["none", "unknown", "empty", "basic", "spaces"],
)
@pytest.mark.parametrize("path", ["/api/population/me", f"/api/population/people/{AN}?purpose=x"])
def test_without_valid_token_is_401_json(idp_client, path, headers):
    assert_json_error(idp_client.get(path, headers=headers), 401)


def test_me_needs_the_population_scope(idp_client, rp):
    token = user_token(idp_client, rp, scope="openid profile")
    resp = idp_client.get("/api/population/me", headers=oauth.bearer(token))
    assert_json_error(resp, 403)


def test_me_refuses_client_credentials_token(idp_client, rp):
    token = oauth.client_credentials_token(idp_client, rp=rp, scope="population")
    resp = idp_client.get("/api/population/me", headers=oauth.bearer(token))
    assert_json_error(resp, 403)


def test_me_refuses_expired_token(idp_app, idp_client, rp):
    token = user_token(idp_client, rp, scope="openid population")
    with idp_app.app_context(), db.new_session() as session:
        row = session.exec(select(Token).where(Token.access_token == token)).one()
        row.issued_at -= row.expires_in + 10
        session.add(row)
        session.commit()
    assert_json_error(idp_client.get("/api/population/me", headers=oauth.bearer(token)), 401)


@pytest.fixture(scope="module")
def my_record(idp_app, rp) -> dict:
    client = idp_app.test_client()
    token = user_token(client, rp, scope="openid population")
    resp = client.get("/api/population/me", headers=oauth.bearer(token))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()["data"]


@pytest.mark.parametrize(
    "name",
    [
        "personal_id",
        "full_name",
        "birth_date",
        "sex",
        "permanent_residence",
        "marital_status",
        "household",
        "id_card",
        "meritorious_family",
    ],
)
def test_me_values_carry_provenance(my_record, name):
    item = my_record[name]
    assert set(item) == PROVENANCE_KEYS
    assert item["source"]
    assert item["updated_at"][:4].isdigit()


def test_me_returns_the_citizens_own_data(my_record):
    assert my_record["personal_id"]["value"] == AN
    assert my_record["personal_id"]["source"] == REGISTRY
    assert my_record["full_name"]["value"] == "Nguyễn Văn An"
    assert my_record["marital_status"]["value"] == "Chưa kết hôn"


def test_me_residence_has_real_names(my_record):
    residence = my_record["permanent_residence"]["value"]
    assert residence["ward_name"] == "Phường Bến Thành"
    assert residence["province_name"] == "Thành phố Hồ Chí Minh"
    assert residence["full"] == "15 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh"


def test_me_household_lists_members(my_record):
    household = my_record["household"]["value"]
    assert household["id"] == "HCM-0001"
    assert household["head_id"] == AN
    assert [m["personal_id"] for m in household["members"]] == [AN]
    assert household["members"][0]["relation_to_head"] == "chủ hộ"


def test_me_value_from_another_database_names_it(idp_client, rp):
    token = user_token(idp_client, rp, scope="openid population", personal_id="079165067890")
    data = idp_client.get("/api/population/me", headers=oauth.bearer(token)).get_json()["data"]
    assert data["meritorious_family"] == {
        "value": True,
        "source": "CSDL người có công (Bộ Nội vụ)",
        "updated_at": "2025-07-01",
    }
    assert data["marital_status"]["value"] == "Đã ly hôn"


def test_me_is_audited(idp_app, idp_client, rp):
    token = user_token(idp_client, rp, scope="openid population")
    why = purpose()
    resp = idp_client.get(f"/api/population/me?purpose={why}", headers=oauth.bearer(token))
    assert resp.status_code == 200
    [row] = audits(idp_app, purpose=why)
    assert (row.client_id, row.actor_id, row.subject_id, row.endpoint, row.outcome) == (
        rp.client_id,
        AN,
        AN,
        "me",
        "found",
    )


# --- /api/population/people/<id> -----------------------------------------------------------


def lookup(client, token: str, personal_id: str, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.get(f"/api/population/people/{personal_id}?{query}", headers=oauth.bearer(token))


@pytest.mark.parametrize(
    ("personal_id", "params"),
    [
        (AN, {}),
        (AN, {"purpose": "   "}),
        ("12345", {"purpose": "kiem-thu"}),
        ("abcdefghijkl", {"purpose": "kiem-thu"}),
        ("003095001234", {"purpose": "kiem-thu"}),
    ],
    ids=["no-purpose", "blank-purpose", "short-id", "letters", "bad-province"],
)
def test_lookup_bad_request_is_400(idp_client, lookup_token, personal_id, params):
    resp = lookup(idp_client, lookup_token, personal_id, **params)
    assert_json_error(resp, 400)
    assert resp.get_json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    ("personal_id", "status", "outcome"), [(AN, 200, "found"), (UNKNOWN, 404, "not_found")]
)
def test_lookup_answers_and_is_audited(
    idp_app, idp_client, rp, lookup_token, personal_id, status, outcome
):
    why = purpose()
    resp = lookup(idp_client, lookup_token, personal_id, purpose=why, actor="079187090123")
    assert resp.status_code == status
    assert resp.is_json
    if status == 200:
        assert resp.get_json()["data"]["personal_id"]["value"] == personal_id
    [row] = audits(idp_app, purpose=why)
    assert (row.client_id, row.actor_id, row.subject_id, row.endpoint, row.outcome) == (
        rp.client_id,
        "079187090123",
        personal_id,
        "people",
        outcome,
    )


@pytest.mark.parametrize(
    "scope", ["openid population.lookup", "openid population"], ids=["with-lookup", "without"]
)
def test_lookup_refuses_user_token(idp_app, idp_client, rp, scope):
    token = user_token(idp_client, rp, scope=scope)
    why = purpose()
    assert_json_error(lookup(idp_client, token, AN, purpose=why), 403)
    assert audits(idp_app, purpose=why) == []
