"""Money and quantities the Russian way: «1 234,50», «3,5»; months as «Январь 2025»."""

import datetime
from decimal import Decimal

from django import template

from kabinet.billing import epd

register = template.Library()


@register.filter
def rub(value: Decimal | None) -> str:
    return epd.rub(value)


@register.filter
def num(value: Decimal | None) -> str:
    return epd.num(value)


@register.filter
def month_name(value: datetime.date) -> str:
    return epd.month_name(value)
