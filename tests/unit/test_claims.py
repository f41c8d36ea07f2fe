from datetime import date

import pytest

from identity_mock.claims import SCOPE_DESCRIPTIONS, user_info
from identity_mock.models import Person, Residence


def _person(**kw) -> Person:
    values = {
        "personal_id": "079095001234",
        "full_name": "Nguyễn Văn An",
        "birth_date": date(1995, 4, 12),
        "sex": "nam",
        "birth_province_code": 79,
    }
    values.update(kw)
    return Person(**values)


RESIDENCE = Residence(
    personal_id="079095001234",
    kind="thuong_tru",
    province_code=79,
    ward_code=26743,
    street="15 Lê Lợi",
    registered_on=date(2019, 5, 1),
)


@pytest.mark.parametrize(
    ("scope", "expected_keys"),
    [
        ("openid", {"sub", "so_dinh_danh"}),
        ("openid profile", {"sub", "so_dinh_danh", "name", "ho_va_ten", "birthdate", "gender"}),
        ("openid address", {"sub", "so_dinh_danh", "address"}),
        (
            "openid profile address population",
            {"sub", "so_dinh_danh", "name", "ho_va_ten", "birthdate", "gender", "address"},
        ),
    ],
)
def test_claims_follow_the_scope(scope, expected_keys):
    assert set(user_info(_person(), RESIDENCE, scope)) == expected_keys


def test_claim_values():
    claims = user_info(
        _person(sex="nu", full_name="Lê Thị Hoa"), RESIDENCE, "openid profile address"
    )
    assert claims["sub"] == claims["so_dinh_danh"] == "079095001234"
    assert claims["name"] == claims["ho_va_ten"] == "Lê Thị Hoa"
    assert claims["birthdate"] == "1995-04-12"
    assert claims["gender"] == "female"
    assert claims["address"]["formatted"] == ("15 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh")
    assert claims["address"]["country"] == "VN"


def test_no_address_claim_without_residence():
    assert "address" not in user_info(_person(), None, "openid address")


def test_every_scope_is_described_in_vietnamese():
    assert set(SCOPE_DESCRIPTIONS) == {"openid", "profile", "address", "population"}
