"""Reads of published charges for residents: months, balances, finance movement.

Everything here sees published periods only: a period the organisation has not published is
invisible to residents («период не закрыт»). Each function issues a fixed number of queries
whatever the number of accounts or months, so list pages stay within their query budget.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet, Sum

from kabinet.billing.models import ZERO, BillingPayment, Charge, Period, PersonalAccount
from kabinet.payments.models import money_received


def next_month(month: datetime.date) -> datetime.date:
    return datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass
class Month:
    """One account's published charges for one period: services and penalties apart."""

    account_id: int
    period: Period
    services: list[Charge] = field(default_factory=list)
    penalties: list[Charge] = field(default_factory=list)

    def _sum(self, rows: list[Charge], name: str) -> Decimal:
        return sum((getattr(row, name) for row in rows), ZERO)

    @property
    def debt_start(self) -> Decimal:
        return self._sum(self.services, "debt_start")

    @property
    def charged(self) -> Decimal:
        return self._sum(self.services, "charged")

    @property
    def recalculation(self) -> Decimal:
        return self._sum(self.services, "recalculation")

    @property
    def privilege(self) -> Decimal:
        return self._sum(self.services, "privilege")

    @property
    def paid(self) -> Decimal:
        return self._sum(self.services, "paid")

    @property
    def to_pay(self) -> Decimal:
        return self._sum(self.services, "to_pay")

    @property
    def penalty_to_pay(self) -> Decimal:
        return self._sum(self.penalties, "to_pay")

    @property
    def total_to_pay(self) -> Decimal:
        return self.to_pay + self.penalty_to_pay

    @property
    def penalty_debt_start(self) -> Decimal:
        return self._sum(self.penalties, "debt_start")

    @property
    def penalty_charged(self) -> Decimal:
        """Penalties accrued in the month (with their recalculations)."""
        rows = self.penalties
        return self._sum(rows, "charged") + self._sum(rows, "recalculation") - self._sum(rows, "privilege")

    @property
    def penalty_paid(self) -> Decimal:
        return self._sum(self.penalties, "paid")


def published_charges(account_ids: Iterable[int]) -> QuerySet[Charge]:
    return (
        Charge.objects.filter(account_id__in=list(account_ids), period__is_published=True)
        .select_related("period", "service")
        .order_by("-period__month", "account_id", "kind", "service__name")
    )


def group_months(charges: Iterable[Charge]) -> list[Month]:
    """Charges (ordered newest period first) as one Month per account and period."""
    months: dict[tuple[int, int], Month] = {}
    for charge in charges:
        key = (charge.account_id, charge.period_id)
        month = months.get(key)
        if month is None:
            month = months[key] = Month(charge.account_id, charge.period)
        (month.penalties if charge.kind == Charge.Kind.PENALTY else month.services).append(charge)
    return list(months.values())


