"""Offices: one per body of procedures/authorities.toml and commune or province."""

from __future__ import annotations

from sqlmodel import Session, select

from common import divisions
from portal.models import Office
from procedures import Catalogue
from procedures.authorities import Authority


def commune_office_code(ward_code: int, suffix: str = "") -> str:
    """ "79.26743" (the UBND), "79.26743.ca" (its Công an), "79.26743.tt" (its TTPVHCC)."""
    code = f"{divisions.wards()[ward_code].province_code:02d}.{ward_code:05d}"
    return f"{code}.{suffix}" if suffix else code


def province_office_code(province_code: int, suffix: str) -> str:
    """ "79.cong-an", "79.bhxh", "79.so-tu-phap", "79.ttpvhcc"."""
    return f"{province_code:02d}.{suffix}"


def office_code(body: Authority, *, province: int, ward: int | None = None) -> str:
    """The code of `body`'s office for a commune (commune bodies) or a province."""
    if body.level == "commune":
        assert ward is not None, "a commune body needs the commune"
        return commune_office_code(ward, body.suffix)
    return province_office_code(province, body.suffix)


def seed_offices(session: Session, catalogue: Catalogue) -> int:
    """Create an office of every body for every commune or province; idempotent (existing
    offices are kept). Returns the number of offices created."""
    existing = set(session.exec(select(Office.code)).all())
    created = []
    for body in catalogue.authorities.values():
        places: list[tuple[int, int | None, str]]
        if body.level == "commune":
            places = [(w.province_code, w.code, w.name) for w in divisions.wards().values()]
        else:
            places = [(p.code, None, p.name) for p in divisions.provinces().values()]
        for province, ward, place in places:
            code = office_code(body, province=province, ward=ward)
            if code not in existing:
                created.append(
                    Office(
                        code=code,
                        name=f"{body.name} {place}",
                        kind=body.key,
                        province_code=province,
                        ward_code=ward,
                    )
                )
    session.add_all(created)
    session.commit()
    return len(created)
