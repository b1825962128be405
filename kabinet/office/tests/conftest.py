from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def office(world):  # type: ignore[no-untyped-def]
    from kabinet.office.tests.factories import make_office

    return make_office(world)
