"""VNeID account sign-in: passcode check and lockout after repeated failures."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session
from werkzeug.security import check_password_hash

from common import personal_id as pid
from identity_mock.models import Account


class LoginError(Exception):
    """A refused sign-in, with a Vietnamese message and the field it belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def authenticate(
    session: Session,
    personal_id: str,
    passcode: str,
    *,
    now: datetime,
    max_attempts: int,
    lock_minutes: int,
) -> Account:
    """Return the account when the passcode is right; count failures and lock the account."""
    account = session.get(Account, personal_id) if pid.is_valid(personal_id) else None
    if account is None:
        raise LoginError("Số định danh cá nhân hoặc mật mã không đúng.")
    if account.locked_until and account.locked_until > now:
        until = account.locked_until.strftime("%H:%M")
        raise LoginError(
            f"Tài khoản đang tạm khóa do nhập sai mật mã {max_attempts} lần. "
            f"Vui lòng thử lại sau {until} (giờ UTC)."
        )
    if not check_password_hash(account.passcode_hash, passcode):
        account.failed_attempts += 1
        left = max_attempts - account.failed_attempts
        if left <= 0:
            account.failed_attempts = 0
            account.locked_until = now + timedelta(minutes=lock_minutes)
            message = (
                f"Bạn đã nhập sai mật mã {max_attempts} lần. "
                f"Tài khoản bị tạm khóa {lock_minutes} phút."
            )
        else:
            message = f"Số định danh cá nhân hoặc mật mã không đúng. Bạn còn {left} lần thử."
        session.add(account)
        session.commit()
        raise LoginError(message, "passcode")
    account.failed_attempts = 0
    account.locked_until = None
    session.add(account)
    session.commit()
    return account
