"""The contact page (GET/POST /ca-nhan/lien-he): an e-mail and a mobile number, each
confirmed by a 6-digit code sent to it (by the test SMTP server and the mock SMS provider);
wrong, expired, reused and exhausted codes, the limit on sending codes, bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from portal.db import db
from portal.models import ContactPoint, utcnow
from tests.factories import AN, BINH, sign_in, stored
from tests.support.channels import code_in, outbox
from tests.support.filing import csrf_token
from tests.support.html import check_page, get_page
from tests.support.smtp import body

PAGE = "/ca-nhan/lien-he"
MAIL = "an.nguyen@example.vn"


@pytest.fixture
def app(channels_app):
    return channels_app


@pytest.fixture
def client(app):
    client = app.test_client()
    sign_in(app, client)
    return client


def _checked(client) -> str:
    html = get_page(client, PAGE).get_data(as_text=True)
    check_page(html)
    return html


def _post(client, **form):
    token = csrf_token(client.get(PAGE).get_data(as_text=True))
    return client.post(PAGE, data={"csrf_token": token, **form})


def _point(app, channel: str = "email") -> ContactPoint:
    (row,) = stored(app, ContactPoint, personal_id=AN, channel=channel)
    return row


def _send_email_code(client, smtp, address: str = MAIL) -> str:
    resp = _post(client, action="email_send", email=address)
    assert resp.status_code == 302
    return code_in(body(smtp.to(address)[-1]))


def test_the_page_needs_a_login(app):
    resp = app.test_client().get(PAGE)
    assert resp.status_code == 302 and "/dang-nhap" in resp.headers["Location"]


def test_an_email_is_confirmed_by_the_code_mailed_to_it(app, client, smtp):
    html = _checked(client)
    assert '<label class="field__label" for="email">Địa chỉ thư điện tử</label>' in html
    assert '<label class="field__label" for="phone">Số điện thoại di động</label>' in html

    resp = _post(client, action="email_send", email=" An.Nguyen@Example.VN ")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("#lien-he-email")
    (mail,) = smtp.to("An.Nguyen@example.vn")
    assert mail["Subject"] == "Mã xác nhận thư điện tử – Cổng Dịch vụ công"
    text = body(mail)
    assert "Mã có hiệu lực trong 10 phút" in text and "http://portal.test/ca-nhan/lien-he" in text
    code = code_in(text)
    point = _point(app)
    assert point.address is None and point.pending_address == "An.Nguyen@example.vn"
    assert code not in (point.code_hash or "") and len(point.code_hash or "") == 64
    page = client.get(PAGE).get_data(as_text=True)
    assert "Đã gửi mã xác nhận đến An.Nguyen@example.vn" in page
    assert 'for="email_code">Mã xác nhận thư điện tử</label>' in page

    resp = _post(client, action="email_confirm", email_code=f" {code} ")
    assert resp.status_code == 302
    point = _point(app)
    assert point.address == "An.Nguyen@example.vn" and point.confirmed_at is not None
    assert point.pending_address is None and point.code_hash is None
    page = _checked(client)
    assert "Đã xác nhận thư điện tử" in page and "✓ Đã xác nhận" in page
    (code_message,) = outbox(app, personal_id=AN)
    assert code not in code_message.body  # erased once sent


def test_a_phone_is_confirmed_by_the_code_texted_to_it(app, client):
    resp = _post(client, action="phone_send", phone="0912 345 678")
    assert resp.status_code == 302
    (sms,) = app.extensions["sms"].sent
    assert sms["to"] == "+84912345678" and "mã xác nhận số điện thoại" in sms["text"]
    assert "Đã gửi mã xác nhận qua tin nhắn đến 0912 345 678" in client.get(PAGE).get_data(
        as_text=True
    )
    assert _post(client, action="phone_confirm", phone_code=code_in(sms["text"])).status_code == 302
    assert _point(app, "phone").address == "+84912345678"
    assert "0912 345 678" in _checked(client)


def test_a_wrong_code_says_how_many_tries_are_left_and_the_fifth_ends_the_code(app, client, smtp):
    code = _send_email_code(client, smtp)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        resp = _post(client, action="email_confirm", email_code=wrong)
        assert resp.status_code == 400
        html = resp.get_data(as_text=True)
        assert f"Mã xác nhận không đúng. Bạn còn {left} lần thử." in html
        assert f'value="{wrong}"' in html  # what was typed is kept
    resp = _post(client, action="email_confirm", email_code=wrong)
    assert "Bạn đã nhập sai quá 5 lần" in resp.get_data(as_text=True)
    resp = _post(client, action="email_confirm", email_code=code)  # even the right one now
    assert resp.status_code == 400 and "Bạn đã nhập sai quá 5 lần" in resp.get_data(as_text=True)
    assert _point(app).address is None

    fresh = _send_email_code(client, smtp)  # "Gửi lại" gives a new code and new tries
    assert _post(client, action="email_confirm", email_code=fresh).status_code == 302
    assert _point(app).address == MAIL


def test_an_expired_code_is_refused(app, client, smtp):
    code = _send_email_code(client, smtp)
    with app.app_context(), db.new_session() as session:
        past = utcnow() - timedelta(seconds=1)
        session.exec(update(ContactPoint).values(code_expires_at=past))
        session.commit()
    resp = _post(client, action="email_confirm", email_code=code)
    assert resp.status_code == 400
    assert "Mã xác nhận đã hết hạn" in resp.get_data(as_text=True)
    assert _point(app).address is None


def test_a_code_is_used_once(app, client, smtp):
    code = _send_email_code(client, smtp)
    assert _post(client, action="email_confirm", email_code=code).status_code == 302
    resp = _post(client, action="email_confirm", email_code=code)
    assert resp.status_code == 400
    assert "Không có mã xác nhận nào đang chờ" in resp.get_data(as_text=True)


def test_a_resent_code_voids_the_one_before(app, client, smtp):
    first = _send_email_code(client, smtp)
    assert _post(client, action="email_resend").status_code == 302
    second = code_in(body(smtp.to(MAIL)[-1]))
    if first != second:
        resp = _post(client, action="email_confirm", email_code=first)
        assert "Mã xác nhận không đúng" in resp.get_data(as_text=True)
    assert _post(client, action="email_confirm", email_code=second).status_code == 302


def test_sending_codes_is_limited_per_citizen_and_channel(app, client, smtp):
    app.config["RATE_LIMITS"]["contact_code"] = "2/10 minutes"
    _send_email_code(client, smtp)
    assert _post(client, action="email_resend").status_code == 302
    resp = _post(client, action="email_resend")
    assert resp.status_code == 429
    html = resp.get_data(as_text=True)
    assert "Bạn đã yêu cầu gửi mã quá nhiều lần. Vui lòng thử lại sau 10 phút." in html
    resp = _post(client, action="email_send", email="khac@example.vn")
    assert resp.status_code == 429 and 'value="khac@example.vn"' in resp.get_data(as_text=True)
    assert len(smtp.messages) == 2
    assert _post(client, action="phone_send", phone="0912345678").status_code == 302
    other = app.test_client()
    sign_in(app, other, BINH)
    token = csrf_token(other.get(PAGE).get_data(as_text=True))
    resp = other.post(PAGE, data={"csrf_token": token, "action": "email_send", "email": MAIL})
    assert resp.status_code == 302  # another citizen's count


def test_an_invalid_address_is_not_counted_against_the_limit(app, client, smtp):
    app.config["RATE_LIMITS"]["contact_code"] = "1/10 minutes"
    assert _post(client, action="email_send", email="khong-hop-le").status_code == 400
    assert _post(client, action="email_send", email=MAIL).status_code == 302


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"action": "email_send", "email": "an@"}, "email", "Địa chỉ thư điện tử không hợp lệ"),
        ({"action": "email_send", "email": "an\x00@example.vn"}, "email", "ký tự điều khiển"),
        ({"action": "email_send", "email": "a" * 10_000}, "email", "dài quá 254 ký tự"),
        ({"action": "phone_send", "phone": "٠٩١٢٣٤٥٦٧٨"}, "phone", "không hợp lệ"),
        ({"action": "phone_send", "phone": "0212345678"}, "phone", "không hợp lệ"),
        ({"action": "phone_send", "phone": "\x1b[31m"}, "phone", "ký tự điều khiển"),
        ({"action": "phone_send", "phone": ""}, "phone", "Vui lòng nhập số điện thoại"),
        ({"action": "email_confirm", "email_code": "١٢٣٤٥٦"}, "email_code", "gồm 6 chữ số"),
        ({"action": "email_confirm", "email_code": "9" * 10_000}, "email_code", "gồm 6 chữ số"),
        ({"action": "email_confirm", "email_code": "123456"}, "email_code", "Không có mã"),
        ({"action": "phone_resend"}, "phone_code", "Không có mã"),
    ],
)
def test_bad_input_gets_a_message_next_to_the_field(app, client, smtp, form, field, message):
    resp = _post(client, **form)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    error = html[html.index(f'id="{field}-error"') :]
    assert message in error[: error.index("</p>")]
    assert f'aria-describedby="{field}-hint {field}-error"' in html
    typed = form.get(field, "")
    if typed and "\x00" not in typed and "\x1b" not in typed:
        assert f'value="{typed}"' in html
    assert smtp.messages == [] and app.extensions["sms"].sent == []


def test_an_unknown_action_is_400_and_the_csrf_token_is_needed(app, client):
    assert _post(client, action="email_fly").status_code == 400
    assert _post(client, action="").status_code == 400
    assert client.post(PAGE, data={"action": "email_send", "email": MAIL}).status_code == 400


def test_the_same_address_again_is_refused_and_removing_stops_the_mail(app, client, smtp):
    _post(client, action="email_confirm", email_code=_send_email_code(client, smtp))
    resp = _post(client, action="email_send", email=MAIL)
    assert resp.status_code == 400 and "Địa chỉ này đã được xác nhận." in resp.get_data(
        as_text=True
    )
    assert _post(client, action="email_remove").status_code == 302
    assert stored(app, ContactPoint, personal_id=AN) == []
    assert "Đã xóa thư điện tử" in client.get(PAGE).get_data(as_text=True)


def test_a_new_address_waits_while_the_confirmed_one_keeps_receiving(app, client, smtp):
    _post(client, action="email_confirm", email_code=_send_email_code(client, smtp))
    _send_email_code(client, smtp, "moi@example.vn")
    point = _point(app)
    assert (point.address, point.pending_address) == (MAIL, "moi@example.vn")
    html = client.get(PAGE).get_data(as_text=True)
    assert "Đang dùng: <strong>an.nguyen@example.vn</strong>" in html
    assert "Chờ xác nhận: <strong>moi@example.vn</strong>" in html
