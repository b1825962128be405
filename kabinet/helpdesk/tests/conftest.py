from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path: Path) -> Path:
    """Uploaded files go to the test's own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
