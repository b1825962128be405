"""Exactly once: repeats, reordering and mismatches leave one consistent state (sandbox gateway)."""

import json
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from kabinet.billing.models import BillingPayment
from kabinet.payments.models import Payment
from kabinet.payments.providers import NotificationRefused, sandbox
from kabinet.payments.services import PaymentMismatch, payment_notification_handle
from kabinet.payments.tests.helpers import add_account, started_payment


def deliver(payment: Payment, status: str, amount: str | None = None) -> Payment:
    payment.refresh_from_db()
    body = sandbox.notification_body(payment, status)
    if amount is not None:
        data = json.loads(body)
        data["amount"] = amount
        body = json.dumps(data).encode()
    return payment_notification_handle(
        provider="sandbox", body=body, headers={sandbox.SIGNATURE_HEADER: sandbox.sign(body)}
    )


def online_total(account) -> Decimal:
    return sum(
        BillingPayment.objects.filter(account=account, channel="Онлайн").values_list("amount", flat=True),
        Decimal(0),
    )


def test_it_credits_each_account_once_with_a_stable_external_id(world):
    second = add_account(world.org, "3001", holder=world.holder)
    from kabinet.payments.services import PayLine, payment_create, payment_start

    payment = payment_create(
        user=world.holder,
        organisation=world.org,
        lines=[
            PayLine(world.account.pk, amount=Decimal("60.00"), penalty=Decimal("1.20")),
            PayLine(second.pk, amount=Decimal("40.00")),
        ],
        receipt_contact="holder@example.com",
    )
    payment = payment_start(payment=payment, return_url="https://x/", notification_url="https://x/")
    deliver(payment, "succeeded")
    credited = dict(
        BillingPayment.objects.filter(channel="Онлайн").values_list("external_id", "amount")
    )
    assert credited == {
        f"{payment.number}-1001": Decimal("61.20"),
        f"{payment.number}-3001": Decimal("40.00"),
    }


def test_it_credits_a_repeated_success_once(world, django_capture_on_commit_callbacks):
    payment = started_payment(world)
    for _attempt in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            deliver(payment, "succeeded")
    assert online_total(world.account) == Decimal("100.00")
    assert len(mail.outbox) == 1


def test_it_keeps_the_success_when_a_cancel_arrives_after_it(world):
    payment = started_payment(world)
    deliver(payment, "succeeded")
    assert deliver(payment, "canceled").status == Payment.Status.SUCCEEDED
    assert deliver(payment, "failed").status == Payment.Status.SUCCEEDED
    assert online_total(world.account) == Decimal("100.00")


def test_it_credits_a_success_that_arrives_after_a_failure(world):
    # The gateway holds the money: a late confirmation is credited rather than lost.
    payment = started_payment(world)
    deliver(payment, "failed")
    assert deliver(payment, "succeeded").status == Payment.Status.SUCCEEDED
    deliver(payment, "failed")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert online_total(world.account) == Decimal("100.00")


def test_it_ignores_a_refund_of_a_payment_never_paid(world):
    payment = started_payment(world)
    deliver(payment, "canceled")
    assert deliver(payment, "refunded").status == Payment.Status.CANCELED
    assert not BillingPayment.objects.filter(channel__startswith="Онлайн").exists()


def test_it_reverses_a_refund_once(world):
    payment = started_payment(world)
    deliver(payment, "succeeded")
    deliver(payment, "refunded")
    deliver(payment, "refunded")
    deliver(payment, "succeeded")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    amounts = BillingPayment.objects.filter(external_id__startswith=payment.number)
    assert sorted(amounts.values_list("amount", flat=True)) == [Decimal("-100.00"), Decimal("100.00")]


def test_it_refuses_and_logs_an_amount_mismatch_without_personal_data(world, caplog):
    payment = started_payment(world)
    with pytest.raises(PaymentMismatch):
        deliver(payment, "succeeded", amount="10.00")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert online_total(world.account) == 0
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert payment.number in logged and "refused" in logged
    for personal in ("holder@example.com", "Иванов", "1001", "Ленина"):
        assert personal not in logged


def test_it_refuses_a_notification_with_a_bad_signature(client, world):
    payment = started_payment(world)
    body = sandbox.notification_body(payment, "succeeded")
    response = client.post(
        reverse("payment_notify", args=["sandbox"]),
        body,
        content_type="application/json",
        headers={sandbox.SIGNATURE_HEADER: "0" * 64},
    )
    assert response.status_code == 400
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


def test_it_accepts_a_signed_notification_over_http(client, world):
    payment = started_payment(world)
    body = sandbox.notification_body(payment, "succeeded")
    response = client.post(
        reverse("payment_notify", args=["sandbox"]),
        body,
        content_type="application/json",
        headers={sandbox.SIGNATURE_HEADER: sandbox.sign(body)},
    )
    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED


def test_it_refuses_a_notification_for_an_unknown_provider(client, world):
    response = client.post(reverse("payment_notify", args=["acme"]), b"{}", content_type="application/json")
    assert response.status_code == 400


def test_it_refuses_a_state_about_another_gateway_payment(world):
    from kabinet.payments.providers import GatewayState
    from kabinet.payments.services import payment_apply

    payment = started_payment(world)
    with pytest.raises(NotificationRefused):
        payment_apply(
            payment_id=payment.pk,
            state=GatewayState("sb_other", "succeeded", payment.total, "RUB"),
        )


def test_it_emails_a_receipt_copy_in_text_and_html(world, django_capture_on_commit_callbacks):
    payment = started_payment(world)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(payment, "succeeded")
    (message,) = mail.outbox
    assert message.to == ["holder@example.com"]
    assert "Копия чека" in message.subject
    assert "Успешно проведена оплата" in message.body
    assert "Итого списано с карты: 100,00 ₽" in message.body
    assert "100,00 ₽" in message.subject
    html, mimetype = message.alternatives[0]  # type: ignore[attr-defined]
    assert mimetype == "text/html"
    assert payment.number in html


def test_it_emails_the_receipt_to_the_cabinet_when_the_receipt_goes_by_phone(
    world, django_capture_on_commit_callbacks
):
    payment = started_payment(world)
    Payment.objects.filter(pk=payment.pk).update(receipt_contact="+79131234567")
    with django_capture_on_commit_callbacks(execute=True):
        deliver(payment, "succeeded")
    assert mail.outbox[0].to == ["holder@example.com"]


def test_it_sends_no_receipt_copy_when_the_profile_says_no(world, django_capture_on_commit_callbacks):
    from kabinet.users.services import notification_set

    notification_set(user=world.holder, receipt_by_email=False)
    payment = started_payment(world)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(payment, "succeeded")
    assert mail.outbox == []
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED


def test_it_marks_a_payment_failed_when_the_gateway_is_down(client, world, monkeypatch):
    from kabinet.lib.http import HttpError
    from kabinet.payments.tests.helpers import use_gateway

    use_gateway(world.org, "yookassa", "1", "s")

    def down(*args, **kwargs):
        raise HttpError("timeout")

    monkeypatch.setattr("kabinet.lib.http.send", down)
    client.force_login(world.holder)
    data = {
        "org": "uk",
        f"amount_{world.account.pk}": "100",
        "receipt_contact": "holder@example.com",
        "confirm_total": "on",
        "accept_terms": "on",
    }
    response = client.post(reverse("payment_pay"), data, follow=True)
    assert "Банк сейчас не отвечает" in response.content.decode()
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.FAILED
