"""No input makes the identity provider or the population API answer 500: every route,
its query and form parameters (OIDC's included), and JSON bodies of the registry writes,
as a visitor, a signed-in citizen, and a client holding each kind of token."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support import oauth
from tests.support.fuzz import (
    FUZZ_SETTINGS,
    Findings,
    drive,
    form_names,
    json_body,
    json_value,
    path_for,
    routes,
)

OIDC_PARAMS = {
    "client_id", "redirect_uri", "response_type", "scope", "state", "nonce",
    "code_challenge", "code_challenge_method", "prompt", "max_age", "acr_values", "code",
    "code_verifier", "grant_type", "client_assertion", "client_assertion_type",
    "id_token_hint", "post_logout_redirect_uri", "personal_id", "passcode", "persona",
    "decision", "purpose", "actor", "refresh_token", "ui_locales", "login_hint", "form", "bans",
}  # fmt: skip
WRITE_FIELDS = (
    "reference", "purpose", "actor", "birth_notice_number", "full_name", "ethnicity",
    "mother_id", "father_id", "health_insurance", "residence_of", "person_id", "partner_id",
    "personal_id", "died_on", "death_notice_number", "registration_province_code",
    "birth_date", "sex", "birth_place", "proof", "proof_number", "mother_full_name",
    "mother_birth_date", "father_full_name", "ward_code", "street", "household_head_id",
    "relation_to_head", "reason", "event_date", "province_code", "primary_care_facility",
)  # fmt: skip


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    """The provider, a visitor, a citizen signed in there, and bearer headers of each kind."""
    # Without the test mode's record of every OIDC/API call (a row written per request, a
    # quarter of the fuzz's time): production keeps none, and no test here reads it.
    app = oauth.build_provider(tmp_path_factory.mktemp("fuzz-idp"), RECORD_CALLS=False)
    # population.write too: otherwise the write token has no scope and every write is a 403
    rp = oauth.register_client(app, scope=oauth.RP_SCOPE + " population.write")
    visitor, citizen, tokens = app.test_client(), app.test_client(), app.test_client()
    oauth.sign_in(citizen, personal_id=oauth.AN)
    _request, user_tokens = oauth.login_tokens(tokens, rp=rp, scope="openid profile population")
    headers = {
        "none": {},
        "user": oauth.bearer(user_tokens["access_token"]),
        "lookup": oauth.bearer(oauth.client_credentials_token(tokens, rp=rp)),
        "write": oauth.bearer(
            oauth.client_credentials_token(tokens, rp=rp, scope="population.write")
        ),
    }
    app.config["WTF_CSRF_ENABLED"] = False  # signed in; now fuzz the handlers
    yield app, {"visitor": visitor, "citizen": citizen}, headers, rp
    oauth.discard_provider(app)


# The routes are fuzzed in SHARDS tests, every SHARDS-th route each, so the test workers
# share them (one test of them all took a worker for 37 s, the other idle at the end).
SHARDS = 4


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_provider_route_survives_any_input(provider, shard):
    app, clients, headers, rp = provider
    findings = Findings(app)
    base = {"kind": "births", "personal_id": oauth.AN}
    known = {"client_id": rp.client_id, "redirect_uri": rp.redirect_uri}
    for method, rule in routes(app)[shard::SHARDS]:
        bearers = headers.values() if rule.startswith(("/api/", "/userinfo")) else [{}]
        for client in clients.values():
            page = client.get(path_for(rule, base)) if method == "GET" else None
            names = sorted(OIDC_PARAMS | (form_names(page.text) if page is not None else set()))
            for auth in bearers:
                drive(
                    client, findings, method=method, rule=rule, base=base, names=names,
                    known=known, headers=auth,
                )  # fmt: skip
    assert findings.requests > 500 // SHARDS
    assert not findings.problems, findings.report()


def test_registry_writes_survive_any_json(provider):
    app, clients, headers, _rp = provider
    findings = Findings(app)
    fields = st.sampled_from(WRITE_FIELDS)

    @FUZZ_SETTINGS
    @given(
        kind=st.sampled_from(
            [
                "births",
                "marriages",
                "deaths",
                "residences",
                "residence-removals",
                "health-insurance-cards",
            ]
        ),  # fmt: skip
        body=st.one_of(json_value, st.dictionaries(fields, json_value, max_size=14)),
    )
    def run(kind, body):
        resp = clients["visitor"].post(
            f"/api/population/{kind}",
            data=json_body(body),
            content_type="application/json",
            headers=headers["write"],
        )
        findings.check(resp, f"POST /api/population/{kind} {str(body)[:200]}")

    for _ in range(5):  # five times the usual count: this body has many shapes
        run()
    assert not findings.problems, findings.report()


def test_raw_bodies_survive(provider):
    """Bodies that are not JSON at all, or not UTF-8, on every JSON and form endpoint."""
    app, clients, headers, _rp = provider
    findings = Findings(app)
    raw = [b"\xff\xfe", b"{", b'{"a": "\\ud800"}', b"\x00" * 10, b"[" * 5000, b"%ff=%fe"]
    for path, method in (
        ("/api/population/births", "POST"),
        ("/token", "POST"),
        ("/test/switches", "PUT"),
        ("/userinfo", "POST"),
        ("/dang-nhap", "POST"),
    ):
        for body in raw:
            for ctype in ("application/json", "application/x-www-form-urlencoded"):
                resp = clients["visitor"].open(
                    path, method=method, data=body, content_type=ctype, headers=headers["write"]
                )
                findings.check(resp, f"{method} {path} {body[:20]!r} {ctype}")
    assert not findings.problems, findings.report()
