"""A broken dependency never loses a submission (issue 10, item 8): when saving fails, the form
comes back with everything the person typed and a clear Russian message, not an error page."""

import time_machine
from django.db import OperationalError
from django.urls import reverse

from kabinet.helpdesk.models import Appeal, ServiceRequest
from kabinet.helpdesk.tests.test_request_pages import form_data
from kabinet.meters.models import ReadingSubmission
from kabinet.meters.tests.test_views import OPEN, fields, page_url

MESSAGE = "Не удалось сохранить: сервис временно недоступен"


def broken(*args: object, **kwargs: object) -> None:
    raise OperationalError("server closed the connection unexpectedly")


def test_it_keeps_typed_readings_when_saving_fails(client, world, monkeypatch):
    monkeypatch.setattr("kabinet.meters.views.reading_submit", broken)
    client.force_login(world.holder)
    with time_machine.travel(OPEN, tick=False):
        response = client.post(page_url(world), {**fields(world), "action": "send"})
    body = response.content.decode()
    assert response.status_code == 503
    assert MESSAGE in body
    assert 'value="130,5"' in body and 'value="1010.5"' in body and 'value="405"' in body
    assert not ReadingSubmission.objects.exists()


def test_it_keeps_a_typed_request_when_saving_fails(client, world, monkeypatch):
    monkeypatch.setattr("kabinet.helpdesk.services.request_create", broken)
    client.force_login(world.holder)
    data = form_data(world, reason="Течёт кран на кухне, вода заливает пол")
    response = client.post(reverse("request_new"), data)
    body = response.content.decode()
    assert response.status_code == 503
    assert MESSAGE in body
    assert "Течёт кран на кухне, вода заливает пол" in body
    assert f'value="{data["desired_date"]}"' in body
    assert not ServiceRequest.objects.exists()


def test_it_keeps_a_typed_appeal_when_saving_fails(client, world, monkeypatch):
    monkeypatch.setattr("kabinet.helpdesk.services.appeal_create", broken)
    client.force_login(world.holder)
    response = client.post(
        reverse("appeal_new"),
        {
            "account": world.account.pk,
            "topic": Appeal.Topic.SERVICE,
            "text": "В подъезде не горит свет третий день",
            "contact": "+7 913 000-00-00",
        },
    )
    body = response.content.decode()
    assert response.status_code == 503
    assert MESSAGE in body
    assert "В подъезде не горит свет третий день" in body
    assert 'value="+7 913 000-00-00"' in body
    assert not Appeal.objects.exists()


def test_it_keeps_a_typed_appeal_when_the_form_is_refused(client, world):
    client.force_login(world.holder)
    response = client.post(
        reverse("appeal_new"),
        {"account": world.account.pk, "text": "Текст без темы", "contact": "a@example.com"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Текст без темы" in body and 'value="a@example.com"' in body
