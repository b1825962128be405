"""What the holder, a co-holder (another cabinet that bound the account) and a family member
may do with one account (SPEC 2.2): every account URL, requests and appeals."""

import pytest
from django.test import Client
from django.urls import reverse

from kabinet.accounts.access import Right, user_can
from kabinet.accounts.models import AccountLink, Invitation
from kabinet.accounts.tests.factories import make_user
from kabinet.accounts.tests.test_stranger import ACCOUNT_URLS
from kabinet.helpdesk import services as helpdesk
from kabinet.helpdesk.models import Appeal, ServiceRequest
from kabinet.helpdesk.tests.factories import make_request

# What a family member gets on each account URL; holders and co-holders get 200 or 302 on all.
MEMBER_REFUSED = {
    "account_unbind",
    "account_share",
    "invitation_revoke",
    "member_remove",
    "holder_remove",
}


@pytest.fixture
def co_holder(world):
    user = make_user("co@example.com", first_name="Ольга", last_name="Иванова")
    AccountLink.objects.create(user=user, account=world.account, role=AccountLink.Role.HOLDER)
    return user


def _url(world, name: str) -> str:
    extra, _method = ACCOUNT_URLS[name]
    invitation = Invitation.objects.create(
        account=world.account, email="x@example.com", invited_by=world.holder
    )
    ids = {
        "INVITATION": invitation.pk,
        "MEMBER": AccountLink.objects.get(user=world.member).pk,
        "HOLDER": AccountLink.objects.get(user=world.holder).pk,
    }
    kwargs = {key: ids.get(str(value), value) for key, value in extra.items()}
    return reverse(name, kwargs={"account_id": world.account.pk, **kwargs})


@pytest.mark.parametrize("name", sorted(ACCOUNT_URLS))
@pytest.mark.parametrize("who", ["holder", "co_holder", "member"])
def test_it_gives_each_role_its_rights_on_every_account_url(
    client: Client, world, co_holder, who: str, name: str
) -> None:
    user = co_holder if who == "co_holder" else getattr(world, who)
    world.org.keep_one_account = False
    world.org.save()
    client.force_login(user)

    response = getattr(client, ACCOUNT_URLS[name][1])(_url(world, name))

    if who == "member" and name in MEMBER_REFUSED:
        assert response.status_code == 404, name
        assert AccountLink.objects.filter(account=world.account).count() == 3
    else:
        assert response.status_code in (200, 302), name


def test_it_lets_a_co_holder_remove_the_other_holder_but_not_a_member(
    client: Client, world, co_holder
) -> None:
    client.force_login(world.member)
    holder_link = AccountLink.objects.get(user=world.holder)
    client.post(reverse("holder_remove", args=[world.account.pk, holder_link.pk]))
    assert AccountLink.objects.filter(pk=holder_link.pk).exists()

    client.force_login(co_holder)
    client.post(reverse("holder_remove", args=[world.account.pk, holder_link.pk]))

    assert not AccountLink.objects.filter(pk=holder_link.pk).exists()
    # The family member the removed holder let in goes with them.
    assert not AccountLink.objects.filter(user=world.member).exists()


def test_it_gives_a_member_read_pay_and_readings(world, co_holder) -> None:
    for right in (Right.READ, Right.PAY, Right.READINGS):
        assert user_can(world.member, world.account, right)
    for right in (Right.SHARE, Right.UNBIND, Right.MANAGE):
        assert not user_can(world.member, world.account, right)
        assert user_can(co_holder, world.account, right)


def test_it_lets_a_member_cancel_only_requests_they_filed(client: Client, world, co_holder) -> None:
    holders_request = make_request(world.holder, world.account)
    own_request = make_request(world.member, world.account)
    client.force_login(world.member)

    client.post(reverse("request_cancel", args=[holders_request.pk]))
    client.post(reverse("request_cancel", args=[own_request.pk]))

    holders_request.refresh_from_db()
    own_request.refresh_from_db()
    assert holders_request.status == ServiceRequest.Status.NEW
    assert own_request.status == ServiceRequest.Status.CANCELLED_CLIENT
    fresh = make_request(world.holder, world.account).pk
    # The cancel step (a link to the confirmation, or its form) is offered only to who may cancel.
    cancel_form = f'"{reverse("request_cancel", args=[fresh])}"'
    assert cancel_form not in client.get(reverse("request_detail", args=[fresh])).content.decode()
    client.force_login(world.holder)
    assert cancel_form in client.get(reverse("request_detail", args=[fresh])).content.decode()
    # A co-holder may cancel what the holder filed.
    helpdesk.request_transition(
        request=holders_request, to=ServiceRequest.Status.CANCELLED_CLIENT, by=co_holder
    )


def test_it_lets_a_member_close_only_appeals_they_filed(client: Client, world) -> None:
    def appeal(author) -> Appeal:
        return helpdesk.appeal_create(
            author=author, account=world.account, topic=Appeal.Topic.CHARGES, text="Вопрос",
            contact="",
        )

    holders, own = appeal(world.holder), appeal(world.member)
    client.force_login(world.member)

    response = client.post(reverse("appeal_close", args=[holders.pk]), follow=True)
    client.post(reverse("appeal_close", args=[own.pk]))

    assert "может только его автор или владелец" in response.content.decode()
    holders.refresh_from_db()
    own.refresh_from_db()
    assert holders.status == Appeal.Status.OPEN
    assert own.status == Appeal.Status.CLOSED
    fresh = appeal(world.holder).pk
    close_form = f'action="{reverse("appeal_close", args=[fresh])}"'
    assert close_form not in client.get(reverse("appeal_detail", args=[fresh])).content.decode()
    client.force_login(world.holder)
    assert close_form in client.get(reverse("appeal_detail", args=[fresh])).content.decode()
