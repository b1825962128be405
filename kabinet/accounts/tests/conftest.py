from collections.abc import Iterator

import pytest

from kabinet.lib.testing import clear_rate_limits


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate-limit counters live in the cache: every test starts with none."""
    clear_rate_limits()
    yield
    clear_rate_limits()
