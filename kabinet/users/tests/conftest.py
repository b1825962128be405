"""Rate-limit counters live in the shared cache: every test starts with none."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from kabinet.lib.testing import clear_rate_limits


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    clear_rate_limits()
    yield
    clear_rate_limits()


@pytest.fixture
def sms_dir(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """SMS go to files (SPEC 3.1) in a directory of this test."""
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_DIR = str(tmp_path / "sms")
    return tmp_path / "sms"
