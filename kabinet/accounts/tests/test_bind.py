"""Binding an account: «Проверить», the masked preview, «Данные верны, продолжить»; «Отвязать»."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from kabinet.accounts.models import AccountLink
from kabinet.accounts.tests.factories import make_user
from kabinet.billing.models import PersonalAccount
from kabinet.orgs.models import Organisation
from kabinet.users.models import User


@pytest.fixture
def newcomer(world) -> User:
    return make_user("new@example.com")


def check(client: Client, **data: str):
    return client.post("/accounts/bind/", {"step": "check", **data})


def confirm(client: Client):
    return client.post("/accounts/bind/", {"step": "confirm"})


def test_it_binds_with_the_right_surname_and_apartment(client: Client, world, newcomer) -> None:
    client.force_login(newcomer)

    preview = check(client, number="1002", surname="петрова", apartment="6", secret="297,18")

    assertContains(preview, "Данные верны, продолжить")
    assertContains(preview, "Пе***** А. С.")  # the owner masked
    assertContains(preview, "г. Новосибирск, ул. Ленина, д. 1")
    assertNotContains(preview, "Петрова Анна")
    assert not AccountLink.objects.filter(user=newcomer).exists()

    response = confirm(client)

    link = AccountLink.objects.get(user=newcomer)
    assert link.account == world.other_account and link.role == AccountLink.Role.HOLDER
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/{world.other_account.pk}/"


def test_it_treats_yo_as_ye_and_ignores_case(client: Client, world, newcomer) -> None:
    PersonalAccount.objects.filter(pk=world.other_account.pk).update(owner_name="Королёва Анна")
    client.force_login(newcomer)

    assertContains(check(client, number="1002", surname="КОРОЛЕВА", apartment=" 6 ", secret="297.18"), "Данные верны")


@pytest.mark.parametrize(
    "data",
    [
        {"number": "1002", "surname": "Иванова", "apartment": "6", "secret": "297,18"},
        {"number": "1002", "surname": "Петрова", "apartment": "7", "secret": "297,18"},
        {"number": "1002", "surname": "Петрова", "apartment": "", "secret": "297,18"},
        {"number": "9999", "surname": "Петрова", "apartment": "6", "secret": "297,18"},
        {"number": "1002", "surname": "Петрова", "apartment": "6", "secret": "297,17"},
        {"number": "1002", "surname": "Петрова", "apartment": "6", "secret": "312,68"},
    ],
    ids=["surname", "apartment", "no-apartment", "unknown", "amount", "charged-not-due"],
)
def test_it_gives_one_answer_whatever_was_wrong(client: Client, world, newcomer, data) -> None:
    client.force_login(newcomer)

    response = check(client, **data)

    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert list(errors) == [
        "Лицевой счёт с такими данными не найден. Проверьте номер лицевого счёта, данные "
        "владельца и сумму или код из последней квитанции."
    ]
    assertNotContains(response, "Данные верны, продолжить")
    # And nothing was remembered for the confirmation step.
    confirm(client)
    assert not AccountLink.objects.filter(user=newcomer).exists()


def test_it_binds_a_legal_entitys_account_by_inn_and_the_organisations_pin(
    client: Client, world
) -> None:
    world.org.binding_secret = Organisation.BindingSecret.PIN
    world.org.save()
    PersonalAccount.objects.filter(number="2001").update(pin="R7-4411")
    company = make_user("firm@example.com", kind=User.Kind.LEGAL)
    client.force_login(company)

    assertContains(check(client, number="2001", inn="5406012346", secret="R7-4411"), "не найден")
    assertContains(check(client, number="2001", inn="5406012345", secret="R7-4412"), "не найден")
    assertContains(check(client, number="2001", inn="5406012345"), "Обязательное поле")
    assertContains(check(client, number="2001", inn="5406012345", secret="r7-4411"), "Данные верны")
    confirm(client)

    assert AccountLink.objects.filter(user=company, account__number="2001").exists()


def test_it_does_not_bind_a_legal_account_by_surname(client: Client, world, newcomer) -> None:
    client.force_login(newcomer)
    assertContains(check(client, number="2001", surname="ООО", apartment="", secret="0"), "не найден")


def test_it_stops_guessing_after_five_failures(client: Client, world, newcomer) -> None:
    client.force_login(newcomer)
    for _attempt in range(5):
        assertContains(
            check(client, number="1002", surname="Петрова", apartment="6", secret="100"), "не найден"
        )

    # Even the right data is refused now.
    response = check(client, number="1002", surname="Петрова", apartment="6", secret="297,18")

    assertContains(response, "Слишком много неудачных попыток")
    assertNotContains(response, "Данные верны")


def test_it_limits_attempts_per_ip_across_cabinets(client: Client, world) -> None:
    for i in range(4):
        client.force_login(make_user(f"guesser{i}@example.com"))
        for _attempt in range(5):
            check(client, number=f"900{i}", surname="Петрова", apartment="6", secret="1")
    client.force_login(make_user("fresh@example.com"))

    assertContains(
        check(client, number="1002", surname="Петрова", apartment="6", secret="297,18"),
        "Слишком много неудачных попыток",
    )
    # Another address is not affected.
    response = client.post(
        "/accounts/bind/",
        {"step": "check", "number": "1002", "surname": "Петрова", "apartment": "6", "secret": "297,18"},
        REMOTE_ADDR="10.0.0.9",
    )
    assertContains(response, "Данные верны")


def test_it_holds_the_organisations_limit_of_accounts(client: Client, world) -> None:
    world.org.max_accounts_per_user = 1
    world.org.save()
    client.force_login(world.holder)

    check(client, number="1002", surname="Петрова", apartment="6", secret="297,18")
    response = confirm(client)

    assert not AccountLink.objects.filter(user=world.holder, account=world.other_account).exists()
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("наибольшее число" in m for m in messages)


def test_it_refuses_to_bind_twice(client: Client, world) -> None:
    client.force_login(world.holder)
    check(client, number="1001", surname="Иванов", apartment="5", secret="136,56")
    response = confirm(client)
    assert any("уже привязан" in str(m) for m in get_messages(response.wsgi_request))
    assert AccountLink.objects.filter(user=world.holder).count() == 1


def test_it_keeps_at_least_one_account(client: Client, world) -> None:
    client.force_login(world.holder)

    response = client.post(f"/accounts/{world.account.pk}/unbind/")

    assert AccountLink.objects.filter(user=world.holder, account=world.account).exists()
    assert any("хотя бы один" in str(m) for m in get_messages(response.wsgi_request))


def test_it_unbinds_the_last_account_when_the_organisation_allows(client: Client, world) -> None:
    world.org.keep_one_account = False
    world.org.save()
    client.force_login(world.holder)

    client.post(f"/accounts/{world.account.pk}/unbind/")

    assert not AccountLink.objects.filter(account=world.account).exists()  # the member's too


def test_it_unbinds_one_of_several_accounts(client: Client, world) -> None:
    client.force_login(world.holder)
    check(client, number="1002", surname="Петрова", apartment="6", secret="297,18")
    confirm(client)

    response = client.post(f"/accounts/{world.other_account.pk}/unbind/")

    assert response["Location"] == "/accounts/"
    assert not AccountLink.objects.filter(user=world.holder, account=world.other_account).exists()
    assert AccountLink.objects.filter(user=world.holder, account=world.account).exists()


def test_it_does_not_let_a_member_unbind(client: Client, world) -> None:
    client.force_login(world.member)
    assert client.post(f"/accounts/{world.account.pk}/unbind/").status_code == 404
    assert AccountLink.objects.filter(user=world.member).exists()


def test_it_shows_the_bind_form_with_labels(client: Client, world, newcomer) -> None:
    client.force_login(newcomer)
    response = client.get("/accounts/bind/")
    for label in ("Лицевой счет", "Фамилия", "Номер квартиры", "Сумма к оплате или код из квитанции"):
        assertContains(response, f">{label}</label>")
    assertContains(response, "Проверить")
    assertNotContains(response, ">ИНН</label>")
