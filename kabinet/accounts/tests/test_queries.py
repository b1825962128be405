"""Resident pages stay within 12 SQL queries for 10 accounts × 24 months."""

import pytest
from django.test import Client
from pytest_django.asserts import assertContains

from kabinet.accounts.tests.builders import history
from kabinet.accounts.tests.factories import make_user
from kabinet.billing.tests.factories import make_org


@pytest.fixture
def cabinet(db):
    org = make_org("big", complaint_phone="+7 (383) 304-90-31", banner="Кабинет в тестовом режиме")
    other = make_org("tko", name="Экология")
    user = make_user("many@example.com")
    accounts = history(org, user, accounts=6, prefix="A") + history(other, user, accounts=4, prefix="B")
    return user, accounts


def test_it_builds_the_dashboard_in_few_queries(
    client: Client, cabinet, django_assert_max_num_queries
) -> None:
    user, accounts = cabinet
    client.force_login(user)

    with django_assert_max_num_queries(16):
        response = client.get("/home/")

    for account in accounts:
        assertContains(response, account.number)
    assertContains(response, "+7 (383) 304-90-31")
    assertContains(response, "Кабинет в тестовом режиме")
    # Due: 3 services × 135.36 of the last month; its payment is already in its charges.
    assertContains(response, "406,08")


@pytest.mark.parametrize("path", ["/accounts/", "/charges/", "/reports/"])
def test_it_builds_list_pages_in_few_queries(
    client: Client, cabinet, django_assert_max_num_queries, path: str
) -> None:
    user, _accounts = cabinet
    client.force_login(user)

    with django_assert_max_num_queries(16):
        response = client.get(path)

    assert response.status_code == 200


@pytest.mark.parametrize("view", ["account", "account_charges"])
def test_it_builds_account_pages_in_few_queries(
    client: Client, cabinet, django_assert_max_num_queries, view: str
) -> None:
    user, accounts = cabinet
    client.force_login(user)
    path = f"/accounts/{accounts[-1].pk}/" if view == "account" else f"/charges/{accounts[-1].pk}/"

    with django_assert_max_num_queries(16):
        response = client.get(path)

    assert response.status_code == 200
    if view == "account_charges":
        # The latest six months; «Показать ещё» asks for more.
        assert response.content.decode().count('<details class="month">') == 6
