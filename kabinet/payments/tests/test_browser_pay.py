"""The payment journey in a phone-sized browser: pay two accounts through the sandbox bank."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from kabinet.billing.models import BillingPayment
from kabinet.payments.models import Payment
from kabinet.payments.tests.helpers import add_account

pytestmark = pytest.mark.browser


def open_pay_page(page: Page, live_server) -> None:
    page.goto(live_server.url + reverse("payments"))
    page.get_by_role("link", name="Оплатить", exact=True).click()
    expect(page.get_by_role("heading", name="Оплата")).to_be_visible()


def confirm_and_pay(page: Page) -> None:
    page.get_by_label("Итоговая сумма верна").check()
    page.get_by_label("Я принимаю условия").check()
    page.get_by_role("button", name="Оплатить").click()


def enter_card(page: Page, number: str) -> None:
    expect(page.get_by_text("Тестовый банк «Песочница»")).to_be_visible()
    page.get_by_label("Номер карты").fill(number)
    page.get_by_label("Месяц / Год").fill("12/30")
    page.get_by_label("CVC2/CVV2").fill("123")
    page.get_by_role("button", name="Оплатить").click()


def test_it_pays_two_accounts_one_skipped_through_the_sandbox_bank(
    transactional_db, world, live_server, sign_in
) -> None:
    add_account(world.org, "3001", to_pay="250.00", holder=world.holder)
    page = sign_in(world.holder)
    page.goto(live_server.url + reverse("payments"))
    expect(page.get_by_text("долг 36,56 ₽")).to_be_visible()

    open_pay_page(page, live_server)
    expect(page.get_by_label("Сумма по лицевому счёту 3001, ₽")).to_have_value("250,00")
    page.get_by_label("Сумма по лицевому счёту 1001, ₽").fill("100,00")
    page.get_by_label("Сумма по лицевому счёту 3001, ₽").fill("0")
    expect(page.locator("[data-total]")).to_have_text("101,20")
    confirm_and_pay(page)

    enter_card(page, "4000 0000 0000 3220")
    page.get_by_label("Одноразовый пароль из SMS").fill("123456")
    page.get_by_role("button", name="Подтвердить").click()
    expect(page.get_by_text("Успешно проведена оплата")).to_be_visible()

    expect(page.get_by_text("Это тестовый платёж")).to_be_visible()

    # A test bank payment is never money: the balances and histories stay as they were.
    page.get_by_role("link", name="← Платежи").click()
    expect(page.get_by_text("долг 36,56 ₽")).to_be_visible()
    expect(page.get_by_text("долг 250,00 ₽")).to_be_visible()
    page.get_by_text("Лицевой счёт 1001").click()
    history = page.locator("details").filter(has_text="Лицевой счёт 1001")
    expect(history.get_by_role("row").filter(has_text="Платёж: Онлайн")).to_have_count(0)
    expect(page.get_by_role("cell", name="Оплачен (тестовый)")).to_be_visible()

    payment = Payment.objects.get()
    assert payment.status == Payment.Status.SUCCEEDED
    assert list(payment.allocations.values_list("account__number", flat=True)) == ["1001"]


def test_it_shows_a_declined_card_clearly_and_credits_nothing(
    transactional_db, world, live_server, sign_in
) -> None:
    page = sign_in(world.holder)
    open_pay_page(page, live_server)
    page.get_by_label("Сумма по лицевому счёту 1001, ₽").fill("100")
    confirm_and_pay(page)
    enter_card(page, "4000 0000 0000 0002")

    expect(page.get_by_role("alert")).to_have_text(re.compile("Оплата не прошла: Банк отказал"))
    expect(page.get_by_text("Деньги не списаны")).to_be_visible()
    assert Payment.objects.get().status == Payment.Status.FAILED
    assert not BillingPayment.objects.filter(channel="Онлайн").exists()
    page.get_by_role("link", name="← Платежи").click()
    expect(page.get_by_text("долг 36,56 ₽")).to_be_visible()
