"""Delivery of e-mail and SMS through the job queue, so a failed send is retried."""

import logging
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from kabinet.lib.sms import SmsError, send_sms

log = logging.getLogger(__name__)

RETRY = {"autoretry_for": (SMTPException, SmsError, OSError), "retry_backoff": 30, "max_retries": 5}


@shared_task(**RETRY)
def deliver_email(subject: str, to: str, text: str, html: str) -> None:
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()


@shared_task(**RETRY)
def deliver_sms(to: str, text: str) -> None:
    send_sms(to, text)
