"""Which office handles a dossier, and why (the reason is stored with the dossier)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from common import divisions
from portal.models import Office
from portal.services.offices import office_code
from procedures.authorities import Authority
from procedures.schema import Procedure

# Where the competent body is, for the procedure's page ("Cơ quan thực hiện").
RULE_TEXT = {
    "party_residence": "nơi thường trú hoặc tạm trú của người yêu cầu hoặc của một bên liên quan",
    "deceased_residence": "nơi cư trú cuối cùng của người đã mất",
    "address_field": "nơi có địa chỉ bạn đăng ký",
    "province_of_residence": "tỉnh, thành phố nơi bạn thường trú (nếu không có, nơi tạm trú)",
    "any_commune": "bất kỳ xã, phường nào (bạn chọn)",
}

# Rules under which the citizen may pick the commune (among those the law allows).
CHOOSING_RULES = ("party_residence", "any_commune")


class RoutingError(ValueError):
    """The choice cannot be honoured; the message is for the citizen."""


@dataclass(frozen=True)
class RoutingDecision:
    office_code: str
    office_name: str
    reason: str


def offers_choice(procedure: Procedure) -> bool:
    return procedure.routing.rule in CHOOSING_RULES


def route(
    session: Session,
    procedure: Procedure,
    body: Authority,
    *,
    residence_ward: int,
    chosen_ward: int | None = None,
) -> RoutingDecision:
    """Province bodies: the office of the province of residence. Commune bodies: the chosen
    commune of the citizen's province (when the procedure allows a choice), else the commune
    of residence."""
    province = divisions.wards()[residence_ward].province_code
    province_name = divisions.province_name(province)
    if body.level == "province":
        office = _office(session, office_code(body, province=province))
        return RoutingDecision(
            office.code,
            office.name,
            f"Thủ tục do {office.name} giải quyết, nơi bạn thường trú ({province_name}).",
        )
    if chosen_ward is None or chosen_ward == residence_ward:
        office = _office(session, office_code(body, province=province, ward=residence_ward))
        return RoutingDecision(
            office.code,
            office.name,
            "Xã/phường nơi bạn thường trú (theo CSDLQG về dân cư).",
        )
    if not offers_choice(procedure):
        raise RoutingError("Thủ tục này chỉ giải quyết tại xã/phường nơi bạn thường trú.")
    chosen = divisions.wards().get(chosen_ward)
    if chosen is None or chosen.province_code != province:
        raise RoutingError(f"Chỉ được chọn xã/phường thuộc {province_name}, nơi bạn thường trú.")
    office = _office(session, office_code(body, province=province, ward=chosen_ward))
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
