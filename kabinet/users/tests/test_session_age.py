"""Sessions without «Запомнить меня» end with the browser and within a day on the server
(issue 10, item 9)."""

import datetime

import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from kabinet.users.tests.helpers import STRONG
from kabinet.users.tests.test_login import resident, sign_in  # noqa: F401 - a fixture

NOW = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.UTC)


def session_of(client: Client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def test_it_ends_a_session_without_remember_me_with_the_browser_and_within_a_day(resident):  # noqa: F811
    client = Client()
    with time_machine.travel(NOW, tick=False):
        assert sign_in(client, "anna@example.com").status_code == 302
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        assert cookie["expires"] == "" and cookie["max-age"] == ""  # gone with the browser
        assert session_of(client).expire_date <= timezone.now() + datetime.timedelta(days=1)
        assert client.get("/home/").status_code == 200
    # The same cookie, kept by a restored browser or copied, the next day:
    with time_machine.travel(NOW + datetime.timedelta(hours=25), tick=False):
        response = client.get("/home/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_keeps_a_remembered_session_for_thirty_days(resident):  # noqa: F811
    client = Client()
    with time_machine.travel(NOW, tick=False):
        sign_in(client, "anna@example.com", STRONG, remember="on")
        assert int(client.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == 30 * 24 * 3600
    with time_machine.travel(NOW + datetime.timedelta(days=29), tick=False):
        assert client.get("/home/").status_code == 200
