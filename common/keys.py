"""RSA signing keys kept as PEM files in an instance folder and published as JWKS."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from joserfc.jwk import KeyParameters, KeySet, KeySetSerialization, RSAKey


def load_or_create_rsa_key(path: Path) -> RSAKey:
    """Load the PEM key at `path`, generating a 2048-bit one on first start.

    The key id is the RFC 7638 thumbprint, so it changes exactly when the key does.
    """
    if path.exists():
        key = RSAKey.import_key(path.read_bytes())
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = RSAKey.generate_key(2048, private=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker created it first: use theirs
            return load_or_create_rsa_key(path)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key.as_pem(private=True))
    params: KeyParameters = {"kid": key.thumbprint(), "use": "sig", "alg": "RS256"}
    return RSAKey.import_key(key.as_dict(private=True), params)


def public_jwks(*keys: RSAKey) -> KeySetSerialization:
    """The JSON Web Key Set with the public halves of `keys`."""
    return KeySet(list(keys)).as_dict(private=False)


def unverified_part(token: str, index: int) -> dict:
    """Header (0) or payload (1) of a compact JWS, NOT verified: never trust the result."""
    try:
        part = token.split(".")[index]
        data = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError) as exc:
        raise ValueError("not a compact JWS") from exc
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data
