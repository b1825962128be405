"""Queues of requests and appeals: «просрочена» first, deadlines, status with reason, comments
and answers with files, e-mails to the resident and to operators (with opt-out)."""

import datetime

import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kabinet.helpdesk.models import Appeal, ServiceRequest
from kabinet.helpdesk.services import appeal_create, request_due_at
from kabinet.helpdesk.tests.factories import make_request, png, request_type
from kabinet.office.models import AuditEntry
from kabinet.office.services import staff_preferences_set
from kabinet.office.tests.factories import make_staff
from kabinet.users.models import User

Status = ServiceRequest.Status
NSK = datetime.timezone(datetime.timedelta(hours=7))


def test_it_counts_ten_working_days_or_emergency_hours(world) -> None:
    kind = request_type(world.org)
    friday = datetime.datetime(2025, 3, 7, 10, 0, tzinfo=NSK)
    due = request_due_at(type=kind, created_at=friday)
    assert due.astimezone(NSK).date() == datetime.date(2025, 3, 21)  # two weeks of Mon–Fri
    kind.deadline_hours = 4
    assert request_due_at(type=kind, created_at=friday) == friday + datetime.timedelta(hours=4)


def test_it_lists_overdue_requests_first(client, world) -> None:
    operator = make_staff(world.org, User.Role.OPERATOR)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=30)):
        old = make_request(world.holder, world.account, reason="Старая течь")
    fresh = make_request(world.holder, world.account, reason="Новая течь")
    client.force_login(operator)

    page = client.get(reverse("office:requests")).content.decode()

    assert page.index(f"Заявка № {old.pk}<") < page.index(f"Заявка № {fresh.pk}<")
    assert page.count("просрочена") == 1
    only_overdue = client.get(reverse("office:requests"), {"overdue": "on"}).content.decode()
    assert f"Заявка № {fresh.pk}<" not in only_overdue and f"Заявка № {old.pk}<" in only_overdue


LIST_PAGES = ("home", "requests", "appeals", "audit", "imports", "periods", "staff")


def _queries(client, name, django_assert_max_num_queries) -> int:  # type: ignore[no-untyped-def]
    with django_assert_max_num_queries(15) as captured:
        assert client.get(reverse(f"office:{name}")).status_code == 200
    return len(captured.captured_queries)


def test_it_keeps_the_office_list_pages_query_count_fixed(
    client, world, django_assert_max_num_queries
) -> None:
    admin = make_staff(world.org, User.Role.ADMIN)
    client.force_login(admin)
    first = make_request(world.holder, world.account)
    client.post(reverse("office:request_status", args=[first.pk]), {"status": Status.IN_WORK})
    appeal_create(author=world.holder, account=world.account, topic="other", text="?", contact="x@example.com")
    before = {name: _queries(client, name, django_assert_max_num_queries) for name in LIST_PAGES}
    for number in range(10):
        item = make_request(world.holder, world.account)
        client.post(reverse("office:request_status", args=[item.pk]), {"status": Status.IN_WORK})
        appeal_create(author=world.holder, account=world.account, topic="other", text="?", contact="x@example.com")
        make_staff(world.org, User.Role.OPERATOR, email=f"op{number}@example.com")
    after = {name: _queries(client, name, django_assert_max_num_queries) for name in LIST_PAGES}
    assert after == before


def test_it_moves_a_request_with_reason_and_emails_the_resident(
    client, world, django_capture_on_commit_callbacks
) -> None:
    operator = make_staff(world.org, User.Role.OPERATOR)
    item = make_request(world.holder, world.account)
    client.force_login(operator)
    url = reverse("office:request_status", args=[item.pk])
    mail.outbox.clear()

    response = client.post(url, {"status": Status.CANCELLED_STAFF, "reason": ""}, follow=True)
    assert "Укажите причину отмены" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"status": Status.IN_WORK, "reason": "Мастер назначен"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"status": Status.DONE, "reason": ""})

    item.refresh_from_db()
    assert item.status == Status.DONE
    assert [m.subject for m in mail.outbox] == [
        f"Заявка № {item.pk}: В работе",
        f"Заявка № {item.pk}: Выполнена",
    ]
    entries = AuditEntry.objects.filter(action="request.status").order_by("pk")
    assert [(e.before["status"], e.after["status"]) for e in entries] == [
        ("Принята в систему", "В работе"),
        ("В работе", "Выполнена"),
    ]


def test_it_comments_with_a_photo_and_answers_an_appeal_with_emails(
    client, world, django_capture_on_commit_callbacks
) -> None:
    operator = make_staff(world.org, User.Role.OPERATOR)
    item = make_request(world.holder, world.account)
    appeal = appeal_create(
        author=world.holder, account=world.account, topic=Appeal.Topic.CHARGES, text="Почему так много?", contact="holder@example.com"
    )
    client.force_login(operator)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("office:request_comment", args=[item.pk]), {"text": "Приложили схему", "photos": [png()]}
        )
        client.post(
            reverse("office:appeal_detail", args=[appeal.pk]), {"text": "Перерасчёт за январь.", "photos": [png("act.png")]}
        )

    assert item.comments.get().by_operator
    assert item.attachments.count() == 1 and appeal.attachments.get().name == "act.png"
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.ANSWERED
    assert sorted(m.to[0] for m in mail.outbox) == ["holder@example.com", "holder@example.com"]
    page = client.get(reverse("office:appeal_detail", args=[appeal.pk])).content.decode()
    assert "Перерасчёт за январь." in page
    client.post(reverse("office:appeal_close", args=[appeal.pk]))
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.CLOSED


def test_it_emails_operators_about_new_items_unless_they_opted_out(
    world, django_capture_on_commit_callbacks
) -> None:
    make_staff(world.org, User.Role.OPERATOR, email="op1@example.com")
    quiet = make_staff(world.org, User.Role.OPERATOR, email="op2@example.com")
    make_staff(world.org, User.Role.ACCOUNTANT, email="buh@example.com")
    staff_preferences_set(user=quiet, new_requests=False, new_appeals=True)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        item = make_request(world.holder, world.account)
        appeal_create(author=world.holder, account=world.account, topic="other", text="Вопрос", contact="holder@example.com")

    staff_mail = sorted((m.to[0], m.subject.split(",")[0]) for m in mail.outbox if m.to[0] != "holder@example.com")
    appeal = Appeal.objects.get()
    assert staff_mail == [
        ("op1@example.com", f"Новая заявка № {item.pk}"),
        ("op1@example.com", f"Новое обращение № {appeal.pk}"),
        ("op2@example.com", f"Новое обращение № {appeal.pk}"),
    ]


def test_it_saves_notification_opt_out_from_the_office(client, world) -> None:
    operator = make_staff(world.org, User.Role.OPERATOR)
    client.force_login(operator)
    client.post(reverse("office:preferences"), {"new_appeals": "on"})
    operator.office_preferences.refresh_from_db()
    assert (operator.office_preferences.new_requests, operator.office_preferences.new_appeals) == (False, True)




def test_it_shows_the_resident_the_deadline(client, world) -> None:
    item = make_request(world.holder, world.account)
    client.force_login(world.holder)
    page = client.get(reverse("request_detail", args=[item.pk])).content.decode()
    local = timezone.localtime(item.due_at, world.org.tz)
    assert f"<dt>Срок исполнения</dt><dd>{local:%d.%m.%Y %H:%M}</dd>" in page
