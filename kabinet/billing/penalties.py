"""How a penalty arises (ЖК РФ ст. 155 ч. 14; SPEC 2.3, 3.5): which amounts were paid late, for
how many days at 1/300 and at 1/130 of the key rate, and at which rate.

Penalties themselves come from the billing system; this explains them from the account's
published charges and its payments. An amount charged for a month is due on the organisation's
due day of the next month (10th unless set otherwise). Payments settle the oldest debt first.
The first 30 days of delay cost nothing, days 31–90 cost 1/300 of the key rate a day, from day 91
on 1/130. The rate is the Bank of Russia key rate in force on the day of payment (or today for
what is still unpaid), from the `KeyRate` table the platform administrator keeps.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from kabinet.billing.models import ZERO, KeyRate, PersonalAccount
from kabinet.billing.selectors import account_months, next_month, payments_counting

CENT = Decimal("0.01")
FREE_DAYS = 30
FIRST_RATE_UNTIL = 90  # day 31 to day 90 at 1/300, from day 91 at 1/130


@dataclass(frozen=True)
class PenaltyPart:
    days_late: int
    days_300: int
    days_130: int
    at_300: Decimal
    at_130: Decimal

    @property
    def total(self) -> Decimal:
        return self.at_300 + self.at_130


def penalty_for(
    *,
    amount: Decimal,
    due_on: datetime.date,
    paid_on: datetime.date,
    rate: Decimal,
    count_payment_day: bool = True,
) -> PenaltyPart:
    """The penalty on `amount` due on `due_on` and paid on `paid_on` at `rate` percent a year.

    Days late are counted from the day after the due date up to the payment day, which counts
    (or not, per the organisation's setting). Each part is rounded to kopecks on its own.
    """
    days = (paid_on - due_on).days - (0 if count_payment_day else 1)
    days = max(days, 0)
    days_300 = min(max(days - FREE_DAYS, 0), FIRST_RATE_UNTIL - FREE_DAYS)
    days_130 = max(days - FIRST_RATE_UNTIL, 0)
    share = amount * rate / 100
    at_300 = (share * days_300 / 300).quantize(CENT, ROUND_HALF_UP)
    at_130 = (share * days_130 / 130).quantize(CENT, ROUND_HALF_UP)
    return PenaltyPart(days, days_300, days_130, at_300, at_130)


def rate_on(rates: list[KeyRate], day: datetime.date) -> Decimal | None:
    """The key rate in force on the day (rates newest first), or None before the first known."""
    for rate in rates:
        if rate.valid_from <= day:
            return rate.rate
    return None


@dataclass(frozen=True)
class LateAmount:
    what: str  # «Начислено за Январь 2025»
    amount: Decimal
    due_on: datetime.date
    paid_on: datetime.date | None  # None: not paid yet, counted to `until`
    until: datetime.date
    rate: Decimal | None
    part: PenaltyPart


@dataclass
class Explanation:
    account: PersonalAccount
    today: datetime.date
    rows: list[LateAmount] = field(default_factory=list)
    billed: Decimal = ZERO  # penalties to pay by the latest published month

    @property
    def total(self) -> Decimal:
        return sum((row.part.total for row in self.rows), ZERO)


@dataclass
class _Debt:
    what: str
    amount: Decimal
    due_on: datetime.date


def penalty_explanation(account: PersonalAccount, *, today: datetime.date) -> Explanation:
    """Every amount of the account's published history that was (or still is) paid late."""
    from kabinet.lib.l10n import month_name

    org = account.organisation
    due_day = min(org.payment_due_day, 28)
    count_day = org.penalty_count_payment_day
    months = sorted(account_months(account), key=lambda m: m.period.month)
    explanation = Explanation(account, today)
    if not months:
        return explanation
    explanation.billed = months[-1].penalty_to_pay
    rates = list(KeyRate.objects.order_by("-valid_from"))

    # What fell due, oldest first, and the payments in date order.
    events: list[tuple[datetime.date, int, str, Decimal]] = []
    first = months[0]
    if first.debt_start > 0:
        events.append(
            (first.period.month.replace(day=due_day), 0, _("Долг на начало %(month)s") % {"month": month_name(first.period.month)}, first.debt_start)
        )
    for month in months:
        amount = month.charged + month.recalculation - month.privilege
        due_on = next_month(month.period.month).replace(day=due_day)
        events.append((due_on, 0, _("Начислено за %(month)s") % {"month": month_name(month.period.month)}, amount))
    payments = payments_counting([account.pk]).filter(paid_on__gte=months[0].period.month, paid_on__lte=today)
    for paid_on, amount in payments.order_by("paid_on").values_list("paid_on", "amount"):
        events.append((paid_on, 1, "", amount))
    # Debts fall due at the start of their day; a payment on the due day is in time.
    events.sort(key=lambda e: (e[0], e[1]))

    open_debts: list[_Debt] = []
    credit = ZERO

    def settle(debt: _Debt, amount: Decimal, paid_on: datetime.date | None) -> None:
        until = paid_on or today
        if until <= debt.due_on:
            return
        rate = rate_on(rates, until)
        part = penalty_for(
            amount=amount, due_on=debt.due_on, paid_on=until, rate=rate or ZERO, count_payment_day=count_day
        )
        if part.days_late > 0:
            explanation.rows.append(LateAmount(debt.what, amount, debt.due_on, paid_on, until, rate, part))

    for day, kind, what, amount in events:
        if kind == 0:
            if amount <= 0:
                credit += -amount
                continue
            taken = min(credit, amount)
            credit -= taken
            if amount - taken > 0:
                open_debts.append(_Debt(what, amount - taken, day))
            continue
        left = amount
        while left > 0 and open_debts:
            debt = open_debts[0]
            paid = min(left, debt.amount)
            settle(debt, paid, day)
            debt.amount -= paid
            left -= paid
            if debt.amount == 0:
                open_debts.pop(0)
        credit += left
    for debt in open_debts:
        settle(debt, debt.amount, None)
    return explanation
