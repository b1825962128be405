"""Т-Банк API v2: the Token, Init, notifications and GetState."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from kabinet.billing.models import BillingPayment
from kabinet.lib.http import Response
from kabinet.payments.models import Payment
from kabinet.payments.providers.tbank import token
from kabinet.payments.services import payment_refresh
from kabinet.payments.tests.helpers import started_payment, use_gateway

TERMINAL = "1321054611234DEMO"
PASSWORD = "Dfsfh56dgKl"


def test_it_computes_the_documented_token():
    params = {
        "TerminalKey": "MerchantTerminalKey",
        "Amount": 19200,
        "OrderId": "00000",
        "Description": "Подарочная карта на 1000 рублей",
        "DATA": {"Phone": "+71234567890", "Email": "a@test.com"},
        "Receipt": {"Email": "a@test.ru", "Taxation": "osn", "Items": []},
    }
    assert token(params, "11111111111111") == (
        "72dd466f8ace0a37a1f740ce5fb78101712bc0665d91a8108c7c8a0ccd426db2"
    )


class FakeTBank:
    """Answers Init and GetState in the API's documented shape, and records the requests."""

    def __init__(self, status: str = "CONFIRMED", amount: int | None = None) -> None:
        self.requests: list[tuple[str, dict]] = []
        self.status = status
        self.amount = amount

    def __call__(self, method, url, *, json=None, **kwargs):
        self.requests.append((url, json))
        assert json["Token"] == token(json, PASSWORD)
        if url.endswith("/Init"):
            body = {
                "Success": True,
                "ErrorCode": "0",
                "TerminalKey": TERMINAL,
                "Status": "NEW",
                # One id per payment: the first is the documented example.
                "PaymentId": str(3093639567 + sum(u.endswith("/Init") for u, _ in self.requests) - 1),
                "OrderId": json["OrderId"],
                "Amount": json["Amount"],
                "PaymentURL": "https://securepay.tinkoff.ru/new/fU1ppgqa",
            }
        else:
            body = {
                "Success": True,
                "ErrorCode": "0",
                "Message": "OK",
                "TerminalKey": TERMINAL,
                "Status": self.status,
                "PaymentId": json["PaymentId"],
                "OrderId": "x",
                "Amount": self.amount if self.amount is not None else 10000,
            }
        return Response(200, __import__("json").dumps(body).encode())


@pytest.fixture
def tbank(world, monkeypatch):
    use_gateway(world.org, "tbank", TERMINAL, PASSWORD)
    fake = FakeTBank()
    monkeypatch.setattr("kabinet.lib.http.send", fake)
    return fake


def notification(payment: Payment, status: str = "CONFIRMED", amount: int = 10000, **extra):
    data = {
        "TerminalKey": TERMINAL,
        "OrderId": str(payment.uid),
        "Success": status == "CONFIRMED",
        "Status": status,
        "PaymentId": int(payment.provider_payment_id or 0),
        "ErrorCode": "0",
        "Amount": amount,
        "CardId": 322264,
        "Pan": "430000******0777",
        "ExpDate": "1122",
    }
    data.update(extra)
    data["Token"] = token(data, PASSWORD)
    return data


def post(client, data):
    return client.post(
        reverse("payment_notify", args=["tbank"]), json.dumps(data), content_type="application/json"
    )


def test_it_inits_the_payment_signed_and_with_a_receipt(world, tbank):
    payment = started_payment(world)
    url, body = tbank.requests[0]
    assert url == "https://securepay.tinkoff.ru/v2/Init"
    assert body["Amount"] == 10000
    assert body["OrderId"] == str(payment.uid)
    assert body["Receipt"]["Email"] == "holder@example.com"
    assert body["Receipt"]["Items"][0]["Amount"] == 10000
    assert payment.provider_payment_id == "3093639567"
    assert payment.confirmation_url == "https://securepay.tinkoff.ru/new/fU1ppgqa"
    assert payment.status == Payment.Status.PENDING


def test_it_credits_a_signed_confirmation_and_answers_ok(client, world, tbank):
    payment = started_payment(world)
    response = post(client, notification(payment))
    assert response.status_code == 200
    assert response.content == b"OK"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert BillingPayment.objects.get(external_id=f"{payment.number}-1001").amount == Decimal("100.00")


def test_it_refuses_a_notification_with_a_wrong_token(client, world, tbank):
    payment = started_payment(world)
    data = notification(payment)
    data["Token"] = "0" * 64
    response = post(client, data)
    assert response.status_code == 400
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert not BillingPayment.objects.filter(channel="Онлайн").exists()


def test_it_refuses_a_notification_altered_after_signing(client, world, tbank):
    payment = started_payment(world)
    data = notification(payment, status="REJECTED")
    data["Status"] = "CONFIRMED"
    assert post(client, data).status_code == 400
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


def test_it_refuses_another_terminal(client, world, tbank):
    payment = started_payment(world)
    data = notification(payment, TerminalKey="SomeoneElse")
    data["Token"] = token(data, PASSWORD)
    assert post(client, data).status_code == 400


def test_it_refuses_a_confirmation_of_another_amount(client, world, tbank):
    payment = started_payment(world)
    assert post(client, notification(payment, amount=1000)).status_code == 400
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert not BillingPayment.objects.filter(channel="Онлайн").exists()


def test_it_marks_a_rejected_payment_failed(client, world, tbank):
    payment = started_payment(world)
    assert post(client, notification(payment, status="REJECTED", ErrorCode="1051")).content == b"OK"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED


def test_it_reads_the_state_with_get_state(world, tbank):
    payment = started_payment(world)
    payment = payment_refresh(payment=payment)
    url, body = tbank.requests[-1]
    assert url.endswith("/GetState")
    assert body["PaymentId"] == "3093639567"
    assert payment.status == Payment.Status.SUCCEEDED
