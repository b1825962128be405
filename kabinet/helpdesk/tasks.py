"""E-mails to residents about their requests and appeals, sent after the change is committed.

A failed send is retried by the job queue (SPEC 4, reliability); in development and tests the
tasks run at once in the calling process.
"""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


def send_templated(to: str, template: str, context: dict) -> None:
    """Russian text + HTML e-mail from helpdesk/email/<template>_{subject,body}.{txt,html}."""
    if not to:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(
            render_to_string(f"helpdesk/email/{template}_subject.txt", context).split()
        )
        text = render_to_string(f"helpdesk/email/{template}_body.txt", context)
        html = render_to_string(f"helpdesk/email/{template}_body.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()


def _link(name: str, pk: int) -> str:
    return settings.SITE_URL + reverse(name, args=[pk])


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def request_status_email(change_id: int) -> None:
    from kabinet.helpdesk.models import RequestStatusChange

    change = RequestStatusChange.objects.select_related(
        "request__author", "request__account", "request__type"
    ).get(pk=change_id)
    request = change.request
    if request.author is None:
        return  # the cabinet was deleted
    send_templated(
        request.author.email,
        "request_status",
        {
            "request": request,
            "change": change,
            "status": change.get_to_status_display(),
            "name": request.author.first_name,
            "url": _link("request_detail", request.pk),
        },
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def request_comment_email(comment_id: int) -> None:
    from kabinet.helpdesk.models import RequestComment

    comment = RequestComment.objects.select_related("request__author", "request__type").get(
        pk=comment_id
    )
    request = comment.request
    if request.author is None:
        return
    send_templated(
        request.author.email,
        "request_comment",
        {
            "request": request,
            "comment": comment,
            "name": request.author.first_name,
            "url": _link("request_detail", request.pk),
        },
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def appeal_answer_email(message_id: int) -> None:
    from kabinet.helpdesk.models import AppealMessage

    message = AppealMessage.objects.select_related("appeal__author").get(pk=message_id)
    appeal = message.appeal
    # The resident named where the answer should go; an e-mail address there wins.
    author = appeal.author
    to = appeal.contact if "@" in appeal.contact else (author.email if author else "")
    if not to:
        return
    send_templated(
        to,
        "appeal_answer",
        {
            "appeal": appeal,
            "message": message,
            "name": author.first_name if author else "",
            "url": _link("appeal_detail", appeal.pk),
        },
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def staff_new_item_email(kind: str, pk: int) -> None:
    """A new request or appeal, to each operator of the organisation who did not opt out."""
    from kabinet.helpdesk.models import Appeal, ServiceRequest
    from kabinet.office.services import staff_to_notify

    item: ServiceRequest | Appeal
    if kind == "request":
        item = ServiceRequest.objects.select_related("account", "type").get(pk=pk)
        about, url_name = "new_requests", "office:request_detail"
    else:
        item = Appeal.objects.select_related("account").get(pk=pk)
        about, url_name = "new_appeals", "office:appeal_detail"
    context = {"item": item, "kind": kind, "url": _link(url_name, item.pk)}
    for to in staff_to_notify(organisation_id=item.account.organisation_id, about=about):
        send_templated(to, "staff_new_item", context)
