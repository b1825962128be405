"""Binding needs a secret from the bill (SPEC 2.2), and holders see and can remove co-holders."""

from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from kabinet.accounts import services
from kabinet.accounts.models import AccountLink, Invitation
from kabinet.accounts.tests.factories import make_user
from kabinet.billing.models import Charge, PersonalAccount
from kabinet.orgs.models import Organisation

REFUSED = "Лицевой счёт с такими данными не найден"


def check(client: Client, **data: str):
    return client.post("/accounts/bind/", {"step": "check", **data})


def confirm(client: Client):
    return client.post("/accounts/bind/", {"step": "confirm"})


def test_it_refuses_surname_and_apartment_alone(client: Client, world) -> None:
    """A neighbour knows the number, the surname and the apartment; that is not enough."""
    neighbour = make_user("neighbour@example.com")
    client.force_login(neighbour)

    response = check(client, number="1001", surname="Иванов", apartment="5")
    confirm(client)

    assertNotContains(response, "Данные верны, продолжить")
    assert not AccountLink.objects.filter(user=neighbour).exists()
    with pytest.raises(services.AccountError, match=REFUSED):
        services.account_bind_check(
            user=neighbour, ip="203.0.113.5", number="1001", surname="Иванов", apartment="5"
        )


def test_it_binds_with_the_amount_due_of_the_latest_bill(client: Client, world) -> None:
    neighbour = make_user("neighbour@example.com")
    client.force_login(neighbour)

    # 135.36 for water and 1.20 of penalties: «Сумма к оплате» 136,56 on the ЕПД for January.
    assertContains(check(client, number="1001", surname="Иванов", apartment="5", secret="136,5"), REFUSED)
    assertContains(
        check(client, number="1001", surname="Иванов", apartment="5", secret="136,56 руб."),
        "Данные верны, продолжить",
    )
    confirm(client)

    assert AccountLink.objects.filter(user=neighbour, account=world.account).exists()


def test_it_asks_for_the_charged_sum_where_nothing_is_due(client: Client, world) -> None:
    Charge.objects.filter(account=world.other_account).update(to_pay=Decimal("-40.00"))
    client.force_login(make_user("new@example.com"))

    assertContains(check(client, number="1002", surname="Петрова", apartment="6", secret="0"), REFUSED)
    # «Начислено» of January: 312,68.
    assertContains(
        check(client, number="1002", surname="Петрова", apartment="6", secret="312.68"),
        "Данные верны, продолжить",
    )


def test_it_refuses_the_amount_where_the_organisation_chose_a_pin(client: Client, world) -> None:
    world.org.binding_secret = Organisation.BindingSecret.PIN
    world.org.save()
    PersonalAccount.objects.filter(pk=world.other_account.pk).update(pin="884120")
    client.force_login(make_user("new@example.com"))

    assertContains(check(client, number="1002", surname="Петрова", apartment="6", secret="297,18"), REFUSED)
    assertContains(
        check(client, number="1002", surname="Петрова", apartment="6", secret="884 120"), "Данные верны"
    )


def test_it_limits_failures_per_account_across_cabinets_and_addresses(world) -> None:
    for n in range(10):
        guesser = make_user(f"guesser{n}@example.com")
        with pytest.raises(services.AccountError, match=REFUSED):
            services.account_bind_check(
                user=guesser, ip=f"198.51.100.{n}", number="1002", surname="Петрова",
                apartment="6", secret=f"{n}00",
            )

    with pytest.raises(services.AccountError, match="Слишком много неудачных попыток"):
        services.account_bind_check(
            user=make_user("owner@example.com"), ip="192.0.2.1", number="1002",
            surname="Петрова", apartment="6", secret="297,18",
        )


def test_it_e_mails_every_holder_when_another_cabinet_binds(
    client: Client, world, django_capture_on_commit_callbacks
) -> None:
    co_holder = make_user("co@example.com")
    AccountLink.objects.create(user=co_holder, account=world.account)
    newcomer = make_user("newcomer@example.com", first_name="Олег", last_name="Сидоров")
    client.force_login(newcomer)

    check(client, number="1001", surname="Иванов", apartment="5", secret="136,56")
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client)

    assert sorted(m.to[0] for m in mail.outbox) == ["co@example.com", "holder@example.com"]
    body = str(mail.outbox[0].body)
    assert "1001" in body and "Си***** О." in body and "Сидоров" not in body


def test_it_does_not_e_mail_anyone_for_the_first_holder(
    client: Client, world, django_capture_on_commit_callbacks
) -> None:
    client.force_login(make_user("new@example.com"))
    check(client, number="1002", surname="Петрова", apartment="6", secret="297,18")
    AccountLink.objects.filter(account=world.other_account).delete()
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client)
    assert mail.outbox == []


def test_it_shows_co_holders_masked_and_lets_a_holder_remove_one(client: Client, world) -> None:
    intruder = make_user("intruder@example.com", first_name="Олег", last_name="Сидоров")
    intruder_link = AccountLink.objects.create(user=intruder, account=world.account)
    Invitation.objects.create(account=world.account, email="friend@example.com", invited_by=intruder)
    client.force_login(world.holder)

    page = client.get(f"/accounts/{world.account.pk}/share/")

    assertContains(page, "Другие владельцы счёта")
    assertContains(page, "Си***** О.")
    assertContains(page, "in***@example.com")
    assertNotContains(page, "intruder@example.com")
    assertNotContains(page, "Сидоров ")

    client.post(f"/accounts/{world.account.pk}/share/holders/{intruder_link.pk}/remove/")

    assert not AccountLink.objects.filter(user=intruder).exists()
    assert not Invitation.objects.get(invited_by=intruder).is_pending
    client.force_login(intruder)
    assert client.get(f"/accounts/{world.account.pk}/").status_code == 404
    # The holder stays, and a member cannot remove a holder.
    client.force_login(world.member)
    holder_link = AccountLink.objects.get(user=world.holder)
    response = client.post(f"/accounts/{world.account.pk}/share/holders/{holder_link.pk}/remove/")
    assert response.status_code == 404
    assert AccountLink.objects.filter(user=world.holder, account=world.account).exists()


def test_it_limits_invitations_per_cabinet_per_day(client: Client, world) -> None:
    client.force_login(world.holder)
    for n in range(services.INVITATIONS_PER_DAY):
        client.post(f"/accounts/{world.account.pk}/share/", {"email": f"r{n}@example.com"})

    response = client.post(f"/accounts/{world.account.pk}/share/", {"email": "one-more@example.com"})

    assertContains(response, "За сутки можно отправить не больше 10 приглашений")
    assert Invitation.objects.count() == services.INVITATIONS_PER_DAY
