"""The calendar feed (ICS, RFC 5545): reading windows and payment due dates of a person's accounts."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from kabinet.accounts.access import Right, linked_accounts
from kabinet.billing.selectors import add_months, latest_periods
from kabinet.meters.window import upcoming_window, window_of_month
from kabinet.orgs.models import Organisation
from kabinet.users.models import User

WINDOWS_AHEAD = 3  # the next window and two more


def _uid(kind: str, account_id: int, month: datetime.date) -> str:
    host = settings.SITE_URL.split("://")[-1].split("/")[0] or "kabinet"
    return f"{kind}-{account_id}-{month:%Y%m}@{host}"


def calendar_for(user: User, now: datetime.datetime | None = None) -> bytes:
    now = now or timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//Кабинет//Показания и оплата//RU")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("Кабинет: показания и оплата"))
    accounts = list(linked_accounts(user, Right.READ))
    organisations: dict[int, Organisation] = {a.organisation_id: a.organisation for a in accounts}
    periods = latest_periods(organisations)
    for account in accounts:
        org = account.organisation
        label = _("л/с %(number)s") % {"number": account.number}
        first = upcoming_window(org, now)
        for index in range(WINDOWS_AHEAD):
            month = add_months(first.period, index)
            window = window_of_month(org, month.year, month.month, now)
            event = Event()
            event.add("uid", _uid("readings", account.pk, month))
            event.add("summary", _("Передать показания счётчиков (%(account)s)") % {"account": label})
            event.add("dtstart", window.opens_at)
            event.add("dtend", window.closes_at)
            event.add("dtstamp", now)
            event.add(
                "description",
                _("%(org)s: приём показаний до %(until)s (%(tz)s).")
                % {"org": org.name, "until": f"{window.last_minute:%d.%m.%Y %H:%M}", "tz": org.timezone}
                + f" {settings.SITE_URL}/readings/",
            )
            calendar.add_component(event)
        period = periods.get(org.pk)
        if period is not None:
            due_month = add_months(period.month, 1)
            due = datetime.date(due_month.year, due_month.month, org.payment_due_day)
            event = Event()
            event.add("uid", _uid("payment", account.pk, period.month))
            event.add("summary", _("Оплатить ЖКУ за %(month)s (%(account)s)") % {"month": f"{period.month:%m.%Y}", "account": label})
            event.add("dtstart", due)
            event.add("dtend", due + datetime.timedelta(days=1))
            event.add("dtstamp", now)
            event.add("description", _("%(org)s: срок оплаты.") % {"org": org.name} + f" {settings.SITE_URL}/payments/pay/")
            calendar.add_component(event)
    return calendar.to_ical()
