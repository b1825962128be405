"""The invitation e-mail is the portal's text; the inviter's name is only the sender's display
name (issue 10, item 9), so a name typed as a message cannot speak in the portal's voice."""

from email.utils import parseaddr

from django.core import mail

from kabinet.accounts.tests.test_sharing import invite

LURE = "Срочно перейдите на http://evil.example и введите пароль"


def test_it_keeps_the_inviters_free_text_out_of_the_invitation(
    client, world, django_capture_on_commit_callbacks
) -> None:
    world.holder.first_name = "Иван"
    world.holder.last_name = LURE
    world.holder.save(update_fields=["first_name", "last_name"])
    client.force_login(world.holder)

    with django_capture_on_commit_callbacks(execute=True):
        invite(client, world.account.pk, "sister@example.com")

    [message] = mail.outbox
    body = str(message.body)
    assert "evil.example" not in body and "Срочно" not in body
    assert "Владелец лицевого счёта 1001" in body
    name, address = parseaddr(message.from_email)
    assert name == "Иван С. через Кабинет"
    assert address == "noreply@kabinet.local"


def test_it_leaves_only_letters_of_a_name_in_the_display_name(
    client, world, django_capture_on_commit_callbacks
) -> None:
    world.holder.first_name = 'Анна" <admin@bank.example>\r\nBcc: all@example.com'
    world.holder.last_name = ""
    world.holder.save(update_fields=["first_name", "last_name"])
    client.force_login(world.holder)

    with django_capture_on_commit_callbacks(execute=True):
        invite(client, world.account.pk, "sister@example.com")

    [message] = mail.outbox
    name, address = parseaddr(message.from_email)
    assert name.endswith(" через Кабинет")
    assert "@" not in name and "<" not in name and "\n" not in name
    assert address == "noreply@kabinet.local"
    assert message.recipients() == ["sister@example.com"]
    assert "noreply@kabinet.local" in str(message.message()["From"])
