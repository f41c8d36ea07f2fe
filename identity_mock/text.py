"""Text that clients send and the provider stores (audit purposes, actors, registry
fields): bounded in length and free of control, format and surrogate characters, which
no name or purpose contains and which PostgreSQL (NUL) or a UTF-8 encoder (surrogates)
would refuse later, as a 500."""

from __future__ import annotations

from common.web import has_control


def clean(value: object, *, max_length: int) -> str | None:
    """`value` stripped, when it is a non-empty clean string of at most `max_length`
    characters; otherwise None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > max_length or has_control(value):
        return None
    return value
