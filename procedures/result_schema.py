"""The shape of a procedure's `[result]` section: the document its approval issues."""

from __future__ import annotations

from pydantic import Field

from procedures.base import Strict


class FromRegistry(Strict):
    """How this procedure's result reads when another procedure's write-back does it
    (liên thông): issued only when the registry's answer has `when` set, with each label
    taking the value of a key of that answer."""

    when: str
    content: dict[str, str] = Field(min_length=1)  # label -> key of the registry's answer


class Result(Strict):
    name: str
    kind: str = Field(pattern=r"^[a-z_]+$")
    from_registry: FromRegistry | None = None
