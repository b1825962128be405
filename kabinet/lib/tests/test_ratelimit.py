"""The one rate limiter: windows, shared store, the client's address behind trusted proxies."""

import datetime
import importlib

import pytest
import time_machine
from django.core.cache import caches
from django.test import RequestFactory

from kabinet.lib import ratelimit
from kabinet.lib.testing import clear_rate_limits

pytestmark = pytest.mark.django_db
START = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _fresh() -> None:
    clear_rate_limits()


def test_it_allows_up_to_the_limit_and_says_when_to_come_back() -> None:
    with time_machine.travel(START, tick=False):
        decisions = [ratelimit.hit("t", "k", limit=3, window=600) for _ in range(4)]
        assert [d.allowed for d in decisions] == [True, True, True, False]
        assert decisions[-1].retry_after == 600 and decisions[-1].count == 4
        assert not ratelimit.peek("t", "k", limit=3, window=600)
        assert ratelimit.peek("t", "other", limit=3, window=600)

    with time_machine.travel(START + datetime.timedelta(seconds=400), tick=False):
        # Trying again does not push the end of the window.
        assert ratelimit.hit("t", "k", limit=3, window=600).retry_after == 200

    with time_machine.travel(START + datetime.timedelta(seconds=601), tick=False):
        assert ratelimit.hit("t", "k", limit=3, window=600).allowed


def test_it_counts_in_a_store_every_app_server_shares(settings) -> None:
    """Never a per-process memory cache: what one server counted, another sees."""
    assert "locmem" not in settings.CACHES["default"]["BACKEND"].lower()
    ratelimit.hit("t", "k", limit=1, window=60)
    # A fresh cache object (as in another process) over the same store sees the count.
    other = caches.create_connection("default")
    assert other.get(ratelimit._key("t", "k", 60)) == 1


def test_it_uses_the_database_without_redis_and_redis_with_it(monkeypatch) -> None:
    import config.settings as project_settings

    monkeypatch.delenv("REDIS_URL", raising=False)
    importlib.reload(project_settings)
    assert project_settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/2")
    importlib.reload(project_settings)
    assert project_settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    monkeypatch.delenv("REDIS_URL")
    importlib.reload(project_settings)


def test_it_counts_in_redis_when_there_is_one(settings) -> None:
    settings.CACHES = {
        **settings.CACHES,
        "redis": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/2",
        },
    }
    settings.RATELIMIT_CACHE = "redis"
    store = caches["redis"]
    try:
        store.clear()
    except Exception:  # noqa: BLE001 - no Redis here
        pytest.skip("no Redis at 127.0.0.1:6379")
    decisions = [ratelimit.hit("t", "k", limit=2, window=60) for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, False]
    assert 0 < decisions[-1].retry_after <= 60
    store.clear()


def request(remote: str, forwarded: str | None = None):
    made = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        made.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return made


def test_it_ignores_x_forwarded_for_from_anyone_but_a_trusted_proxy(settings) -> None:
    settings.TRUSTED_PROXIES = []
    assert ratelimit.client_ip(request("203.0.113.5", "1.2.3.4")) == "203.0.113.5"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert ratelimit.client_ip(request("203.0.113.5", "1.2.3.4")) == "203.0.113.5"


def test_it_takes_the_client_from_trusted_proxies(settings) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1"]
    # The client wrote a fake first hop; our proxies appended the real one.
    assert ratelimit.client_ip(request("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.1")) == "198.51.100.7"
    assert ratelimit.client_ip(request("127.0.0.1", "198.51.100.7")) == "198.51.100.7"
    # Garbage is never an address: the nearest proxy is.
    assert ratelimit.client_ip(request("10.0.0.2", "not-an-ip")) == "10.0.0.2"
    assert ratelimit.client_ip(request("10.0.0.2", "")) == "10.0.0.2"


def test_it_limits_binding_per_real_client_behind_the_proxy(client, world, settings) -> None:
    from kabinet.accounts.tests.factories import make_user

    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    for i in range(4):
        client.force_login(make_user(f"guesser{i}@example.com"))
        for _attempt in range(5):
            client.post(
                "/accounts/bind/",
                {"step": "check", "number": f"900{i}", "surname": "Х", "secret": "1"},
                REMOTE_ADDR="10.0.0.1",
                HTTP_X_FORWARDED_FOR=f"203.0.113.9, 198.51.100.{i}",
            )
    # Twenty failures came through one proxy from four clients: no client is at its limit.
    client.force_login(make_user("fresh@example.com"))
    response = client.post(
        "/accounts/bind/",
        {"step": "check", "number": "1002", "surname": "Петрова", "apartment": "6", "secret": "297,18"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.0",
    )
    assert "Данные верны" in response.content.decode()
