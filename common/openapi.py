"""What the apps' OpenAPI documents share: Spectree's Flask plugin with one change, and the
document settings every API uses (strict mode, models named by their class, 400 for a body
or query the models refuse).

An answer that does not fit its model is a 500 in tests only (so they see it); elsewhere it
is logged and sent as it is, never a 500 for the citizen.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, request
from spectree.plugins.flask_plugin import FlaskPlugin

log = logging.getLogger(__name__)


class LenientAnswers(FlaskPlugin):
    def validate_response(self, resp, resp_model, skip_validation, force_resp_serialize):
        response, error = super().validate_response(
            resp, resp_model, skip_validation, force_resp_serialize
        )
        if error is None or current_app.testing:
            return response, error
        log.error("answer of %s does not fit its model: %s", request.endpoint, error)
        return super().validate_response(resp, resp_model, True, force_resp_serialize)


def document_settings(error_model: type) -> dict[str, Any]:
    """SpecTree keyword arguments common to the apps' documents."""
    return {
        "backend": LenientAnswers,
        "mode": "strict",
        "annotations": False,
        "validation_error_status": 400,
        "validation_error_model": error_model,
        "naming_strategy": lambda model: model.__name__,
        "nested_naming_strategy": lambda _parent, child: child,
    }
