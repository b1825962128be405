"""The pay page (SPEC 2.5): every rule, and every refusal."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kabinet.billing.tests.factories import make_org
from kabinet.payments.models import Payment, PaymentAllocation
from kabinet.payments.tests.helpers import add_account

URL = reverse("payment_pay")


@pytest.fixture
def holder_client(client, world):
    client.force_login(world.holder)
    return client


def form(world, **fields):
    data = {
        "org": world.org.code,
        f"amount_{world.account.pk}": "100,00",
        f"penalty_{world.account.pk}": "0",
        "receipt_contact": "holder@example.com",
        "confirm_total": "on",
        "accept_terms": "on",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def test_it_prefills_each_account_with_the_amount_due(holder_client, world):
    second = add_account(world.org, "3001", to_pay="420.50", penalty="3.15", holder=world.holder)
    page = holder_client.get(URL).content.decode()
    # 1001: 135.36 due for 2025-01, 100.00 paid after it; the penalty 1.20 stays due.
    assert f'name="amount_{world.account.pk}" value="35,36"' in page
    assert f'name="penalty_{world.account.pk}" value="1,20"' in page
    assert f'name="amount_{second.pk}" value="420,50"' in page
    assert f'name="penalty_{second.pk}" value="3,15"' in page
    assert "Итоговая сумма верна" in page
    assert "Минимальная сумма платежа — 50,00 ₽" in page


def test_it_offers_the_family_member_the_shared_account(client, world):
    client.force_login(world.member)
    page = client.get(URL).content.decode()
    assert f"amount_{world.account.pk}" in page


def test_it_does_not_offer_the_strangers_account(holder_client, world):
    page = holder_client.get(URL).content.decode()
    assert f"amount_{world.other_account.pk}" not in page


def test_it_creates_a_payment_and_sends_the_payer_to_the_bank(holder_client, world):
    response = holder_client.post(URL, form(world, **{f"penalty_{world.account.pk}": "1,20"}))
    payment = Payment.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("payment_sandbox_bank", args=[payment.uid])
    assert payment.status == Payment.Status.PENDING
    assert payment.amount == Decimal("101.20")
    allocation = payment.allocations.get()
    assert (allocation.amount, allocation.penalty) == (Decimal("100.00"), Decimal("1.20"))


def test_it_skips_accounts_set_to_zero(holder_client, world):
    second = add_account(world.org, "3001", holder=world.holder)
    response = holder_client.post(URL, form(world, **{f"amount_{second.pk}": "0"}))
    assert response.status_code == 302
    assert list(PaymentAllocation.objects.values_list("account__number", flat=True)) == ["1001"]


def test_it_refuses_a_total_below_the_organisations_minimum(holder_client, world):
    response = holder_client.post(URL, form(world, **{f"amount_{world.account.pk}": "49,99"}))
    assert response.status_code == 400
    assert "Минимальная сумма платежа — 50,00 ₽. Увеличьте сумму." in response.content.decode()
    assert not Payment.objects.exists()


def test_it_takes_the_minimum_from_the_organisation(holder_client, world):
    world.org.min_payment = Decimal("10.00")
    world.org.save()
    response = holder_client.post(URL, form(world, **{f"amount_{world.account.pk}": "10"}))
    assert response.status_code == 302


def test_it_refuses_when_the_total_is_not_confirmed(holder_client, world):
    response = holder_client.post(URL, form(world, confirm_total=None))
    assert response.status_code == 400
    assert "Итоговая сумма верна" in response.content.decode()
    assert not Payment.objects.exists()


def test_it_refuses_without_accepting_the_policies(holder_client, world):
    response = holder_client.post(URL, form(world, accept_terms=None))
    assert response.status_code == 400
    assert "примите условия оферты" in response.content.decode()
    assert not Payment.objects.exists()


def test_it_refuses_an_amount_above_the_ceiling(holder_client, world):
    response = holder_client.post(URL, form(world, **{f"amount_{world.account.pk}": "500000,01"}))
    assert response.status_code == 400
    assert "не может быть больше 500\u00a0000,00 ₽" in response.content.decode()
    assert not Payment.objects.exists()


def test_it_refuses_a_negative_amount(holder_client, world):
    second = add_account(world.org, "3001", holder=world.holder)
    data = form(world, **{f"amount_{world.account.pk}": "200", f"amount_{second.pk}": "-100"})
    response = holder_client.post(URL, data)
    assert response.status_code == 400
    assert "не может быть отрицательной" in response.content.decode()
    assert not Payment.objects.exists()


def test_it_refuses_an_amount_that_is_not_a_number(holder_client, world):
    response = holder_client.post(URL, form(world, **{f"amount_{world.account.pk}": "сто"}))
    assert response.status_code == 400
    assert not Payment.objects.exists()


def test_it_refuses_a_foreign_account_smuggled_into_the_form(holder_client, world):
    data = form(world, **{f"amount_{world.other_account.pk}": "100"})
    response = holder_client.post(URL, data)
    assert response.status_code == 400
    assert "не найден среди ваших счетов" in response.content.decode()
    assert not Payment.objects.exists()


def test_it_refuses_an_account_of_another_organisation_in_the_same_payment(holder_client, world):
    other_org = make_org("tko", inn="5406012345")
    elsewhere = add_account(other_org, "9001", holder=world.holder)
    data = form(world, **{f"amount_{elsewhere.pk}": "100"})
    response = holder_client.post(URL, data)
    assert response.status_code == 400
    assert not Payment.objects.exists()


def test_it_pays_each_organisation_separately(holder_client, world):
    other_org = make_org("tko", inn="5406012345", name="Экология")
    elsewhere = add_account(other_org, "9001", to_pay="77.00", holder=world.holder)
    page = holder_client.get(URL).content.decode()
    assert "?org=tko" in page
    assert f"amount_{elsewhere.pk}" not in page
    page = holder_client.get(URL, {"org": "tko"}).content.decode()
    assert f'name="amount_{elsewhere.pk}" value="77,00"' in page
    assert f"amount_{world.account.pk}" not in page
    assert holder_client.get(URL, {"org": "nobody"}).status_code == 404


def test_it_keeps_a_per_service_correction(holder_client, world):
    account = add_account(world.org, "3001", to_pay="300.00", holder=world.holder)
    service_id = account.charges.get().service_id
    data = form(
        world,
        **{
            f"amount_{world.account.pk}": "0",
            f"amount_{account.pk}": "120,00",
            f"service_{account.pk}_{service_id}": "120,00",
        },
    )
    assert holder_client.post(URL, data).status_code == 302
    allocation = PaymentAllocation.objects.get()
    assert allocation.services == {"tko": "120.00"}


def test_it_refuses_a_correction_that_does_not_add_up(holder_client, world):
    account = add_account(world.org, "3001", to_pay="300.00", holder=world.holder)
    service_id = account.charges.get().service_id
    data = form(
        world,
        **{f"amount_{account.pk}": "300,00", f"service_{account.pk}_{service_id}": "120,00"},
    )
    response = holder_client.post(URL, data)
    assert response.status_code == 400
    assert "Сбросить" in response.content.decode()
    assert not Payment.objects.exists()


def test_it_resets_an_accounts_amounts_to_what_is_due(holder_client, world):
    account = add_account(world.org, "3001", to_pay="300.00", holder=world.holder)
    service_id = account.charges.get().service_id
    data = form(
        world,
        reset=str(account.pk),
        **{f"amount_{account.pk}": "5", f"service_{account.pk}_{service_id}": "5"},
    )
    response = holder_client.post(URL, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert f'name="amount_{account.pk}" value="300,00"' in page
    assert f'name="service_{account.pk}_{service_id}" value="300,00"' in page
    # The other account keeps what the payer typed.
    assert f'name="amount_{world.account.pk}" value="100,00"' in page
    assert not Payment.objects.exists()


def test_it_shows_and_charges_the_commission(holder_client, world):
    world.org.payment_commission_percent = Decimal("1.5")
    world.org.save()
    page = holder_client.get(URL).content.decode()
    assert "Комиссия банка 1,5 %" in page
    holder_client.post(URL, form(world))
    payment = Payment.objects.get()
    assert (payment.amount, payment.commission, payment.total) == (
        Decimal("100.00"),
        Decimal("1.50"),
        Decimal("101.50"),
    )


def test_it_requires_an_email_or_phone_for_the_receipt(holder_client, world):
    response = holder_client.post(URL, form(world, receipt_contact="не знаю"))
    assert response.status_code == 400
    assert not Payment.objects.exists()
    response = holder_client.post(URL, form(world, receipt_contact="8 (913) 123-45-67"))
    assert response.status_code == 302
    assert Payment.objects.get().receipt_contact == "+79131234567"


def test_it_allows_the_gateways_pages_as_form_targets(holder_client, world):
    response = holder_client.get(URL)
    assert "form-action 'self' https://yoomoney.ru" in response.headers["Content-Security-Policy"]


def test_it_asks_anonymous_visitors_to_sign_in(client, world):
    assert client.get(URL).status_code == 302


def test_it_reads_the_page_in_a_bounded_number_of_queries(
    holder_client, world, django_assert_max_num_queries
):
    for number in range(3001, 3009):
        add_account(world.org, str(number), penalty="1.00", holder=world.holder)
    with django_assert_max_num_queries(12):
        holder_client.get(URL)
