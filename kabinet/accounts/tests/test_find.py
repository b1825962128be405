"""Find your account by address and surname: exact match only, rate-limited."""

from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains


def find(client: Client, **data: str):
    return client.post("/accounts/find/", data)


def test_it_tells_the_number_on_an_exact_match(client: Client, world) -> None:
    client.force_login(world.stranger)

    response = find(
        client, address="г. Новосибирск, ул. Ленина, д. 1", apartment="5", surname="иванов"
    )

    assertContains(response, "<strong>1001</strong>", html=True)


def test_it_tells_nothing_on_a_partial_match(client: Client, world) -> None:
    client.force_login(world.stranger)
    for data in (
        {"address": "ул. Ленина, д. 1", "apartment": "5", "surname": "Иванов"},
        {"address": "г. Новосибирск, ул. Ленина, д. 1", "apartment": "", "surname": "Иванов"},
        {"address": "г. Новосибирск, ул. Ленина, д. 1", "apartment": "5", "surname": "Ив"},
    ):
        response = find(client, **data)
        assertContains(response, "Точного совпадения не нашлось")
        assertNotContains(response, "1001")


def test_it_stops_after_five_failures(client: Client, world) -> None:
    client.force_login(world.stranger)
    for _attempt in range(5):
        find(client, address="г. Новосибирск", apartment="5", surname="Иванов")

    response = find(
        client, address="г. Новосибирск, ул. Ленина, д. 1", apartment="5", surname="Иванов"
    )

    assertContains(response, "Слишком много неудачных попыток")
    assertNotContains(response, "1001")
