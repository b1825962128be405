"""Fifty copies of one success notification at the same moment credit the payment once."""

import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection

from kabinet.billing.models import BillingPayment
from kabinet.payments.models import Payment
from kabinet.payments.providers import sandbox
from kabinet.payments.services import payment_notification_handle
from kabinet.payments.tests.helpers import started_payment

THREADS = 50


@pytest.mark.django_db(transaction=True)
def test_it_credits_once_under_fifty_concurrent_notifications(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises all writers; row locks are only exercised on PostgreSQL")
    from kabinet.accounts.tests.factories import make_world

    world = make_world(tmp_path)
    payment = started_payment(world)
    body = sandbox.notification_body(payment, "succeeded")
    headers = {sandbox.SIGNATURE_HEADER: sandbox.sign(body)}
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            start.wait()
            payment_notification_handle(provider="sandbox", body=body, headers=headers)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    credited = BillingPayment.objects.filter(account=world.account, channel="Онлайн")
    assert list(credited.values_list("amount", flat=True)) == [Decimal("100.00")]
