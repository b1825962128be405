"""Figures and charts of the office's «Сводка» (SPEC 2.7)."""

import datetime
from typing import Any


from kabinet.accounts.models import AccountLink
from kabinet.billing.models import PersonalAccount
from kabinet.helpdesk.models import ServiceRequest
from kabinet.helpdesk.services import request_is_overdue_q
from kabinet.orgs.models import Organisation

Status = ServiceRequest.Status


def figures(organisation: Organisation, *, now: datetime.datetime) -> dict[str, Any]:
    accounts = PersonalAccount.objects.filter(organisation=organisation).count()
    links = AccountLink.objects.filter(account__organisation=organisation)
    bound = links.values("account_id").distinct().count()
    cabinets = links.values("user_id").distinct().count()
    requests = ServiceRequest.objects.filter(account__organisation=organisation)
    open_requests = requests.filter(status__in=[Status.NEW, Status.IN_WORK]).count()
    overdue = requests.filter(request_is_overdue_q(now)).count()
    return {
        "accounts": accounts,
        "bound": bound,
        "bound_share": round(100 * bound / accounts) if accounts else 0,
        "cabinets": cabinets,
        "open_requests": open_requests,
        "overdue_requests": overdue,
    }

