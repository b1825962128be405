"""What the endpoints answer (SPEC 3.6): accounts with the one amount-due rule, charges, the ЕПД,
payments through the gateway, requests, news."""

from __future__ import annotations

import datetime

import time_machine

from kabinet.api.tests.helpers import OPEN_WINDOW, api
from kabinet.billing.selectors import account_summaries
from kabinet.helpdesk.models import RequestType, ServiceRequest
from kabinet.helpdesk.services import request_types_ensure
from kabinet.news.tests.factories import make_news
from kabinet.payments.models import Payment


def test_it_lists_accounts_with_the_same_amounts_as_the_web(world):
    body = api(world.holder).get("/api/v1/accounts/").json()
    assert body["count"] == 1 and body["next"] is None
    (row,) = body["results"]
    summary = account_summaries([world.account])[world.account.pk]
    assert row == {
        "id": world.account.pk,
        "number": "1001",
        "organisation": {"id": world.org.pk, "name": world.org.name, "inn": world.org.inn},
        "address": "г. Новосибирск, ул. Ленина, д. 1",
        "apartment": "5",
        "role": "holder",
        "balance": f"{summary.balance:.2f}",
        "due": f"{summary.due:.2f}",
        "penalty_due": f"{summary.penalty_due:.2f}",
        "period": "2025-01",
    }
    # 135.36 + 1.20 charged for January, 100.00 paid on 05.02: services first.
    assert (row["balance"], row["due"], row["penalty_due"]) == ("36.56", "35.36", "1.20")
    assert api(world.member).get("/api/v1/accounts/").json()["results"][0]["role"] == "member"


def test_it_paginates_with_page_and_next(world):
    from kabinet.accounts.tests.factories import link
    from kabinet.payments.tests.helpers import add_account

    for n in range(55):
        link(world.holder, add_account(world.org, f"9{n:03d}"))
    client = api(world.holder)
    first = client.get("/api/v1/accounts/").json()
    assert first["count"] == 56 and len(first["results"]) == 50
    assert first["next"].endswith("/api/v1/accounts/?page=2")
    second = client.get("/api/v1/accounts/?page=2").json()
    assert len(second["results"]) == 6 and second["next"] is None


def test_it_gives_charges_by_period_range(world):
    client = api(world.holder)
    body = client.get(f"/api/v1/accounts/{world.account.pk}/charges/?from=2025-01&to=2025-01").json()
    (month,) = body["results"]
    assert month["period"] == "2025-01"
    hvs, peni = month["lines"]
    assert hvs["service_code"] == "hvs" and hvs["kind"] == "service"
    assert (hvs["tariff"], hvs["volume"], hvs["volume_basis"], hvs["to_pay"]) == ("45.12", "3", "meter", "135.36")
    assert peni["kind"] == "penalty" and peni["to_pay"] == "1.20"
    assert month["totals"]["to_pay"] == "135.36" and month["totals"]["total_to_pay"] == "136.56"
    assert client.get(f"/api/v1/accounts/{world.account.pk}/charges/?from=2025-02").json()["results"] == []
    bad = client.get(f"/api/v1/accounts/{world.account.pk}/charges/?from=январь")
    assert bad.status_code == 400 and bad.json()["code"] == "period"


