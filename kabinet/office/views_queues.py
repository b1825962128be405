"""Queues of requests and appeals: filters, «просрочена» first, open one and work on it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kabinet.helpdesk import services as helpdesk
from kabinet.helpdesk.models import Appeal, ServiceRequest
from kabinet.office import selectors
from kabinet.office.access import Office, Section, get_for_office, office_view
from kabinet.office.forms import (
    AnswerForm,
    AppealQueueFilter,
    RequestQueueFilter,
    RequestStatusForm,
    StaffCommentForm,
)
from kabinet.office.views import errors_to_messages

Status = ServiceRequest.Status
PAGE_SIZE = 30
ORG = "account__organisation"


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@office_view(Section.REQUESTS)
def requests(request: HttpRequest, office: Office) -> HttpResponse:
    now = timezone.now()
    form = RequestQueueFilter(request.GET or None, organisation=office.organisation)
    items = selectors.request_queue(office.organisation, now=now)
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status", "")
    if status == "":
        items = items.filter(status__in=[Status.NEW, Status.IN_WORK])
    elif status != "all":
        items = items.filter(status=status)
    if data.get("type"):
        items = items.filter(type=data["type"])
    if data.get("overdue"):
        items = items.filter(helpdesk.request_is_overdue_q(now))
    q = (data.get("q") or "").strip()
    if q:
        items = items.filter(Q(account__number=q) | Q(pk=int(q) if q.isdigit() else 0))
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "office/requests.html", {"form": form, "page": page, "query": _query(request)})


def _request(office: Office, pk: int) -> ServiceRequest:
    return get_for_office(
        office, ServiceRequest.objects.select_related("account__organisation", "type", "author"), pk, ORG
    )


def _status_form(item: ServiceRequest, data: object = None) -> RequestStatusForm:
    allowed = helpdesk.TRANSITIONS[Status(item.status)] - helpdesk.RESIDENT_TRANSITIONS
    choices = [(value, str(label)) for value, label in Status.choices if value in allowed]
    return RequestStatusForm(data, allowed=choices)


@office_view(Section.REQUESTS)
def request_detail(request: HttpRequest, office: Office, pk: int) -> HttpResponse:
    item = _request(office, pk)
    ctx = {
        "item": item,
        "status_form": _status_form(item),
        "comment_form": StaffCommentForm(),
        "changes": item.status_changes.select_related("by"),
        "comments": item.comments.select_related("author"),
        "attachments": item.attachments.all(),
    }
    return render(request, "office/request_detail.html", ctx)


@require_POST
@office_view(Section.REQUESTS)
def request_status(request: HttpRequest, office: Office, pk: int) -> HttpResponse:
    item = _request(office, pk)
    form = _status_form(item, request.POST)
    if form.is_valid():
        try:
            helpdesk.request_transition(
                request=item, to=form.cleaned_data["status"], by=office.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            errors_to_messages(request, exc)
        else:
            messages.success(
                request, _("Статус заявки: «%(status)s». Заявитель получит письмо.") % {"status": item.get_status_display()}
            )
    else:
        messages.error(request, _("Выберите новый статус."))
    return redirect("office:request_detail", item.pk)


@require_POST
@office_view(Section.REQUESTS)
def request_comment(request: HttpRequest, office: Office, pk: int) -> HttpResponse:
    item = _request(office, pk)
    form = StaffCommentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            helpdesk.request_staff_comment(
                request=item, by=office.user, text=form.cleaned_data["text"], files=form.cleaned_data["photos"]
            )
        except ValidationError as exc:
            errors_to_messages(request, exc)
        else:
            messages.success(request, _("Комментарий отправлен заявителю."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
    return redirect("office:request_detail", item.pk)


@office_view(Section.REQUESTS)
def appeals(request: HttpRequest, office: Office) -> HttpResponse:
    form = AppealQueueFilter(request.GET or None)
    items = selectors.appeal_queue(office.organisation)
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("status"):
        items = items.filter(status=data["status"])
    if data.get("topic"):
        items = items.filter(topic=data["topic"])
    q = (data.get("q") or "").strip()
    if q:
        items = items.filter(Q(account__number=q) | Q(pk=int(q) if q.isdigit() else 0))
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "office/appeals.html", {"form": form, "page": page, "query": _query(request)})


def _appeal(office: Office, pk: int) -> Appeal:
    return get_for_office(office, Appeal.objects.select_related("account__organisation", "author"), pk, ORG)


@office_view(Section.REQUESTS)
def appeal_detail(request: HttpRequest, office: Office, pk: int) -> HttpResponse:
    item = _appeal(office, pk)
    form = AnswerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            helpdesk.appeal_staff_answer(
                appeal=item, by=office.user, text=form.cleaned_data["text"], files=form.cleaned_data["photos"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Ответ отправлен."))
            return redirect("office:appeal_detail", item.pk)
    ctx = {
        "item": item,
        "form": form,
        "thread": item.messages.select_related("author"),
        "attachments": item.attachments.all(),
    }
    return render(request, "office/appeal_detail.html", ctx)


@require_POST
@office_view(Section.REQUESTS)
def appeal_close(request: HttpRequest, office: Office, pk: int) -> HttpResponse:
    item = _appeal(office, pk)
    try:
        helpdesk.appeal_close(appeal=item, by=office.user)
    except ValidationError as exc:
        errors_to_messages(request, exc)
    else:
        messages.success(request, _("Обращение закрыто."))
    return redirect("office:appeal_detail", item.pk)
