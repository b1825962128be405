"""The operator's queues in the admin: only their organisation; status changes via the service."""

import pytest
from django.core import mail
from django.urls import reverse

from kabinet.accounts.tests.factories import link, make_user
from kabinet.billing.models import PersonalAccount
from kabinet.billing.tests.factories import make_org
from kabinet.helpdesk.models import Appeal, ServiceRequest
from kabinet.helpdesk.services import appeal_create
from kabinet.helpdesk.tests.factories import make_operator, make_request, png

Status = ServiceRequest.Status
CHANGELIST = "admin:helpdesk_servicerequest_changelist"
CHANGE = "admin:helpdesk_servicerequest_change"


def foreign_request():
    org = make_org("other")
    account = PersonalAccount.objects.create(organisation=org, number="777")
    resident = make_user("other-resident@example.com")
    link(resident, account)
    return make_request(resident, account, reason="Чужая заявка")


def test_it_shows_the_operator_only_their_organisations_queue(client, world) -> None:
    make_request(world.holder, world.account, reason="Своя заявка")
    other = foreign_request()
    client.force_login(make_operator(world.org))

    page = client.get(reverse(CHANGELIST)).content.decode()
    assert "1001" in page
    assert "777" not in page
    assert client.get(reverse(CHANGE, args=[other.pk])).status_code == 404


def test_it_takes_requests_into_work_with_the_admin_action(
    client, world, django_capture_on_commit_callbacks
) -> None:
    request = make_request(world.holder, world.account)
    other = foreign_request()
    client.force_login(make_operator(world.org))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(CHANGELIST),
            {"action": "take_into_work", "_selected_action": [request.pk, other.pk]},
            follow=True,
        )

    assert response.status_code == 200
    request.refresh_from_db()
    other.refresh_from_db()
    assert request.status == Status.IN_WORK
    assert other.status == Status.NEW  # outside the operator's queryset
    assert [m.subject for m in mail.outbox] == [f"Заявка № {request.pk}: В работе"]


def test_it_reports_requests_the_action_cannot_move(client, world) -> None:
    request = make_request(world.holder, world.account)
    client.force_login(make_operator(world.org))

    response = client.post(
        reverse(CHANGELIST),
        {"action": "mark_closed", "_selected_action": [request.pk]},
        follow=True,
    )

    request.refresh_from_db()
    assert request.status == Status.NEW
    assert "нельзя перевести" in response.content.decode()


def test_it_cancels_from_the_change_form_only_with_a_reason(client, world) -> None:
    request = make_request(world.holder, world.account)
    client.force_login(make_operator(world.org))
    url = reverse(CHANGE, args=[request.pk])

    form = client.get(url).content.decode()
    assert "Отменена сотрудником" in form
    assert 'value="cancelled_client"' not in form

    response = client.post(url, {"new_status": Status.CANCELLED_STAFF, "reason_text": ""})
    assert response.status_code == 200
    assert "Укажите причину отмены" in response.content.decode()
    request.refresh_from_db()
    assert request.status == Status.NEW

    client.post(
        url,
        {
            "new_status": Status.CANCELLED_STAFF,
            "reason_text": "Адрес вне зоны обслуживания",
            "comment": "Позвоните нам",
        },
    )
    request.refresh_from_db()
    assert request.status == Status.CANCELLED_STAFF
    assert request.status_reason == "Адрес вне зоны обслуживания"
    assert request.comments.get().by_operator


def test_it_refuses_the_admin_to_a_staff_user_without_permissions(client, world) -> None:
    request = make_request(world.holder, world.account)
    client.force_login(make_operator(world.org, email="noperm@example.com", perms=()))

    client.post(reverse(CHANGELIST), {"action": "take_into_work", "_selected_action": [request.pk]})

    request.refresh_from_db()
    assert request.status == Status.NEW


def test_it_answers_an_appeal_from_the_admin(client, world) -> None:
    appeal = appeal_create(
        author=world.holder,
        account=world.account,
        topic=Appeal.Topic.OTHER,
        text="Где взять квитанцию?",
        contact="holder@example.com",
    )
    client.force_login(make_operator(world.org))

    response = client.post(
        reverse("admin:helpdesk_appeal_change", args=[appeal.pk]),
        {"answer": "В разделе «Начисления».", "close": "on"},
    )

    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.CLOSED
    message = appeal.messages.get()
    assert (message.text, message.by_operator) == ("В разделе «Начисления».", True)


def test_it_gives_the_operator_the_default_catalogue_to_edit(client, world) -> None:
    client.force_login(make_operator(world.org))

    page = client.get(reverse("admin:helpdesk_requesttype_changelist")).content.decode()

    assert "Внеплановая проверка прибора учёта по заявке потребителя" in page
    assert "1500,00" in page or "1500.00" in page


# --- regression: saving in the admin with the read-only inlines shown -------------------------


def _superuser():
    return make_user("root@example.com", is_staff=True, is_superuser=True)


def _inline_management(prefixes: dict[str, int]) -> dict[str, object]:
    data: dict[str, object] = {}
    for prefix, count in prefixes.items():
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": count,
                f"{prefix}-INITIAL_FORMS": count,
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
    return data


@pytest.mark.parametrize("with_files", [False, True], ids=["no-attachments", "attachments"])
def test_it_saves_an_appeal_answer_in_the_admin(client, world, with_files) -> None:
    appeal = appeal_create(
        author=world.holder,
        account=world.account,
        topic=Appeal.Topic.OTHER,
        text="Где взять квитанцию?",
        contact="holder@example.com",
        files=(png(),) if with_files else (),
    )
    client.force_login(_superuser())
    url = reverse("admin:helpdesk_appeal_change", args=[appeal.pk])
    assert client.get(url).status_code == 200
    data: dict[str, object] = {"answer": "Квитанция в разделе «Начисления».", "close": "on"}
    data.update(
        _inline_management(
            {"attachments": appeal.attachments.count(), "messages": appeal.messages.count()}
        )
    )

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.CLOSED
    assert appeal.messages.get().text == "Квитанция в разделе «Начисления»."
    assert appeal.attachments.count() == (1 if with_files else 0)


@pytest.mark.parametrize("with_files", [False, True], ids=["no-attachments", "attachments"])
def test_it_saves_a_request_status_change_in_the_admin(client, world, with_files) -> None:
    request = make_request(world.holder, world.account, files=(png(),) if with_files else ())
    client.force_login(_superuser())
    url = reverse(CHANGE, args=[request.pk])
    assert client.get(url).status_code == 200
    data: dict[str, object] = {
        "new_status": Status.IN_WORK,
        "reason_text": "",
        "comment": "Мастер придёт завтра",
    }
    data.update(
        _inline_management(
            {
                "attachments": request.attachments.count(),
                "status_changes": request.status_changes.count(),
                "comments": request.comments.count(),
            }
        )
    )

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    request.refresh_from_db()
    assert request.status == Status.IN_WORK
    assert request.comments.get().text == "Мастер придёт завтра"


def test_it_speaks_russian_in_the_admin_index(client, world) -> None:
    client.force_login(_superuser())
    page = client.get(reverse("admin:index")).content.decode()
    assert "Кабинет: администрирование платформы" in page
    assert "Приборы учёта" in page and "Биллинг" in page
    assert "Администрирование Django" not in page
    assert ">Billing<" not in page and ">Meters<" not in page
