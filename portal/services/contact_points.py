"""The citizen's contact e-mail and mobile phone, each confirmed by a code sent to it.

A new address waits as `pending_address` with the hash of a 6-digit code (HMAC-SHA256 under
the app's secret, bound to the person, the channel and the address) that expires after 10
minutes and may be tried 5 times; the right code moves it to `address` (confirmed) and is
spent. Until then the confirmed address, if any, keeps receiving the portal's messages;
an unconfirmed one never receives anything but its code. The code goes out through the
outbox (services/channels.py) like every other message.

Plain functions taking a session; no Flask here. Rate limits on sending codes are the
view's (Flask-Limiter).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from common.web import has_control, normalize_text
from portal.models import ContactPoint, OutboundMessage

EMAIL, PHONE = "email", "phone"
CHANNELS = (EMAIL, PHONE)
CODE_TTL = timedelta(minutes=10)
MAX_TRIES = 5
CODE_REFERENCE = "ma-xac-nhan"  # OutboundMessage.reference of a code (its body is erased once sent)
ADDRESS_MAX = 254

LABELS = {EMAIL: "Thư điện tử", PHONE: "Số điện thoại di động"}
NEEDS_EMAIL = "Vui lòng nhập địa chỉ thư điện tử."
BAD_EMAIL = "Địa chỉ thư điện tử không hợp lệ. Ví dụ đúng: ten.ban@example.vn"
NEEDS_PHONE = "Vui lòng nhập số điện thoại di động."
BAD_PHONE = (
    "Số điện thoại di động không hợp lệ. Nhập 10 chữ số bắt đầu bằng 0 (ví dụ 0912345678) "
    "hoặc dạng +84 (ví dụ +84912345678)."
)
CONTROL = "{label} có ký tự điều khiển không hợp lệ. Vui lòng nhập lại."
TOO_LONG = "{label} dài quá {n} ký tự."
ALREADY = "Địa chỉ này đã được xác nhận."
NEEDS_CODE = "Vui lòng nhập mã xác nhận gồm 6 chữ số."
BAD_CODE = "Mã xác nhận gồm 6 chữ số (0–9)."
NO_CODE = "Không có mã xác nhận nào đang chờ. Vui lòng gửi mã mới."
EXPIRED = "Mã xác nhận đã hết hạn. Vui lòng bấm “Gửi lại mã” để nhận mã mới."
TOO_MANY = "Bạn đã nhập sai quá {n} lần. Vui lòng bấm “Gửi lại mã” để nhận mã mới."
WRONG = "Mã xác nhận không đúng. Bạn còn {left} lần thử."

_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}",
    re.ASCII,
)
# Vietnamese mobile numbers: 0 or +84 (84), then 3/5/7/8/9 and 8 more digits (ASCII only)
_PHONE = re.compile(r"(?:\+84|84|0)([35789][0-9]{8})", re.ASCII)
_PHONE_SEPARATORS = re.compile(r"[ .\-()]")
_CODE = re.compile(r"[0-9]{6}", re.ASCII)


class ContactError(Exception):
    """A refused input or step; `message` (Vietnamese) belongs next to `field`."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- addresses --------------------------------------------------------------------------


def _typed(raw: str, label: str, field: str, max_length: int) -> str:
    value = normalize_text(raw)
    if len(value) > max_length:
        raise ContactError(TOO_LONG.format(label=label, n=max_length), field)
    if has_control(value):
        raise ContactError(CONTROL.format(label=label), field)
    return value


def parse_email(raw: str) -> str:
    """The address as stored (domain in lower case); ContactError for field "email"."""
    value = _typed(raw, LABELS[EMAIL], "email", ADDRESS_MAX)
    if not value:
        raise ContactError(NEEDS_EMAIL, "email")
    local, _, domain = value.rpartition("@")
    if not _EMAIL.fullmatch(value) or len(local) > 64:
        raise ContactError(BAD_EMAIL, "email")
    return f"{local}@{domain.lower()}"


