"""«Обращения» / «Вопрос-ответ»: topic, text, contact, attachments; answered in a thread."""

import pytest
from django.core import mail
from django.urls import reverse

from kabinet.helpdesk import services
from kabinet.helpdesk.models import Appeal
from kabinet.helpdesk.tests.factories import make_operator, png


def make_appeal(world, text="Почему выросла плата за отопление?") -> Appeal:
    return services.appeal_create(
        author=world.holder,
        account=world.account,
        topic=Appeal.Topic.CHARGES,
        text=text,
        contact="ivanov@example.org",
    )


def test_it_sends_an_appeal_with_a_photo(client, world) -> None:
    client.force_login(world.holder)
    form = client.get(reverse("appeal_new")).content.decode()
    assert 'value="holder@example.com"' in form  # the contact is suggested

    response = client.post(
        reverse("appeal_new"),
        {
            "account": world.account.pk,
            "topic": Appeal.Topic.SERVICE,
            "text": "В подъезде не горит свет",
            "contact": "+7 913 000-00-00",
            "photos": [png()],
        },
    )

    appeal = Appeal.objects.get()
    assert response["Location"] == reverse("appeal_detail", args=[appeal.pk])
    assert (appeal.contact, appeal.status) == ("+7 913 000-00-00", Appeal.Status.OPEN)
    assert appeal.attachments.count() == 1
    assert "Качество услуг" in client.get(reverse("appeals")).content.decode()


def test_it_threads_the_operators_answer_and_emails_the_contact(
    client, world, django_capture_on_commit_callbacks
) -> None:
    appeal = make_appeal(world)
    operator = make_operator(world.org)

    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_reply(appeal=appeal, by=operator, text="Тариф изменился с 1 июля.")

    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.ANSWERED
    (message,) = mail.outbox
    assert message.to == ["ivanov@example.org"]
    assert "Тариф изменился с 1 июля." in message.body

    client.force_login(world.member)
    client.post(reverse("appeal_reply", args=[appeal.pk]), {"text": "А с какого числа?"})
    page = client.get(reverse("appeal_detail", args=[appeal.pk])).content.decode()
    assert page.index("Почему выросла") < page.index("Тариф изменился") < page.index("А с какого")
    assert "Ответ организации" in page
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.OPEN


def test_it_closes_an_appeal_and_takes_no_more_messages(client, world) -> None:
    appeal = make_appeal(world)
    client.force_login(world.holder)
    client.post(reverse("appeal_close", args=[appeal.pk]))

    response = client.post(reverse("appeal_reply", args=[appeal.pk]), {"text": "Ещё"}, follow=True)

    assert "Обращение закрыто" in response.content.decode()
    assert not appeal.messages.exists()


@pytest.mark.parametrize(
    "name,method", [("appeal_detail", "get"), ("appeal_reply", "post"), ("appeal_close", "post")]
)
def test_it_answers_404_to_a_stranger(client, world, name, method) -> None:
    appeal = make_appeal(world, text="Личный вопрос")
    client.force_login(world.stranger)

    response = getattr(client, method)(reverse(name, args=[appeal.pk]), {"text": "x"})

    assert response.status_code == 404
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.OPEN
    assert "Личный вопрос" not in client.get(reverse("appeals")).content.decode()


def test_it_lists_appeals_in_a_bounded_number_of_queries(
    client, world, django_assert_max_num_queries
) -> None:
    for number in range(25):
        make_appeal(world, text=f"Вопрос {number}")
    client.force_login(world.holder)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("appeals"))
    assert response.status_code == 200
