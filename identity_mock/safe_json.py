"""JSON in and out of the provider, safe for any body a client sends.

Reading: a body nested too deep for the parser (RecursionError) or holding a lone
surrogate (valid JSON text, but no Unicode string) is a ValueError, so
`request.get_json(silent=True)` gives None and each endpoint answers 400 instead of
failing later in a database driver or the encoder.

Writing: Vietnamese stays readable (UTF-8, not \\u escapes); a value that cannot be
UTF-8 (a lone surrogate echoed back) falls back to ASCII escapes rather than failing.
"""

from __future__ import annotations

import json
from typing import Any

from flask.json.provider import DefaultJSONProvider


class SafeJSONProvider(DefaultJSONProvider):
    ensure_ascii = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = super().loads(s, **kwargs)
        except RecursionError as exc:
            raise ValueError("JSON nested too deeply") from exc
        # A lone surrogate survives json.loads but not UTF-8 (UnicodeEncodeError is a
        # ValueError); the structure is shallow enough here, json.loads just read it.
        json.dumps(value, ensure_ascii=False).encode("utf-8")
        return value

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        text = super().dumps(obj, **kwargs)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return super().dumps(obj, **{**kwargs, "ensure_ascii": True})
        return text
