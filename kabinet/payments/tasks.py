"""Background jobs: the e-mailed receipt copy and the reconciliation of pending payments."""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kabinet.payments.models import Payment


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=True,
    max_retries=8,
)
def send_payment_receipt(payment_id: int) -> bool:
    """E-mail a copy of the receipt (text and HTML, in Russian) for a succeeded payment."""
    payment = (
        Payment.objects.select_related("organisation", "user")
        .filter(pk=payment_id, status=Payment.Status.SUCCEEDED)
        .first()
    )
    if payment is None or not payment.receipt_sent_to:
        return False  # the copy was not queued to anyone (see `receipt_recipient`)
    recipient = payment.receipt_sent_to
    with translation.override("ru"):
        assert payment.paid_at is not None
        ctx = {
            "payment": payment,
            "organisation": payment.organisation,
            "allocations": list(payment.allocations.select_related("account")),
            "paid_at": timezone.localtime(payment.paid_at, payment.organisation.tz),
            "site_url": settings.SITE_URL,
        }
        total = f"{payment.total:.2f}".replace(".", ",")
        subject = _("Копия чека: оплата %(total)s ₽, платёж %(number)s") % {
            "total": total,
            "number": payment.number,
        }
        text = render_to_string("payments/email/receipt.txt", ctx)
        html = render_to_string("payments/email/receipt.html", ctx)
    message = EmailMultiAlternatives(subject, text, to=[recipient])
    message.attach_alternative(html, "text/html")
    # Delivered, or kept in the outbox for a retry (kabinet/lib/outbox.py): either way it goes.
    return bool(message.send())


@shared_task
def reconcile_payments() -> dict[str, int]:
    from kabinet.payments.services import payments_reconcile

    return payments_reconcile()
