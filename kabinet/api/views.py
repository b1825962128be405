"""REST API v1 (SPEC 3.6). Thin views: parse with a serializer, call the service, shape the answer.

Every object is reached through the resident's accounts (kabinet/accounts/access.py): someone
else's account, meter, payment or request is 404, never 403.
"""

from __future__ import annotations

import datetime
from typing import cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q, QuerySet, Value
from django.db.models.lookups import StartsWith
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from kabinet.accounts.access import (
    Right,
    get_account_for_user,
    linked_accounts,
    meter_account_for_user,
)
from kabinet.accounts.models import AccountLink
from kabinet.api import serializers as s
from kabinet.api.errors import ApiError, error_body, error_response
from kabinet.api.idempotency import HEADER, idempotent
from kabinet.api.models import Scope
from kabinet.billing.epd import epd_for, render_epd
from kabinet.billing.models import PersonalAccount
from kabinet.billing.selectors import account_months, account_summaries
from kabinet.helpdesk import services as helpdesk
from kabinet.helpdesk.models import RequestType, ServiceRequest
from kabinet.helpdesk.selectors import get_request_for_user, requests_for_user
from kabinet.meters.models import Meter, ReadingSubmission
from kabinet.meters.selectors import last_readings, reading_history, submission_entry
from kabinet.meters.services import ReadingsRejected, reading_submit
from kabinet.meters.window import upcoming_window
from kabinet.news.selectors import news_for_user
from kabinet.orgs.models import Organisation
from kabinet.payments.models import Payment
from kabinet.payments.providers import GatewayError
from kabinet.payments.services import PayLine, payment_create, payment_start
from kabinet.users.models import User


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(s.ErrorSerializer, description=description)


ERRORS: dict[int, OpenApiResponse] = {
    401: _error("Нет ключа, ключ неизвестен, истёк или отозван"),
    403: _error("У ключа нет нужного права (scope)"),
    404: _error("Не найдено (или принадлежит другому человеку)"),
    429: _error("Слишком много запросов; заголовок Retry-After"),
}
WRITE_ERRORS = {**ERRORS, 400: _error("Отказ по правилам; code называет правило")}
IDEMPOTENT_ERRORS = {**WRITE_ERRORS, 409: _error("Idempotency-Key уже использован для другого запроса")}
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Повтор с тем же ключом и телом вернёт тот же ответ и ничего не создаст второй раз.",
)


class Pagination(PageNumberPagination):
    page_size = 50


def _user(request: Request) -> User:
    return cast(User, request.user)


def _month(text: str | None, name: str) -> datetime.date | None:
    if not text:
        return None
    try:
        return datetime.datetime.strptime(text, "%Y-%m").date()  # noqa: DTZ007 (a month, no time)
    except ValueError:
        raise ApiError(400, "period", "Период задаётся как YYYY-MM, например 2025-01.", {name: ["YYYY-MM"]}) from None


@csrf_exempt  # a POST to an unknown API address is 404, not the CSRF page
def not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body("not_found", "Не найдено."), status=404)


class ApiView(generics.GenericAPIView):
    """Scopes: `read` for GET; `write_scope` for the writes."""

    write_scope = Scope.READ
    pagination_class = Pagination


# --- accounts --------------------------------------------------------------------------------


