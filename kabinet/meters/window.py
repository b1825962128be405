"""The reading window: the days of each month when an organisation accepts readings (SPEC 2.4).

The window runs from 00:00 of `reading_first_day` to the end of the minute `reading_closes_at`
on `reading_last_day`, in the organisation's own time zone. The closing minute counts: the
default 23:59 means "to the end of the 25th", and a window "until 17:00 on the 26th" (seed 002)
still takes a reading sent at 17:00 and refuses one at 17:01. Days past the end of a short month
fall on its last day.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.utils import timezone

from kabinet.orgs.models import Organisation

ONE_MINUTE = datetime.timedelta(minutes=1)


@dataclass(frozen=True)
class ReadingWindow:
    period: datetime.date  # the first day of the month the window belongs to
    opens_at: datetime.datetime  # aware, in the organisation's zone
    last_minute: datetime.datetime  # the last minute still accepted
    now: datetime.datetime

    @property
    def closes_at(self) -> datetime.datetime:
        """The first moment the window is closed."""
        return self.last_minute + ONE_MINUTE

    @property
    def is_open(self) -> bool:
        return self.opens_at <= self.now < self.closes_at


def _day(year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def window_of_month(org: Organisation, year: int, month: int, now: datetime.datetime) -> ReadingWindow:
    tz = org.tz
    first = _day(year, month, org.reading_first_day)
    last = _day(year, month, max(org.reading_last_day, org.reading_first_day))
    closes = org.reading_closes_at
    return ReadingWindow(
        period=datetime.date(year, month, 1),
        opens_at=datetime.datetime.combine(first, datetime.time(0, 0), tzinfo=tz),
        last_minute=datetime.datetime.combine(
            last, datetime.time(closes.hour, closes.minute), tzinfo=tz
        ),
        now=now.astimezone(tz),
    )


def reading_window(org: Organisation, now: datetime.datetime | None = None) -> ReadingWindow:
    """This month's window in the organisation's zone (open, not yet open, or already closed)."""
    now = (now or timezone.now()).astimezone(org.tz)
    return window_of_month(org, now.year, now.month, now)


def next_opening(org: Organisation, now: datetime.datetime | None = None) -> datetime.datetime:
    """When the window opens next: later this month, or next month."""
    window = reading_window(org, now)
    if window.now < window.opens_at:
        return window.opens_at
    year, month = (window.now.year + 1, 1) if window.now.month == 12 else (window.now.year, window.now.month + 1)
    return window_of_month(org, year, month, window.now).opens_at


def upcoming_window(org: Organisation, now: datetime.datetime | None = None) -> ReadingWindow:
    """The window that is open now, or else the next one to open."""
    window = reading_window(org, now)
    if window.now < window.closes_at:
        return window
    year, month = (window.now.year + 1, 1) if window.now.month == 12 else (window.now.year, window.now.month + 1)
    return window_of_month(org, year, month, window.now)
