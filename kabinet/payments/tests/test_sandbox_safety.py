"""The test bank is off in production (issue 10, item 1): refused with DEBUG=0 unless
PAYMENTS_SANDBOX=1, announced on every page when on, never money, signed with its own key."""

import datetime
import hashlib
import hmac

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from kabinet.billing.models import BillingPayment
from kabinet.orgs.models import Organisation
from kabinet.payments.models import Payment, SandboxKey
from kabinet.payments.providers import sandbox
from kabinet.payments.services import payments_reconcile
from kabinet.payments.tests.helpers import started_payment
from kabinet.payments.tests.test_pay_page import form

PAY = reverse("payment_pay")
OFF = override_settings(PAYMENTS_SANDBOX=False)


def signed(body: bytes) -> dict[str, str]:
    return {sandbox.SIGNATURE_HEADER: sandbox.sign(body)}


def test_the_test_suite_runs_with_debug_off_and_the_test_bank_switched_on():
    assert settings.DEBUG is False
    assert settings.PAYMENTS_SANDBOX is True


def test_it_refuses_a_test_bank_payment_with_debug_off(client, world):
    client.force_login(world.holder)
    with OFF:
        page = client.get(PAY).content.decode()
        response = client.post(PAY, form(world))
    assert "Онлайн-оплата для этой организации пока недоступна" in page
    assert "Итоговая сумма верна" not in page
    assert response.status_code == 400
    assert "Онлайн-оплата для этой организации пока недоступна" in response.content.decode()
    assert not Payment.objects.exists()


def test_it_refuses_the_test_banks_notifications_and_page_with_debug_off(client, world):
    payment = started_payment(world)
    body = sandbox.notification_body(payment, "succeeded")
    client.force_login(world.holder)
    with OFF:
        response = client.post(
            reverse("payment_notify", args=["sandbox"]),
            body,
            content_type="application/json",
            headers=signed(body),
        )
        bank = client.get(reverse("payment_sandbox_bank", args=[payment.uid]))
    assert response.status_code == 400
    assert bank.status_code == 404
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert not BillingPayment.objects.filter(channel="Онлайн").exists()


def test_it_leaves_test_bank_payments_out_of_reconciliation_with_debug_off(world):
    with time_machine.travel(datetime.datetime(2025, 2, 10, 5, 0, tzinfo=datetime.UTC)):
        payment = started_payment(world)
    with time_machine.travel(datetime.datetime(2025, 2, 10, 6, 0, tzinfo=datetime.UTC)):
        with OFF:
            counts = payments_reconcile()
        assert counts == {"checked": 0, "changed": 0, "errors": 0, "abandoned": 0}
        payment.refresh_from_db()
        assert payment.status == Payment.Status.PENDING
        # With the test bank on, the abandoned bank page expires as before.
        assert payments_reconcile()["changed"] == 1


def test_it_says_test_mode_on_every_page_while_the_test_bank_is_on(client, world):
    assert "Тестовый режим оплаты" in client.get(reverse("login")).content.decode()
    client.force_login(world.holder)
    assert "Тестовый режим оплаты" in client.get(reverse("payments")).content.decode()
    with OFF:
        assert "Тестовый режим оплаты" not in client.get(reverse("payments")).content.decode()


def test_it_marks_test_bank_payments_as_test_payments(client, world):
    client.force_login(world.holder)
    assert client.post(PAY, form(world)).status_code == 302
    assert Payment.objects.get().is_test is True


def test_a_new_organisation_has_no_gateway_and_says_online_payment_is_not_available(client, world):
    call_command("create_org", "--code", "new-uk", "--name", "ООО «Новая УК»", "--inn", "7707083893")
    organisation = Organisation.objects.get(code="new-uk")
    assert organisation.payment_provider == ""
    world.org.payment_provider = ""
    world.org.save(update_fields=["payment_provider"])
    client.force_login(world.holder)
    page = client.get(PAY).content.decode()
    assert "Онлайн-оплата для этой организации пока недоступна" in page
    assert client.post(PAY, form(world)).status_code == 400
    assert not Payment.objects.exists()


@override_settings(PAYMENTS_SANDBOX_SECRET="")
def test_it_signs_with_a_random_key_of_its_own_not_one_derived_from_the_secret_key(client, world):
    payment = started_payment(world)
    body = sandbox.notification_body(payment, "succeeded")
    derived = hmac.new(f"sandbox:{settings.SECRET_KEY}".encode(), body, hashlib.sha256).hexdigest()
    response = client.post(
        reverse("payment_notify", args=["sandbox"]),
        body,
        content_type="application/json",
        headers={sandbox.SIGNATURE_HEADER: derived},
    )
    assert response.status_code == 400
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    key = SandboxKey.objects.get().key
    assert len(key) == 64 and settings.SECRET_KEY not in key
    assert sandbox.signing_key() == key.encode()  # made once, then kept


@pytest.mark.parametrize("secret", ["a-key-from-the-environment"])
def test_it_signs_with_payments_sandbox_secret_when_set(world, secret):
    with override_settings(PAYMENTS_SANDBOX_SECRET=secret):
        body = b"{}"
        assert sandbox.sign(body) == hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert not SandboxKey.objects.exists()
