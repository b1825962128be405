"""Operators see the links and invitations of their own organisation's accounts, read-only."""

from django.contrib.auth.models import Permission
from django.test import Client

from kabinet.accounts.models import Invitation
from kabinet.billing.tests.factories import make_org
from kabinet.users.models import User


def operator(org, username: str) -> User:  # type: ignore[no-untyped-def]
    user = User.objects.create_user(username=username, is_staff=True, organisation=org)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="accounts"))
    return user


def test_it_scopes_invitations_to_the_operators_organisation(client: Client, world) -> None:
    Invitation.objects.create(account=world.account, email="sister@example.com", invited_by=world.holder)
    other = make_org("other", name="УК Другая")

    client.force_login(operator(world.org, "op"))
    own = client.get("/admin/accounts/invitation/")
    assert own.status_code == 200 and "sister@example.com" in own.content.decode()

    client.force_login(operator(other, "op2"))
    foreign = client.get("/admin/accounts/invitation/")
    assert "sister@example.com" not in foreign.content.decode()
    links = client.get("/admin/accounts/accountlink/")
    assert "holder@example.com" not in links.content.decode()
