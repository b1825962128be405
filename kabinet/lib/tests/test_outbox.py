"""Outside failures never turn a done action into an error page (issue 10, item 7): with the
mail server or the SMS provider down, sign-up, the payment return page and the gateways'
notifications answer as usual; the message waits in the outbox and goes once they are back."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.urls import reverse

from kabinet.lib.models import OutboxMessage
from kabinet.lib.outbox import MAX_ATTEMPTS, outbox_send_due, sms_send_or_queue
from kabinet.lib.sms import SmsError
from kabinet.payments.models import Payment
from kabinet.payments.tests.helpers import started_payment
from kabinet.payments.tests.test_tbank import notification as tbank_notification
from kabinet.payments.tests.test_tbank import post as post_tbank
from kabinet.payments.tests.test_tbank import tbank  # noqa: F401 - a fixture
from kabinet.users.tests.helpers import STRONG, post, sms_messages


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Inbox:
    messages: list[bytes] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp_down(settings) -> int:  # type: ignore[no-untyped-def]
    """Production mail settings pointing at an SMTP port where nobody listens."""
    port = free_port()
    settings.EMAIL_BACKEND = "kabinet.lib.outbox.OutboxEmailBackend"
    settings.OUTBOX_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return port


@pytest.fixture
def smtp_back_up(smtp_down: int) -> Iterator[Inbox]:
    """Call to start an SMTP server on the port that was down."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_down)
    started: list[Controller] = []

    def start() -> Inbox:
        controller.start()
        started.append(controller)
        return inbox

    yield start  # type: ignore[misc]
    for running in started:
        running.stop()


def test_it_signs_up_while_the_mail_server_is_down_and_sends_the_code_later(
    client, db, django_capture_on_commit_callbacks, smtp_back_up
):
    response = post(
        client,
        django_capture_on_commit_callbacks,
        "/signup/",
        {"email": "anna@example.com", "password1": STRONG, "password2": STRONG},
    )
    assert response.status_code == 302
    assert response.url == "/signup/confirm/"
    queued = OutboxMessage.objects.get()
    assert (queued.kind, queued.status, queued.attempts) == ("email", "pending", 1)
    assert queued.last_error == "ConnectionRefusedError"
    assert client.get("/signup/confirm/").status_code == 200

    inbox = smtp_back_up()
    # Not due yet: the retry waits a minute.
    assert outbox_send_due() == {"sent": 0, "failed": 0, "retry": 0}
    OutboxMessage.objects.update(next_attempt_at=queued.created_at)
    call_command("send_outbox")
    [message] = inbox.messages
    assert b"anna@example.com" in message
    queued.refresh_from_db()
    assert queued.status == "sent" and queued.attempts == 2


