"""Test helpers shared by the apps' conftests."""

from django.core.cache import cache


def clear_rate_limits() -> None:
    """Forget every rate-limit counter (they live in the cache shared by app servers).

    In tests that cache is the database cache, whose rows also roll back with each test's
    transaction; a test without database access has no counters to forget."""
    try:
        cache.clear()
    except RuntimeError:  # pytest-django: this test may not touch the database
        pass
