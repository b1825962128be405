"""ЮKassa API v3 against recorded responses in the API's documented shape (fixtures/)."""

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from kabinet.billing.models import BillingPayment
from kabinet.lib.http import HttpError, Response
from kabinet.payments.models import Payment
from kabinet.payments.tests.helpers import started_payment, use_gateway

FIXTURES = Path(__file__).parent / "fixtures"
SHOP_ID, SECRET = "100500", "test_Fh8hUAVVBGUGbjmlzba6TB0iyUbos_lueTHE-axOwM0"
PAYMENT_ID = "2d4c5e1a-000f-5000-9000-1b68e7b15f3f"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


class FakeYooKassa:
    """The API: create answers `pending`; GET answers whatever `current` holds."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.current = fixture("yookassa_payment_pending")

    def __call__(self, method, url, *, json=None, headers=None, basic_auth=None, **kwargs):
        self.requests.append(
            {"method": method, "url": url, "json": json, "headers": headers, "auth": basic_auth}
        )
        assert basic_auth == (SHOP_ID, SECRET)
        if method == "POST":
            body = fixture("yookassa_payment_pending")
        else:
            assert url == f"https://api.yookassa.ru/v3/payments/{PAYMENT_ID}"
            body = self.current
        return Response(200, __import__("json").dumps(body).encode())


@pytest.fixture
def yookassa(world, monkeypatch):
    use_gateway(world.org, "yookassa", SHOP_ID, SECRET)
    fake = FakeYooKassa()
    monkeypatch.setattr("kabinet.lib.http.send", fake)
    return fake


def notify(client, name="yookassa_notification_succeeded", body=None):
    return client.post(
        reverse("payment_notify", args=["yookassa"]),
        json.dumps(body or fixture(name)),
        content_type="application/json",
    )


def test_it_creates_the_payment_with_an_idempotence_key(world, yookassa):
    payment = started_payment(world)
    request = yookassa.requests[0]
    assert request["url"] == "https://api.yookassa.ru/v3/payments"
    assert request["headers"]["Idempotence-Key"] == str(payment.uid)
    assert request["json"]["amount"] == {"value": "100.00", "currency": "RUB"}
    assert request["json"]["confirmation"]["type"] == "redirect"
    assert request["json"]["capture"] is True
    assert request["json"]["receipt"]["customer"] == {"email": "holder@example.com"}
    assert payment.provider_payment_id == PAYMENT_ID
    assert payment.confirmation_url.startswith("https://yoomoney.ru/checkout/")


def test_it_credits_only_after_re_fetching_a_succeeded_payment(client, world, yookassa):
    payment = started_payment(world)
    yookassa.current = fixture("yookassa_payment_succeeded")
    response = notify(client)
    assert response.status_code == 200
    assert yookassa.requests[-1]["method"] == "GET"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert BillingPayment.objects.get(external_id=f"{payment.number}-1001").amount == Decimal("100.00")


def test_it_credits_nothing_when_the_re_fetched_payment_is_not_succeeded(client, world, yookassa):
    payment = started_payment(world)
    # The notification claims success; the API says it is still pending.
    assert notify(client).status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert not BillingPayment.objects.filter(channel="Онлайн").exists()


def test_it_credits_nothing_when_the_re_fetched_amount_differs(client, world, yookassa):
    payment = started_payment(world)
    yookassa.current = copy.deepcopy(fixture("yookassa_payment_succeeded"))
    yookassa.current["amount"]["value"] = "1.00"
    assert notify(client).status_code == 400
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert not BillingPayment.objects.filter(channel="Онлайн").exists()


def test_it_credits_nothing_in_another_currency(client, world, yookassa):
    payment = started_payment(world)
    yookassa.current = copy.deepcopy(fixture("yookassa_payment_succeeded"))
    yookassa.current["amount"]["currency"] = "USD"
    assert notify(client).status_code == 400
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


def test_it_trusts_the_api_not_the_notification_about_a_cancel(client, world, yookassa):
    payment = started_payment(world)
    yookassa.current = fixture("yookassa_payment_canceled")
    body = fixture("yookassa_notification_succeeded")
    assert notify(client, body=body).status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELED
    assert payment.failure_reason == "insufficient_funds"


def test_it_refuses_a_notification_about_an_unknown_payment(client, world, yookassa):
    started_payment(world)
    body = fixture("yookassa_notification_succeeded")
    body["object"]["id"] = "00000000-000f-5000-9000-000000000000"
    assert notify(client, body=body).status_code == 400
    assert not BillingPayment.objects.filter(channel="Онлайн").exists()


def test_it_asks_for_a_retry_when_the_api_cannot_be_reached(client, world, yookassa, monkeypatch):
    payment = started_payment(world)

    def down(*args, **kwargs):
        raise HttpError("timeout")

    monkeypatch.setattr("kabinet.lib.http.send", down)
    assert notify(client).status_code == 503
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


def test_it_reverses_a_refunded_payment(client, world, yookassa):
    payment = started_payment(world)
    yookassa.current = copy.deepcopy(fixture("yookassa_payment_succeeded"))
    notify(client)
    yookassa.current["refunded_amount"] = {"value": "100.00", "currency": "RUB"}
    assert notify(client, "yookassa_notification_refund").status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    amounts = BillingPayment.objects.filter(account=world.account, external_id__startswith=payment.number)
    assert sorted(amounts.values_list("amount", flat=True)) == [Decimal("-100.00"), Decimal("100.00")]
