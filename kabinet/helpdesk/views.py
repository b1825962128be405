"""Resident pages: «Заявки» and «Обращения». Thin: form → service → render."""

import datetime
import logging
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kabinet.accounts.access import Right, linked_accounts
from kabinet.helpdesk import selectors, services
from kabinet.helpdesk.forms import (
    AppealForm,
    CommentForm,
    RatingForm,
    ReplyForm,
    RequestFilterForm,
    RequestForm,
)
from kabinet.helpdesk.models import RequestType, ServiceRequest
from kabinet.lib.failures import OUTSIDE_FAILURES, SAVE_FAILED
from kabinet.users.models import User

log = logging.getLogger(__name__)

PAGE_SIZE = 20


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- requests ----------------------------------------------------------------------------------


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    form = RequestFilterForm(request.GET or None)
    requests = selectors.requests_for_user(request.user)
    if form.is_valid():
        data = form.cleaned_data
        tz = timezone.get_current_timezone()
        if data["date_from"]:
            start = datetime.datetime.combine(data["date_from"], datetime.time.min, tz)
            requests = requests.filter(created_at__gte=start)
        if data["date_to"]:
            end = datetime.datetime.combine(
                data["date_to"] + datetime.timedelta(days=1), datetime.time.min, tz
            )
            requests = requests.filter(created_at__lt=end)
        if data["status"]:
            requests = requests.filter(status__in=data["status"])
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "form": form,
        "filter_form": _filter_form_html(form),
        "page": page,
        "query": query.urlencode(),
    }
    return render(request, "helpdesk/request_list.html", ctx)


# The empty filter form is the same for everyone in a language (its fields and choices are
# code): rendered once per process and language rather than on every visit.
_BLANK_FILTERS: dict[str, SafeString] = {}


def _filter_form_html(form: RequestFilterForm) -> SafeString:
    if form.is_bound:
        return mark_safe(render_to_string("helpdesk/_request_filter.html", {"form": form}))  # noqa: S308
    language = translation.get_language() or ""
    html = _BLANK_FILTERS.get(language)
    if html is None:
        html = _BLANK_FILTERS[language] = mark_safe(  # noqa: S308 - a rendered template
            render_to_string("helpdesk/_request_filter.html", {"form": form})
        )
    return html


