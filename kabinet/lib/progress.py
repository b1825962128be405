"""Progress of long work, published to the cache from a thread of its own.

A billing import holds its database connection for the whole of one transaction, part of the
time inside a COPY. With the database cache (no REDIS_URL) a progress write from that connection
would wait on the COPY for ever, or stay invisible to the page that polls it until the commit.
The publisher's thread has its own connection (Django's connections are per thread) and writes
in autocommit, so the page sees each value at once; only the newest value waiting is written.
"""

from __future__ import annotations

import logging
import threading
from types import TracebackType

from django.core.cache import cache
from django.db import connections

log = logging.getLogger(__name__)

JOIN_SECONDS = 10


class ProgressPublisher:
    """`with ProgressPublisher(key, timeout) as publish: ... publish.set(42)`"""

    def __init__(self, key: str, *, timeout: int) -> None:
        self.key = key
        self.timeout = timeout
        self._pending: int | None = None
        self._closing = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, name=f"progress {key}", daemon=True)

    def __enter__(self) -> ProgressPublisher:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with self._changed:
            self._closing = True
            self._changed.notify()
        # A write stuck behind a lock (the caller's own open transaction holding the key) must
        # not hold the work up: the thread is a daemon, and the value only a courtesy.
        self._thread.join(timeout=JOIN_SECONDS)
        if self._thread.is_alive():
            log.warning("progress %s: the last value was not published in time", self.key)

    def set(self, value: int) -> None:
        with self._changed:
            self._pending = value
            self._changed.notify()

    def _run(self) -> None:
        try:
            while True:
                with self._changed:
                    while self._pending is None and not self._closing:
                        self._changed.wait()
                    value, self._pending = self._pending, None
                    closing = self._closing
                if value is not None:
                    try:
                        cache.set(self.key, value, timeout=self.timeout)
                    except Exception:  # progress is a courtesy: the work goes on without it
                        log.warning("progress %s not published", self.key, exc_info=True)
                elif closing:
                    return
        finally:
            connections.close_all()
