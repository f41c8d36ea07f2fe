"""Dossier codes: `<office code>-<yymmdd>-<4-digit daily sequence>` (the shape of
TT 01/2018/TT-VPCP art. 19, still used by the national system under NĐ 118/2025 [secondary]).

The sequence is per office and day (portal/services/sequences.py: two dossiers submitted at
the same instant never share a number).
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from portal.models import DossierSequence
from portal.services.sequences import take_next


def next_number(session: Session, office_code: str, day: date) -> int:
    """Reserve the next number of `office_code` on `day` (in the caller's transaction)."""
    return take_next(session, DossierSequence, office_code=office_code, day=day)


def format_code(office_code: str, day: date, number: int) -> str:
    return f"{office_code}-{day:%y%m%d}-{number:04d}"


def new_code(session: Session, office_code: str, day: date) -> str:
    return format_code(office_code, day, next_number(session, office_code, day))
