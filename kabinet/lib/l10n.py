"""Money, quantities and months in the active language: «1 234,50», «3,5», «Январь 2025» in
Russian; «1,234.50», «3.5», «January 2025» in English. The ЕПД (kabinet/billing/epd.py) is a
Russian form and keeps its own Russian formatting whatever the language."""

import datetime
from decimal import Decimal

from django.utils import formats, translation


def _localise(text: str) -> str:
    """`text` as Python formats it (`,` groups, `.` decimals) with the language's separators."""
    decimal_separator = str(formats.get_format("DECIMAL_SEPARATOR"))
    thousands = str(formats.get_format("THOUSAND_SEPARATOR"))
    return text.replace(",", "\0").replace(".", decimal_separator).replace("\0", thousands)


def money(value: Decimal | None) -> str:
    """1234.5 -> «1 234,50» (ru, a no-break space groups) or «1,234.50» (en)."""
    if value is None:
        return ""
    return _localise(f"{value:,.2f}")


def number(value: Decimal | None) -> str:
    """A volume, norm or tariff without trailing zeros: 45.120000 -> «45,12» (ru), «45.12» (en)."""
    if value is None:
        return ""
    return _localise(f"{value.normalize():f}")


def month_name(month: datetime.date) -> str:
    """«Январь 2025» / «January 2025»."""
    return formats.date_format(month, "F Y")


# Languages that capitalise month names inside a sentence (Russian does not: «за январь 2025»).
CAPITALISED_MONTHS = ("en", "de")


def month_in_text(month: datetime.date) -> str:
    """A month inside a sentence: «за январь 2025» in Russian, «for January 2025» in English."""
    text = month_name(month)
    language = (translation.get_language() or "").split("-")[0]
    return text if language in CAPITALISED_MONTHS else text.lower()
