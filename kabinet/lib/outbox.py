"""E-mail and SMS that never turn a completed action into an error page (SPEC 4, Reliability).

Every e-mail goes through `OutboxEmailBackend` (settings.EMAIL_BACKEND; the real backend is
settings.OUTBOX_EMAIL_BACKEND, from EMAIL_URL) and every SMS through `sms_send_or_queue`. Both
try to deliver at once; when the SMTP server or the SMS provider is down, the message is kept in
the outbox table (`OutboxMessage`) instead of raising, and retried with a growing delay:

- by `python manage.py send_outbox` (cron, or by hand), and by the Celery beat task
  `kabinet.lib.tasks.send_outbox` every minute where a broker runs;
- opportunistically: after any message is delivered, the messages already due go too.

A message that still fails after MAX_ATTEMPTS is marked failed and logged as an error: none is
dropped silently. Nothing here logs an address, a phone number or a message text.
"""

from __future__ import annotations

import base64
import datetime
import email
import logging
from collections.abc import Sequence
from email.mime.base import MIMEBase
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from kabinet.lib.models import OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 30
MAX_DELAY = datetime.timedelta(hours=1)
MIME_PART = "x-kabinet/mime-part"
# How many due messages one successful delivery takes along with it.
OPPORTUNISTIC_BATCH = 20

Kind = OutboxMessage.Kind
Status = OutboxMessage.Status


def retry_delay(attempts: int) -> datetime.timedelta:
    """1, 2, 4 ... minutes after each failed attempt, at most an hour."""
    return min(datetime.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_DELAY)


# --- e-mail -----------------------------------------------------------------------------------


def email_payload(message: EmailMessage) -> dict[str, Any]:
    alternatives = getattr(message, "alternatives", [])
    attachments = []
    for attachment in message.attachments:
        if isinstance(attachment, MIMEBase):  # a ready MIME part: kept whole
            data = attachment.as_bytes()
            attachments.append([None, base64.b64encode(data).decode("ascii"), MIME_PART])
            continue
        filename, content, mimetype = attachment
        data = content.encode() if isinstance(content, str) else bytes(content)
        attachments.append([filename, base64.b64encode(data).decode("ascii"), mimetype])
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": str(message.from_email),
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": {str(k): str(v) for k, v in message.extra_headers.items()},
        "alternatives": [[str(content), mimetype] for content, mimetype in alternatives],
        "attachments": attachments,
    }


def email_from_payload(payload: dict[str, Any]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
        cc=payload["cc"],
        bcc=payload["bcc"],
        reply_to=payload["reply_to"],
        headers=payload["headers"],
    )
    for content, mimetype in payload["alternatives"]:
        message.attach_alternative(content, mimetype)
    for filename, data, mimetype in payload["attachments"]:
        if mimetype == MIME_PART:
            message.attach(_mime_part(base64.b64decode(data)))
        else:
            message.attach(filename, base64.b64decode(data), mimetype)
    return message


def _mime_part(raw: bytes) -> MIMEBase:
    parsed = email.message_from_bytes(raw)
    part = MIMEBase(parsed.get_content_maintype(), parsed.get_content_subtype())
    for name in set(part.keys()):
        del part[name]
    for name, value in parsed.items():
        part[name] = value
    part.set_payload(parsed.get_payload())
    return part


class OutboxEmailBackend(BaseEmailBackend):
    """Hands each message to the real backend; keeps what it could not deliver for later."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        count = 0
        for message in email_messages:
            if not message.recipients():
                continue
            deliver_or_queue(Kind.EMAIL, email_payload(message))
            count += 1
        return count


# --- SMS --------------------------------------------------------------------------------------


def sms_send_or_queue(to: str, text: str) -> None:
    """Send an SMS now, or keep it in the outbox when the provider is down."""
    deliver_or_queue(Kind.SMS, {"to": to, "text": text})


# --- delivery ---------------------------------------------------------------------------------


def _send(kind: str, payload: dict[str, Any]) -> None:
    """One attempt with the real backend; raises whatever the backend raises."""
    if kind == Kind.EMAIL:
        connection = get_connection(settings.OUTBOX_EMAIL_BACKEND, fail_silently=False)
        connection.send_messages([email_from_payload(payload)])
    else:
        from kabinet.lib.sms import send_sms

        send_sms(payload["to"], payload["text"])


def deliver_or_queue(kind: str, payload: dict[str, Any]) -> bool:
    """Deliver now; on failure keep the message in the outbox. True when delivered now."""
    try:
        _send(kind, payload)
    except Exception as exc:  # noqa: BLE001 - any failure of the outside service is retried
        message = OutboxMessage.objects.create(
            kind=kind,
            payload=payload,
            attempts=1,
            last_error=type(exc).__name__[:200],
            next_attempt_at=timezone.now() + retry_delay(1),
        )
        log.warning(
            "%s not delivered (%s); kept in the outbox as #%s for a retry",
            kind,
            type(exc).__name__,
            message.pk,
        )
        return False
    # The service answers again: take the messages that wait for it along.
    if OutboxMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=timezone.now()).exists():
        outbox_send_due(limit=OPPORTUNISTIC_BATCH)
    return True


def outbox_send_due(*, limit: int | None = None) -> dict[str, int]:
    """Try every message whose next attempt is due. Safe to run from several processes at once:
    each message is locked while it is tried (SKIP LOCKED where the database has it)."""
    counts = {"sent": 0, "failed": 0, "retry": 0}
    done = 0
    while limit is None or done < limit:
        with transaction.atomic():
            due = OutboxMessage.objects.filter(
                status=Status.PENDING, next_attempt_at__lte=timezone.now()
            ).order_by("next_attempt_at", "pk")
            message = due.select_for_update(skip_locked=True).first()
            if message is None:
                break
            done += 1
            message.attempts += 1
            try:
                _send(message.kind, message.payload)
            except Exception as exc:  # noqa: BLE001 - retried later
                message.last_error = type(exc).__name__[:200]
                if message.attempts >= MAX_ATTEMPTS:
                    message.status = Status.FAILED
                    counts["failed"] += 1
                    log.error(
                        "outbox #%s (%s): giving up after %s attempts (%s)",
                        message.pk,
                        message.kind,
                        message.attempts,
                        message.last_error,
                    )
                else:
                    message.next_attempt_at = timezone.now() + retry_delay(message.attempts)
                    counts["retry"] += 1
            else:
                message.status = Status.SENT
                message.sent_at = timezone.now()
                message.last_error = ""
                counts["sent"] += 1
                log.info("outbox #%s (%s): delivered on attempt %s", message.pk, message.kind, message.attempts)
            message.save()
    return counts
