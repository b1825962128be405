"""«Начисления»: months with per-service detail, finance movement, the chart, the ЕПД and reports."""

from __future__ import annotations

import datetime
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kabinet.accounts import reports, services
from kabinet.accounts.access import get_account_for_user, linked_accounts
from kabinet.accounts.forms import DateRangeForm, RangeForm
from kabinet.billing.epd import epd_for, month_name, render_epd
from kabinet.billing.models import Period, PersonalAccount
from kabinet.billing.selectors import (
    account_months,
    account_summaries,
    add_months,
    finance_movement,
    monthly_totals,
)
from kabinet.lib.charts import bar_chart
from kabinet.users.models import User

MONTH_SHORT = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _month(year: int, month: int) -> datetime.date:
    try:
        return datetime.date(year, month, 1)
    except ValueError:
        raise Http404 from None


@login_required
def charges(request: HttpRequest, account_id: int | None = None) -> HttpResponse:
    accounts = list(linked_accounts(_user(request)))
    if account_id is None:
        if not accounts:
            return render(request, "accounts/charges.html", {"accounts": []})
        account = accounts[0]
    else:
        found = [a for a in accounts if a.pk == account_id]
        if not found:
            raise Http404
        account = found[0]
    form = RangeForm(request.GET or None)
    since = until = None
    if form.is_bound and form.is_valid():
        since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    months = account_months(account)
    chosen = [
        m
        for m in months
        if (since is None or m.period.month >= since) and (until is None or m.period.month <= until)
    ]
    totals = monthly_totals(months[:24])
    chart = bar_chart(
        [(f"{MONTH_SHORT[m.month - 1]} {m:%y}", value) for m, value in totals],
        title=_("Начислено по месяцам, руб."),
        unit="₽",
    )
    ctx = {
        "accounts": accounts,
        "account": account,
        "months": months,
        "form": form,
        "movement": finance_movement(chosen),
        # «К оплате» now, by the rule every page uses (SPEC 2.3).
        "summary": account_summaries([account])[account.pk],
        "chart": chart if totals else None,
        # The chart's text alternative: the same sums as a table.
        "chart_rows": totals,
    }
    return render(request, "accounts/charges.html", ctx)


def _published_period(account: PersonalAccount, month: datetime.date) -> Period:
    period = Period.objects.filter(
        organisation_id=account.organisation_id, month=month, is_published=True
    ).first()
    if period is None:
        raise Http404
    return period


@login_required
def epd(request: HttpRequest, account_id: int, year: int, month: int) -> HttpResponse:
    account = get_account_for_user(_user(request), account_id)
    document = epd_for(account, _month(year, month))
    if document is None:
        raise Http404
    response = HttpResponse(render_epd(document), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="epd-{account.number}-{document.period:%Y-%m}.pdf"'
    )
    return response


@login_required
@require_POST
def epd_email(request: HttpRequest, account_id: int, year: int, month: int) -> HttpResponse:
    user = _user(request)
    account = get_account_for_user(user, account_id)
    period = _published_period(account, _month(year, month))
    try:
        sent = services.epd_email(user=user, account=account, period=period)
    except services.AccountError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Платёжный документ за %(month)s отправлен на %(email)s.")
            % {"month": month_name(period.month), "email": sent.email},
        )
    return redirect("account_charges", account_id=account.pk)


@login_required
def penalties(request: HttpRequest, account_id: int) -> HttpResponse:
    """How the penalties arise (ЖК РФ ст. 155 ч. 14): the late amounts, days and key rates."""
    from django.utils import timezone

    from kabinet.billing.penalties import penalty_explanation

    account = get_account_for_user(_user(request), account_id)
    today = timezone.localdate(timezone=account.organisation.tz)
    ctx = {
        "account": account,
        "explanation": penalty_explanation(account, today=today),
        "due_day": account.organisation.payment_due_day,
    }
    return render(request, "accounts/penalties.html", ctx)


# --- reports ---------------------------------------------------------------------------------

REPORTS = {
    "payments": _("История платежей"),
    "charges": _("История начислений"),
    "readings": _("Показания приборов учёта"),
}


@login_required
def reports_index(request: HttpRequest) -> HttpResponse:
    accounts = list(linked_accounts(_user(request)))
    return render(request, "accounts/reports.html", {"accounts": accounts})


@login_required
def report(request: HttpRequest, account_id: int, kind: str) -> HttpResponse:
    account = get_account_for_user(_user(request), account_id)
    if kind not in REPORTS:
        raise Http404
    form = DateRangeForm(request.GET or None)
    since = until = None
    if form.is_bound and form.is_valid():
        since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    if kind == "payments":
        table = reports.payments_table(account, since, until)
    elif kind == "readings":
        table = reports.readings_table(account, since, until)
    else:
        months = account_months(
            account,
            since=since.replace(day=1) if since else None,
            until=until.replace(day=1) if until else None,
        )
        if since is None and until is None and months:
            # By default the last six published months (seed 002).
            first = add_months(months[0].period.month, -5)
            months = [m for m in months if m.period.month >= first]
        table = reports.charges_table(months)
    filename = f"{table.slug}-{account.number}"
    fmt = request.GET.get("format")
    if fmt == "csv":
        return reports.csv_response(table, filename)
    if fmt == "xlsx":
        return reports.xlsx_response(table, filename)
    rows = [[reports.display(cell) for cell in row] for row in table.rows]
    query = request.GET.copy()
    query.pop("format", None)
    ctx = {
        "account": account,
        "table": table,
        "rows": rows,
        "form": form,
        "kind": kind,
        "query": query.urlencode(),
    }
    return render(request, "accounts/report.html", ctx)
