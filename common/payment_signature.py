"""The payment gateway's message signature: HMAC-SHA512 over the sorted fields.

One home for both sides: the gateway (payment_mock) signs its returns, IPNs and answers, the
portal signs its orders and queries, and each verifies the other's. The canonical string is
`key=value` pairs, keys sorted, values URL-encoded (quote_plus), joined by `&`, the
`signature` field itself left out; the signature is the lowercase hex digest.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote_plus

SIGNATURE_FIELD = "signature"


def canonical(fields: Mapping[str, object]) -> str:
    """The string that is signed: every field but the signature, sorted by key."""
    pairs = (
        f"{key}={quote_plus(str(value))}"
        for key, value in sorted(fields.items())
        if key != SIGNATURE_FIELD and value is not None
    )
    return "&".join(pairs)


def sign(fields: Mapping[str, object], secret: str) -> str:
    return hmac.new(secret.encode(), canonical(fields).encode(), hashlib.sha512).hexdigest()


def signed(fields: Mapping[str, object], secret: str) -> dict[str, str]:
    """The fields as strings plus their signature."""
    out = {key: str(value) for key, value in fields.items() if value is not None}
    out[SIGNATURE_FIELD] = sign(out, secret)
    return out


def verify(fields: Mapping[str, object], secret: str) -> bool:
    """True when `fields` carry a signature made with `secret` over exactly these fields.
    Constant-time comparison; a missing or non-text signature is simply invalid."""
    given = fields.get(SIGNATURE_FIELD)
    if not isinstance(given, str) or not given or not given.isascii():
        return False  # compare_digest refuses non-ASCII text: such a signature is never ours
    return hmac.compare_digest(given.lower(), sign(fields, secret))
