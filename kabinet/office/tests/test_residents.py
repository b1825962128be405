"""«Абоненты»: find an account, see who holds it, remove a link (logged, holder e-mailed)."""

from django.core import mail
from django.urls import reverse

from kabinet.accounts.models import AccountLink
from kabinet.office.models import AuditEntry
from kabinet.office.tests.factories import make_staff
from kabinet.users.models import User


def test_it_finds_an_account_and_shows_its_holder_and_members(client, world) -> None:
    client.force_login(make_staff(world.org, User.Role.OPERATOR))
    found = client.get(reverse("office:residents"), {"q": "1001"}).content.decode()
    assert reverse("office:resident_account", args=[world.account.pk]) in found
    by_address = client.get(reverse("office:residents"), {"q": "Ленина"}).content.decode()
    assert ">1001<" in by_address and ">1002<" in by_address
    card = client.get(reverse("office:resident_account", args=[world.account.pk])).content.decode()
    assert "holder@example.com" in card and "Владелец кабинета" in card
    assert "member@example.com" in card and "Член семьи" in card
    assert "stranger@example.com" not in card


def test_it_removes_a_link_logs_it_and_emails_the_holder(
    client, world, django_capture_on_commit_callbacks
) -> None:
    operator = make_staff(world.org, User.Role.OPERATOR)
    client.force_login(operator)
    link = AccountLink.objects.get(user=world.member, account=world.account)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("office:link_remove", args=[link.pk]))

    assert not AccountLink.objects.filter(pk=link.pk).exists()
    assert sorted(m.to[0] for m in mail.outbox) == ["holder@example.com", "member@example.com"]
    assert mail.outbox[0].subject == "Лицевой счёт 1001 отвязан от кабинета"
    entry = AuditEntry.objects.get(action="link.remove")
    assert (entry.actor, entry.before["role"], entry.after["cabinet"]) == (operator, "Член семьи", "отвязан")


def test_it_resends_a_pending_invitation_and_logs_it(client, world, django_capture_on_commit_callbacks) -> None:
    from kabinet.accounts.models import Invitation

    invitation = Invitation.objects.create(account=world.account, invited_by=world.holder, email="granny@example.com")
    client.force_login(make_staff(world.org, User.Role.OPERATOR))
    card = client.get(reverse("office:resident_account", args=[world.account.pk])).content.decode()
    assert "granny@example.com" in card
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("office:invitation_resend", args=[invitation.pk]))
    assert [m.to for m in mail.outbox] == [["granny@example.com"]]
    assert invitation.token in mail.outbox[0].body
    assert AuditEntry.objects.get(action="invitation.resend").after == {"email": "granny@example.com"}