def parse_phone(raw: str) -> str:
    """The number as stored, "+84" and 9 digits; ContactError for field "phone"."""
    value = _typed(raw, LABELS[PHONE], "phone", 32)
    if not value:
        raise ContactError(NEEDS_PHONE, "phone")
    found = _PHONE.fullmatch(_PHONE_SEPARATORS.sub("", value))
    if not found:
        raise ContactError(BAD_PHONE, "phone")
    return "+84" + found.group(1)


def parse(channel: str, raw: str) -> str:
    return parse_email(raw) if channel == EMAIL else parse_phone(raw)


def shown(channel: str, address: str | None) -> str:
    """An address as the citizen reads it (a phone number as 0912 345 678)."""
    if not address:
        return ""
    if channel == PHONE and address.startswith("+84"):
        national = "0" + address[3:]
        return f"{national[:4]} {national[4:7]} {national[7:]}"
    return address


# --- reading ----------------------------------------------------------------------------


def points_of(session: Session, personal_id: str) -> dict[str, ContactPoint | None]:
    """The citizen's row per channel (None: never set)."""
    rows = session.exec(select(ContactPoint).where(ContactPoint.personal_id == personal_id))
    found = {row.channel: row for row in rows}
    return {channel: found.get(channel) for channel in CHANNELS}


def confirmed(session: Session, personal_id: str) -> dict[str, str]:
    """The confirmed addresses: {"email": …, "phone": …} (only those set)."""
    rows = session.exec(
        select(ContactPoint).where(
            ContactPoint.personal_id == personal_id,
            col(ContactPoint.address).is_not(None),
            col(ContactPoint.confirmed_at).is_not(None),
        )
    )
    return {row.channel: row.address for row in rows if row.address}


def awaiting_code(point: ContactPoint | None, now: datetime) -> bool:
    """Whether a code was sent to the pending address and may still be typed."""
    return bool(
        point
        and point.pending_address
        and point.code_hash
        and point.code_expires_at
        and point.code_expires_at > now
        and point.code_attempts < MAX_TRIES
    )


# --- the code ---------------------------------------------------------------------------


def _hash(secret: str | bytes, personal_id: str, channel: str, address: str, code: str) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    text = f"{personal_id}|{channel}|{address}|{code}".encode()
    return hmac.new(key, text, hashlib.sha256).hexdigest()


def request_code(
    session: Session,
    personal_id: str,
    channel: str,
    raw: str,
    now: datetime,
    *,
    secret: str | bytes,
    portal_url: str,
) -> ContactPoint:
    """Set `raw` (typed) as the channel's pending address and send it a new code (any
    earlier code is void). Commits; the code's message is enqueued after the commit."""
    address = parse(channel, raw)
    point = session.get(ContactPoint, (personal_id, channel))
    if point is not None and point.address == address and point.confirmed_at is not None:
        raise ContactError(ALREADY, channel)
    point = point or ContactPoint(personal_id=personal_id, channel=channel)
    point.pending_address = address
    return _send_code(session, point, now, secret, portal_url)


def resend(
    session: Session,
    personal_id: str,
    channel: str,
    now: datetime,
    *,
    secret: str | bytes,
    portal_url: str,
) -> ContactPoint:
    """A new code for the pending address (the last one is void). Commits."""
    point = session.get(ContactPoint, (personal_id, channel))
    if point is None or not point.pending_address:
        raise ContactError(NO_CODE, f"{channel}_code")
    return _send_code(session, point, now, secret, portal_url)


def _send_code(
    session: Session, point: ContactPoint, now: datetime, secret: str | bytes, portal_url: str
) -> ContactPoint:
    from portal import tasks  # the task queue imports the services

    assert point.pending_address is not None
    code = f"{secrets.randbelow(10**6):06d}"
    point.code_hash = _hash(secret, point.personal_id, point.channel, point.pending_address, code)
    point.code_expires_at = now + CODE_TTL
    point.code_attempts = 0
    point.updated_at = now
    session.add(point)
    message = _code_message(point, code, portal_url, now)
    session.add(message)
    session.flush()
    tasks.after_commit(session, tasks.send_message, message.id)
    session.commit()
    session.refresh(point)
    return point


