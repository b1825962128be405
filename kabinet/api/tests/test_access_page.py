"""«Настройки → Доступ к API» (SPEC 2.8): create a token (shown once), list, revoke without
JavaScript; the calendar address; the docs page under the site's CSP."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from kabinet.api.models import ApiToken, CalendarFeed
from kabinet.api.tests.helpers import client_for

URL = "/settings/api/"


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_it_is_linked_from_the_settings(world):
    body = signed_in(world.holder).get(reverse("settings")).content.decode()
    assert reverse("api_access") in body and "Доступ к API" in body


def test_it_creates_a_token_and_shows_it_once(world):
    client = signed_in(world.holder)
    response = client.post(URL, {"name": "Home Assistant", "scopes": ["read", "readings"], "expires_on": ""})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    found = re.search(r'value="(kab_[^"]+)"', response.content.decode())
    assert found
    secret = found.group(1)
    token = ApiToken.objects.get()
    assert (token.name, token.scopes, token.expires_at) == ("Home Assistant", ["read", "readings"], None)
    assert client_for(secret).get("/api/v1/accounts/").status_code == 200
    again = client.get(URL).content.decode()
    assert secret not in again
    assert "Home Assistant" in again and token.prefix in again and "не использовался" not in again


def test_it_refuses_a_token_without_scopes_and_keeps_what_was_typed(world):
    response = signed_in(world.holder).post(URL, {"name": "Шлюз", "scopes": []})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Выберите хотя бы одно право." in body and 'value="Шлюз"' in body
    assert not ApiToken.objects.exists()


def test_it_sets_an_expiry_date(world):
    signed_in(world.holder).post(URL, {"name": "На месяц", "scopes": ["read"], "expires_on": "2099-12-31"})
    token = ApiToken.objects.get()
    assert token.expires_at is not None and token.expires_at.year == 2099


def test_it_revokes_a_token_after_confirmation_without_javascript(world):
    client = signed_in(world.holder)
    client.post(URL, {"name": "Старый", "scopes": ["read"]})
    token = ApiToken.objects.get()
    confirm = client.get(reverse("api_token_revoke", args=[token.pk]))
    assert confirm.status_code == 200
    assert "Отозвать ключ «Старый»?" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None  # the GET only asks
    response = client.post(reverse("api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "отозван" in client.get(URL).content.decode()


def test_it_gives_a_stranger_404_for_another_persons_token(world):
    signed_in(world.holder).post(URL, {"name": "Мой", "scopes": ["read"]})
    token = ApiToken.objects.get()
    stranger = signed_in(world.stranger)
    assert stranger.get(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    assert stranger.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "Мой" not in stranger.get(URL).content.decode()


def test_it_creates_and_revokes_the_calendar_address(world):
    client = signed_in(world.holder)
    body = client.post(URL, {"action": "calendar"}).content.decode()
    found = re.search(r'value="(http[^"]+\.ics)"', body)
    assert found
    url = found.group(1)
    path = url.split("testserver")[1]
    assert Client().get(path).status_code == 200
    feed = CalendarFeed.objects.get()
    assert signed_in(world.stranger).post(reverse("api_calendar_revoke", args=[feed.pk])).status_code == 404
    assert client.post(reverse("api_calendar_revoke", args=[feed.pk])).status_code == 302
    assert Client().get(path).status_code == 404


def test_it_asks_to_sign_in(db):
    response = Client().get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_it_serves_the_docs_from_our_own_static_files(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    body = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', body)
    assert sources and all(src.startswith("/") for src in sources), sources  # nothing from a CDN
    assert "<script>" not in body and "<style>" not in body
    from kabinet.front.middleware import POLICY

    assert response["Content-Security-Policy"] == POLICY  # the site's own policy, not relaxed
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "/api/v1/schema/" in script.content.decode()
