"""«Заявки»: the list with filters, the new-request form, the card, cancel, comments, rating."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kabinet.helpdesk import services
from kabinet.helpdesk.models import RequestType, ServiceRequest
from kabinet.helpdesk.tests.factories import make_operator, make_request, png, request_type

Status = ServiceRequest.Status


def form_data(world, **overrides):
    data = {
        "account": world.account.pk,
        "type": request_type(world.org).pk,
        "reason": "Не работает счётчик горячей воды",
        "desired_date": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
        "time_slot": ServiceRequest.TimeSlot.AFTERNOON,
    }
    data.update(overrides)
    return data


def test_it_creates_the_default_catalogue_for_the_organisation(client, world) -> None:
    client.force_login(world.holder)
    response = client.get(reverse("request_new"))

    assert response.status_code == 200
    names = set(RequestType.objects.filter(organisation=world.org).values_list("name", flat=True))
    assert {
        "Ввод прибора учёта в эксплуатацию",
        "Снятие показаний",
        "Внеплановая проверка прибора учёта по заявке потребителя",
    } <= names
    assert RequestType.objects.filter(organisation=world.org, is_paid=True, price__gt=0).exists()
    assert "Снятие показаний" in response.content.decode()


def test_it_files_a_request_and_shows_it_in_the_list(client, world) -> None:
    client.force_login(world.holder)
    response = client.post(reverse("request_new"), form_data(world, photos=[png()]))

    created = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("request_detail", args=[created.pk])
    assert created.status == Status.NEW
    assert created.author == world.holder
    assert created.attachments.count() == 1

    page = client.get(reverse("requests")).content.decode()
    assert "Не работает счётчик горячей воды" in page
    assert "Принята в систему" in page


def test_it_offers_only_accounts_the_user_may_read(client, world) -> None:
    client.force_login(world.holder)
    response = client.post(reverse("request_new"), form_data(world, account=world.other_account.pk))

    assert response.status_code == 200
    assert not ServiceRequest.objects.exists()
    assert "Выберите корректный вариант" in response.content.decode()


def test_it_refuses_a_date_in_the_past(client, world) -> None:
    client.force_login(world.holder)
    yesterday = timezone.localdate(timezone=world.org.tz) - datetime.timedelta(days=1)
    response = client.post(
        reverse("request_new"), form_data(world, desired_date=yesterday.isoformat())
    )

    assert response.status_code == 200
    assert "не может быть в прошлом" in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_it_filters_the_list_by_dates_and_status(client, world) -> None:
    old = make_request(world.holder, world.account, reason="Старая заявка")
    ServiceRequest.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=40)
    )
    make_request(world.holder, world.account, reason="Свежая заявка")
    cancelled = make_request(world.holder, world.account, reason="Отменённая заявка")
    services.request_transition(request=cancelled, to=Status.CANCELLED_CLIENT, by=world.holder)
    client.force_login(world.holder)

    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    page = client.get(reverse("requests"), {"date_from": since}).content.decode()
    assert "Свежая заявка" in page and "Отменённая заявка" in page
    assert "Старая заявка" not in page

    page = client.get(reverse("requests"), {"status": [Status.CANCELLED_CLIENT]}).content.decode()
    assert "Отменённая заявка" in page
    assert "Свежая заявка" not in page and "Старая заявка" not in page

    until = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    page = client.get(reverse("requests"), {"date_to": until}).content.decode()
    assert "Старая заявка" in page and "Свежая заявка" not in page


def test_it_lists_requests_in_a_bounded_number_of_queries(
    client, world, django_assert_max_num_queries
) -> None:
    for number in range(25):
        make_request(world.holder, world.account, reason=f"Заявка {number}")
    client.force_login(world.holder)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("requests"), {"status": [Status.NEW]})
    assert response.status_code == 200
    assert response.content.decode().count("Смотреть заявку") == 20


def test_it_shows_the_card_to_the_family_member(client, world) -> None:
    request = make_request(world.holder, world.account, reason="Проверить пломбы")
    client.force_login(world.member)

    response = client.get(reverse("request_detail", args=[request.pk]))
    assert response.status_code == 200
    assert "Проверить пломбы" in response.content.decode()


@pytest.mark.parametrize(
    "name,method",
    [
        ("request_detail", "get"),
        ("request_cancel", "post"),
        ("request_comment", "post"),
        ("request_rate", "post"),
    ],
)
def test_it_answers_404_to_a_stranger(client, world, name, method) -> None:
    request = make_request(world.holder, world.account, reason="Секретная заявка")
    client.force_login(world.stranger)

    response = getattr(client, method)(reverse(name, args=[request.pk]), {"text": "x", "rating": 5})

    assert response.status_code == 404
    request.refresh_from_db()
    assert request.status == Status.NEW
    assert not request.comments.exists()
    assert "Секретная заявка" not in client.get(reverse("requests")).content.decode()


def test_it_lets_the_resident_cancel_before_work_only(client, world) -> None:
    operator = make_operator(world.org)
    first = make_request(world.holder, world.account)
    second = make_request(world.holder, world.account)
    services.request_transition(request=second, to=Status.IN_WORK, by=operator)
    client.force_login(world.holder)

    assert (
        "Отменить заявку" in client.get(reverse("request_detail", args=[first.pk])).content.decode()
    )
    client.post(reverse("request_cancel", args=[first.pk]))
    first.refresh_from_db()
    assert first.status == Status.CANCELLED_CLIENT

    assert (
        "Отменить заявку"
        not in client.get(reverse("request_detail", args=[second.pk])).content.decode()
    )
    response = client.post(reverse("request_cancel", args=[second.pk]), follow=True)
    second.refresh_from_db()
    assert second.status == Status.IN_WORK
    assert "уже в работе" in response.content.decode()


def test_it_keeps_a_comment_thread_between_resident_and_operator(
    client, world, django_capture_on_commit_callbacks
) -> None:
    operator = make_operator(world.org)
    request = make_request(world.holder, world.account)
    client.force_login(world.holder)
    client.post(reverse("request_comment", args=[request.pk]), {"text": "Домофон 15"})
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.request_comment(request=request, by=operator, text="Мастер позвонит заранее")

    page = client.get(reverse("request_detail", args=[request.pk])).content.decode()
    assert page.index("Домофон 15") < page.index("Мастер позвонит заранее")
    assert "Сотрудник организации" in page
    assert [m.to for m in mail.outbox] == [[world.holder.email]]
    assert "Мастер позвонит заранее" in mail.outbox[0].body


def test_it_takes_a_rating_once_the_work_is_done(client, world) -> None:
    operator = make_operator(world.org)
    request = make_request(world.holder, world.account)
    client.force_login(world.holder)

    client.post(reverse("request_rate", args=[request.pk]), {"rating": 5})
    request.refresh_from_db()
    assert request.rating is None

    services.request_transition(request=request, to=Status.IN_WORK, by=operator)
    services.request_transition(request=request, to=Status.DONE, by=operator)
    assert (
        "Оцените выполнение заявки"
        in client.get(reverse("request_detail", args=[request.pk])).content.decode()
    )
    client.post(reverse("request_rate", args=[request.pk]), {"rating": 4, "comment": "Быстро"})
    client.post(reverse("request_rate", args=[request.pk]), {"rating": 1})

    request.refresh_from_db()
    assert (request.rating, request.rating_comment) == (4, "Быстро")


def test_it_asks_before_cancelling_a_request(client, world) -> None:
    request = make_request(world.holder, world.account)
    client.force_login(world.holder)

    page = client.get(reverse("request_cancel", args=[request.pk])).content.decode()

    assert "Да, отменить заявку" in page
    request.refresh_from_db()
    assert request.status == ServiceRequest.Status.NEW


def test_the_empty_filter_form_is_rendered_once_per_language_and_a_filled_one_every_time(
    client, world
) -> None:
    client.force_login(world.holder)
    for _visit in range(2):
        page = client.get(reverse("requests")).content.decode()
        assert "Заявки с" in page and 'value="2025-01-01"' not in page
    client.cookies["django_language"] = "en"
    page = client.get(reverse("requests")).content.decode()
    assert "Requests from" in page and "Заявки с" not in page
    page = client.get(reverse("requests"), {"date_from": "2025-01-01"}).content.decode()
    assert 'value="2025-01-01"' in page
    client.cookies["django_language"] = "ru"
    page = client.get(reverse("requests")).content.decode()
    assert "Заявки с" in page and 'value="2025-01-01"' not in page
