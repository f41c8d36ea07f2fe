"""Reading a typed e-mail address and Vietnamese mobile number (services/contact_points.py)."""

import pytest

from portal.services import contact_points
from portal.services.contact_points import ContactError


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("an.nguyen@example.vn", "an.nguyen@example.vn"),
        ("  An.Nguyen+ho-so@Example.COM.vn ", "An.Nguyen+ho-so@example.com.vn"),
        ("a@b.co", "a@b.co"),
    ],
)
def test_an_email_is_kept_with_its_domain_in_lower_case(typed, stored):
    assert contact_points.parse_email(typed) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", contact_points.NEEDS_EMAIL),
        ("   ", contact_points.NEEDS_EMAIL),
        ("an", contact_points.BAD_EMAIL),
        ("an@", contact_points.BAD_EMAIL),
        ("an@example", contact_points.BAD_EMAIL),
        ("an @example.vn", contact_points.BAD_EMAIL),
        ("an..b@example.vn", contact_points.BAD_EMAIL),
        ("nguyễn@example.vn", contact_points.BAD_EMAIL),
        ("an@exa_mple.vn", contact_points.BAD_EMAIL),
        ("a@b@example.vn", contact_points.BAD_EMAIL),
        ("an@example.vn\x00", "Thư điện tử có ký tự điều khiển không hợp lệ. Vui lòng nhập lại."),
        ("an\r\nBcc: x@y.vn@example.vn", "Thư điện tử có ký tự điều khiển"),
        ("a" * 10_000 + "@example.vn", "Thư điện tử dài quá 254 ký tự."),
        ("a" * 65 + "@example.vn", contact_points.BAD_EMAIL),
    ],
)
def test_a_bad_email_is_refused_in_vietnamese(typed, message):
    with pytest.raises(ContactError) as refused:
        contact_points.parse_email(typed)
    assert refused.value.field == "email"
    assert refused.value.message.startswith(message)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0912345678", "+84912345678"),
        ("0912 345 678", "+84912345678"),
        ("091.234.5678", "+84912345678"),
        ("+84912345678", "+84912345678"),
        ("+84 912-345-678", "+84912345678"),
        ("84383456789", "+84383456789"),
        ("0703456789", "+84703456789"),
        ("0563456789", "+84563456789"),
        ("0863456789", "+84863456789"),
    ],
)
def test_a_vietnamese_mobile_number_is_kept_as_plus_84(typed, stored):
    assert contact_points.parse_phone(typed) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", contact_points.NEEDS_PHONE),
        ("091234567", contact_points.BAD_PHONE),  # 9 digits
        ("09123456789", contact_points.BAD_PHONE),  # 11 digits
        ("0212345678", contact_points.BAD_PHONE),  # a landline prefix
        ("0112345678", contact_points.BAD_PHONE),
        ("+1 912345678", contact_points.BAD_PHONE),
        ("+840912345678", contact_points.BAD_PHONE),
        ("０９１２３４５６７８", contact_points.BAD_PHONE),  # full-width digits
        ("٠٩١٢٣٤٥٦٧٨", contact_points.BAD_PHONE),  # Arabic-Indic digits
        ("0912a45678", contact_points.BAD_PHONE),
        ("0912\x0045678", "Số điện thoại di động có ký tự điều khiển"),
        ("0" * 10_000, "Số điện thoại di động dài quá 32 ký tự."),
    ],
)
def test_a_bad_phone_number_is_refused_in_vietnamese(typed, message):
    with pytest.raises(ContactError) as refused:
        contact_points.parse_phone(typed)
    assert refused.value.field == "phone"
    assert refused.value.message.startswith(message)


@pytest.mark.parametrize(
    ("channel", "stored", "shown"),
    [
        ("phone", "+84912345678", "0912 345 678"),
        ("email", "an@example.vn", "an@example.vn"),
        ("phone", None, ""),
    ],
)
def test_an_address_as_the_citizen_reads_it(channel, stored, shown):
    assert contact_points.shown(channel, stored) == shown
