"""Vietnam's administrative divisions after 1 July 2025: 34 provinces, 3,321 communes.

Read from the `vietnam-provinces` package; names are whitespace-normalised because a few
entries carry double spaces.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from vietnam_provinces import Province, Ward


@dataclass(frozen=True)
class Division:
    code: int
    name: str
    province_code: int


def _clean(name: str) -> str:
    return " ".join(name.split())


@cache
def provinces() -> dict[int, Division]:
    return {
        int(p.code): Division(int(p.code), _clean(p.name), int(p.code)) for p in Province.iter_all()
    }


@cache
def wards() -> dict[int, Division]:
    return {
        int(w.code): Division(int(w.code), _clean(w.name), int(w.province_code))
        for w in Ward.iter_all()
    }


@cache
def wards_of(province_code: int) -> tuple[Division, ...]:
    return tuple(w for w in wards().values() if w.province_code == province_code)


def province_name(code: int) -> str:
    return provinces()[code].name


def ward_name(code: int) -> str:
    return wards()[code].name


def full_address(street: str, ward_code: int, province_code: int) -> str:
    """`street, ward, province` as written on Vietnamese papers."""
    parts = [street, ward_name(ward_code), province_name(province_code)]
    return ", ".join(p for p in parts if p)
