import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """The typo report limit counts in the cache; each test starts from zero."""
    cache.clear()
