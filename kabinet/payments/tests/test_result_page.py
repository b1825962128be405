"""The payment's page says one thing: what happened to the money, and where the receipt went."""

import pytest
from django.core import mail
from django.test import Client

from kabinet.payments.models import Payment
from kabinet.payments.tests.helpers import started_payment
from kabinet.payments.tests.test_crediting import deliver

pytestmark = pytest.mark.django_db


def page(client: Client, world, payment: Payment) -> str:
    client.force_login(world.holder)
    return client.get(f"/payments/{payment.uid}/").content.decode()


@pytest.mark.parametrize("status", ["failed", "canceled"])
def test_it_says_a_declined_payment_charged_nothing(client: Client, world, status: str) -> None:
    payment = started_payment(world)
    deliver(payment, status)

    body = page(client, world, payment)

    assert "Оплата не прошла" in body
    assert "Деньги не списаны" in body
    assert "Списано с карты" not in body
    assert "Копия чека" not in body


def test_it_names_the_address_the_receipt_copy_was_queued_to(
    client: Client, world, django_capture_on_commit_callbacks
) -> None:
    payment = started_payment(world)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(payment, "succeeded")

    body = page(client, world, payment)

    assert "Списано с карты" in body
    assert f"Копия чека отправлена на {mail.outbox[0].to[0]}." in body


def test_it_says_nothing_of_a_receipt_copy_that_was_not_sent(
    client: Client, world, django_capture_on_commit_callbacks
) -> None:
    from kabinet.users.services import notification_set

    notification_set(user=world.holder, receipt_by_email=False)
    payment = started_payment(world)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(payment, "succeeded")

    body = page(client, world, payment)

    assert mail.outbox == []
    assert "Успешно проведена оплата" in body
    assert "Копия чека" not in body


def test_it_says_nothing_of_a_receipt_copy_without_an_address(
    client: Client, world, django_capture_on_commit_callbacks
) -> None:
    world.holder.email = ""
    world.holder.save()
    payment = started_payment(world)
    Payment.objects.filter(pk=payment.pk).update(receipt_contact="+79131234567")
    with django_capture_on_commit_callbacks(execute=True):
        deliver(payment, "succeeded")
    payment.refresh_from_db()

    assert payment.receipt_sent_to == ""
    assert mail.outbox == []
    assert "Копия чека" not in page(client, world, payment)
