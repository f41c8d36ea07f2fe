"""What every catalogue model shares: strict parsing and a confidence mark."""

from typing import Literal

from pydantic import BaseModel, ConfigDict

# How sure we are of a fact (law | secondary | unverified), as in the reference notes: an
# uncertain figure is visible in the data, not hidden in code.
Confidence = Literal["law", "secondary", "unverified"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
