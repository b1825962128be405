"""Gateway credentials and payments in the admin, scoped to the operator's organisation."""

from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from kabinet.billing.tests.factories import make_org
from kabinet.payments.models import GatewayAccount
from kabinet.payments.tests.helpers import started_payment
from kabinet.users.models import User


def operator(org, username: str) -> Client:
    user = User.objects.create_user(username=username, password="x-Пароль-123", is_staff=True, organisation=org)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="payments")
    )
    client = Client()
    client.force_login(user)
    return client


def test_it_shows_operators_only_their_gateway_credentials_and_payments(world):
    other = make_org("tko", inn="5406012345")
    own = GatewayAccount.objects.create(organisation=world.org, shop_id="own-shop", secret="s1")
    foreign = GatewayAccount.objects.create(organisation=other, shop_id="foreign-shop", secret="s2")
    payment = started_payment(world)
    client = operator(other, "op-tko")
    page = client.get(reverse("admin:payments_gatewayaccount_changelist")).content.decode()
    assert "foreign-shop" in page and "own-shop" not in page
    assert client.get(reverse("admin:payments_gatewayaccount_change", args=[own.pk])).status_code == 404
    assert client.get(reverse("admin:payments_payment_change", args=[payment.pk])).status_code == 404
    assert client.get(reverse("admin:payments_gatewayaccount_change", args=[foreign.pk])).status_code == 200


def test_it_never_shows_the_secret_back_and_keeps_it_when_left_empty(world):
    account = GatewayAccount.objects.create(organisation=world.org, shop_id="shop", secret="top-secret")
    client = operator(world.org, "op-uk")
    url = reverse("admin:payments_gatewayaccount_change", args=[account.pk])
    assert "top-secret" not in client.get(url).content.decode()
    response = client.post(url, {"shop_id": "shop-2", "secret": ""})
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.shop_id, account.secret) == ("shop-2", "top-secret")
