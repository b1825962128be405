"""Sharing an account with a family member by e-mail invitation, and taking it back."""

import re

from django.core import mail
from django.test import Client
from pytest_django.asserts import assertContains

from kabinet.accounts.models import AccountLink, Invitation
from kabinet.accounts.tests.factories import make_user


def invite(client: Client, account_id: int, email: str):
    return client.post(f"/accounts/{account_id}/share/", {"email": email})


def test_it_invites_by_e_mail_and_the_invitee_accepts(
    client: Client, world, django_capture_on_commit_callbacks
) -> None:
    relative = make_user("sister@example.com")
    client.force_login(world.holder)

    with django_capture_on_commit_callbacks(execute=True):
        invite(client, world.account.pk, "Sister@Example.com")

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/invitations/(\S+)/", str(mail.outbox[0].body))
    assert link and mail.outbox[0].to == ["Sister@Example.com"]

    client.force_login(relative)
    assert client.get(f"/accounts/{world.account.pk}/").status_code == 404
    page = client.get(f"/accounts/invitations/{link.group(1)}/")
    assertContains(page, "Принять приглашение")
    client.post(f"/accounts/invitations/{link.group(1)}/")

    member = AccountLink.objects.get(user=relative)
    assert member.role == AccountLink.Role.MEMBER and member.invited_by == world.holder
    assertContains(client.get("/accounts/"), "1001")
    assert client.get(f"/accounts/{world.account.pk}/").status_code == 200
    assert client.get(f"/charges/{world.account.pk}/").status_code == 200
    # A member cannot share further.
    assert client.get(f"/accounts/{world.account.pk}/share/").status_code == 404
    assert invite(client, world.account.pk, "cousin@example.com").status_code == 404


def test_it_answers_404_to_anyone_but_the_invitee(client: Client, world) -> None:
    client.force_login(world.holder)
    invite(client, world.account.pk, "sister@example.com")
    token = Invitation.objects.get().token

    client.force_login(world.stranger)
    assert client.get(f"/accounts/invitations/{token}/").status_code == 404
    assert client.post(f"/accounts/invitations/{token}/").status_code == 404
    assert not AccountLink.objects.filter(user=world.stranger, account=world.account).exists()


def test_it_loses_the_account_on_revocation(client: Client, world) -> None:
    client.force_login(world.member)
    assert client.get(f"/accounts/{world.account.pk}/").status_code == 200

    client.force_login(world.holder)
    member_link = AccountLink.objects.get(user=world.member)
    share_page = client.get(f"/accounts/{world.account.pk}/share/")
    assertContains(share_page, "me***@example.com")  # masked, like every holder and member
    client.post(f"/accounts/{world.account.pk}/share/members/{member_link.pk}/remove/")

    client.force_login(world.member)
    assert client.get(f"/accounts/{world.account.pk}/").status_code == 404
    assert client.get(f"/charges/{world.account.pk}/").status_code == 404


def test_it_revokes_a_pending_invitation(client: Client, world) -> None:
    relative = make_user("sister@example.com")
    client.force_login(world.holder)
    invite(client, world.account.pk, "sister@example.com")
    invitation = Invitation.objects.get()

    client.post(f"/accounts/{world.account.pk}/share/invitations/{invitation.pk}/revoke/")

    client.force_login(relative)
    assert client.get(f"/accounts/invitations/{invitation.token}/").status_code == 404
    assert not AccountLink.objects.filter(user=relative).exists()


def test_it_refuses_duplicate_and_self_invitations(client: Client, world) -> None:
    client.force_login(world.holder)
    assertContains(invite(client, world.account.pk, "holder@example.com"), "собственный адрес")
    assertContains(invite(client, world.account.pk, "member@example.com"), "уже есть доступ")
    invite(client, world.account.pk, "sister@example.com")
    assertContains(invite(client, world.account.pk, "sister@example.com"), "уже отправлено")
    assert Invitation.objects.count() == 1


def test_it_does_not_let_the_holder_revoke_another_accounts_invitation(client: Client, world) -> None:
    client.force_login(world.stranger)
    invite(client, world.other_account.pk, "friend@example.com")
    invitation = Invitation.objects.get()

    client.force_login(world.holder)
    response = client.post(
        f"/accounts/{world.account.pk}/share/invitations/{invitation.pk}/revoke/"
    )

    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.is_pending
