"""The reading window in the organisation's zone, with frozen time."""

import datetime

import pytest
import time_machine

from kabinet.meters.tests.helpers import local
from kabinet.meters.window import next_opening, reading_window


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        ("2025-02-14 23:59:59", False),
        ("2025-02-15 00:00:00", True),
        ("2025-02-25 23:59:00", True),
        ("2025-02-25 23:59:59", True),
        ("2025-02-26 00:00:00", False),
    ],
)
def test_it_opens_on_the_15th_and_closes_after_the_25th_by_default(world, moment, is_open):
    with time_machine.travel(local(moment), tick=False):
        assert reading_window(world.org).is_open is is_open


def test_it_uses_the_organisations_zone_not_utc(world):
    # 14 Feb 17:00 UTC is already 15 Feb 00:00 in Novosibirsk (UTC+7).
    with time_machine.travel(datetime.datetime(2025, 2, 14, 17, 0, tzinfo=datetime.UTC), tick=False):
        assert reading_window(world.org).is_open
    with time_machine.travel(datetime.datetime(2025, 2, 14, 16, 59, tzinfo=datetime.UTC), tick=False):
        assert not reading_window(world.org).is_open


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        ("2025-02-15 00:00", True),
        ("2025-02-26 16:59", True),
        ("2025-02-26 17:00", True),  # "until 17:00": the closing minute still counts
        ("2025-02-26 17:01", False),
        ("2025-02-27 09:00", False),
    ],
)
def test_it_follows_a_window_set_like_seed_002(world, moment, is_open):
    world.org.reading_last_day = 26
    world.org.reading_closes_at = datetime.time(17, 0)
    world.org.save()
    with time_machine.travel(local(moment), tick=False):
        assert reading_window(world.org).is_open is is_open


def test_it_ends_a_window_on_the_last_day_of_a_short_month(world):
    world.org.reading_last_day = 31
    world.org.save()
    with time_machine.travel(local("2025-02-28 23:59"), tick=False):
        assert reading_window(world.org).is_open
    with time_machine.travel(local("2025-03-01 00:00"), tick=False):
        assert not reading_window(world.org).is_open


def test_it_names_the_next_opening_this_month_or_the_next(world):
    assert next_opening(world.org, local("2025-02-10 12:00")) == local("2025-02-15 00:00")
    assert next_opening(world.org, local("2025-02-26 00:00")) == local("2025-03-15 00:00")
    assert next_opening(world.org, local("2025-12-27 00:00")) == local("2026-01-15 00:00")
