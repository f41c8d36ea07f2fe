"""The gateway's OpenAPI document, and a property test of the API against it
(schemathesis): whatever a client sends, no server error and no answer the document does
not describe. The examples are signed as the merchant would, so they get past the
signature to the orders, status queries and refunds behind it."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from common.payment_signature import signed
from tests.support.payment import MERCHANT, SECRET, now_stamp, openapi_document

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


def test_the_document_is_openapi_3_1_with_the_three_operations(payment_client):
    doc = payment_client.get("/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    assert set(doc["paths"]) == {
        "/api/orders",
        "/api/orders/{order_id}",
        "/api/orders/{order_id}/refund",
    }
    create = doc["paths"]["/api/orders"]["post"]
    assert {"201", "400", "401", "409", "503"} <= set(create["responses"])


class Gateway:
    """The WSGI app the property test calls: each test's own gateway (schemathesis loads
    the document once, at import; its lazy `from_fixture` loader does not run on this
    pytest)."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


GATEWAY = Gateway()
schema = schemathesis.openapi.from_dict(openapi_document())
schema.app = GATEWAY


@pytest.fixture
def called_gateway(payment_app):
    GATEWAY.app = payment_app
    yield payment_app
    GATEWAY.app = None


def _sign(case, merchant_url: str) -> None:
    """Make most examples what the merchant would send: its code, URLs on its origin, a
    fresh request time and a good signature (every third body is left as generated)."""
    if isinstance(case.query, dict) and "signature" in case.query:
        case.query.update(merchant=MERCHANT, requested_at=now_stamp())
        order_id = (case.path_parameters or {}).get("order_id", "")
        fields = {**case.query, "order_id": order_id}
        case.query["signature"] = signed(fields, SECRET)["signature"]
    body = case.body
    if not isinstance(body, dict) or "signature" not in body or len(str(body)) % 3 == 0:
        return
    body["merchant"] = MERCHANT
    if "return_url" in body:
        body.update(return_url=f"{merchant_url}/ket-qua", ipn_url=f"{merchant_url}/ipn")
    if "requested_at" in body:
        body.update(requested_at=now_stamp(), order_id=case.path_parameters.get("order_id"))
    fields = {k: v for k, v in body.items() if k != "signature"}
    body["signature"] = signed(fields, SECRET)["signature"]


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_keeps_to_its_document(case, merchant, called_gateway):
    _sign(case, merchant.url)
    case.call_and_validate(checks=CHECKS)
