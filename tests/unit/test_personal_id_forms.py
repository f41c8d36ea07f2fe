"""The portal's form fields take the shared check of common/personal_id.py: a personal ID
registered abroad (a country code) is accepted, a code in neither table is refused in
Vietnamese. (The provider's sign-in with such an ID: tests/web/test_registry_api.py.)"""

import pytest

from portal.services.filing import clean_value
from procedures.schema import FormField

FIELD = FormField(name="deceased_personal_id", label="Số định danh cá nhân", type="personal_id")


@pytest.mark.parametrize("number", ["392301045612", "079049003311", "100095001234"])
def test_a_form_accepts_province_and_country_codes(number):
    assert clean_value(FIELD, number) == (number, None)


@pytest.mark.parametrize("number", ["003095001234", "000095001234", "097095001234"])
def test_a_form_refuses_other_codes(number):
    value, problem = clean_value(FIELD, number)
    assert value == number
    assert problem is not None and "mã tỉnh, thành phố hoặc mã quốc gia" in problem
