"""Personal access tokens (SPEC 2.8): Bearer, hashed, scopes, expiry, revocation, the limit."""

import datetime
import hashlib
import logging

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from kabinet.api.models import ApiToken
from kabinet.api.services import token_revoke
from kabinet.api.tests.helpers import client_for, make_token

URL = "/api/v1/accounts/"


def test_it_stores_only_the_hash_of_the_secret(world):
    token, secret = make_token(world.holder)
    assert secret.startswith("kab_") and len(secret) > 40
    row = ApiToken.objects.filter(pk=token.pk).values()[0]
    assert secret not in [str(v) for v in row.values()]
    assert row["token_hash"] == hashlib.sha256(secret.encode()).hexdigest()


def test_it_answers_401_without_a_token(world):
    response = client_for(None).get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_answers_401_for_an_unknown_token(world):
    response = client_for("kab_not-a-real-token").get(URL)
    assert response.status_code == 401
    assert response.json() == {"code": "token_invalid", "detail": "Ключ доступа не найден.", "fields": {}}


def test_it_answers_401_for_an_expired_token(world):
    _token, secret = make_token(world.holder, expires_at=timezone.now() + datetime.timedelta(days=1))
    assert client_for(secret).get(URL).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        response = client_for(secret).get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"


def test_it_answers_401_for_a_revoked_token(world):
    token, secret = make_token(world.holder)
    token_revoke(user=world.holder, token_id=token.pk)
    response = client_for(secret).get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked"


def test_it_answers_403_when_the_token_lacks_the_scope(world):
    _token, secret = make_token(world.holder, scopes=["readings"])
    response = client_for(secret).get(URL)
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"


def test_it_records_when_a_token_was_last_used(world):
    token, secret = make_token(world.holder)
    assert token.last_used_at is None
    client_for(secret).get(URL)
    token.refresh_from_db()
    assert token.last_used_at is not None


@override_settings(API_RATE_LIMIT_PER_MINUTE=3)
def test_it_limits_requests_per_token_with_retry_after(world):
    from django.core.cache import cache

    cache.clear()
    _token, secret = make_token(world.holder)
    _other, other_secret = make_token(world.holder)
    with time_machine.travel(datetime.datetime(2025, 2, 20, 12, 0, 10, tzinfo=datetime.UTC), tick=False):
        client = client_for(secret)
        assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 200]
        response = client.get(URL)
        assert response.status_code == 429
        assert response.json()["code"] == "rate_limited"
        # The one limiter's window opens at the first request and lasts a minute.
        assert response["Retry-After"] == "60"
        # The limit is per token: another token of the same person still works.
        assert client_for(other_secret).get(URL).status_code == 200
    with time_machine.travel(datetime.datetime(2025, 2, 20, 12, 1, 11, tzinfo=datetime.UTC), tick=False):
        assert client.get(URL).status_code == 200


def test_it_never_writes_a_token_to_the_logs(world, caplog):
    token, secret = make_token(world.holder)
    caplog.set_level(logging.DEBUG)
    client_for(secret).get(URL)
    client_for(secret).get("/api/v1/meters/999999/readings/")
    client_for(secret).post("/api/v1/readings/", {"meter": "x"}, format="json")
    client_for(secret + "x").get(URL)
    token_revoke(user=world.holder, token_id=token.pk)
    client_for(secret).get(URL)
    assert caplog.records, "the requests above log something (404, 400, 401)"
    assert secret not in caplog.text
    assert secret[4:20] not in caplog.text


@pytest.mark.parametrize("header", ["Token abc", "Bearer", "Basic dXNlcjpwYXNz"])
def test_it_refuses_other_authorization_schemes(world, header):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get(URL).status_code == 401