def test_it_gives_the_epd_of_a_published_period_only(world):
    client = api(world.holder)
    response = client.get(f"/api/v1/accounts/{world.account.pk}/documents/2025-01.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert client.get(f"/api/v1/accounts/{world.account.pk}/documents/2025-02.pdf").status_code == 404
    assert client.get(f"/api/v1/accounts/{world.account.pk}/documents/2025-13.pdf").status_code == 404


def test_it_creates_a_payment_and_returns_the_gateway_page(world):
    body = {
        "organisation": world.org.pk,
        "lines": [{"account": world.account.pk, "amount": "135.36", "penalty": "1.20"}],
        "receipt_contact": "8 (913) 123-45-67",
    }
    response = api(world.holder).post("/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
    assert response.status_code == 201, response.content
    payment = Payment.objects.get()
    data = response.json()
    assert data["id"] == str(payment.uid)
    assert (data["status"], data["amount"], data["total"]) == ("pending", "136.56", "136.56")
    assert data["confirmation_url"] == payment.confirmation_url
    assert f"/payments/sandbox/{payment.uid}/" in data["confirmation_url"]
    assert payment.receipt_contact == "+79131234567"  # the service's rule, as on the pay page
    again = api(world.holder).post("/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
    assert again.status_code == 201  # another token of the same person: same key, same answer
    assert Payment.objects.count() == 1
    listed = api(world.member).get("/api/v1/payments/").json()["results"]
    assert [p["id"] for p in listed] == [str(payment.uid)]


def test_it_refuses_payments_by_the_pay_page_rules(world):
    client = api(world.holder)
    base = {"organisation": world.org.pk, "lines": [{"account": world.account.pk, "amount": "100.00"}]}
    contact = client.post("/api/v1/payments/", {**base, "receipt_contact": "не знаю"}, format="json")
    assert contact.status_code == 400 and contact.json()["code"] == "receipt_contact"
    small = {**base, "lines": [{"account": world.account.pk, "amount": "10.00"}], "receipt_contact": "a@b.ru"}
    response = client.post("/api/v1/payments/", small, format="json")
    assert response.status_code == 400 and response.json()["code"] == "minimum"
    assert "50,00" in response.json()["detail"]
    negative = {**base, "lines": [{"account": world.account.pk, "amount": "-1.00"}], "receipt_contact": "a@b.ru"}
    assert client.post("/api/v1/payments/", negative, format="json").json()["code"] == "negative"
    assert not Payment.objects.exists()


def _request_body(world, **fields):  # type: ignore[no-untyped-def]
    request_types_ensure(organisation=world.org)
    body = {
        "account": world.account.pk,
        "type": RequestType.objects.filter(organisation=world.org).earliest("pk").pk,
        "reason": "Течёт стояк",
        "desired_date": str(OPEN_WINDOW.date() + datetime.timedelta(days=1)),
        "time_slot": "08-12",
    }
    body.update(fields)
    return body


def test_it_files_gets_and_cancels_a_request(world):
    client = api(world.holder)
    with time_machine.travel(OPEN_WINDOW, tick=False):
        created = client.post("/api/v1/requests/", _request_body(world), format="json")
    assert created.status_code == 201
    data = created.json()
    assert (data["status"], data["status_label"]) == ("new", "Принята в систему")
    assert client.get(f"/api/v1/requests/{data['id']}/").json()["reason"] == "Течёт стояк"
    cancelled = client.post(f"/api/v1/requests/{data['id']}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled_client"
    again = client.post(f"/api/v1/requests/{data['id']}/cancel/")
    assert again.status_code == 400 and again.json()["code"] == "cancel_refused"
    assert [r["id"] for r in client.get("/api/v1/requests/").json()["results"]] == [data["id"]]


def test_it_refuses_a_request_by_the_web_form_rules(world):
    client = api(world.holder)
    with time_machine.travel(OPEN_WINDOW, tick=False):
        past = client.post("/api/v1/requests/", _request_body(world, desired_date="2025-02-19"), format="json")
        far = client.post("/api/v1/requests/", _request_body(world, desired_date="2025-06-01"), format="json")
    assert past.status_code == 400
    assert past.json()["code"] == "desired_date"
    assert past.json()["fields"] == {"desired_date": ["Дата исполнения не может быть в прошлом: выберите сегодня или позже."]}
    assert far.json()["fields"] == {"desired_date": ["Выберите дату в ближайшие 90 дней."]}
    assert not ServiceRequest.objects.exists()


def test_it_gives_news_of_the_account_building_including_outages(world):
    make_news(world.org, "Отключение холодной воды", address_prefix="г. Новосибирск, ул. Ленина, д. 1")
    make_news(world.org, "Ремонт на ул. Мира", address_prefix="г. Новосибирск, ул. Мира")
    make_news(world.org, "Новый тариф")
    titles = [n["title"] for n in api(world.holder).get(f"/api/v1/news/?account={world.account.pk}").json()["results"]]
    assert sorted(titles) == ["Новый тариф", "Отключение холодной воды"]
