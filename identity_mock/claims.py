"""Map a registry person and a VNeID account to OpenID Connect claims.

Standard claims plus the Vietnamese ones relying parties of the national portal read
(`so_dinh_danh`, `ho_va_ten`). What a relying party receives depends on the scope.
"""

from __future__ import annotations

from common import divisions
from identity_mock.models import Person, Residence

ACR_BY_LEVEL = {1: "urn:vneid:muc1", 2: "urn:vneid:muc2"}
LEVEL_BY_ACR = {v: k for k, v in ACR_BY_LEVEL.items()}
GENDER = {"nam": "male", "nu": "female"}

# What the consent page tells the citizen each scope shares.
SCOPE_DESCRIPTIONS = {
    "openid": "Số định danh cá nhân (để nhận diện bạn)",
    "profile": "Họ và tên, ngày sinh, giới tính",
    "address": "Địa chỉ thường trú",
    "population": "Dữ liệu dân cư của bạn: cư trú, hộ gia đình, quan hệ nhân thân, "
    "tình trạng hôn nhân, thẻ căn cước",
}


def user_info(person: Person, residence: Residence | None, scope: str) -> dict:
    """The claims for `scope` (a space-separated string)."""
    scopes = set(scope.split())
    claims: dict = {"sub": person.personal_id, "so_dinh_danh": person.personal_id}
    if "profile" in scopes:
        claims.update(
            name=person.full_name,
            ho_va_ten=person.full_name,
            birthdate=person.birth_date.isoformat(),
            gender=GENDER[person.sex],
        )
    if "address" in scopes and residence is not None:
        claims["address"] = {
            "formatted": divisions.full_address(
                residence.street, residence.ward_code, residence.province_code
            ),
            "street_address": residence.street,
            "locality": divisions.ward_name(residence.ward_code),
            "region": divisions.province_name(residence.province_code),
            "country": "VN",
        }
    return claims
