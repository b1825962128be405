"""Figures and charts of the office's «Сводка» (SPEC 2.7): cabinets, bound accounts, readings
of this window, online payments per day, open and overdue requests. A fixed number of queries."""

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.accounts.models import AccountLink
from kabinet.billing.models import PersonalAccount
from kabinet.helpdesk.models import ServiceRequest
from kabinet.helpdesk.services import request_is_overdue_q
from kabinet.lib.charts import bar_chart
from kabinet.meters.models import Meter, ReadingSubmission
from kabinet.orgs.models import Organisation
from kabinet.payments.models import Payment

Status = ServiceRequest.Status
PAYMENT_DAYS = 14


def _share(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def figures(organisation: Organisation, *, now: datetime.datetime) -> dict[str, Any]:
    tz = organisation.tz
    today = timezone.localtime(now, tz).date()
    accounts = PersonalAccount.objects.filter(organisation=organisation).count()
    links = AccountLink.objects.filter(account__organisation=organisation)
    bound = links.values("account_id").distinct().count()
    cabinets = links.values("user_id").distinct().count()
    meters = Meter.objects.filter(organisation=organisation).count()
    with_reading = (
        ReadingSubmission.objects.filter(
            account__organisation=organisation, period=today.replace(day=1), replaced_by__isnull=True
        )
        .values("meter_id")
        .distinct()
        .count()
    )
    requests = ServiceRequest.objects.filter(account__organisation=organisation)
    open_requests = requests.filter(status__in=[Status.NEW, Status.IN_WORK]).count()
    overdue = requests.filter(request_is_overdue_q(now)).count()

    first_day = today - datetime.timedelta(days=PAYMENT_DAYS - 1)
    start = datetime.datetime.combine(first_day, datetime.time.min, tz)
    per_day = {
        row["day"]: (row["count"], row["total"] or Decimal(0))
        for row in Payment.objects.filter(
            organisation=organisation, status=Payment.Status.SUCCEEDED, paid_at__gte=start
        )
        .annotate(day=TruncDate("paid_at", tzinfo=tz))
        .values("day")
        .annotate(count=Count("pk"), total=Sum("amount"))
    }
    days = [first_day + datetime.timedelta(days=n) for n in range(PAYMENT_DAYS)]
    payments = [(day, *per_day.get(day, (0, Decimal(0)))) for day in days]
    return {
        "accounts": accounts,
        "bound": bound,
        "bound_share": _share(bound, accounts),
        "cabinets": cabinets,
        "meters": meters,
        "with_reading": with_reading,
        "reading_share": _share(with_reading, meters),
        "open_requests": open_requests,
        "overdue_requests": overdue,
        "payments": payments,
        "payments_count": sum(p[1] for p in payments),
        "payments_sum": sum((p[2] for p in payments), Decimal(0)),
        "payments_sum_chart": bar_chart(
            [(f"{day:%d.%m}", total) for day, _count, total in payments],
            title=_("Онлайн-оплаты по дням, ₽"),
            unit="₽",
            chart_id="payments-sum",
        ),
        "payments_count_chart": bar_chart(
            [(f"{day:%d.%m}", Decimal(count)) for day, count, _total in payments],
            title=_("Онлайн-оплаты по дням, штук"),
            chart_id="payments-count",
        ),
        "coverage_chart": bar_chart(
            [
                (_("Счета в кабинетах, %"), Decimal(_share(bound, accounts))),
                (_("Приборы с показаниями, %"), Decimal(_share(with_reading, meters))),
            ],
            title=_("Доля привязанных лицевых счетов и приборов с показаниями за этот месяц"),
            unit="%",
            chart_id="coverage",
        ),
    }
