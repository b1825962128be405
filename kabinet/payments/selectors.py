"""Reads for the payment pages: what is due on each account, balances, payment history."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Sum, Window
from django.db.models.functions import RowNumber

from kabinet.billing.models import BillingPayment, Charge, Period, PersonalAccount
from kabinet.billing.selectors import Standing, standing
from kabinet.payments.models import ZERO


@dataclass
class ServiceDue:
    service_id: int
    code: str
    name: str
    to_pay: Decimal

    @property
    def prefill(self) -> Decimal:
        return max(self.to_pay, ZERO)


@dataclass
class AccountDue:
    """An account with the amount due of its organisation's latest published period."""

    account: PersonalAccount
    period: Period | None = None
    services: list[ServiceDue] = field(default_factory=list)
    service_total: Decimal = ZERO
    penalty_total: Decimal = ZERO
    # Paid after the period's month (the billing's `paid` column covers the month itself).
    paid_since: Decimal = ZERO
    history: list[BillingPayment] = field(default_factory=list)

    @property
    def standing(self) -> Standing:
        return standing(
            to_pay=self.service_total, penalty_to_pay=self.penalty_total, paid_since=self.paid_since
        )

    @property
    def balance(self) -> Decimal:
        """Debt (positive) or overpayment (negative) now."""
        return self.standing.balance

    @property
    def overpayment(self) -> Decimal:
        return -self.balance

    @property
    def amount_prefill(self) -> Decimal:
        return self.standing.due

    @property
    def penalty_prefill(self) -> Decimal:
        return self.standing.penalty_due

    @property
    def has_penalty(self) -> bool:
        return self.penalty_total != ZERO


def _next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def latest_periods(organisation_ids: Iterable[int]) -> dict[int, Period]:
    latest: dict[int, Period] = {}
    periods = Period.objects.filter(organisation_id__in=set(organisation_ids), is_published=True)
    for period in periods.order_by("organisation_id", "-month"):
        latest.setdefault(period.organisation_id, period)
    return latest


def account_dues(
    accounts: list[PersonalAccount], *, with_services: bool = False, with_history: int = 0
) -> list[AccountDue]:
    """One AccountDue per account, in the given order, in a fixed number of queries; with the
    newest `with_history` payments of each account as its history."""
    dues = {account.pk: AccountDue(account) for account in accounts}
    if not dues:
        return []
    periods = latest_periods(account.organisation_id for account in accounts)
    for due in dues.values():
        due.period = periods.get(due.account.organisation_id)
    period_ids = [period.pk for period in periods.values()]
    charges = Charge.objects.filter(account_id__in=dues, period_id__in=period_ids)
    if with_services:
        rows = charges.select_related("service").order_by("service__name")
        for charge in rows:
            due = dues[charge.account_id]
            if due.period is None or charge.period_id != due.period.pk:
                continue
            if charge.kind == Charge.Kind.PENALTY:
                due.penalty_total += charge.to_pay
            else:
                due.service_total += charge.to_pay
                due.services.append(
                    ServiceDue(charge.service_id, charge.service.code, charge.service.name, charge.to_pay)
                )
    else:
        totals = charges.values("account_id", "period_id", "kind").annotate(total=Sum("to_pay"))
        for row in totals:
            due = dues[row["account_id"]]
            if due.period is None or row["period_id"] != due.period.pk:
                continue
            if row["kind"] == Charge.Kind.PENALTY:
                due.penalty_total += row["total"]
            else:
                due.service_total += row["total"]
    since = [_next_month(period.month) for period in periods.values()]
    recent = BillingPayment.objects.filter(account_id__in=dues)
    recent = recent.filter(paid_on__gte=min(since)) if since else recent.none()
    for account_id, paid_on, amount in recent.values_list("account_id", "paid_on", "amount"):
        due = dues[account_id]
        if due.period is not None and paid_on >= _next_month(due.period.month):
            due.paid_since += amount
    if with_history:
        # Only the payments the page shows: the newest `with_history` of each account.
        newest = Window(
            RowNumber(), partition_by=[F("account_id")], order_by=[F("paid_on").desc(), F("pk").desc()]
        )
        shown = (
            BillingPayment.objects.filter(account_id__in=dues)
            .annotate(rank=newest)
            .filter(rank__lte=with_history)
            .order_by("account_id", "-paid_on", "-pk")
        )
        for payment in shown:
            dues[payment.account_id].history.append(payment)
    return list(dues.values())


def online_payment_rows(*, organisation, date_from: datetime.date, date_to: datetime.date):  # type: ignore[no-untyped-def]
    """Rows of the online payments export (SPEC 3.3), credits and refunds dated in the range.

    Dates are the organisation's local dates; `paid_at` is ISO 8601 with its UTC offset.
    """
    from django.utils import timezone

    from kabinet.payments.models import PaymentAllocation

    tz = organisation.tz
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    allocations = (
        PaymentAllocation.objects.filter(payment__organisation=organisation)
        .select_related("payment", "account", "billing_payment", "refund_payment")
        .order_by("payment__paid_at", "payment_id", "account__number")
    )
    credited = allocations.filter(
        billing_payment__isnull=False, payment__paid_at__gte=start, payment__paid_at__lt=end
    )
    for allocation in credited.iterator():
        payment = allocation.payment
        assert allocation.billing_payment is not None and payment.paid_at is not None
        yield [
            allocation.billing_payment.external_id,
            allocation.account.number,
            timezone.localtime(payment.paid_at, tz).isoformat(timespec="seconds"),
            f"{allocation.billing_payment.amount:.2f}",
            payment.provider,
            payment.provider_payment_id or "",
        ]
    refunded = allocations.filter(
        refund_payment__isnull=False, payment__refunded_at__gte=start, payment__refunded_at__lt=end
    )
    for allocation in refunded.order_by("payment__refunded_at", "payment_id").iterator():
        payment = allocation.payment
        assert allocation.refund_payment is not None and payment.refunded_at is not None
        yield [
            allocation.refund_payment.external_id,
            allocation.account.number,
            timezone.localtime(payment.refunded_at, tz).isoformat(timespec="seconds"),
            f"{allocation.refund_payment.amount:.2f}",
            payment.provider,
            payment.provider_payment_id or "",
        ]
