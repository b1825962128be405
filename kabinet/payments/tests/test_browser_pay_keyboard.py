"""The pay page by keyboard alone: Tab to the sum, type it, press Enter — «Оплатить», not «Сбросить»."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from kabinet.payments.models import Payment

pytestmark = pytest.mark.browser


def tab_to(page: Page, element_id: str, key: str = "Tab") -> None:
    for _ in range(80):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press(key)
    raise AssertionError(f"{key} never reached #{element_id}")


def test_it_pays_a_typed_amount_submitted_with_enter(transactional_db, world, live_server, sign_in) -> None:
    page = sign_in(world.holder)
    page.goto(live_server.url + reverse("payment_pay"))
    amount = f"id_amount_{world.account.pk}"
    # The per-service correction is open, so its «Сбросить» is in the form before «Оплатить».
    page.get_by_text("Корректировка суммы по услугам").first.click()

    page.locator("body").focus()
    tab_to(page, amount)
    page.keyboard.press("Control+A")
    page.keyboard.type("123,45")
    tab_to(page, "id_confirm_total")
    page.keyboard.press("Space")
    tab_to(page, "id_accept_terms")
    page.keyboard.press("Space")
    tab_to(page, amount, key="Shift+Tab")
    page.keyboard.press("Enter")

    expect(page.get_by_text("Тестовый банк «Песочница»")).to_be_visible()
    (allocation,) = Payment.objects.get().allocations.all()
    assert (allocation.account.number, allocation.amount) == ("1001", Decimal("123.45"))
