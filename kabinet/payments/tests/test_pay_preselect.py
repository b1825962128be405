"""«Оплатить» next to a debt opens the pay page with that account preselected (SPEC 2.3)."""

import pytest
from django.urls import reverse

from kabinet.billing.tests.factories import make_org
from kabinet.payments.tests.helpers import add_account

URL = reverse("payment_pay")


@pytest.fixture
def holder_client(client, world):
    client.force_login(world.holder)
    return client


def test_it_offers_only_the_preselected_accounts_sum(holder_client, world) -> None:
    second = add_account(world.org, "3001", to_pay="420.50", penalty="3.15", holder=world.holder)

    page = holder_client.get(URL, {"account": second.pk}).content.decode()

    assert f'name="amount_{second.pk}" value="420,50"' in page
    assert f'name="penalty_{second.pk}" value="3,15"' in page
    assert f'name="amount_{world.account.pk}" value="0,00"' in page
    assert f'name="penalty_{world.account.pk}" value="0,00"' in page


def test_it_opens_the_preselected_accounts_organisation(holder_client, world) -> None:
    elsewhere = make_org(code="tko", name="Регоператор ТКО")
    tko = add_account(elsewhere, "7001", to_pay="300.00", holder=world.holder)

    page = holder_client.get(URL, {"account": tko.pk}).content.decode()

    assert f'name="amount_{tko.pk}" value="300,00"' in page
    assert f'name="amount_{world.account.pk}"' not in page


def test_it_answers_404_for_an_account_the_payer_cannot_pay(holder_client, world) -> None:
    assert holder_client.get(URL, {"account": world.other_account.pk}).status_code == 404
