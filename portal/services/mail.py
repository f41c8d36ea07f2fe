"""E-mail over SMTP (smtplib): one message per connection, UTF-8, plain text.

`SmtpMailer.send` raises `MailError`; `transient` says whether trying later may help (the
server is down, busy or answered 4xx) or not (5xx: the address or the message is refused).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.header import Header
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from typing import Protocol


class MailError(Exception):
    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> str:
        """Send one message; its Message-ID. Raises MailError."""
        ...


@dataclass(frozen=True)
class SmtpMailer:
    host: str
    port: int
    sender: str
    timeout: float = 10
    username: str = ""
    password: str = ""
    starttls: bool = False

    def send(self, to: str, subject: str, body: str) -> str:
        # compat32's Header folds a long Vietnamese subject into encoded words that keep
        # their spaces (the default policy's folding drops a space between two words).
        message = MIMEText(body, "plain", "utf-8")
        name, address = parseaddr(self.sender)
        message["From"] = formataddr((name, address), charset="utf-8")
        message["To"] = to
        message["Subject"] = Header(subject, "utf-8")  # type: ignore[assignment]  # compat32 takes it
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or None)
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(message)
        except Exception as exc:  # noqa: BLE001 - every failure is classified below
            raise MailError(_describe(exc), transient=is_transient(exc)) from exc
        return str(message["Message-ID"])


def is_transient(exc: BaseException) -> bool:
    """Whether a later attempt may succeed: no connection, a timeout, a dropped
    connection or a 4xx answer; a 5xx answer (refused address, refused message) is not."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    return isinstance(exc, OSError)  # refused, reset, unreachable, timed out


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]
