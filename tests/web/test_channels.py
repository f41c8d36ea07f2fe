"""E-mail and SMS of the notifications (services/channels.py, the tasks of portal/tasks.py):
a real SMTP server (aiosmtpd, tests/support/smtp.py) receives the mail, the mock SMS
provider records; the tasks run at once after each commit (test mode)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from huey.exceptions import RetryTask
from sqlalchemy import update
from sqlmodel import select

from portal import tasks
from portal.db import db
from portal.models import ContactPoint, Dossier, DossierParty, Notification, OutboundMessage, utcnow
from portal.services import channels, parties, workflow
from portal.services.sms import RecordingSms
from tests.factories import AN, DATA, LAN, NAMES, add_dossiers, load
from tests.support.channels import act_as_clerk, confirm_contact, outbox
from tests.support.smtp import body

AN_MAIL, AN_PHONE = "an.nguyen@example.vn", "+84912345678"
LAN_MAIL = "lan.do@example.vn"
MARRIAGE = "1.000894"


@pytest.fixture
def app(channels_app):
    return channels_app


def _sms(app) -> list[dict]:
    return app.extensions["sms"].sent


def test_a_transition_is_mailed_and_texted_with_the_code_and_the_link(app, smtp):
    confirm_contact(app, AN, email=AN_MAIL, phone=AN_PHONE)
    (code,) = add_dossiers(app, {})
    act_as_clerk(app, code, "receive")

    (mail,) = smtp.to(AN_MAIL)
    assert mail["Subject"] == f"Hồ sơ {code}: có thông báo mới – Cổng Dịch vụ công"
    assert "Cổng Dịch vụ công" in mail["From"]
    text = body(mail)
    assert f"Hồ sơ {code} có thông báo mới." in text
    assert "Trạng thái hiện tại: Đã tiếp nhận." in text
    assert f"http://portal.test/ho-so/{code}\n" in text
    (sms,) = _sms(app)
    assert sms["to"] == AN_PHONE
    assert code in sms["text"] and f"http://portal.test/ho-so/{code}" in sms["text"]
    for sent in (text, mail["Subject"], sms["text"]):  # no personal data goes out
        assert NAMES[AN] not in sent and AN not in sent and "Lê Lợi" not in sent
    rows = outbox(app, personal_id=AN)
    assert {(m.channel, m.status, m.attempts, m.reference) for m in rows} == {
        ("email", "sent", 1, code),
        ("sms", "sent", 1, code),
    }


def test_an_officer_note_stays_in_the_portal(app, smtp):
    """The notification's text may carry the officer's note (a supplement request): the
    mail names the dossier's status only."""
    confirm_contact(app, AN, email=AN_MAIL)
    (code,) = add_dossiers(app, {})
    act_as_clerk(
        app, code, "request_supplement", note="Bổ sung bản sao giấy khai sinh của Nguyễn Văn An"
    )
    (mail,) = smtp.to(AN_MAIL)
    assert "Nguyễn Văn An" not in body(mail) and "Cần bổ sung" in body(mail)


def test_unconfirmed_addresses_receive_nothing(app, smtp):
    with app.app_context(), db.new_session() as session:
        for channel, address in (("email", AN_MAIL), ("phone", AN_PHONE)):
            session.add(
                ContactPoint(
                    personal_id=AN, channel=channel, pending_address=address, code_hash="x"
                )
            )
        session.commit()
    (code,) = add_dossiers(app, {})
    act_as_clerk(app, code, "receive")
    assert smtp.messages == [] and _sms(app) == []
    assert outbox(app, personal_id=AN) == []
    assert len([n for n in _notifications(app) if n.personal_id == AN]) == 1  # in-app still


def _notifications(app) -> list[Notification]:
    with app.app_context(), db.new_session() as session:
        return list(session.exec(select(Notification)))


def test_the_tasks_running_twice_send_once(app, smtp):
    confirm_contact(app, AN, email=AN_MAIL, phone=AN_PHONE)
    (code,) = add_dossiers(app, {})
    act_as_clerk(app, code, "receive")
    (notification,) = [n for n in _notifications(app) if n.personal_id == AN]
    with app.app_context():
        tasks.deliver_notification.call_local(notification.id)
        for message in outbox(app, personal_id=AN):
            assert tasks.send_message.call_local(message.id) == "skipped"
    assert len(smtp.to(AN_MAIL)) == 1 and len(_sms(app)) == 1
    assert len(outbox(app, personal_id=AN)) == 2


