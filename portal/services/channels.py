"""E-mail and SMS: the outbox rows a notification owes and their delivery.

`messages_for` turns a Notification into OutboundMessage rows, one per confirmed contact
point of its citizen (an e-mail to a confirmed address, an SMS to a confirmed phone;
nothing to an unconfirmed one), at most one per channel and notification (the database's
unique index): running it twice writes nothing new. The text is the portal's own and names
only the dossier's code, its status and an absolute link to the dossier page: the
notification's own text (an officer's note may follow its first line) stays in the portal,
and no name, number or address of anyone goes out by mail or SMS. A co-party whose
confirmation the dossier awaits is asked to confirm, with a link to the answer.

`send` delivers one message at most once: it claims the row (pending → sending, in one
UPDATE) before talking to the server, so two runs of its task cannot both send; a transient
failure puts it back to pending with the backoff's delay, a refusal or too many attempts
mark it failed, with the error. `sent_at` holds when the last attempt started, then when
it was sent. `due` is the periodic sweep: pending rows never enqueued (a crash between
commit and enqueue), retries the queue lost, claims left by a dead worker.

Plain functions taking a session; no Flask here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import and_, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from portal.models import Dossier, DossierParty, Notification, OutboundMessage
from portal.models.dossiers import STATUS_LABELS, Status
from portal.services import contact_points
from portal.services.mail import Mailer, MailError
from portal.services.sms import SmsError, SmsProvider

EMAIL, SMS = "email", "sms"
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
MAX_ATTEMPTS = 8
STALE_CLAIM = timedelta(minutes=10)  # a "sending" row older than this lost its worker
SIGNATURE = "Cổng Dịch vụ công"
CODE_SENT = "(mã xác nhận đã gửi; không lưu lại)"
_CHANNEL_OF = {contact_points.EMAIL: EMAIL, contact_points.PHONE: SMS}


class Backoff(Protocol):
    """BASE·2^n seconds, at most CAP (the task queue's writeback.Retry)."""

    @property
    def base(self) -> float: ...

    @property
    def cap(self) -> float: ...


@dataclass(frozen=True)
class Text:
    subject: str
    email: str
    sms: str
    reference: str | None


@dataclass(frozen=True)
class Outcome:
    """What one attempt did: "sent", "retry" (after `delay` s), "failed" or "skipped"
    (not pending, or another run holds it)."""

    state: str
    error: str = ""
    delay: float | None = None


# --- composing --------------------------------------------------------------------------


def compose(session: Session, notification: Notification, portal_url: str) -> Text:
    """The message's words: the dossier's code, its status and the link, or, for a
    notification about another page, that there is news and the link."""
    base = portal_url.rstrip("/")
    dossier = session.get(Dossier, notification.dossier_id) if notification.dossier_id else None
    if dossier is None or not dossier.code:
        link = _page_link(base, notification.link)
        email = (
            "Bạn có thông báo mới trên Cổng Dịch vụ công.\n\n"
            f"Xem chi tiết (đăng nhập bằng tài khoản định danh điện tử VNeID):\n{link}\n"
        )
        sms = f"{SIGNATURE}: bạn có thông báo mới. Xem tại {link}"
        return Text("Thông báo mới – " + SIGNATURE, email + _footer(base), sms, None)
    code = dossier.code
    link = f"{base}/ho-so/{code}"
    status = STATUS_LABELS.get(dossier.status, dossier.status)
    if _asked_to_confirm(session, dossier, notification.personal_id):
        subject = f"Hồ sơ {code}: đề nghị bạn xác nhận – {SIGNATURE}"
        headline = (
            f"Bạn được đề nghị xác nhận hồ sơ {code}. Hồ sơ chỉ được chuyển đến cơ quan "
            "giải quyết sau khi các bên liên quan xác nhận."
        )
        link += "#xac-nhan"
        sms = f"{SIGNATURE}: đề nghị bạn xác nhận hồ sơ {code}. Xem và trả lời tại {link}"
    else:
        subject = f"Hồ sơ {code}: có thông báo mới – {SIGNATURE}"
        headline = f"Hồ sơ {code} có thông báo mới.\nTrạng thái hiện tại: {status}."
        if dossier.due_date:
            headline += f"\nNgày hẹn trả kết quả: {dossier.due_date.strftime('%d/%m/%Y')}."
        sms = f"{SIGNATURE}: hồ sơ {code} có thông báo mới ({status}). Xem tại {link}"
    email = (
        f"{headline}\n\nXem chi tiết (đăng nhập bằng tài khoản định danh điện tử VNeID):\n{link}\n"
    )
    return Text(subject, email + _footer(base), sms, code)


def _footer(base: str) -> str:
    return (
        "\n--\nThư được gửi tự động, vui lòng không trả lời. Cổng Dịch vụ công không bao giờ "
        "hỏi mật khẩu hay mã xác nhận của bạn qua thư.\n"
        f"Bạn nhận thư vì đã xác nhận địa chỉ này tại {base}/ca-nhan/lien-he.\n"
    )


def _page_link(base: str, link: str | None) -> str:
    """An absolute link to a page of the portal (never elsewhere)."""
    if link and link.startswith("/") and not link.startswith("//"):
        return base + link
    if link and link.startswith(base + "/"):
        return link
    return base + "/ca-nhan"


def _asked_to_confirm(session: Session, dossier: Dossier, personal_id: str) -> bool:
    if dossier.status != Status.AWAITING_PARTIES:
        return False
    row = session.exec(
        select(DossierParty).where(
            DossierParty.dossier_id == dossier.id, DossierParty.personal_id == personal_id
        )
    ).first()
    return bool(row and row.consent == "required" and row.answer is None)


# --- the outbox -------------------------------------------------------------------------


def messages_for(
    session: Session, notification_id: int, portal_url: str, now: datetime
) -> list[int]:
    """Write the messages `notification_id` owes (none to unconfirmed addresses) and return
    the ids of its messages still pending, for the caller to enqueue. Commits."""
    notification = session.get(Notification, notification_id)
    if notification is None:
        return []
    have = {m.channel for m in _of_notification(session, notification_id)}
    addresses = contact_points.confirmed(session, notification.personal_id)
    wanted = [
        (_CHANNEL_OF[c], a) for c, a in sorted(addresses.items()) if _CHANNEL_OF[c] not in have
    ]
    if wanted:
        text = compose(session, notification, portal_url)
        for channel, address in wanted:
            session.add(
                OutboundMessage(
                    channel=channel,
                    personal_id=notification.personal_id,
                    address=address,
                    subject=text.subject if channel == EMAIL else None,
                    body=text.email if channel == EMAIL else text.sms,
                    reference=text.reference,
                    notification_id=notification_id,
                    created_at=now,
                )
            )
        try:
            session.commit()
        except IntegrityError:  # another run wrote them first
            session.rollback()
    return [
        m.id for m in _of_notification(session, notification_id) if m.status == PENDING and m.id
    ]


def _of_notification(session: Session, notification_id: int) -> list[OutboundMessage]:
    query = select(OutboundMessage).where(OutboundMessage.notification_id == notification_id)
    return list(session.exec(query.order_by(col(OutboundMessage.id))))


# --- delivery ---------------------------------------------------------------------------


def delay(backoff: Backoff, attempts: int) -> float:
    """Seconds before attempt `attempts` + 1: BASE·2^(attempts−1), at most CAP."""
    return float(min(backoff.cap, backoff.base * 2 ** max(0, attempts - 1)))


def send(
    session: Session,
    message_id: int,
    *,
    mailer: Mailer,
    sms: SmsProvider,
    now: datetime,
    backoff: Backoff,
) -> Outcome:
    """One delivery attempt of a pending message (see the module's docstring). Commits."""
    claimed = session.exec(
        update(OutboundMessage)
        .where(col(OutboundMessage.id) == message_id, _claimable(now))
        .values(status=SENDING, attempts=OutboundMessage.attempts + 1, sent_at=now)
    ).rowcount
    session.commit()
    if claimed != 1:
        return Outcome("skipped")
    message = session.get(OutboundMessage, message_id)
    assert message is not None
    try:
        if message.channel == EMAIL:
            mailer.send(message.address, message.subject or SIGNATURE, message.body)
        else:
            sms.send(message.address, message.body)
    except (MailError, SmsError) as exc:
        return _failed(session, message, str(exc), exc.transient, backoff)
    message.status, message.last_error = SENT, None
    if message.reference == contact_points.CODE_REFERENCE:
        message.body = CODE_SENT  # the code lives as a hash only
    session.add(message)
    session.commit()
    return Outcome(SENT)


def _claimable(now: datetime):
    return or_(
        col(OutboundMessage.status) == PENDING,
        and_(
            col(OutboundMessage.status) == SENDING, col(OutboundMessage.sent_at) < now - STALE_CLAIM
        ),
    )


def _failed(
    session: Session, message: OutboundMessage, error: str, transient: bool, backoff: Backoff
) -> Outcome:
    again = transient and message.attempts < MAX_ATTEMPTS
    message.status, message.last_error = (PENDING if again else FAILED), error[:500]
    session.add(message)
    session.commit()
    if again:
        return Outcome("retry", error, delay(backoff, message.attempts))
    return Outcome(FAILED, error)


def due(
    session: Session, now: datetime, *, grace: timedelta, backoff: Backoff, limit: int
) -> list[int]:
    """The messages the sweep should enqueue: pending and never tried for `grace`, pending
    whose retry is `grace` overdue, and claims older than STALE_CLAIM."""
    rows = session.exec(
        select(OutboundMessage)
        .where(col(OutboundMessage.status).in_((PENDING, SENDING)))
        .order_by(col(OutboundMessage.created_at), col(OutboundMessage.id))
        .limit(limit)
    ).all()
    return [m.id for m in rows if m.id is not None and _is_due(m, now, grace, backoff)]


def _is_due(m: OutboundMessage, now: datetime, grace: timedelta, backoff: Backoff) -> bool:
    if m.status == SENDING:
        return m.sent_at is not None and m.sent_at < now - STALE_CLAIM
    if m.attempts == 0 or m.sent_at is None:
        return m.created_at <= now - grace
    return m.sent_at + timedelta(seconds=delay(backoff, m.attempts)) + grace <= now


def of_person(session: Session, personal_id: str, limit: int = 20) -> Iterable[OutboundMessage]:
    """The latest messages sent or owed to a person (tests, support)."""
    query = select(OutboundMessage).where(OutboundMessage.personal_id == personal_id)
    return session.exec(query.order_by(col(OutboundMessage.id).desc()).limit(limit)).all()
