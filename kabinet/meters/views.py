"""«Показания»: the meters of an account, one form for all of them, a confirmation step."""

from __future__ import annotations

import logging
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kabinet.accounts.access import Right, get_account_for_user, linked_accounts
from kabinet.lib.failures import OUTSIDE_FAILURES, SAVE_FAILED
from kabinet.meters.forms import ReadingsForm, ReminderForm
from kabinet.meters.selectors import HistoryEntry, meter_rows, reading_history
from kabinet.meters.services import ReadingsRejected, reading_submit, reminder_subscribe
from kabinet.meters.window import next_opening, reading_window
from kabinet.users.models import NotificationSettings, User

log = logging.getLogger(__name__)


def _reminder_form(user: User) -> ReminderForm:
    enabled = NotificationSettings.objects.filter(user=user, reading_reminders=True).exists()
    return ReminderForm(initial={"enabled": enabled})


@login_required
def readings(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    accounts = list(linked_accounts(user, Right.READINGS))
    if len(accounts) == 1:
        return redirect("readings_account", account_id=accounts[0].pk)
    ctx = {"accounts": accounts, "reminder_form": _reminder_form(user)}
    return render(request, "meters/choose_account.html", ctx)


@login_required
def readings_account(request: HttpRequest, account_id: int) -> HttpResponse:
    user = cast(User, request.user)
    # Every account the user may send readings for, in one query: this one (404 for any other,
    # as get_account_for_user) and whether to offer «другой лицевой счёт».
    accounts = list(linked_accounts(user, Right.READINGS))
    account = next((a for a in accounts if a.pk == account_id), None)
    if account is None:
        raise Http404("Лицевой счёт не найден")
    window = reading_window(account.organisation)
    rows = meter_rows(account, window)
    form = ReadingsForm(rows, data=request.POST if request.method == "POST" else None)
    action = request.POST.get("action", "check")
    status = 200
    if request.method == "POST" and action != "edit" and form.is_valid():
        try:
            planned = reading_submit(
                user=user,
                account=account,
                values=form.values(),
                confirm_rollover=form.cleaned_data["confirm_rollover"],
                confirm_high=form.cleaned_data["confirm_high"],
                dry_run=action != "send",
            )
        except ReadingsRejected as exc:
            form.add_problems(exc.problems)
        except OUTSIDE_FAILURES:
            log.exception("readings not saved: a dependency failed")
            form.general_errors.append(str(SAVE_FAILED))
            status = 503
        else:
            if action == "send":
                messages.success(
                    request,
                    _("Показания переданы: %(count)s. Статус можно увидеть в таблице и в истории.")
                    % {"count": len(planned)},
                )
                return redirect("readings_account", account_id=account.pk)
            ctx = {"account": account, "form": form, "planned": planned}
            return render(request, "meters/confirm.html", ctx)
    ctx = {
        "account": account,
        "rows": rows,
        "form": form,
        "window": window,
        "opens_at": None if window.is_open else next_opening(account.organisation, window.now),
        "several": len(accounts) > 1,
        "reminder_form": _reminder_form(user),
    }
    return render(request, "meters/account.html", ctx, status=status)


HISTORY_COLUMNS = {
    "date": gettext_lazy("Дата"),
    "meter": gettext_lazy("Прибор учёта"),
    "values": gettext_lazy("Показания"),
    "source": gettext_lazy("Источник"),
    "status": gettext_lazy("Статус"),
    "replaced": gettext_lazy("Заменено более поздним"),
}


def history_line(entry: HistoryEntry, meter_name: str, labels: dict[str, str]) -> SafeString:
    """One line of the reading history, as meters/history.html would draw it."""
    when = (
        timezone.localtime(entry.submitted_at).strftime("%d.%m.%Y %H:%M")
        if entry.submitted_at
        else entry.reading_date.strftime("%d.%m.%Y")
    )
    values = format_html_join(
        "",
        '<span class="readings-value">{}{}</span>',
        ((f"{zone}: " if zone else "", value) for zone, value in entry.labelled_values),
    )
    status = labels["replaced"] if entry.replaced else entry.status_label
    reason = f": {entry.reject_reason}" if entry.reject_reason else ""
    return format_html(
        "<tr>"
        '<td data-label="{}">{}</td>'
        '<td data-label="{}">{}</td>'
        '<td data-label="{}">{} {}</td>'
        '<td data-label="{}">{}</td>'
        '<td data-label="{}">{}{}</td>'
        "</tr>\n",
        labels["date"],
        when,
        labels["meter"],
        meter_name,
        labels["values"],
        values,
        entry.meter.unit,
        labels["source"],
        entry.source_label,
        labels["status"],
        status,
        reason,
    )


@login_required
def readings_history(request: HttpRequest, account_id: int) -> HttpResponse:
    account = get_account_for_user(cast(User, request.user), account_id, Right.READINGS)
    meters = list(account.meters.order_by("resource", "serial_number", "pk"))
    # Up to 200 lines: each meter's name once, the column names once, each line in Python.
    names = {meter.pk: str(meter) for meter in meters}
    labels = {key: str(text) for key, text in HISTORY_COLUMNS.items()}
    lines = [
        history_line(entry, names[entry.meter.pk], labels) for entry in reading_history(meters)
    ]
    ctx = {"account": account, "lines": lines}
    return render(request, "meters/history.html", ctx)


@login_required
@require_POST
def readings_reminder(request: HttpRequest) -> HttpResponse:
    form = ReminderForm(request.POST)
    form.is_valid()
    enabled = bool(form.cleaned_data.get("enabled"))
    reminder_subscribe(user=cast(User, request.user), enabled=enabled)
    messages.success(
        request,
        _("Напоминания о приёме показаний включены.")
        if enabled
        else _("Напоминания о приёме показаний отключены."),
    )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = ""
    return redirect(back or "readings")
