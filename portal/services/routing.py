"""Which office handles a dossier, and why (the reason is stored with the dossier)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from common import divisions
from portal.models import Office
from portal.services.offices import commune_office_code, department_office_code
from procedures.schema import Procedure


class RoutingError(ValueError):
    """The choice cannot be honoured; the message is for the citizen."""


@dataclass(frozen=True)
class RoutingDecision:
    office_code: str
    office_name: str
    reason: str


def route(
    session: Session,
    procedure: Procedure,
    *,
    residence_ward: int,
    chosen_ward: int | None = None,
) -> RoutingDecision:
    """Commune level: the chosen commune of the citizen's province (when the procedure
    allows a choice), else the commune of residence. Province level: the handling
    department of the province of residence."""
    province = divisions.wards()[residence_ward].province_code
    province_name = divisions.province_name(province)
    if procedure.level == "province":
        assert procedure.department is not None  # the catalogue schema requires it
        office = _office(session, department_office_code(province, procedure.department))
        return RoutingDecision(
            office.code,
            office.name,
            f"Thủ tục cấp tỉnh do {procedure.department_name} nơi bạn thường trú "
            f"({province_name}) giải quyết.",
        )
    if chosen_ward is None or chosen_ward == residence_ward:
        office = _office(session, commune_office_code(residence_ward))
        return RoutingDecision(
            office.code,
            office.name,
            "Xã/phường nơi bạn thường trú (theo CSDLQG về dân cư).",
        )
    if not procedure.choose_commune:
        raise RoutingError("Thủ tục này chỉ giải quyết tại xã/phường nơi bạn thường trú.")
    chosen = divisions.wards().get(chosen_ward)
    if chosen is None or chosen.province_code != province:
        raise RoutingError(f"Chỉ được chọn xã/phường thuộc {province_name}, nơi bạn thường trú.")
    office = _office(session, commune_office_code(chosen_ward))
    return RoutingDecision(
        office.code,
        office.name,
        f"Theo lựa chọn của bạn: một xã/phường khác cùng {province_name} "
        "(thủ tục không phụ thuộc địa giới hành chính).",
    )


def _office(session: Session, code: str) -> Office:
    office = session.get(Office, code)
    if office is None:
        raise RoutingError("Chưa có cơ quan tiếp nhận hồ sơ này trên Cổng. Vui lòng thử lại sau.")
    return office
