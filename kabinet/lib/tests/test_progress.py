"""Progress published from its own thread: seen at once, never waiting on the caller's work."""

import threading

import pytest
from django.core.cache import cache, caches
from django.db import transaction

from kabinet.lib.progress import ProgressPublisher


@pytest.mark.django_db(transaction=True)
def test_it_publishes_while_the_callers_connection_is_inside_a_transaction() -> None:
    seen: list[object] = []
    with transaction.atomic(), ProgressPublisher("job:1", timeout=60) as publisher:
        publisher.set(0)
        publisher.set(42)
    # The caller's transaction is over; what the publisher wrote was committed on its own.
    seen.append(cache.get("job:1"))
    assert seen == [42]


@pytest.mark.django_db(transaction=True)
def test_it_writes_from_a_connection_of_its_own() -> None:
    threads: list[threading.Thread] = []
    backend = type(caches["default"])
    original = backend.set

    def spy(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread())
        return original(self, *args, **kwargs)

    backend.set = spy  # type: ignore[method-assign]
    try:
        with ProgressPublisher("job:2", timeout=60) as publisher:
            publisher.set(7)
    finally:
        backend.set = original  # type: ignore[method-assign]
    # Django's connections are per thread: another thread is another connection.
    assert threads and threading.current_thread() not in threads
    assert cache.get("job:2") == 7
