"""Every resident page issues the same number of SQL queries whatever the data size (SPEC 4).

Each page is requested twice, for a small cabinet (2 accounts × 2 months, a meter each, one news
item, one request and appeal) and for a large one (5 accounts × 24 months, 3 meters with 24
readings each, 12 news items, 6 requests, 4 appeals), and must issue exactly the pinned number
of queries both times: a count that grows with the data fails here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
import time_machine
from django.core.cache import cache, caches
from django.test import Client

from kabinet.accounts.tests.builders import history
from kabinet.accounts.tests.factories import make_user
from kabinet.billing.models import PersonalAccount
from kabinet.billing.tests.factories import make_org
from kabinet.helpdesk import services as helpdesk
from kabinet.helpdesk.tests.factories import make_request
from kabinet.meters.tests.helpers import make_meter
from kabinet.news.tests.factories import make_news
from kabinet.users.models import User

# Inside a reading window of the last published month, so the reading pages show everything.
NOW = datetime.datetime(2025, 1, 22, 12, 0, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Size:
    accounts: int
    months: int
    meters: int
    readings: int
    news: int
    requests: int
    appeals: int


SMALL = Size(accounts=2, months=2, meters=1, readings=2, news=1, requests=1, appeals=1)
LARGE = Size(accounts=5, months=24, meters=3, readings=24, news=12, requests=6, appeals=4)


@dataclass
class Cabinet:
    user: User
    account: PersonalAccount
    request_id: int
    appeal_id: int
    news_id: int


def build(size: Size) -> Cabinet:
    org = make_org("uk")
    user = make_user("holder@example.com", first_name="Иван", last_name="Иванов")
    first = datetime.date(2024, 12, 1) if size.months < 12 else datetime.date(2023, 1, 1)
    accounts = history(org, user, accounts=size.accounts, months=size.months, first=first)
    for account in accounts:
        for m in range(size.meters):
            readings = tuple(
                ((first + datetime.timedelta(days=31 * i + 19)).isoformat(), str(100 + 7 * i))
                for i in range(size.readings)
            )
            make_meter(account, f"{account.number}-{m}", history=readings)
    news = [make_news(org, f"Отключение воды {i}", days_ago=i) for i in range(size.news)]
    requests = [make_request(user, accounts[0]) for _ in range(size.requests)]
    appeals = [
        helpdesk.appeal_create(
            author=user, account=accounts[0], topic="other", text="Вопрос", contact="holder@example.com"
        )
        for _ in range(size.appeals)
    ]
    return Cabinet(user, accounts[0], requests[0].pk, appeals[0].pk, news[0].pk)


# path -> queries; {a} the account, {r} a request, {p} an appeal, {n} a news item. The counts
# include the shared cache's queries (the database cache without REDIS_URL, as in the tests):
# the data versions of charges and news, looked up cold here.
PAGES = {
    "/home/": 16,
    "/accounts/": 6,
    "/accounts/{a}/": 6,
    "/accounts/{a}/requisites/": 3,
    "/accounts/{a}/share/": 5,
    "/accounts/bind/": 2,
    "/accounts/find/": 2,
    "/charges/": 15,
    "/charges/{a}/": 15,
    "/charges/{a}/2024-12/epd.pdf": 8,
    "/reports/": 3,
    "/reports/{a}/payments/": 4,
    "/reports/{a}/charges/": 4,
    "/reports/{a}/readings/": 4,
    "/readings/": 4,
    "/readings/{a}/": 7,
    "/readings/{a}/history/": 6,
    "/payments/": 19,
    "/payments/pay/": 6,
    "/payments/accounts/{a}/": 18,
    "/requests/": 4,
    "/requests/new/": 6,
    "/requests/{r}/": 7,
    "/appeals/": 4,
    "/appeals/new/": 4,
    "/appeals/{p}/": 6,
    "/news/": 6,
    "/news/{n}/": 4,
    "/faq/": 3,
    "/rating/": 4,
    "/settings/": 4,
}


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["small", "large"])
@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.django_db
def test_it_issues_the_pinned_number_of_queries_whatever_the_data(
    client: Client, django_assert_num_queries, page: str, size: Size
) -> None:
    with time_machine.travel(NOW, tick=False):
        cabinet = build(size)
        client.force_login(cabinet.user)
        path = page.format(
            a=cabinet.account.pk, r=cabinet.request_id, p=cabinet.appeal_id, n=cabinet.news_id
        )
        cache.clear()  # the first request of a cold cache: no count hidden behind a warm one
        caches["pages"].clear()

        with django_assert_num_queries(PAGES[page]):
            response = client.get(path)

    assert response.status_code == 200