@login_required
def request_new(request: HttpRequest) -> HttpResponse:
    accounts = linked_accounts(cast(User, request.user), Right.READ)
    organisations = {account.organisation_id: account.organisation for account in accounts}
    for organisation in organisations.values():
        services.request_types_ensure(organisation=organisation)
    types = RequestType.objects.filter(organisation__in=list(organisations), is_active=True)
    form = RequestForm(request.POST or None, request.FILES or None, accounts=accounts, types=types)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.request_create(
                author=request.user,
                account=data["account"],
                type=data["type"],
                reason=data["reason"],
                desired_date=data["desired_date"],
                time_slot=data["time_slot"],
                files=data["photos"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except OUTSIDE_FAILURES:
            log.exception("request not saved: a dependency failed")
            form.add_error(None, SAVE_FAILED)
            status = 503
        else:
            messages.success(
                request,
                _(
                    "Заявка № %(number)s принята в систему. Мы сообщим об изменении статуса по e-mail."
                )
                % {"number": created.pk},
            )
            return redirect("request_detail", created.pk)
    return render(
        request,
        "helpdesk/request_new.html",
        {"form": form, "has_accounts": bool(accounts)},
        status=status,
    )


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    service_request = selectors.get_request_for_user(request.user, pk)
    ctx: dict[str, Any] = {
        "object": service_request,
        "attachments": list(service_request.attachments.all()),
        "changes": list(service_request.status_changes.all()),
        "comments": list(service_request.comments.all()),
        "can_cancel": service_request.status == ServiceRequest.Status.NEW
        and services.resident_may_close(
            request.user, service_request.account, service_request.author_id
        ),
        "can_rate": service_request.rating is None
        and service_request.status in {ServiceRequest.Status.DONE, ServiceRequest.Status.CLOSED},
        "comment_form": CommentForm(),
        "rating_form": RatingForm(),
    }
    return render(request, "helpdesk/request_detail.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    service_request = selectors.get_request_for_user(request.user, pk)
    if request.method != "POST":
        # The confirmation step, a page of its own so that it works without JavaScript.
        return render(
            request,
            "confirm.html",
            {
                "title": _("Отменить заявку № %(number)s?") % {"number": service_request.pk},
                "question": _(
                    "Организация не будет выполнять заявку; вернуть её нельзя, только подать новую."
                ),
                "confirm_label": _("Да, отменить заявку"),
                "cancel_url": reverse("request_detail", args=[pk]),
            },
        )
    try:
        services.request_transition(
            request=service_request, to=ServiceRequest.Status.CANCELLED_CLIENT, by=request.user
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Заявка отменена."))
    return redirect("request_detail", pk)


@login_required
@require_POST
def request_comment(request: HttpRequest, pk: int) -> HttpResponse:
    service_request = selectors.get_request_for_user(request.user, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.request_comment(
                request=service_request, by=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Комментарий отправлен."))
    else:
        messages.error(request, _("Напишите текст комментария."))
    return redirect("request_detail", pk)


@login_required
@require_POST
def request_rate(request: HttpRequest, pk: int) -> HttpResponse:
    service_request = selectors.get_request_for_user(request.user, pk)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.request_rate(
                request=service_request,
                by=request.user,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Спасибо за оценку!"))
    else:
        messages.error(request, _("Выберите оценку от 1 до 5."))
    return redirect("request_detail", pk)


# --- appeals -----------------------------------------------------------------------------------


@login_required
def appeal_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.appeals_for_user(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "helpdesk/appeal_list.html", {"page": page})


@login_required
def appeal_new(request: HttpRequest) -> HttpResponse:
    accounts = linked_accounts(cast(User, request.user), Right.READ)
    user = request.user
    initial = {"contact": getattr(user, "email", "") or getattr(user, "phone", "")}
    form = AppealForm(
        request.POST or None, request.FILES or None, accounts=accounts, initial=initial
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appeal = services.appeal_create(
                author=request.user,
                account=data["account"],
                topic=data["topic"],
                text=data["text"],
                contact=data["contact"],
                files=data["photos"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except OUTSIDE_FAILURES:
            log.exception("appeal not saved: a dependency failed")
            form.add_error(None, SAVE_FAILED)
            status = 503
        else:
            messages.success(
                request,
                _("Обращение № %(number)s отправлено. Ответ придёт сюда и на указанный контакт.")
                % {"number": appeal.pk},
            )
            return redirect("appeal_detail", appeal.pk)
    return render(
        request,
        "helpdesk/appeal_new.html",
        {"form": form, "has_accounts": bool(accounts)},
        status=status,
    )


@login_required
def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = selectors.get_appeal_for_user(request.user, pk)
    ctx = {
        "object": appeal,
        "attachments": list(appeal.attachments.all()),
        "thread": list(appeal.messages.all()),
        "reply_form": ReplyForm(),
        "can_close": services.resident_may_close(request.user, appeal.account, appeal.author_id),
    }
    return render(request, "helpdesk/appeal_detail.html", ctx)


@login_required
@require_POST
def appeal_reply(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = selectors.get_appeal_for_user(request.user, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.appeal_reply(appeal=appeal, by=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Сообщение отправлено."))
    else:
        messages.error(request, _("Напишите текст сообщения."))
    return redirect("appeal_detail", pk)


@login_required
@require_POST
def appeal_close(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = selectors.get_appeal_for_user(request.user, pk)
    try:
        services.appeal_close(appeal=appeal, by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Обращение закрыто."))
    return redirect("appeal_detail", pk)


# --- files -------------------------------------------------------------------------------------


@login_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """A photo, for its resident or the organisation's staff; everyone else gets 404."""
    item = selectors.get_attachment_for_user(request.user, pk)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404("Файл не найден") from None
    # Inline, with the type we sniffed ourselves (nosniff is on for every response).
    response = FileResponse(handle, content_type=item.content_type, filename=item.name)
    response["Cache-Control"] = "private, max-age=3600"
    return response