def account_months(
    account: PersonalAccount,
    *,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> list[Month]:
    """The account's published months, newest first, optionally within [since, until]."""
    charges = published_charges([account.pk])
    if since:
        charges = charges.filter(period__month__gte=since)
    if until:
        charges = charges.filter(period__month__lte=until)
    return group_months(charges)


def account_month(account: PersonalAccount, month: datetime.date) -> Month | None:
    months = account_months(account, since=month, until=month)
    return months[0] if months else None


@dataclass
class MonthTotals:
    """A published month's totals for one account, without its lines: enough for the month's
    heading, the chart and the finance movement."""

    period: Period
    debt_start: Decimal = ZERO
    charged: Decimal = ZERO
    recalculation: Decimal = ZERO
    privilege: Decimal = ZERO
    paid: Decimal = ZERO
    to_pay: Decimal = ZERO
    penalty_to_pay: Decimal = ZERO
    penalty_debt_start: Decimal = ZERO
    penalty_charged: Decimal = ZERO  # accrued in the month (with recalculations), as Month's
    penalty_paid: Decimal = ZERO
    has_penalties: bool = False

    @property
    def total_to_pay(self) -> Decimal:
        return self.to_pay + self.penalty_to_pay


SUMMED = ("debt_start", "charged", "recalculation", "privilege", "paid", "to_pay")


def account_month_totals(account: PersonalAccount) -> list[MonthTotals]:
    """Every published month of the account, newest first: one aggregate query over the
    organisation's own periods (the charge index starts with the period)."""
    rows = (
        Charge.objects.filter(
            account=account,
            period__organisation_id=account.organisation_id,
            period__is_published=True,
        )
        .values("period_id", "period__month", "kind")
        .annotate(**{name: Sum(name) for name in SUMMED})
        .order_by("-period__month", "kind")
    )
    months: dict[int, MonthTotals] = {}
    for values in rows:
        row: dict[str, Any] = dict(values)
        month = months.get(row["period_id"])
        if month is None:
            period = Period(
                pk=row["period_id"],
                organisation_id=account.organisation_id,
                month=row["period__month"],
                is_published=True,
            )
            month = months[row["period_id"]] = MonthTotals(period)
        if row["kind"] == Charge.Kind.PENALTY:
            value = {name: row[name] or ZERO for name in SUMMED}
            month.penalty_to_pay += value["to_pay"]
            month.penalty_debt_start += value["debt_start"]
            month.penalty_charged += value["charged"] + value["recalculation"] - value["privilege"]
            month.penalty_paid += value["paid"]
            month.has_penalties = True
        else:
            for name in SUMMED:
                setattr(month, name, getattr(month, name) + (row[name] or ZERO))
    return list(months.values())


def period_charges(account: PersonalAccount, period_ids: Iterable[int]) -> dict[int, Month]:
    """The lines of some of the account's months, by period id, in one query."""
    charges = (
        Charge.objects.filter(account=account, period_id__in=list(period_ids))
        .select_related("period", "service")
        .order_by("-period__month", "kind", "service__name")
    )
    return {month.period.pk: month for month in group_months(charges)}


@dataclass
class Movement:
    """Finance movement over a range of months (seed 001 «Движение финансов»), penalties
    included: debt_start + charged + recalculation - privilege + penalties - paid = debt_end."""

    since: datetime.date | None
    until: datetime.date | None
    debt_start: Decimal = ZERO
    charged: Decimal = ZERO
    recalculation: Decimal = ZERO
    privilege: Decimal = ZERO
    penalties: Decimal = ZERO  # accrued in the range
    paid: Decimal = ZERO
    debt_end: Decimal = ZERO
    penalty_end: Decimal = ZERO  # the part of debt_end that is penalties

    @property
    def computed_end(self) -> Decimal:
        return (
            self.debt_start
            + self.charged
            + self.recalculation
            - self.privilege
            + self.penalties
            - self.paid
        )


def finance_movement(months: Sequence[Month | MonthTotals]) -> Movement:
    """Debt at the start of the first month, what happened in between, debt at the end of the last."""
    if not months:
        return Movement(None, None)
    ordered = sorted(months, key=lambda m: m.period.month)
    movement = Movement(ordered[0].period.month, ordered[-1].period.month)
    movement.debt_start = ordered[0].debt_start + ordered[0].penalty_debt_start
    movement.debt_end = ordered[-1].total_to_pay
    movement.penalty_end = ordered[-1].penalty_to_pay
    for month in ordered:
        movement.charged += month.charged
        movement.recalculation += month.recalculation
        movement.privilege += month.privilege
        movement.penalties += month.penalty_charged
        movement.paid += month.paid + month.penalty_paid
    return movement


@dataclass(frozen=True)
class Standing:
    """Where an account stands: the balance and what is still due, services and penalties apart."""

    balance: Decimal  # positive: debt (долг); negative: overpayment (переплата)
    due: Decimal
    penalty_due: Decimal

    @property
    def total_due(self) -> Decimal:
        """What the payer is asked to pay in all: the ЕПД's «Итого к оплате» and its QR `Sum`."""
        return self.due + self.penalty_due


def standing(*, to_pay: Decimal, penalty_to_pay: Decimal, paid_since: Decimal) -> Standing:
    """The one rule for the amount due (SPEC 2.3): a published month's totals less the payments
    dated after that month and not in any later published month (a month's own payments are in
    its `paid` column already, so each payment counts once, in the period it falls in);
    payments cover services first, then penalties."""
    left_for_penalties = max(paid_since - max(to_pay, ZERO), ZERO)
    return Standing(
        balance=to_pay + penalty_to_pay - paid_since,
        due=max(to_pay - paid_since, ZERO),
        penalty_due=max(penalty_to_pay - left_for_penalties, ZERO),
    )


def payments_counting(account_ids: Iterable[int]) -> QuerySet[BillingPayment]:
    """Payments that reduce what is due once they are dated after the latest published period:
    the billing system's own and the online payments credited here that the billing system has
    not put in a published period yet. Every reader of the amount due goes through this one
    queryset, so a kind of payment that must not count as money received is excluded here."""
    # Test bank payments are not money (kabinet.payments.models.money_received).
    return money_received().filter(account_id__in=list(account_ids))


@dataclass
class Summary:
    """Where an account stands: a published month and the payments counted after it."""

    latest: Month | None
    paid_since: Decimal = ZERO

    @property
    def standing(self) -> Standing:
        if self.latest is None:
            return standing(to_pay=ZERO, penalty_to_pay=ZERO, paid_since=self.paid_since)
        return standing(
            to_pay=self.latest.to_pay,
            penalty_to_pay=self.latest.penalty_to_pay,
            paid_since=self.paid_since,
        )

    @property
    def balance(self) -> Decimal:
        """Positive: debt (долг); negative: overpayment (переплата)."""
        return self.standing.balance

    @property
    def due(self) -> Decimal:
        return self.standing.due

    @property
    def penalty_due(self) -> Decimal:
        return self.standing.penalty_due

    @property
    def total_due(self) -> Decimal:
        return self.standing.total_due


def latest_periods(organisation_ids: Iterable[int]) -> dict[int, Period]:
    """The newest published period of each organisation."""
    periods = Period.objects.filter(
        organisation_id__in=set(organisation_ids), is_published=True
    ).order_by("organisation_id", "-month")
    if connection.vendor == "postgresql":
        # One row per organisation (DISTINCT ON), not its whole published history. SQLite (the
        # embedded `make run` database) has no DISTINCT ON: there the first row of each wins.
        periods = periods.distinct("organisation_id")
    latest: dict[int, Period] = {}
    for period in periods:
        latest.setdefault(period.organisation_id, period)
    return latest


def account_summaries(accounts: Sequence[PersonalAccount]) -> dict[int, Summary]:
    """Summary per account now (its latest published month) in three queries, whatever the
    number of accounts and months."""
    if not accounts:
        return {}
    periods = latest_periods(a.organisation_id for a in accounts)
    charges = (
        Charge.objects.filter(
            account_id__in=[a.pk for a in accounts],
            period_id__in=[p.pk for p in periods.values()],
        )
        .select_related("period", "service")
        .order_by("account_id", "kind", "service__name")
    )
    months = {m.account_id: m for m in group_months(charges)}
    summaries = {a.pk: Summary(months.get(a.pk)) for a in accounts}
    # Payments after the latest period's month are not in its charges yet.
    cutoff = {
        a.pk: next_month(periods[a.organisation_id].month)
        for a in accounts
        if a.organisation_id in periods
    }
    earliest = min(cutoff.values(), default=None)
    payments = payments_counting(a.pk for a in accounts)
    if earliest:
        payments = payments.filter(paid_on__gte=earliest)
    for account_id, paid_on, amount in payments.values_list("account_id", "paid_on", "amount"):
        since = cutoff.get(account_id)
        if since is None or paid_on >= since:
            summaries[account_id].paid_since += amount
    return summaries


def month_summary(account: PersonalAccount, month: datetime.date) -> Summary | None:
    """The account as it stands at a published month: the month and the payments dated after it
    that no later published month holds yet (for the latest month: the summary of now)."""
    found = account_month(account, month)
    if found is None:
        return None
    later = (
        Period.objects.filter(
            organisation_id=account.organisation_id, is_published=True, month__gt=month
        )
        .order_by("month")
        .values_list("month", flat=True)
        .first()
    )
    payments = payments_counting([account.pk]).filter(paid_on__gte=next_month(month))
    if later is not None:
        payments = payments.filter(paid_on__lt=later)
    paid = sum(payments.values_list("amount", flat=True), ZERO)
    return Summary(found, paid)


def monthly_totals(
    months: Iterable[Month | MonthTotals],
) -> list[tuple[datetime.date, Decimal]]:
    """Charged (with recalculations) per month, oldest first, for the chart."""
    totals: dict[datetime.date, Decimal] = defaultdict(lambda: ZERO)
    for month in months:
        totals[month.period.month] += month.charged + month.recalculation
    return sorted(totals.items())
