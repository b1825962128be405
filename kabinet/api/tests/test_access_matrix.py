"""Every endpoint of SPEC 3.6 for the holder, a family member, a stranger (404), a token without
the scope (403) and an expired or revoked token (401)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from kabinet.api.services import token_revoke
from kabinet.api.tests.helpers import OPEN_WINDOW, client_for, make_token, meter
from kabinet.helpdesk.models import RequestType, ServiceRequest
from kabinet.helpdesk.services import request_create, request_types_ensure
from kabinet.news.tests.factories import make_news


@dataclass
class Endpoint:
    name: str
    method: str
    url: Callable[[Any, dict], str]
    scope: str
    ok: int = 200
    body: Callable[[Any, dict], dict] | None = None


def _request(world, author=None) -> ServiceRequest:  # type: ignore[no-untyped-def]
    request_types_ensure(organisation=world.org)
    return request_create(
        author=author or world.holder,
        account=world.account,
        type=RequestType.objects.filter(organisation=world.org).earliest("pk"),
        reason="Течёт кран",
        desired_date=OPEN_WINDOW.date() + datetime.timedelta(days=3),
        time_slot="08-12",
    )


ENDPOINTS = [
    Endpoint("charges", "get", lambda w, x: f"/api/v1/accounts/{w.account.pk}/charges/?from=2025-01&to=2025-01", "read"),
    Endpoint("document", "get", lambda w, x: f"/api/v1/accounts/{w.account.pk}/documents/2025-01.pdf", "read"),
    Endpoint("meters", "get", lambda w, x: f"/api/v1/meters/?account={w.account.pk}", "read"),
    Endpoint("readings history", "get", lambda w, x: f"/api/v1/meters/{meter(w, 'M-1').pk}/readings/", "read"),
    Endpoint("request", "get", lambda w, x: f"/api/v1/requests/{x['request'].pk}/", "read"),
    Endpoint("news", "get", lambda w, x: f"/api/v1/news/?account={w.account.pk}", "read"),
    Endpoint(
        "reading submit",
        "post",
        lambda w, x: "/api/v1/readings/",
        "readings",
        201,
        lambda w, x: {"meter": meter(w, "M-1").pk, "values": ["125.5"]},
    ),
    Endpoint(
        "payment create",
        "post",
        lambda w, x: "/api/v1/payments/",
        "payments",
        201,
        lambda w, x: {
            "organisation": w.org.pk,
            "lines": [{"account": w.account.pk, "amount": "135.36", "penalty": "1.20"}],
            "receipt_contact": "holder@example.com",
        },
    ),
    Endpoint(
        "request create",
        "post",
        lambda w, x: "/api/v1/requests/",
        "requests",
        201,
        lambda w, x: {
            "account": w.account.pk,
            "type": RequestType.objects.filter(organisation=w.org).earliest("pk").pk,
            "reason": "Не работает счётчик",
            "desired_date": str(OPEN_WINDOW.date() + datetime.timedelta(days=2)),
            "time_slot": "12-16",
        },
    ),
    Endpoint("request cancel", "post", lambda w, x: f"/api/v1/requests/{x['request'].pk}/cancel/", "requests"),
]
IDS = [e.name for e in ENDPOINTS]


@pytest.fixture
def extra(world):  # type: ignore[no-untyped-def]
    with time_machine.travel(OPEN_WINDOW, tick=False):
        make_news(world.org, "Отключение горячей воды 25.02")
        return {"request": _request(world)}


def call(endpoint: Endpoint, world, extra, secret):  # type: ignore[no-untyped-def]
    client = client_for(secret)
    url = endpoint.url(world, extra)
    with time_machine.travel(OPEN_WINDOW, tick=False):
        if endpoint.method == "get":
            return client.get(url)
        return client.post(url, endpoint.body(world, extra) if endpoint.body else {}, format="json")


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_it_serves_the_holder(world, extra, endpoint):
    response = call(endpoint, world, extra, make_token(world.holder)[1])
    assert response.status_code == endpoint.ok, response.content[:300]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_it_serves_a_family_member(world, extra, endpoint):
    secret = make_token(world.member)[1]
    if endpoint.name == "request cancel":
        # A family member cancels what they filed, never the holder's request (issue 10).
        assert call(endpoint, world, extra, secret).json()["code"] == "cancel_refused"
        with time_machine.travel(OPEN_WINDOW, tick=False):
            extra = {**extra, "request": _request(world, author=world.member)}
    response = call(endpoint, world, extra, secret)
    assert response.status_code == endpoint.ok, response.content[:300]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_it_answers_404_to_a_stranger(world, extra, endpoint):
    response = call(endpoint, world, extra, make_token(world.stranger)[1])
    assert response.status_code == 404, response.content[:300]
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_it_answers_403_without_the_scope(world, extra, endpoint):
    others = [s for s in ("read", "readings", "payments", "requests") if s != endpoint.scope]
    response = call(endpoint, world, extra, make_token(world.holder, scopes=others)[1])
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_it_answers_401_to_an_expired_token(world, extra, endpoint):
    token, secret = make_token(world.holder, expires_at=timezone.now() + datetime.timedelta(hours=1))
    # The calls run at OPEN_WINDOW (February 2025): a minute after the token's end.
    token.expires_at = OPEN_WINDOW - datetime.timedelta(minutes=1)
    token.save(update_fields=["expires_at"])
    response = call(endpoint, world, extra, secret)
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_it_answers_401_to_a_revoked_token(world, extra, endpoint):
    token, secret = make_token(world.holder)
    token_revoke(user=world.holder, token_id=token.pk)
    response = call(endpoint, world, extra, secret)
    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked"


# --- the lists: a stranger's list simply does not contain the holder's objects -------------


LISTS = ["/api/v1/accounts/", "/api/v1/meters/", "/api/v1/payments/", "/api/v1/requests/", "/api/v1/news/"]


@pytest.mark.parametrize("url", LISTS)
def test_it_lists_only_what_the_person_may_see(world, extra, url):
    with time_machine.travel(OPEN_WINDOW, tick=False):
        holder = client_for(make_token(world.holder)[1])
        holder.post(
            "/api/v1/payments/",
            {"organisation": world.org.pk, "lines": [{"account": world.account.pk, "amount": "100.00"}], "receipt_contact": "holder@example.com"},
            format="json",
        )
        mine = holder.get(url)
        theirs = client_for(make_token(world.stranger)[1]).get(url)
    assert mine.status_code == theirs.status_code == 200
    assert mine.json()["count"] >= 1
    mine_ids = {row["id"] for row in mine.json()["results"]}
    their_ids = {row["id"] for row in theirs.json()["results"]}
    if url != "/api/v1/news/":  # news of the organisation are for both
        assert not mine_ids & their_ids


@pytest.mark.parametrize("url", LISTS + ["/api/v1/request-types/"])
def test_it_answers_401_and_403_on_lists_too(world, url):
    assert client_for(None).get(url).status_code == 401
    assert client_for(make_token(world.holder, scopes=["readings"])[1]).get(url).status_code == 403


def test_it_answers_404_for_request_types_of_an_organisation_not_ones_own(world):
    from kabinet.billing.tests.factories import make_org

    other = make_org("other", inn="5406012341")
    response = client_for(make_token(world.holder)[1]).get(f"/api/v1/request-types/?organisation={other.pk}")
    assert response.status_code == 404
    ok = client_for(make_token(world.member)[1]).get(f"/api/v1/request-types/?organisation={world.org.pk}")
    assert ok.status_code == 200
    assert ok.json()["count"] >= 3
