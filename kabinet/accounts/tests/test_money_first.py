"""Money first: «Оплатить» wherever a debt is shown, an «Итого» row on a charges month, sums that
never break inside a number, and a confirmation step before what cannot be undone."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from kabinet.accounts.models import AccountLink, Invitation

PAY = reverse("payment_pay")


@pytest.fixture
def holder(client: Client, world) -> Client:
    client.force_login(world.holder)
    return client


@pytest.mark.parametrize("name", ["home", "accounts", "account", "account_charges"])
def test_it_links_the_debt_to_the_pay_page_with_the_account_preselected(holder, world, name) -> None:
    args = [world.account.pk] if name in ("account", "account_charges") else []

    page = holder.get(reverse(name, args=args)).content.decode()

    assert f'href="{PAY}?account={world.account.pk}"' in page


def test_it_adds_an_itogo_row_to_a_charges_month(holder, world) -> None:
    page = holder.get(reverse("account_charges", args=[world.account.pk])).content.decode()

    footer = re.search(r"<tfoot>(.*?)</tfoot>", page, re.S)
    assert footer is not None
    assert "Итого" in footer.group(1)
    assert "К оплате, руб." in footer.group(1)


def test_it_keeps_each_sum_on_one_line(holder, world) -> None:
    page = holder.get(reverse("home")).content.decode()

    sums = re.findall(r'<span class="money">([^<]*)</span>', page)
    assert sums
    assert all(" " not in text for text in sums), sums


def test_it_asks_before_unbinding_and_unbinds_only_on_confirmation(holder, world) -> None:
    url = reverse("account_unbind", args=[world.account.pk])

    world.org.keep_one_account = False
    world.org.save()

    page = holder.get(url).content.decode()

    assert "Да, отвязать" in page
    assert AccountLink.objects.filter(user=world.holder, account=world.account).exists()
    holder.post(url)
    assert not AccountLink.objects.filter(user=world.holder, account=world.account).exists()


def test_it_asks_before_revoking_an_invitation_or_a_members_access(holder, world) -> None:
    invitation = Invitation.objects.create(
        account=world.account, email="granny@example.com", invited_by=world.holder
    )
    member = AccountLink.objects.get(user=world.member)
    revoke = reverse("invitation_revoke", args=[world.account.pk, invitation.pk])
    remove = reverse("member_remove", args=[world.account.pk, member.pk])

    assert "Да, отозвать" in holder.get(revoke).content.decode()
    assert "Да, закрыть доступ" in holder.get(remove).content.decode()

    assert Invitation.objects.filter(pk=invitation.pk).exists()
    assert AccountLink.objects.filter(pk=member.pk).exists()


@pytest.mark.parametrize("name", ["account_unbind", "invitation_revoke", "member_remove"])
def test_it_shows_a_stranger_no_confirmation_page(client: Client, world, name) -> None:
    invitation = Invitation.objects.create(
        account=world.account, email="granny@example.com", invited_by=world.holder
    )
    member = AccountLink.objects.get(user=world.member)
    kwargs = {"account_id": world.account.pk}
    if name == "invitation_revoke":
        kwargs["invitation_id"] = invitation.pk
    if name == "member_remove":
        kwargs["link_id"] = member.pk
    client.force_login(world.stranger)

    assert client.get(reverse(name, kwargs=kwargs)).status_code == 404
