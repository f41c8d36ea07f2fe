"""The bodies that handle dossiers (procedures/authorities.toml), validated on load."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from procedures.base import Strict


class Forms(Strict):
    """The body's one-stop forms: receipt and appointment, supplement request, refusal."""

    receipt: str
    supplement: str
    refusal: str
    # The text that lays the forms down, when it is the body's own (the Công an's circular);
    # None: the one-stop rules every body follows (the caller's basis).
    basis: str | None = None

    def numbers(self) -> tuple[str, str, str]:
        return (self.receipt, self.supplement, self.refusal)


class Authority(Strict):
    key: str
    name: str  # "Công an", followed by the commune's or province's name
    short: str
    level: Literal["commune", "province"]
    suffix: str = Field(pattern=r"^[a-z-]*$")  # of its offices' codes
    receives_only: bool = False  # a one-stop centre: receives and forwards, never decides
    signer_title: str
    forms: Forms


def parse(data: dict) -> dict[str, Authority]:
    """The authorities of a parsed authorities.toml, by key."""
    return {key: Authority.model_validate({"key": key, **table}) for key, table in data.items()}
