"""VNeID account sign-in: the passcode check and the lock after repeated failures.

The lock rule (what the README says about it):

* Failures are counted per **personal ID and client address** (`LoginThrottle`), not per
  account. A stranger who knows someone's ID and types wrong passcodes locks only that ID
  *from their own address*: the owner, signing in from elsewhere, is never locked out.
* `max_attempts` (5) failures in a row lock that pair for `lock_minutes` (15); each further
  lock of the same pair lasts twice as long, up to `max_lock_minutes` (4 h by default). A
  right passcode clears the pair; a pair left alone for a day is forgotten.
* Each attempt is **reserved before the passcode is checked**, by one atomic UPDATE
  (`failures = failures + 1 ... WHERE not locked`, RETURNING the new count): of 30
  parallel guesses, 5 get a reservation and are checked, the others are refused unchecked.
  The 5th reservation sets the lock in the same statement.
* An unknown personal ID behaves exactly like a known one: same counter, same messages,
  and the same hash work (a dummy passcode hash), so neither the answer nor its timing
  tells whether an account exists.
* Guessing across many addresses is bounded by the per-personal-ID rate limit on the
  login form (`RATE_LIMITS["login_personal_id"]`), which only counts failed attempts.
"""

from __future__ import annotations

import functools
import math
import secrets
from datetime import datetime

from sqlalchemy import case, delete, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col
from werkzeug.security import check_password_hash, generate_password_hash

from common import personal_id as pid
from common import tz
from identity_mock.models import Account, LoginThrottle

FORGET_AFTER = 86_400  # seconds without an attempt after which a pair starts afresh
WRONG = "Số định danh cá nhân hoặc mật mã không đúng."


DEFAULT_METHOD = "scrypt"  # identity_mock/config.py PASSCODE_HASH_METHOD


def hash_passcode(passcode: str, method: str = DEFAULT_METHOD) -> str:
    """The stored form of a passcode."""
    return generate_password_hash(passcode, method=method)


@functools.cache
def _dummy_hash(method: str) -> str:
    """Checked against when the personal ID has no account: the same work as a real check."""
    return hash_passcode(secrets.token_hex(8), method)


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
    max_lock_minutes: int = 240,
    client: str = "-",
    hash_method: str = DEFAULT_METHOD,
) -> Account:
    """The account when the passcode is right; otherwise a LoginError saying how many
    attempts are left, or that this ID is locked from `client` and until when.

    Commits: the reservation before the check, the clearing after a success."""
    if not pid.is_valid(personal_id):
        raise LoginError(WRONG)
    at, client = math.floor(now.timestamp()), client[:64]
    session.commit()  # each step below is its own short write transaction
    reserved = _reserve(
        session, personal_id, client, at, max_attempts, lock_minutes * 60, max_lock_minutes
    )
    if reserved is None:
        raise LoginError(_locked_message(session, personal_id, client, max_attempts))
    failures, locked_until = reserved
    account = session.get(Account, personal_id)
    right = check_password_hash(
        account.passcode_hash if account else _dummy_hash(hash_method), passcode
    )
    session.commit()
    if right and account is not None:
        session.execute(
            delete(LoginThrottle).where(
                col(LoginThrottle.personal_id) == personal_id,
                col(LoginThrottle.client) == client,
            )
        )
        session.commit()
        return account
    if locked_until is not None:  # this attempt was the round's last
        minutes = max(1, round((locked_until - at) / 60))
        raise LoginError(
            f"Bạn đã nhập sai mật mã {max_attempts} lần. Tài khoản bị tạm khóa {minutes} phút.",
            "passcode",
        )
    raise LoginError(f"{WRONG} Bạn còn {max_attempts - failures} lần thử.", "passcode")


def _reserve(
    session: Session,
    personal_id: str,
    client: str,
    at: int,
    max_attempts: int,
    first_lock: int,
    max_lock_minutes: int,
) -> tuple[int, int | None] | None:
    """Count one attempt for (personal_id, client) unless the pair is locked: (failures so
    far in this round, the lock's end when this attempt was the last), or None when the
    pair is locked. One UPDATE, so concurrent attempts never read the same count; the last
    attempt of a round sets the lock and starts the next round in the same statement."""
    _ensure_row(session, personal_id, client, at, first_lock)
    t = LoginThrottle
    failures, lock_seconds, locked_until = col(t.failures), col(t.lock_seconds), col(t.locked_until)
    last = failures + 1 >= max_attempts
    cap = max_lock_minutes * 60
    row = session.execute(
        update(t)
        .where(
            col(t.personal_id) == personal_id,
            col(t.client) == client,
            or_(locked_until.is_(None), locked_until <= at),
        )
        .values(
            failures=case((last, 0), else_=failures + 1),
            locked_until=case((last, at + lock_seconds), else_=None),
            lock_seconds=case(
                (last, case((lock_seconds * 2 > cap, cap), else_=lock_seconds * 2)),
                else_=lock_seconds,
            ),
            updated_at=at,
        )
        .returning(failures, locked_until)
    ).first()
    if row is not None and row[1] is not None:  # a lock began: forget long-quiet pairs
        session.execute(delete(t).where(col(t.updated_at) < at - max(FORGET_AFTER, cap)))
    session.commit()
    if row is None:
        return None
    return (max_attempts if row[1] is not None else row[0]), row[1]


def _ensure_row(session: Session, personal_id: str, client: str, at: int, first_lock: int) -> None:
    """INSERT … ON CONFLICT DO NOTHING, in the database's own dialect."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {
        "personal_id": personal_id,
        "client": client,
        "failures": 0,
        "lock_seconds": first_lock,
        "locked_until": None,
        "updated_at": at,
    }
    session.execute(insert(LoginThrottle).values(**values).on_conflict_do_nothing())


def _locked_message(session: Session, personal_id: str, client: str, max_attempts: int) -> str:
    row = session.get(LoginThrottle, (personal_id, client))
    session.commit()
    until = ""
    if row is not None and row.locked_until:
        moment = datetime.fromtimestamp(row.locked_until, tz.VN_TZ)
        until = f" Vui lòng thử lại sau {moment:%H:%M} (giờ Việt Nam)."
    return f"Tài khoản đang tạm khóa do nhập sai mật mã {max_attempts} lần.{until}"