def test_smtp_down_then_up_retries_with_backoff(app, smtp):
    confirm_contact(app, AN, email=AN_MAIL)
    smtp.stop()
    (code,) = add_dossiers(app, {})
    act_as_clerk(app, code, "receive")  # the first attempt fails: the retry is scheduled
    (message,) = outbox(app, personal_id=AN)
    assert (message.status, message.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in (message.last_error or "")

    with app.app_context(), pytest.raises(RetryTask) as retry:
        tasks.send_message.call_local(message.id)
    assert retry.value.delay == 2 * app.config["TASK_RETRY_BASE_SECONDS"]  # 30 s, then 60 s
    smtp.start()
    with app.app_context():
        assert tasks.send_message.call_local(message.id) == "sent"
    (message,) = outbox(app, personal_id=AN)
    assert (message.status, message.attempts, message.last_error) == ("sent", 3, None)
    (mail,) = smtp.to(AN_MAIL)
    assert code in mail["Subject"]


def test_a_message_left_pending_is_sent_by_the_sweep(app, smtp):
    """A crash between the commit and the enqueue: the row waits; the sweep sends it once
    its grace has passed, and a retry only once its backoff is over."""
    confirm_contact(app, AN, email=AN_MAIL)
    (code,) = add_dossiers(app, {})
    dossier = load(app, code)
    long_ago = utcnow() - timedelta(minutes=10)
    with app.app_context(), db.new_session() as session:
        notification = Notification(personal_id=AN, dossier_id=dossier.id, text="x")
        session.add(notification)
        session.commit()
        channels.messages_for(session, notification.id, "http://portal.test", long_ago)
        session.exec(update(OutboundMessage).values(created_at=long_ago))
        session.commit()
    assert smtp.messages == []
    with app.app_context():
        assert tasks.requeue_pending_messages.call_local() == 1
        assert tasks.requeue_pending_messages.call_local() == 0
    assert len(smtp.to(AN_MAIL)) == 1


@pytest.mark.parametrize(
    ("attempts", "tried_ago", "due"),
    [
        (0, None, True),  # never tried, past its grace
        (1, 60, False),  # first retry after 30 s (+120 s grace)
        (1, 200, True),
        (3, 200, False),  # fourth attempt after 120 s (+ grace)
        (3, 300, True),
    ],
)
def test_the_sweep_waits_for_the_backoff(app, attempts, tried_ago, due):
    now = utcnow()
    message = OutboundMessage(
        channel="email",
        personal_id=AN,
        address=AN_MAIL,
        body="x",
        attempts=attempts,
        created_at=now - timedelta(hours=1),
        sent_at=now - timedelta(seconds=tried_ago) if tried_ago else None,
    )
    backoff = tasks._retry_policy(app)
    grace = timedelta(seconds=app.config["TASK_PENDING_GRACE_SECONDS"])
    assert channels._is_due(message, now, grace, backoff) is due


def test_a_co_party_asked_to_confirm_is_told_by_email(app, smtp):
    confirm_contact(app, LAN, email=LAN_MAIL)
    data = DATA | {"partner_personal_id": LAN, "partner_full_name": NAMES[LAN]}
    data |= {"partner_birth_date": "2002-03-04"}
    (code,) = add_dossiers(app, {"procedure_code": MARRIAGE, "status": "draft", "data": data})
    procedure = app.extensions["catalogue"].get(MARRIAGE)
    with app.app_context(), db.new_session() as session:
        draft = session.exec(select(Dossier).where(Dossier.code == code)).one()
        parties.add_parties(session, draft, procedure, data, utcnow().date())
        submitted = workflow.apply(
            session,
            draft,
            "submit",
            workflow.citizen(AN),
            expected_version=draft.version,
            now=utcnow(),
            values={"subject_key": None, "open_key": None},
        )
        assert submitted.status == "awaiting_parties"
        rows = session.exec(select(DossierParty).where(DossierParty.personal_id == LAN)).all()
        assert [r.consent for r in rows] == ["required"]
    told = [n for n in _notifications(app) if n.personal_id == LAN]
    assert len(told) == 1 and told[0].dossier_id == load(app, code).id
    (mail,) = smtp.to(LAN_MAIL)
    assert mail["Subject"] == f"Hồ sơ {code}: đề nghị bạn xác nhận – Cổng Dịch vụ công"
    assert f"http://portal.test/ho-so/{code}#xac-nhan" in body(mail)
    assert NAMES[AN] not in body(mail) and NAMES[LAN] not in body(mail)
    assert smtp.to(AN_MAIL) == []  # the applicant acted: their page says it


def test_a_notice_about_another_page_links_to_it(app, smtp):
    confirm_contact(app, AN, email=AN_MAIL)
    with app.app_context(), db.new_session() as session:
        notification = Notification(personal_id=AN, text="Phản ánh của bạn đã được trả lời.")
        notification.link = "/phan-anh/12"
        session.add(notification)
        session.commit()
        tasks.deliver_notification.call_local(notification.id)
    (mail,) = smtp.to(AN_MAIL)
    assert "http://portal.test/phan-anh/12" in body(mail)
    assert "Phản ánh của bạn" not in body(mail)


def test_a_refused_address_is_marked_failed_and_not_retried(app, smtp):
    smtp.refused.add(AN_MAIL)
    confirm_contact(app, AN, email=AN_MAIL)
    (code,) = add_dossiers(app, {})
    act_as_clerk(app, code, "receive")
    (message,) = outbox(app, personal_id=AN)
    assert (message.status, message.attempts) == ("failed", 1)
    assert "550" in (message.last_error or "")
    with app.app_context():
        assert tasks.send_message.call_local(message.id) == "skipped"
        assert tasks.requeue_pending_messages.call_local() == 0


def test_an_sms_provider_outage_is_retried(app):
    app.extensions["sms"] = RecordingSms(fail_next=1)
    confirm_contact(app, AN, phone=AN_PHONE)
    (code,) = add_dossiers(app, {})
    act_as_clerk(app, code, "receive")
    (message,) = outbox(app, personal_id=AN)
    assert (message.channel, message.status, message.attempts) == ("sms", "pending", 1)
    with app.app_context():
        assert tasks.send_message.call_local(message.id) == "sent"
    (sms,) = _sms(app)
    assert sms["to"] == AN_PHONE and code in sms["text"]
