"""Delivery of e-mail and SMS through the job queue, so a failed send is retried."""

import logging
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from kabinet.lib.outbox import sms_send_or_queue
from kabinet.lib.sms import SmsError

log = logging.getLogger(__name__)

RETRY_ON = (SMTPException, SmsError, OSError)


@shared_task(autoretry_for=RETRY_ON, retry_backoff=30, max_retries=5)
def deliver_email(subject: str, to: str, text: str, html: str) -> None:
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()


@shared_task(autoretry_for=RETRY_ON, retry_backoff=30, max_retries=5)
def deliver_sms(to: str, text: str) -> None:
    # Never raises when the provider is down: the SMS waits in the outbox for a retry.
    sms_send_or_queue(to, text)
