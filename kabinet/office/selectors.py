"""Reads of the office: queues and lists, each with a fixed number of queries."""

import datetime

from django.db.models import BooleanField, Case, QuerySet, Value, When

from kabinet.helpdesk.models import Appeal, ServiceRequest
from kabinet.helpdesk.services import request_is_overdue_q
from kabinet.orgs.models import Organisation

Status = ServiceRequest.Status


def request_queue(organisation: Organisation, *, now: datetime.datetime) -> QuerySet[ServiceRequest]:
    """The organisation's requests, «просрочена» first, then by deadline."""
    return (
        ServiceRequest.objects.filter(account__organisation=organisation)
        .select_related("account", "type")
        .annotate(
            overdue=Case(
                When(request_is_overdue_q(now), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-overdue", "due_at", "-created_at", "-pk")
    )


def appeal_queue(organisation: Organisation) -> QuerySet[Appeal]:
    """Waiting for an answer first, oldest first; then the rest, newest first."""
    return (
        Appeal.objects.filter(account__organisation=organisation)
        .select_related("account")
        .annotate(
            waiting=Case(
                When(status=Appeal.Status.OPEN, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-waiting", "created_at", "pk")
    )
