import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kabinet.orgs.models import Organisation

pytestmark = pytest.mark.django_db


def test_it_creates_an_organisation_with_requisites(capsys) -> None:
    call_command(
        "create_org", "--code", "uk1", "--name", "ООО «УК»", "--inn", "5406012341", "--kpp", "540601001",
        "--bik", "045004641", "--account", "40702810944050012345", "--corr-account",
        "30101810500000000641", "--bank-name", "Сбербанк", "--timezone", "Asia/Novosibirsk",
    )

    org = Organisation.objects.get(code="uk1")
    assert (org.inn, org.bik, org.account, org.tz.key) == ("5406012341", "045004641", "40702810944050012345", "Asia/Novosibirsk")
    assert "Создана организация uk1" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--inn", "5406012346"], "ИНН"),
        (["--inn", "5406012341", "--bik", "12345"], "БИК"),
        (["--inn", "5406012341", "--timezone", "Mars/Olympus"], "часовой пояс"),
    ],
)
def test_it_refuses_bad_requisites(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("create_org", "--code", "uk1", "--name", "УК", *args)
    assert not Organisation.objects.exists()


def test_it_refuses_a_taken_code() -> None:
    call_command("create_org", "--code", "uk1", "--name", "УК", "--inn", "5406012341")
    with pytest.raises(CommandError, match="уже есть"):
        call_command("create_org", "--code", "uk1", "--name", "УК 2", "--inn", "5406012341")
