from collections.abc import Iterator

import pytest

from kabinet.lib.testing import clear_rate_limits


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """The typo report limit counts in the cache; each test starts from zero."""
    clear_rate_limits()
    yield
    clear_rate_limits()
