import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from kabinet.billing.tests.factories import make_org
from kabinet.users.models import User


def test_it_creates_staff_with_a_temporary_password_by_email(db, django_capture_on_commit_callbacks) -> None:
    org = make_org("uk-1")
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "create_staff", "--org", "uk-1", "--email", "Buh@Example.com", "--role", "accountant", "--name", "Сидорова Анна"
        )
    user = User.objects.get(email="buh@example.com")
    assert (user.organisation, user.org_role, user.is_staff) == (org, User.Role.ACCOUNTANT, True)
    assert user.must_change_password and (user.last_name, user.first_name) == ("Сидорова", "Анна")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["buh@example.com"]
    password = mail.outbox[0].body.split("Временный пароль: ")[1].split()[0]
    assert user.check_password(password)


def test_it_refuses_an_unknown_organisation_and_a_taken_email(db) -> None:
    make_org("uk-1")
    with pytest.raises(CommandError, match="не найдена"):
        call_command("create_staff", "--org", "nope", "--email", "a@example.com", "--role", "operator")
    call_command("create_staff", "--org", "uk-1", "--email", "a@example.com", "--role", "administrator")
    assert User.objects.get(email="a@example.com").org_role == User.Role.ADMIN
    with pytest.raises(CommandError, match="уже есть"):
        call_command("create_staff", "--org", "uk-1", "--email", "A@example.com", "--role", "operator")


def test_the_demo_creates_one_member_of_staff_per_role_per_organisation(db, capsys) -> None:
    call_command("demo")

    out = capsys.readouterr().out
    for code in ("uk-sever", "eco-nsk"):
        roles = set(
            User.objects.filter(organisation__code=code, is_staff=True).values_list("org_role", flat=True)
        )
        assert roles == {User.Role.ADMIN, User.Role.OPERATOR, User.Role.ACCOUNTANT}
        for mailbox in ("admin", "operator", "buh"):
            assert f"{mailbox}@{code}.local" in out
    assert "/office/" in out