def _code_message(point: ContactPoint, code: str, portal_url: str, now: datetime):
    minutes = int(CODE_TTL.total_seconds() // 60)
    page = portal_url.rstrip("/") + "/ca-nhan/lien-he"
    assert point.pending_address is not None
    if point.channel == EMAIL:
        body = (
            f"Mã xác nhận địa chỉ thư điện tử của bạn trên Cổng Dịch vụ công là: {code}\n\n"
            f"Mã có hiệu lực trong {minutes} phút và chỉ dùng được một lần. Nhập mã tại trang "
            f"Thông tin liên hệ: {page}\n\n"
            "Không chia sẻ mã này cho bất kỳ ai. Nếu bạn không yêu cầu, hãy bỏ qua thư này.\n"
            "Thư được gửi tự động, vui lòng không trả lời."
        )
        subject = "Mã xác nhận thư điện tử – Cổng Dịch vụ công"
        channel = "email"
    else:
        body = (
            f"Cổng Dịch vụ công: mã xác nhận số điện thoại của bạn là {code}, "
            f"hiệu lực {minutes} phút. Không chia sẻ mã này cho bất kỳ ai."
        )
        subject, channel = None, "sms"
    return OutboundMessage(
        channel=channel,
        personal_id=point.personal_id,
        address=point.pending_address,
        subject=subject,
        body=body,
        reference=CODE_REFERENCE,
        created_at=now,
    )


def confirm(
    session: Session,
    personal_id: str,
    channel: str,
    raw_code: str,
    now: datetime,
    *,
    secret: str | bytes,
) -> ContactPoint:
    """Check the typed code; the right one confirms the pending address and is spent.
    Every try counts (at most MAX_TRIES per code, counted in the database so two tries at
    once cannot both slip under the limit). Commits; ContactError for "<channel>_code"."""
    field = f"{channel}_code"
    code = normalize_text(raw_code[:64]).replace(" ", "")
    if not code:
        raise ContactError(NEEDS_CODE, field)
    if not _CODE.fullmatch(code):
        raise ContactError(BAD_CODE, field)
    point = session.get(ContactPoint, (personal_id, channel))
    if point is None or not point.pending_address or not point.code_hash:
        raise ContactError(NO_CODE, field)
    if point.code_attempts >= MAX_TRIES:
        raise ContactError(TOO_MANY.format(n=MAX_TRIES), field)
    if point.code_expires_at is None or point.code_expires_at <= now:
        raise ContactError(EXPIRED, field)
    counted = session.exec(
        update(ContactPoint)
        .where(
            col(ContactPoint.personal_id) == personal_id,
            col(ContactPoint.channel) == channel,
            col(ContactPoint.code_hash) == point.code_hash,
            col(ContactPoint.code_attempts) < MAX_TRIES,
        )
        .values(code_attempts=ContactPoint.code_attempts + 1)
    ).rowcount
    session.commit()
    session.refresh(point)
    if counted != 1:  # spent, replaced or exhausted meanwhile
        raise ContactError(NO_CODE if not point.code_hash else TOO_MANY.format(n=MAX_TRIES), field)
    expected = _hash(secret, personal_id, channel, point.pending_address or "", code)
    if not hmac.compare_digest(expected, point.code_hash or ""):
        left = MAX_TRIES - point.code_attempts
        if left <= 0:
            raise ContactError(TOO_MANY.format(n=MAX_TRIES), field)
        raise ContactError(WRONG.format(left=left), field)
    point.address, point.confirmed_at = point.pending_address, now
    point.pending_address = point.code_hash = point.code_expires_at = None
    point.code_attempts, point.updated_at = 0, now
    session.add(point)
    session.commit()
    session.refresh(point)
    return point


def remove(session: Session, personal_id: str, channel: str, now: datetime) -> bool:
    """Stop using the channel: the confirmed and the pending address go. Commits."""
    point = session.get(ContactPoint, (personal_id, channel))
    if point is None:
        return False
    session.delete(point)
    session.commit()
    return True
