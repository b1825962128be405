"""Every status change is e-mailed to the resident: Russian text and HTML, after the commit."""

from django.core import mail
from django.core.mail import EmailMultiAlternatives

from kabinet.helpdesk import services
from kabinet.helpdesk.models import ServiceRequest
from kabinet.helpdesk.tests.factories import make_operator, make_request

Status = ServiceRequest.Status


def test_it_emails_the_resident_on_every_status_change(
    world, django_capture_on_commit_callbacks
) -> None:
    operator = make_operator(world.org)
    with django_capture_on_commit_callbacks(execute=True):
        request = make_request(world.holder, world.account)
    mail.outbox.clear()

    for target in (Status.IN_WORK, Status.DONE, Status.CLOSED):
        with django_capture_on_commit_callbacks(execute=True):
            services.request_transition(request=request, to=target, by=operator)

    assert [m.to for m in mail.outbox] == [[world.holder.email]] * 3
    assert [m.subject for m in mail.outbox] == [
        f"Заявка № {request.pk}: В работе",
        f"Заявка № {request.pk}: Выполнена",
        f"Заявка № {request.pk}: Закрыта",
    ]
    message = mail.outbox[0]
    assert isinstance(message, EmailMultiAlternatives)
    assert "Здравствуйте, Иван!" in message.body
    assert f"/requests/{request.pk}/" in message.body
    html, mimetype = message.alternatives[0]
    assert isinstance(html, str)
    assert mimetype == "text/html"
    assert "<strong>В работе</strong>" in html


def test_it_tells_the_reason_of_a_staff_cancel(world, django_capture_on_commit_callbacks) -> None:
    operator = make_operator(world.org)
    request = make_request(world.holder, world.account)

    with django_capture_on_commit_callbacks(execute=True):
        services.request_transition(
            request=request, to=Status.CANCELLED_STAFF, by=operator, reason="Дубль заявки № 1"
        )

    (message,) = mail.outbox
    assert "Отменена сотрудником" in message.subject
    assert "Причина: Дубль заявки № 1" in message.body


def test_it_sends_nothing_when_the_change_is_refused(
    world, django_capture_on_commit_callbacks
) -> None:
    request = make_request(world.holder, world.account)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            services.request_transition(request=request, to=Status.CLOSED, by=world.holder)
        except services.TransitionRefused:
            pass
    assert mail.outbox == []
