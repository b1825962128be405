"""The resident's way to requests, appeals and attachments: through their accounts, or 404."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from kabinet.accounts.access import Right, linked_accounts
from kabinet.helpdesk.models import Appeal, Attachment, ServiceRequest
from kabinet.helpdesk.services import is_operator


def requests_for_user(user: Any) -> QuerySet[ServiceRequest]:
    accounts = linked_accounts(user, Right.READ).values("pk")
    return ServiceRequest.objects.filter(account__in=accounts).select_related(
        "type", "account__organisation"
    )


def appeals_for_user(user: Any) -> QuerySet[Appeal]:
    accounts = linked_accounts(user, Right.READ).values("pk")
    return Appeal.objects.filter(account__in=accounts).select_related("account__organisation")


def get_request_for_user(user: Any, pk: int) -> ServiceRequest:
    try:
        return requests_for_user(user).get(pk=pk)
    except ServiceRequest.DoesNotExist:
        raise Http404("Заявка не найдена") from None


def get_appeal_for_user(user: Any, pk: int) -> Appeal:
    try:
        return appeals_for_user(user).get(pk=pk)
    except Appeal.DoesNotExist:
        raise Http404("Обращение не найдено") from None


def get_attachment_for_user(user: Any, pk: int) -> Attachment:
    """The file, for a resident who sees its request or appeal or the organisation's staff."""
    try:
        attachment = Attachment.objects.select_related("request__account", "appeal__account").get(
            pk=pk
        )
    except Attachment.DoesNotExist:
        raise Http404("Файл не найден") from None
    owner = attachment.request or attachment.appeal
    assert owner is not None
    if is_operator(user, owner.account.organisation_id):
        return attachment
    if linked_accounts(user, Right.READ).filter(pk=owner.account_id).exists():
        return attachment
    raise Http404("Файл не найден")