def test_it_finishes_a_payment_while_the_mail_server_is_down_and_sends_the_receipt_later(
    client, world, django_capture_on_commit_callbacks, smtp_back_up
):
    client.force_login(world.holder)
    payment = started_payment(world)
    bank = reverse("payment_sandbox_bank", args=[payment.uid])
    card = {"action": "card", "card_number": "4111 1111 1111 1111", "expiry": "12/30", "cvc": "123"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(bank, card)
    assert response.status_code == 302
    page = client.get(response.url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Успешно проведена оплата" in text
    # Kept in the outbox for holder@example.com: it will go, so the page may say so.
    assert "Копия чека отправлена на holder@example.com" in text
    assert OutboxMessage.objects.get().payload["to"] == ["holder@example.com"]

    inbox = smtp_back_up()
    OutboxMessage.objects.update(next_attempt_at=payment.created_at)
    call_command("send_outbox")
    [raw] = inbox.messages
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert str(message["Subject"]).strip().startswith("Копия чека")
    assert str(message["To"]).strip() == "holder@example.com"


@pytest.mark.usefixtures("tbank")
def test_it_accepts_a_gateways_notification_while_the_mail_server_is_down(
    client, world, django_capture_on_commit_callbacks, smtp_down
):
    payment = started_payment(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_tbank(client, tbank_notification(payment))
    assert response.status_code == 200
    assert response.content == b"OK"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert OutboxMessage.objects.filter(kind="email", status="pending").count() == 1


def test_it_says_a_receipt_was_emailed_only_when_one_was(
    client, world, django_capture_on_commit_callbacks
):
    from kabinet.users.services import notification_set

    notification_set(user=world.holder, receipt_by_email=False)
    client.force_login(world.holder)
    payment = started_payment(world)
    bank = reverse("payment_sandbox_bank", args=[payment.uid])
    card = {"action": "card", "card_number": "4111111111111111", "expiry": "12/30", "cvc": "123"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(bank, card)
    text = client.get(reverse("payment_detail", args=[payment.uid])).content.decode()
    assert "Успешно проведена оплата" in text
    assert "Копия чека отправлена" not in text


class DownSms:
    def send(self, to: str, text: str) -> None:
        raise SmsError("the provider does not answer")


def test_it_signs_up_by_phone_while_the_sms_provider_is_down_and_sends_the_sms_later(
    client, db, django_capture_on_commit_callbacks, settings, tmp_path: Path
):
    settings.SMS_BACKEND = f"{__name__}.DownSms"
    response = post(
        client,
        django_capture_on_commit_callbacks,
        "/signup/phone/",
        {"phone": "8 (913) 123-45-67", "password1": STRONG, "password2": STRONG},
    )
    assert response.status_code == 302
    queued = OutboxMessage.objects.get()
    assert (queued.kind, queued.last_error) == ("sms", "SmsError")

    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_DIR = str(tmp_path / "sms")
    OutboxMessage.objects.update(next_attempt_at=queued.created_at)
    assert outbox_send_due() == {"sent": 1, "failed": 0, "retry": 0}
    [sms] = sms_messages(tmp_path / "sms")
    assert sms["to"] == "+79131234567"


def test_it_sends_what_waits_as_soon_as_a_message_goes_through(db, settings, tmp_path: Path):
    settings.SMS_BACKEND = f"{__name__}.DownSms"
    sms_send_or_queue("+79131234567", "первое")
    OutboxMessage.objects.update(next_attempt_at=OutboxMessage.objects.get().created_at)
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_DIR = str(tmp_path)
    sms_send_or_queue("+79131234567", "второе")
    assert sorted(m["text"] for m in sms_messages(tmp_path)) == ["второе", "первое"]
    assert OutboxMessage.objects.get().status == "sent"


def test_it_never_drops_a_message_silently(db, settings, caplog):
    settings.SMS_BACKEND = f"{__name__}.DownSms"
    sms_send_or_queue("+79131234567", "текст")
    message = OutboxMessage.objects.get()
    for _attempt in range(MAX_ATTEMPTS - 1):
        OutboxMessage.objects.update(next_attempt_at=message.created_at)
        outbox_send_due()
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", MAX_ATTEMPTS)
    assert "giving up" in caplog.text
    assert "+7913" not in caplog.text


def test_it_keeps_subject_bodies_and_attachments_of_a_queued_email(db, settings):
    from email.mime.text import MIMEText

    from django.core import mail
    from django.core.mail import EmailMultiAlternatives

    settings.EMAIL_BACKEND = "kabinet.lib.outbox.OutboxEmailBackend"
    settings.OUTBOX_EMAIL_BACKEND = f"{__name__}.DownEmail"
    message = EmailMultiAlternatives("Тема", "Текст", to=["anna@example.com"], cc=["b@example.com"])
    message.attach_alternative("<p>Текст</p>", "text/html")
    message.attach("epd.pdf", b"%PDF-1.4 \x00\xff", "application/pdf")
    message.attach(MIMEText("часть", "plain", "utf-8"))
    assert message.send() == 1

    settings.OUTBOX_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutboxMessage.objects.update(next_attempt_at=OutboxMessage.objects.get().created_at)
    assert outbox_send_due()["sent"] == 1
    [sent] = mail.outbox
    assert (sent.subject, sent.body, sent.to, sent.cc) == ("Тема", "Текст", ["anna@example.com"], ["b@example.com"])
    assert isinstance(sent, EmailMultiAlternatives)
    assert sent.alternatives[0][0] == "<p>Текст</p>"
    assert sent.attachments[0][:2] == ("epd.pdf", b"%PDF-1.4 \x00\xff")
    assert "0YfQsNGB0YLRjA==" in sent.message().as_string()  # the MIME part, «часть»


class DownEmail:
    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def send_messages(self, messages: object) -> int:
        raise ConnectionRefusedError("the mail server does not answer")

