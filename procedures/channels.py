"""The rules of the citizen's channels kept as data: feedback (procedures/feedback.toml: the
categories and the days an office has to answer) and how a result is received
(procedures/delivery.toml: the methods, the postal tariff, the procedures whose result is only
electronic). Parsed strictly; a malformed file raises CatalogueError naming it."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from procedures.base import Confidence, Strict
from procedures.loader import HERE, _parse

Method = Literal["online", "counter", "post"]
Zone = Literal["same_commune", "same_province", "other_province"]


class Category(Strict):
    key: str = Field(pattern=r"^[a-z_]{1,24}$")
    label: str = Field(min_length=1)


class FeedbackRules(Strict):
    source: str
    confidence: Confidence
    classify_working_days: int = Field(ge=0, le=30)
    answer_working_days: int = Field(ge=1, le=60)
    categories: tuple[Category, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _keys_unique(self) -> FeedbackRules:
        keys = [c.key for c in self.categories]
        if len(set(keys)) != len(keys):
            raise ValueError("categories: keys must be unique")
        return self

    def category(self, key: str) -> Category | None:
        return next((c for c in self.categories if c.key == key), None)


class MethodText(Strict):
    label: str = Field(min_length=1)
    hint: str = ""


class Tariff(Strict):
    zone: Zone
    label: str
    amount: int = Field(ge=0)


class DeliveryRules(Strict):
    source: str
    short: str
    confidence: Confidence
    electronic_only: tuple[str, ...] = ()
    methods: dict[Method, MethodText]
    post_tariff: tuple[Tariff, ...]

    @model_validator(mode="after")
    def _complete(self) -> DeliveryRules:
        if set(self.methods) != {"online", "counter", "post"}:
            raise ValueError("methods: online, counter and post are each described once")
        zones = [t.zone for t in self.post_tariff]
        if sorted(zones) != sorted(set(zones)) or len(zones) != 3:
            raise ValueError("post_tariff: one amount per zone")
        return self

    def tariff(self, zone: str) -> Tariff:
        return next(t for t in self.post_tariff if t.zone == zone)


@cache
def feedback_rules(path: Path = HERE / "feedback.toml") -> FeedbackRules:
    return _parse(path, FeedbackRules)


@cache
def delivery_rules(path: Path = HERE / "delivery.toml") -> DeliveryRules:
    return _parse(path, DeliveryRules)
