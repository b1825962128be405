"""«Начисления»: months with per-service detail, finance movement, the chart, the ЕПД and reports."""

from __future__ import annotations

import datetime
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kabinet.accounts import reports, services
from kabinet.accounts.access import get_account_for_user, linked_accounts
from kabinet.accounts.forms import DateRangeForm, RangeForm
from kabinet.billing.cache import charges_version
from kabinet.billing.epd import epd_for, render_epd
from kabinet.billing.models import Period, PersonalAccount
from kabinet.billing.selectors import (
    MonthTotals,
    account_month_totals,
    account_months,
    account_summaries,
    add_months,
    finance_movement,
    monthly_totals,
    period_charges,
)
from kabinet.lib.charts import bar_chart
from kabinet.lib.l10n import month_name
from kabinet.users.models import User

# «По месяцам» shows the latest months; «Показать ещё» adds as many again.
SHOWN_MONTHS = 6
CACHE_SECONDS = 24 * 3600


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
    version = charges_version(account.organisation_id)
    language = translation.get_language()
    totals_key = f"charges:totals:{account.pk}:{version}"
    chart_key = f"charges:chart-figure:{account.pk}:{language}:{version}"
    cached = caches["pages"].get_many([totals_key, chart_key])
    months = cached.get(totals_key)
    if months is None:
        months = account_month_totals(account)
        caches["pages"].set(totals_key, months, CACHE_SECONDS)
    chosen = [
        m
        for m in months
        if (since is None or m.period.month >= since) and (until is None or m.period.month <= until)
    ]
    chart = cached.get(chart_key)
    if chart is None and months:
        totals = monthly_totals(months[:24])
        # The chart and its text alternative (the same sums as a table), rendered together.
        chart = render_to_string(
            "accounts/_chart.html",
            {
                "chart": bar_chart(
                    [(f"{MONTHS_3[m.month]} {m:%y}", value) for m, value in totals],
                    title=_("Начислено по месяцам, руб."),
                    unit="₽",
                ),
                "chart_rows": totals,
            },
        )
        caches["pages"].set(chart_key, chart, CACHE_SECONDS)
    shown = _shown_count(request, len(months))
    more = None
    if shown < len(months):
        query = request.GET.copy()
        query["months"] = str(shown + SHOWN_MONTHS)
        more = f"?{query.urlencode()}#months"
    tables = _month_tables(account, months[:shown], version, language)
    ctx = {
        "accounts": accounts,
        "account": account,
        "months": [(m, tables[m.period.pk]) for m in months[:shown]],
        "more_url": more,
        "form": form,
        "movement": finance_movement(chosen),
        # «К оплате» now, by the rule every page uses (SPEC 2.3).
        "summary": account_summaries([account])[account.pk],
        "chart": mark_safe(chart) if chart else None,  # noqa: S308 - our template's output
    }
    return render(request, "accounts/charges.html", ctx)


def _shown_count(request: HttpRequest, available: int) -> int:
    """The latest SHOWN_MONTHS months, or as many as «Показать ещё» asked for (?months=)."""
    try:
        wanted = int(request.GET.get("months", SHOWN_MONTHS))
    except ValueError:
        wanted = SHOWN_MONTHS
    return min(max(wanted, SHOWN_MONTHS), available)


def _month_tables(
    account: PersonalAccount, months: list[MonthTotals], version: str, language: str | None
) -> dict[int, SafeString]:
    """Each month's tables of lines, rendered once per data version and language and cached;
    the lines of the months not in the cache come in one query."""
    keys = {m.period.pk: f"charges:month:{account.pk}:{m.period.pk}:{language}:{version}" for m in months}
    found = caches["pages"].get_many(list(keys.values()))
    missing = [pk for pk, key in keys.items() if key not in found]
    if missing:
        fresh = {}
        for pk, month in period_charges(account, missing).items():
            fresh[keys[pk]] = render_to_string(
                "accounts/_month_tables.html", {"month": month, "account": account}
            )
        caches["pages"].set_many(fresh, CACHE_SECONDS)
        found.update(fresh)
    return {pk: mark_safe(found.get(key, "")) for pk, key in keys.items()}  # noqa: S308 - our template's output


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
