"""Dates people put in filters: refused with a message outside the years the portal can mean,
so that `?date_to=9999-12-31` (a day after which there is no next day) never reaches a query."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2100, 12, 31)


def validate_filter_date(value: datetime.date) -> None:
    if not EARLIEST <= value <= LATEST:
        raise ValidationError(
            _("Укажите дату с %(start)s по %(end)s год."),
            code="out_of_range",
            params={"start": EARLIEST.year, "end": LATEST.year},
        )
