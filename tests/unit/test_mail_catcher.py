"""The development mail catcher (portal/mail_catcher.py): what the portal's SMTP mailer
sends lands in the Maildir, and the reader lists it newest first with its Vietnamese text."""

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox

from portal.mail_catcher import read
from portal.services.mail import SmtpMailer
from tests.support.apps import free_port

SENDER = "Cổng Dịch vụ công <khong-tra-loi@dichvucong.test>"


def test_caught_mail_is_read_back_from_the_maildir(tmp_path):
    folder = tmp_path / "mail"
    assert read(folder) == []
    port = free_port()
    controller = Controller(Mailbox(folder), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        mailer = SmtpMailer("127.0.0.1", port, SENDER)
        mailer.send("an@example.vn", "Mã xác nhận thư điện tử – Cổng Dịch vụ công", "Mã: 123456")
        mailer.send("an@example.vn", "Hồ sơ 79.26743-261204-00001: có thông báo mới", "Đã nhận")
    finally:
        controller.stop()
    caught = read(folder)
    assert [m.to for m in caught] == ["an@example.vn", "an@example.vn"]
    assert {m.subject for m in caught} == {
        "Mã xác nhận thư điện tử – Cổng Dịch vụ công",
        "Hồ sơ 79.26743-261204-00001: có thông báo mới",
    }
    assert {m.body.strip() for m in caught} == {"Mã: 123456", "Đã nhận"}
