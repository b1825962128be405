"""Money and quantities in the active language: «1 234,50», «3,5», «Январь 2025» in Russian,
«1,234.50», «3.5», «January 2025» in English (kabinet/lib/l10n.py)."""

import datetime
from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from kabinet.lib import l10n

# A narrow no-break space groups the thousands, and the whole sum never wraps (class «money»):
# «1 234,50» stays on one line on a 360 px screen.
THIN_NBSP = "\u202f"

register = template.Library()


@register.filter
def rub(value: Decimal | None) -> SafeString | str:
    if value is None:
        return ""
    return format_html('<span class="money">{}</span>', l10n.money(value).replace("\xa0", THIN_NBSP).replace(" ", THIN_NBSP))


@register.filter
def num(value: Decimal | None) -> str:
    return l10n.number(value)


@register.filter
def with_headers(row: list, headers: list) -> list[tuple[object, object]]:
    """A report row's cells with their column headers, for tables that stack on a phone."""
    return list(zip(headers, row, strict=False))


@register.filter
def month_name(value: datetime.date) -> str:
    return l10n.month_name(value)


@register.filter
def month_in_text(value: datetime.date) -> str:
    return l10n.month_in_text(value)
