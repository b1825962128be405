"""List endpoints issue a fixed number of queries whatever the number of rows (SPEC 4)."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from kabinet.accounts.tests.factories import link
from kabinet.api.tests.helpers import OPEN_WINDOW, api, meter
from kabinet.meters.models import Reading, ReadingSubmission
from kabinet.meters.services import reading_submit
from kabinet.meters.tests.helpers import make_meter
from kabinet.payments.tests.helpers import add_account


def _grow(world, rows: int) -> None:  # type: ignore[no-untyped-def]
    for n in range(rows):
        account = add_account(world.org, f"8{n:03d}")
        link(world.holder, account)
        make_meter(account, f"X-{n}", history=(("2025-01-20", "10"),))
    m1 = meter(world, "M-1")
    for n in range(rows):
        Reading.objects.create(meter=m1, reading_date=datetime.date(2020, 1, 1) + datetime.timedelta(days=n), value1=n)
    with time_machine.travel(OPEN_WINDOW, tick=False):
        reading_submit(user=world.holder, account=world.account, values={m1.pk: ["124"]})


@pytest.mark.parametrize(
    "url",
    ["/api/v1/accounts/", "/api/v1/meters/", "/api/v1/payments/", "/api/v1/requests/", "/api/v1/news/"],
)
def test_it_reads_lists_in_a_fixed_number_of_queries(world, django_assert_max_num_queries, url):
    client = api(world.holder)
    with time_machine.travel(OPEN_WINDOW, tick=False):
        client.get(url)  # the token's first use is written once
        with django_assert_max_num_queries(25):
            assert client.get(url).status_code == 200
        _grow(world, 12)
        with django_assert_max_num_queries(25):
            assert client.get(url).status_code == 200


def test_it_reads_a_meter_history_in_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    client = api(world.holder)
    url = f"/api/v1/meters/{meter(world, 'M-1').pk}/readings/"
    client.get(url)
    _grow(world, 30)
    with django_assert_max_num_queries(22):
        response = client.get(url)
    assert response.json()["count"] == 32



def test_it_saves_a_reading_in_a_pinned_number_of_queries(world, django_assert_num_queries, settings):
    """The token; the meter's account with the user's right to it; the key (one INSERT … ON
    CONFLICT, no savepoint); the rules (the account's meters, the meter's history); the meter lock; the reading; the one it replaces;
    the kept answer; plus the transaction. The per-token limit counts elsewhere (Redis in
    production; its database-cache fallback has its own queries, left out here)."""
    settings.CACHES = {**settings.CACHES, "limits": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.RATELIMIT_CACHE = "limits"
    client = api(world.holder)
    m1 = meter(world, "M-1")
    url = "/api/v1/readings/"
    with time_machine.travel(OPEN_WINDOW, tick=False):
        first = client.post(url, {"meter": m1.pk, "values": ["124"]}, format="json", HTTP_IDEMPOTENCY_KEY="a")
        with django_assert_num_queries(11):
            second = client.post(url, {"meter": m1.pk, "values": ["125"]}, format="json", HTTP_IDEMPOTENCY_KEY="b")
    assert (first.status_code, second.status_code) == (201, 201)
    current = ReadingSubmission.objects.get(meter=m1, replaced_by__isnull=True)
    assert f"s{current.pk}" == second.json()["id"]
    assert ReadingSubmission.objects.get(replaced_by=current).value1 == 124
