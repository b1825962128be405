"""Reads for the payment pages: what is due on each account, balances, payment history."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from kabinet.billing.models import BillingPayment, Period, PersonalAccount
from kabinet.billing.selectors import Standing, Summary, account_summaries
from kabinet.payments.models import ZERO, money_received


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
    """An account with what is due now, by the one rule of `billing.selectors.standing`."""

    account: PersonalAccount
    summary: Summary = field(default_factory=lambda: Summary(None))
    services: list[ServiceDue] = field(default_factory=list)
    history: list[BillingPayment] = field(default_factory=list)

    @property
    def period(self) -> Period | None:
        return self.summary.latest.period if self.summary.latest else None

    @property
    def service_total(self) -> Decimal:
        return self.summary.latest.to_pay if self.summary.latest else ZERO

    @property
    def penalty_total(self) -> Decimal:
        return self.summary.latest.penalty_to_pay if self.summary.latest else ZERO

    @property
    def paid_since(self) -> Decimal:
        """Paid after the period's month (the billing's `paid` column covers the month itself)."""
        return self.summary.paid_since

    @property
    def standing(self) -> Standing:
        return self.summary.standing

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


def account_dues(
    accounts: list[PersonalAccount], *, with_services: bool = False, with_history: int = 0
) -> list[AccountDue]:
    """One AccountDue per account, in the given order, in a fixed number of queries; with the
    newest `with_history` payments of each account as its history."""
    if not accounts:
        return []
    summaries = account_summaries(accounts)
    dues = {account.pk: AccountDue(account, summaries[account.pk]) for account in accounts}
    if with_services:
        for due in dues.values():
            latest = due.summary.latest
            for charge in sorted(latest.services if latest else [], key=lambda c: c.service.name):
                due.services.append(
                    ServiceDue(charge.service_id, charge.service.code, charge.service.name, charge.to_pay)
                )
    if with_history:
        # Only the payments the page shows: the newest `with_history` of each account.
        newest = Window(
            RowNumber(), partition_by=[F("account_id")], order_by=[F("paid_on").desc(), F("pk").desc()]
        )
        shown = (
            money_received()
            .filter(account_id__in=dues)
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
        # Test bank payments are never money: never exported to billing.
        PaymentAllocation.objects.filter(payment__organisation=organisation, payment__is_test=False)
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
