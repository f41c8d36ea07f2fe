"""Offices seeded from the administrative divisions and the catalogue's departments."""

from __future__ import annotations

from sqlmodel import Session, select

from common import divisions
from portal.models import Office
from procedures import Catalogue


def commune_office_code(ward_code: int) -> str:
    return f"{divisions.wards()[ward_code].province_code:02d}.{ward_code:05d}"


def department_office_code(province_code: int, department: str) -> str:
    return f"{province_code:02d}.{department}"


def seed_offices(session: Session, catalogue: Catalogue) -> int:
    """Create every commune People's Committee and each province's handling departments.

    Idempotent: existing offices are kept. Returns the number of offices created.
    """
    existing = set(session.exec(select(Office.code)).all())
    departments = {
        (p.department, p.department_name)
        for p in catalogue.procedures.values()
        if p.level == "province" and p.department is not None  # the schema requires it
    }
    created = []
    for ward in divisions.wards().values():
        code = commune_office_code(ward.code)
        if code not in existing:
            created.append(
                Office(
                    code=code,
                    name=f"UBND {ward.name}",
                    kind="commune",
                    province_code=ward.province_code,
                    ward_code=ward.code,
                )
            )
    for province in divisions.provinces().values():
        for department, name in sorted(departments):
            code = department_office_code(province.code, department)
            if code not in existing:
                created.append(
                    Office(
                        code=code,
                        name=f"{name} {province.name}",
                        kind="department",
                        province_code=province.code,
                        department=department,
                    )
                )
    session.add_all(created)
    session.commit()
    return len(created)
