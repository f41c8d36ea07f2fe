"""An answer that does not fit its model: a 500 in tests, where it must be seen; elsewhere
logged and sent as it is, so a drift never takes an endpoint down for its users. Both
apps' documents use the one plugin, common/openapi.py."""

from __future__ import annotations

import pytest
from flask import Flask, jsonify
from pydantic import BaseModel
from spectree import Response, SpecTree

from common.openapi import LenientAnswers


class Fits(BaseModel):
    count: int


@pytest.fixture
def app():
    spec = SpecTree(backend=LenientAnswers, mode="strict", annotations=False)
    app = Flask(__name__)

    @app.get("/good")
    @spec.validate(resp=Response(HTTP_200=Fits))
    def good():
        return jsonify(count=1)

    @app.get("/drift")
    @spec.validate(resp=Response(HTTP_200=Fits))
    def drift():
        return jsonify(count="many")

    return app


@pytest.mark.parametrize(("testing", "status"), [(True, 500), (False, 200)])
def test_a_drifted_answer_fails_only_in_tests(app, testing, status, caplog):
    app.testing = testing
    client = app.test_client()
    assert client.get("/good").get_json() == {"count": 1}
    resp = client.get("/drift")
    assert resp.status_code == status
    if not testing:
        assert resp.get_json() == {"count": "many"}
        assert "does not fit its model" in caplog.text
