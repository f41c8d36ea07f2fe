"""The published OpenAPI 3.1 documents of /api/v1 (portal) and /api/population (provider):
complete, and true of the apps. Schemathesis generates calls from each document (a bounded
number per operation) and checks that none is a server error and that every answer has a
documented status, content type and body; a few valid calls check the success answers."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories
from tests.support import oauth

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
BOUNDED = settings(
    max_examples=8,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def _rules(app, prefix: str) -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every route of `app` under `prefix`."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(prefix):
            path = rule.rule
            for name in rule.arguments:
                path = path.replace(f"<{name}>", "{" + name + "}")
            found |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def _documented(document: dict) -> set[tuple[str, str]]:
    return {(path, m.upper()) for path, ops in document["paths"].items() for m in ops}


@pytest.mark.parametrize(
    ("app_name", "url", "prefix"),
    [
        ("portal", "/api/v1/openapi.json", "/api/v1/"),
        ("provider", "/api/population/openapi.json", "/api/population/"),
    ],
)
def test_each_document_is_openapi_3_1_and_lists_every_route(request, app_name, url, prefix):
    app = request.getfixturevalue(app_name)
    resp = app.test_client().get(url)
    assert resp.status_code == 200 and resp.is_json
    document = resp.get_json()
    assert document["openapi"].startswith("3.1.")
    assert _documented(document) == _rules(app, prefix)
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            assert op["summary"] and "<" not in op["summary"], (path, method)
            assert op["responses"], (path, method)


def test_the_documents_name_their_security_schemes(portal, provider):
    portal_doc = portal.test_client().get("/api/v1/openapi.json").get_json()
    session = portal_doc["components"]["securitySchemes"]["session"]
    assert (session["type"], session["in"], session["name"]) == (
        "apiKey",
        "cookie",
        portal.config["SESSION_COOKIE_NAME"],
    )
    assert portal_doc["paths"]["/api/v1/ho-so"]["get"]["security"] == [{"session": []}]
    assert portal_doc["paths"]["/api/v1/procedures"]["get"]["security"] == []
    provider_doc = provider.test_client().get("/api/population/openapi.json").get_json()
    bearer = provider_doc["components"]["securitySchemes"]["bearer"]
    assert (bearer["type"], bearer["scheme"]) == ("http", "bearer")
    births = provider_doc["paths"]["/api/population/births"]["post"]
    assert births["security"] == [{"bearer": ["population.write"]}]
    assert births["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/BirthRequest"
    )


WRITE = {"purpose": "Kiểm thử", "actor": "Cán bộ kiểm thử", "reference": "HS-API-1"}


@pytest.mark.parametrize(
    ("path", "body", "field", "message"),
    [
        ("deaths", {**WRITE, "personal_id": oauth.AN, "died_on": "hom-qua"}, "died_on", "ngày"),
        ("deaths", {**WRITE, "personal_id": "123", "died_on": "2026-01-01"}, "personal_id", ""),
        ("marriages", {**WRITE, "person_id": oauth.AN, "partner_id": 7}, "partner_id", ""),
        ("births", {**WRITE, "full_name": ["An"]}, "full_name", "văn bản"),
        ("residences", {**WRITE, "personal_id": oauth.AN, "ward_code": "x"}, "ward_code", "mã"),
        ("health-insurance-cards", {**WRITE, "personal_id": oauth.AN, "province_code": True},
         "province_code", "tỉnh"),
        ("residence-removals", {**WRITE, "personal_id": oauth.AN, "reason": "a" * 201},
         "reason", "200"),
        ("births", {**WRITE, "reference": None, "full_name": "An"}, "reference", "Thiếu"),
        ("match", {"purpose": "Kiểm thử", "personal_id": oauth.AN}, "full_name", "họ"),
        ("match", {"purpose": 3, "personal_id": oauth.AN, "full_name": "An"}, "purpose", "Mục"),
    ],
)  # fmt: skip
def test_an_invalid_body_is_a_400_naming_the_field(provider, tokens, path, body, field, message):
    scope = "population.lookup" if path == "match" else "population.write"
    resp = provider.test_client().post(
        f"/api/population/{path}", json=body, headers=oauth.bearer(tokens[scope])
    )
    assert resp.status_code == 400, resp.get_data(as_text=True)
    answer = resp.get_json()
    assert answer["error"] == "invalid_request"
    assert f"'{field}'" in answer["error_description"]
    assert message in answer["message"]


def test_a_statistics_filter_given_twice_is_a_400_in_the_statistics_shape(portal):
    resp = portal.test_client().get("/api/v1/stats?tinh=79&tinh=1&tu_ngay=2026-01-01")
    assert resp.status_code == 400
    assert resp.get_json() == {"errors": ["Mỗi tham số lọc (tinh) chỉ được có một giá trị."]}


def _explore(schema, call_arguments) -> None:
    """Generated calls of every operation of `schema`, valid ones and invalid ones (with
    `call_arguments(operation)`: its credentials), each checked by CHECKS."""
    for result in schema.get_all_operations():
        operation = result.ok()

        @BOUNDED
        @given(case=st.one_of(*(operation.as_strategy(mode) for mode in GenerationMode)))
        def call(case) -> None:
            case.call_and_validate(checks=CHECKS, **call_arguments(case.operation))

        call()


def test_provider_answers_as_documented(provider_schema, tokens):
    def bearer_for(operation) -> dict:
        security = operation.definition.raw.get("security") or [{}]
        scopes = security[0].get("bearer")
        return {"headers": oauth.bearer(tokens[scopes[0]]) if scopes else {}}

    _explore(provider_schema, bearer_for)


def test_portal_answers_as_documented(portal_schema, signed_in, an_dossier):
    _explore(portal_schema, lambda _operation: signed_in)


def test_provider_success_answers_fit_the_document(provider_schema, tokens):
    """Valid calls of each kind of read, so the 200 answers are checked too."""
    lookup = oauth.bearer(tokens["population.lookup"])
    why = {"purpose": "Kiểm thử tài liệu API", "actor": "Cán bộ kiểm thử"}
    calls = [
        ("/api/population/me", "GET", {}, None, oauth.bearer(tokens["population"])),
        ("/api/population/people/{personal_id}", "GET", why, None, lookup),
        ("/api/population/people/{personal_id}/judicial-record", "GET", {**why, "form": "2"},
         None, lookup),
        ("/api/population/match", "POST", None,
         {**why, "personal_id": oauth.AN, "full_name": "Nguyễn Văn An"}, lookup),
    ]  # fmt: skip
    for path, method, query, body, headers in calls:
        operation = provider_schema[path][method]
        extra = {} if body is None else {"body": body, "media_type": "application/json"}
        case = operation.Case(
            path_parameters={"personal_id": oauth.AN} if "{" in path else None,
            query=query,
            **extra,
        )
        resp = case.call_and_validate(headers=headers, checks=CHECKS)
        assert resp.status_code == 200, (path, resp.text)


def test_provider_write_answers_fit_the_document(provider_schema, tokens):
    """A death, and the removal of the deceased's permanent residence: each as written (201)
    and as replayed by its reference (200)."""
    write = oauth.bearer(tokens["population.write"])
    why = {"purpose": "Kiểm thử tài liệu API", "actor": "Cán bộ kiểm thử"}
    for path, fields in (
        ("/api/population/deaths", {"personal_id": oauth.AN, "died_on": "2026-11-01"}),
        ("/api/population/residence-removals", {"personal_id": oauth.AN}),
    ):
        body = {**why, "reference": f"HS-API-{path}", **fields}
        case = provider_schema[path]["POST"].Case(body=body, media_type="application/json")
        statuses = [
            case.call_and_validate(headers=write, checks=CHECKS).status_code for _ in range(2)
        ]
        assert statuses == [201, 200], path


def test_portal_success_answers_fit_the_document(portal_schema, signed_in, an_dossier):
    calls = [
        ("/api/v1/procedures", {}),
        ("/api/v1/procedures/{code}", {"code": factories.MARITAL}),
        ("/api/v1/ho-so", {}),
        ("/api/v1/ho-so/{code}", {"code": an_dossier}),
        ("/api/v1/stats", {}),
    ]
    for path, params in calls:
        case = portal_schema[path]["GET"].Case(path_parameters=params or None)
        resp = case.call_and_validate(checks=CHECKS, **signed_in)
        assert resp.status_code == 200, (path, resp.text)
    listed = portal_schema["/api/v1/ho-so"]["GET"].Case().call(**signed_in).json()
    assert [d["code"] for d in listed["dossiers"]] == [an_dossier]
