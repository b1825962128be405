"""«Платежи» and «История платежей»: balances and history per account; strangers get 404."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from kabinet.billing.models import BillingPayment
from kabinet.payments.models import Payment
from kabinet.payments.providers import sandbox
from kabinet.payments.services import payment_notification_handle
from kabinet.payments.tests.helpers import add_account, started_payment
from kabinet.payments.tests.test_tbank import notification as tbank_notification
from kabinet.payments.tests.test_tbank import post as post_tbank
from kabinet.payments.tests.test_tbank import tbank  # noqa: F401 - a fixture


def succeed(payment: Payment) -> None:
    body = sandbox.notification_body(payment, "succeeded")
    payment_notification_handle(
        provider="sandbox", body=body, headers={sandbox.SIGNATURE_HEADER: sandbox.sign(body)}
    )


def test_it_lists_accounts_with_balance_and_history(client, world):
    client.force_login(world.holder)
    page = client.get(reverse("payments")).content.decode()
    assert "История платежей" in page
    assert "Лицевой счёт 1001" in page
    # 135.36 + 1.20 due for 2025-01, 100.00 paid on 5 February.
    assert "долг 36,56 ₽" in page
    assert "5 февраля 2025" in page
    assert "Платёж: Сбербанк" in page
    assert reverse("payment_pay") in page


@pytest.mark.usefixtures("tbank")
def test_it_changes_history_and_balance_as_soon_as_a_payment_succeeds(client, world):
    client.force_login(world.holder)
    payment = started_payment(world, amount="50.00")
    assert post_tbank(client, tbank_notification(payment, amount=5000)).status_code == 200
    page = client.get(reverse("payments")).content.decode()
    assert "переплата 13,44 ₽" in page
    assert "Платёж: Онлайн" in page
    assert "Оплачен" in page


def test_it_never_counts_a_test_bank_payment_as_money(client, world):
    client.force_login(world.holder)
    payment = started_payment(world, amount="50.00")
    succeed(payment)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED and payment.is_test
    page = client.get(reverse("payments")).content.decode()
    assert "долг 36,56 ₽" in page
    assert "Платёж: Онлайн" not in page
    assert "Оплачен (тестовый)" in page
    detail = client.get(reverse("payment_detail", args=[payment.uid])).content.decode()
    assert "Это тестовый платёж" in detail
    assert "учтён в истории платежей" not in detail


def test_it_shows_one_accounts_history(client, world):
    client.force_login(world.member)
    response = client.get(reverse("payment_account_history", args=[world.account.pk]))
    assert response.status_code == 200
    assert "100,00 ₽" in response.content.decode()


def test_it_answers_404_for_another_cabinets_account_history(client, world):
    client.force_login(world.stranger)
    assert client.get(reverse("payment_account_history", args=[world.account.pk])).status_code == 404
    page = client.get(reverse("payments")).content.decode()
    assert "1001" not in page


def test_it_answers_404_for_another_cabinets_payment(client, world):
    payment = started_payment(world)
    client.force_login(world.stranger)
    assert client.get(reverse("payment_detail", args=[payment.uid])).status_code == 404
    assert client.get(reverse("payment_sandbox_bank", args=[payment.uid])).status_code == 404
    response = client.post(
        reverse("payment_sandbox_bank", args=[payment.uid]),
        {"action": "card", "card_number": "4111111111111111", "expiry": "12/30", "cvc": "123"},
    )
    assert response.status_code == 404
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


def test_it_shows_a_payment_to_the_family_member_of_its_account(client, world):
    payment = started_payment(world)
    client.force_login(world.member)
    assert client.get(reverse("payment_detail", args=[payment.uid])).status_code == 200


def test_it_reads_the_section_in_a_bounded_number_of_queries(
    client, world, django_assert_max_num_queries
):
    for number in range(3001, 3011):
        account = add_account(world.org, str(number), holder=world.holder)
        for day in range(1, 13):
            BillingPayment.objects.create(
                organisation=world.org,
                account=account,
                external_id=f"X-{number}-{day}",
                paid_on=datetime.date(2025, day, 5),
                amount=Decimal("10.00"),
                channel="Касса",
            )
    for _payment in range(3):
        started_payment(world)
    client.force_login(world.holder)
    # Cold: the versions of the cached histories are made in the database cache (11 queries);
    # warm, they are one query in place of the five that read balances and histories.
    with django_assert_max_num_queries(19):
        response = client.get(reverse("payments"))
    assert response.content.decode().count("Лицевой счёт 30") == 10


@pytest.mark.parametrize("outcome", ["success", "decline"])
def test_it_runs_the_sandbox_bank_page(client, world, outcome):
    payment = started_payment(world)
    client.force_login(world.holder)
    card = {"success": "4111 1111 1111 1111", "decline": "4000 0000 0000 0002"}[outcome]
    url = reverse("payment_sandbox_bank", args=[payment.uid])
    response = client.post(url, {"action": "card", "card_number": card, "expiry": "12/30", "cvc": "123"})
    assert response.status_code == 302
    payment.refresh_from_db()
    expected = Payment.Status.SUCCEEDED if outcome == "success" else Payment.Status.FAILED
    assert payment.status == expected


def test_it_asks_for_the_one_time_code_and_refuses_a_wrong_one(client, world):
    payment = started_payment(world)
    client.force_login(world.holder)
    url = reverse("payment_sandbox_bank", args=[payment.uid])
    card = {"action": "card", "card_number": "4000000000003220", "expiry": "12/30", "cvc": "123"}
    assert "Одноразовый пароль из SMS" in client.post(url, card).content.decode()
    # A code without the card step first is not accepted, nor is a wrong code.
    response = client.post(url, {"action": "otp", "otp": "000000"})
    assert "Неверный код" in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert client.post(url, {"action": "otp", "otp": sandbox.TEST_OTP}).status_code == 302
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED


def test_it_skips_the_code_step_only_after_the_card(client, world):
    payment = started_payment(world)
    client.force_login(world.holder)
    url = reverse("payment_sandbox_bank", args=[payment.uid])
    response = client.post(url, {"action": "otp", "otp": sandbox.TEST_OTP})
    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


def test_it_refuses_a_card_that_is_not_a_test_card(client, world):
    payment = started_payment(world)
    client.force_login(world.holder)
    url = reverse("payment_sandbox_bank", args=[payment.uid])
    response = client.post(
        url, {"action": "card", "card_number": "5555 5555 5555 4444", "expiry": "12/30", "cvc": "123"}
    )
    assert response.status_code == 400
    assert "только тестовые карты" in response.content.decode()


def test_it_shows_the_latest_payments_and_links_to_the_whole_history(client, db):
    from kabinet.accounts.tests.builders import history
    from kabinet.accounts.tests.factories import make_user
    from kabinet.billing.tests.factories import make_org

    user = make_user("long@example.com")
    [account] = history(make_org("long"), user, accounts=1, months=24)  # a payment a month
    client.force_login(user)

    page = client.get(reverse("payments")).content.decode()
    history_table = page.split("pay-table--history", 1)[1].split("</table>", 1)[0]
    assert history_table.count("<tr>") == 1 + 12  # the header and the latest twelve
    assert "5 декабря 2024" in history_table and "5 января 2024" in history_table
    assert "5 декабря 2023" not in history_table
    assert reverse("payment_account_history", args=[account.pk]) in page

    whole = client.get(reverse("payment_account_history", args=[account.pk])).content.decode()
    assert whole.count("Платёж") >= 24
    assert "5 января 2023" in whole