class AccountList(ApiView):
    serializer_class = s.AccountSerializer

    @extend_schema(operation_id="accounts_list", responses={200: s.AccountSerializer(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        accounts = linked_accounts(_user(request), Right.READ)
        page = cast(list[PersonalAccount], self.paginate_queryset(accounts))
        summaries = account_summaries(page)
        roles = dict(
            AccountLink.objects.filter(user=_user(request), account__in=page).values_list("account_id", "role")
        )
        rows = []
        for account in page:
            summary = summaries[account.pk]
            rows.append(
                {
                    "id": account.pk,
                    "number": account.number,
                    "organisation": account.organisation,
                    "address": account.address,
                    "apartment": account.apartment,
                    "role": roles.get(account.pk, AccountLink.Role.MEMBER),
                    "balance": summary.balance,
                    "due": summary.due,
                    "penalty_due": summary.penalty_due,
                    "period": f"{summary.latest.period.month:%Y-%m}" if summary.latest else None,
                }
            )
        return self.get_paginated_response(s.AccountSerializer(rows, many=True).data)


class AccountCharges(ApiView):
    serializer_class = s.ChargePeriodSerializer

    @extend_schema(
        operation_id="accounts_charges",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.STR, description="Первый период, YYYY-MM", pattern=r"^\d{4}-\d{2}$"),
            OpenApiParameter("to", OpenApiTypes.STR, description="Последний период, YYYY-MM", pattern=r"^\d{4}-\d{2}$"),
        ],
        responses={200: s.ChargePeriodSerializer(many=True), 400: _error("Неверный период"), **ERRORS},
    )
    def get(self, request: Request, account_id: int) -> Response:
        account = get_account_for_user(_user(request), account_id, Right.READ)
        since = _month(request.query_params.get("from"), "from")
        until = _month(request.query_params.get("to"), "to")
        months = account_months(account, since=since, until=until)
        page = cast(list, self.paginate_queryset(months))
        rows = [
            {
                "period": f"{month.period.month:%Y-%m}",
                "lines": month.services + month.penalties,
                "totals": month,
            }
            for month in page
        ]
        return self.get_paginated_response(s.ChargePeriodSerializer(rows, many=True).data)


class AccountDocument(ApiView):
    @extend_schema(
        operation_id="accounts_document",
        parameters=[
            OpenApiParameter(
                "period", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=r"^\d{4}-\d{2}$", description="YYYY-MM"
            )
        ],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="ЕПД в PDF"),
            **ERRORS,
        },
    )
    def get(self, request: Request, account_id: int, period: str) -> HttpResponse:
        account = get_account_for_user(_user(request), account_id, Right.READ)
        year, month = int(period[:4]), int(period[5:])
        if not (1 <= month <= 12 and year >= 1):
            raise Http404
        document = epd_for(account, datetime.date(year, month, 1))
        if document is None:
            raise Http404
        response = HttpResponse(render_epd(document), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="epd-{account.number}-{document.period:%Y-%m}.pdf"'
        return response


# --- meters and readings ---------------------------------------------------------------------


def _account_in_query(request: Request, user: User) -> PersonalAccount | None:
    """The account named by `?account=` (404 when it is not the user's), or None without one."""
    account_id = request.query_params.get("account")
    if not account_id:
        return None
    if not account_id.isdigit():
        raise ApiError(400, "invalid", "account — id лицевого счёта.", {"account": ["integer"]})
    return get_account_for_user(user, account_id, Right.READ)


def _meters_for(user: User, right: Right = Right.READ) -> QuerySet[Meter]:
    return Meter.objects.filter(account__in=linked_accounts(user, right).values("pk"))


class MeterList(ApiView):
    serializer_class = s.MeterSerializer

    @extend_schema(
        operation_id="meters_list",
        parameters=[OpenApiParameter("account", OpenApiTypes.INT, description="Только приборы этого лицевого счёта")],
        responses={200: s.MeterSerializer(many=True), 400: _error("Неверный параметр"), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        user = _user(request)
        meters = _meters_for(user)
        account = _account_in_query(request, user)
        if account is not None:
            meters = Meter.objects.filter(account=account)
        meters = meters.select_related("service", "account__organisation").order_by("account_id", "resource", "serial_number", "pk")
        page = cast(list[Meter], self.paginate_queryset(meters))
        organisations = {m.account.organisation_id: m.account.organisation for m in page}
        context = {
            "last": last_readings(page),
            "windows": {pk: upcoming_window(org) for pk, org in organisations.items()},
        }
        return self.get_paginated_response(s.MeterSerializer(page, many=True, context=context).data)


class MeterReadings(ApiView):
    serializer_class = s.ReadingSerializer

    @extend_schema(operation_id="meters_readings", responses={200: s.ReadingSerializer(many=True), **ERRORS})
    def get(self, request: Request, meter_id: int) -> Response:
        meter = _meters_for(_user(request)).filter(pk=meter_id).first()
        if meter is None:
            raise Http404
        page = cast(list, self.paginate_queryset(reading_history([meter], limit=1000)))
        return self.get_paginated_response(s.ReadingSerializer(page, many=True).data)


def _readings_refused(exc: ReadingsRejected) -> Response:
    problems = exc.problems
    confirmable = [p for p in problems if p.confirm]
    final = [p for p in problems if not p.confirm]
    code = final[0].code if final else "needs_confirmation"
    fields: dict[str, list[str]] = {}
    for problem in problems:
        name = "values" if problem.zone else ("meter" if problem.meter_id else "non_field_errors")
        fields.setdefault(name, []).append(problem.message)
    detail = " ".join(p.message for p in (final or confirmable))
    return error_response(400, code, detail, fields)


class ReadingCreate(ApiView):
    write_scope = Scope.READINGS
    serializer_class = s.ReadingSubmitSerializer

    @extend_schema(
        operation_id="readings_create",
        parameters=[IDEMPOTENCY_PARAMETER],
        request=s.ReadingSubmitSerializer,
        responses={201: s.ReadingSerializer, **IDEMPOTENT_ERRORS},
    )
    def post(self, request: Request) -> Response | HttpResponse:
        data = s.ReadingSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = _user(request)
        meter_id = data.validated_data["meter"]
        # The meter's account, and in the same query whether the user may send readings for it:
        # reading_submit takes it as checked then, and checks any other again (404 for anyone
        # else's meter, inside the key's transaction, as before).
        account = meter_account_for_user(user, meter_id, Right.READINGS)
        if account is None:
            raise Http404

        def submit() -> Response:
            try:
                (submission,) = reading_submit(
                    user=user,
                    account=account,
                    values={meter_id: data.validated_data["values"]},
                    confirm_rollover=data.validated_data["confirm"],
                    confirm_high=data.validated_data["confirm"],
                    source=ReadingSubmission.Source.API,
                )
            except ReadingsRejected as exc:
                return _readings_refused(exc)
            return Response(s.ReadingSerializer(submission_entry(submission)).data, status=201)

        return idempotent(request, submit)


# --- payments --------------------------------------------------------------------------------


def _payments_for(user: User) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(
            Q(user=user) | Q(allocations__account__in=linked_accounts(user, Right.READ).values("pk"))
        )
        .distinct()
        .prefetch_related("allocations")
        .order_by("-created_at", "-pk")
    )


class PaymentListCreate(ApiView):
    write_scope = Scope.PAYMENTS
    serializer_class = s.PaymentSerializer

    @extend_schema(operation_id="payments_list", responses={200: s.PaymentSerializer(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(_payments_for(_user(request)))
        return self.get_paginated_response(s.PaymentSerializer(page, many=True).data)

    @extend_schema(
        operation_id="payments_create",
        parameters=[IDEMPOTENCY_PARAMETER],
        request=s.PaymentCreateSerializer,
        responses={201: s.PaymentSerializer, 502: _error("Платёжный шлюз не ответил"), **IDEMPOTENT_ERRORS},
    )
    def post(self, request: Request) -> Response | HttpResponse:
        data = s.PaymentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = _user(request)
        organisation = Organisation.objects.filter(
            pk=data.validated_data["organisation"],
            pk__in=linked_accounts(user, Right.PAY).values("organisation_id"),
        ).first()
        if organisation is None:
            raise Http404
        for line in data.validated_data["lines"]:
            get_account_for_user(user, line["account"], Right.PAY)  # someone else's account: 404
        lines = [
            PayLine(line["account"], amount=line["amount"], penalty=line["penalty"])
            for line in data.validated_data["lines"]
        ]

        def pay() -> Response:
            try:
                payment = payment_create(
                    user=user,
                    organisation=organisation,
                    lines=lines,
                    receipt_contact=data.validated_data["receipt_contact"],
                )
            except DjangoValidationError as exc:
                return error_response(400, exc.code or "invalid", " ".join(exc.messages))
            try:
                payment = payment_start(
                    payment=payment,
                    return_url=request.build_absolute_uri(reverse("payment_detail", args=[payment.uid])),
                    notification_url=request.build_absolute_uri(
                        reverse("payment_notify", args=[payment.provider])
                    ),
                )
            except GatewayError:
                return error_response(502, "gateway_unavailable", "Банк сейчас не отвечает, деньги не списаны. Повторите позже.")
            return Response(s.PaymentSerializer(payment).data, status=201)

        return idempotent(request, pay)


# --- requests --------------------------------------------------------------------------------


class RequestListCreate(ApiView):
    write_scope = Scope.REQUESTS
    serializer_class = s.ServiceRequestSerializer

    @extend_schema(operation_id="requests_list", responses={200: s.ServiceRequestSerializer(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        requests = requests_for_user(_user(request)).order_by("-created_at", "-pk")
        page = self.paginate_queryset(requests)
        return self.get_paginated_response(s.ServiceRequestSerializer(page, many=True).data)

    @extend_schema(
        operation_id="requests_create",
        parameters=[IDEMPOTENCY_PARAMETER],
        request=s.ServiceRequestCreateSerializer,
        responses={201: s.ServiceRequestSerializer, **IDEMPOTENT_ERRORS},
    )
    def post(self, request: Request) -> Response | HttpResponse:
        data = s.ServiceRequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = _user(request)
        account = get_account_for_user(user, data.validated_data["account"], Right.READ)
        helpdesk.request_types_ensure(organisation=account.organisation)
        type_ = RequestType.objects.filter(pk=data.validated_data["type"]).first()
        if type_ is None:
            raise ApiError(400, "type", "Такого типа заявки нет.", {"type": ["Такого типа заявки нет."]})

        def file() -> Response:
            try:
                created = helpdesk.request_create(
                    author=user,
                    account=account,
                    type=type_,
                    reason=data.validated_data["reason"],
                    desired_date=data.validated_data["desired_date"],
                    time_slot=data.validated_data["time_slot"],
                )
            except DjangoValidationError as exc:
                from kabinet.api.errors import django_validation_code, django_validation_fields

                return error_response(
                    400, django_validation_code(exc), " ".join(exc.messages), django_validation_fields(exc)
                )
            created = requests_for_user(user).get(pk=created.pk)
            return Response(s.ServiceRequestSerializer(created).data, status=201)

        return idempotent(request, file)


class RequestDetail(ApiView):
    serializer_class = s.ServiceRequestSerializer

    @extend_schema(operation_id="requests_retrieve", responses={200: s.ServiceRequestSerializer, **ERRORS})
    def get(self, request: Request, request_id: int) -> Response:
        return Response(s.ServiceRequestSerializer(get_request_for_user(_user(request), request_id)).data)


class RequestCancel(ApiView):
    write_scope = Scope.REQUESTS
    serializer_class = s.ServiceRequestSerializer

    @extend_schema(
        operation_id="requests_cancel",
        request=None,
        responses={200: s.ServiceRequestSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, request_id: int) -> Response:
        user = _user(request)
        service_request = get_request_for_user(user, request_id)
        try:
            helpdesk.request_transition(
                request=service_request, to=ServiceRequest.Status.CANCELLED_CLIENT, by=user
            )
        except helpdesk.TransitionRefused as exc:
            return error_response(400, "cancel_refused", " ".join(exc.messages))
        return Response(s.ServiceRequestSerializer(get_request_for_user(user, request_id)).data)


class RequestTypeList(ApiView):
    serializer_class = s.RequestTypeSerializer

    @extend_schema(
        operation_id="request_types_list",
        parameters=[OpenApiParameter("organisation", OpenApiTypes.INT, description="Организация (id)")],
        responses={200: s.RequestTypeSerializer(many=True), 400: _error("Неверный параметр"), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        organisations = Organisation.objects.filter(
            pk__in=linked_accounts(_user(request), Right.READ).values("organisation_id")
        )
        wanted = request.query_params.get("organisation")
        if wanted:
            if not wanted.isdigit():
                raise ApiError(400, "invalid", "organisation — id организации.", {"organisation": ["integer"]})
            organisations = organisations.filter(pk=int(wanted))
            if not organisations.exists():
                raise Http404
        for organisation in organisations:
            helpdesk.request_types_ensure(organisation=organisation)
        types = RequestType.objects.filter(organisation__in=organisations, is_active=True).order_by(
            "organisation_id", "position", "name"
        )
        page = self.paginate_queryset(types)
        return self.get_paginated_response(s.RequestTypeSerializer(page, many=True).data)


# --- news ------------------------------------------------------------------------------------


class NewsList(ApiView):
    serializer_class = s.NewsSerializer

    @extend_schema(
        operation_id="news_list",
        parameters=[OpenApiParameter("account", OpenApiTypes.INT, description="Новости для этого лицевого счёта")],
        responses={200: s.NewsSerializer(many=True), 400: _error("Неверный параметр"), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        user = _user(request)
        news = news_for_user(user)
        account = _account_in_query(request, user)
        if account is not None:
            for_building = StartsWith(Value(account.address), F("address_prefix"))
            news = news.filter(Q(address_prefix="") | for_building, organisation_id=account.organisation_id)
        page = self.paginate_queryset(news.order_by("-published_at", "-pk"))
        return self.get_paginated_response(s.NewsSerializer(page, many=True).data)


