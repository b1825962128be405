"""Out-of-range filter values answer with a message, never a 500 (issue 10, item 9): every
resident view that takes a date or a period from the address."""

import pytest
from django.test import Client
from django.urls import reverse

ODD_DATES = ["9999-12-31", "0001-01-01", "10000-01-01", "2025-02-30", "abc", "-1", "1899-12-31"]
# Out of range, or not a date at all (Django's own message).
MESSAGES = ("Укажите дату с 1900 по 2100 год", "Укажите месяц в формате ГГГГ-ММ", "Введите правильную дату")
ODD_MONTHS = ["9999-12", "0001-01", "0000-01", "2025-13", "99999-01", "abc"]


@pytest.fixture
def holder(world) -> Client:  # type: ignore[no-untyped-def]
    client = Client(raise_request_exception=False)
    client.force_login(world.holder)
    return client


def urls(world) -> list[tuple[str, str, list[str]]]:  # type: ignore[no-untyped-def]
    """(url, parameter, odd values) for every filter a resident can put in the address."""
    account = world.account.pk
    found = []
    for name in ("payments", "readings", "charges"):
        found.append((reverse("report", args=[account, name]), "since", ODD_DATES))
        found.append((reverse("report", args=[account, name]), "until", ODD_DATES))
    found.append((reverse("account_charges", args=[account]), "since", ODD_MONTHS))
    found.append((reverse("account_charges", args=[account]), "until", ODD_MONTHS))
    found.append((reverse("requests"), "date_from", ODD_DATES))
    found.append((reverse("requests"), "date_to", ODD_DATES))
    return found


def test_it_answers_odd_filter_values_with_a_message_not_a_500(holder, world):
    failures = []
    for url, parameter, values in urls(world):
        for value in values:
            for fmt in ("", "csv", "xlsx") if "/reports/" in url else ("",):
                query = {parameter: value, **({"format": fmt} if fmt else {})}
                response = holder.get(url, query)
                if response.status_code not in (200, 400):
                    failures.append((url, parameter, value, fmt, response.status_code))
                elif not fmt and not any(message in response.content.decode() for message in MESSAGES):
                    failures.append((url, parameter, value, fmt, "no message"))
    assert failures == []


@pytest.mark.parametrize("period", ["9999-12", "0-1", "2025-13", "10000-1"])
def test_it_answers_an_odd_period_in_the_address_with_404(holder, world, period):
    year, month = period.split("-")
    url = f"/charges/{world.account.pk}/{year}-{month}/epd.pdf"
    assert holder.get(url).status_code == 404
