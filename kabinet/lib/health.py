"""What /healthz checks: the database, the cache and the Celery broker, each in a few ms.

Each check answers "ok" or the name of what went wrong (the exception's class only: its text may
carry host names or credentials, and the answer is public).
"""

from collections.abc import Callable
from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from django.db import connection

BROKER_TIMEOUT = 2


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    # A round trip proves the shared cache answers (sessions and rate limits depend on it).
    key = f"healthz:{uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("cache lost a value")
    cache.delete(key)


def check_broker() -> None:
    if not settings.CELERY_BROKER_URL:
        return  # no broker configured: tasks run in the web process
    from config.celery import app

    with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT)


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
}


def health() -> dict[str, str]:
    """{"database": "ok", "cache": "ok", "broker": "ok"}, or the failing check's error class."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure is an unhealthy dependency
            results[name] = f"error: {type(exc).__name__}"
        else:
            results[name] = "ok"
    return results
