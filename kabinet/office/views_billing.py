"""«Загрузка данных биллинга», «Опубликовать период» and the exports, for the accountant."""

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kabinet.billing.importfiles import KINDS
from kabinet.billing.models import Charge, Period
from kabinet.billing.services import period_publish
from kabinet.meters.services import readings_export
from kabinet.office import services
from kabinet.office.access import Office, Section, get_for_office, office_view
from kabinet.office.audit import audit_record
from kabinet.office.forms import ExportPaymentsForm, ExportReadingsForm, UploadForm
from kabinet.office.models import ImportJob
from kabinet.payments.management.commands.export_payments import write_rows
from kabinet.payments.selectors import online_payment_rows

HISTORY_SIZE = 30
KIND_TITLES = {kind.name: kind.title for kind in KINDS}


@office_view(Section.BILLING)
def imports(request: HttpRequest, office: Office) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_job_start(
                office_user=office.user,
                organisation=office.organisation,
                files=form.cleaned_data["files"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("files", message)
        else:
            return redirect("office:import_detail", job.pk)
    history = (
        ImportJob.objects.filter(organisation=office.organisation)
        .select_related("created_by")
        .order_by("-created_at", "-pk")[:HISTORY_SIZE]
    )
    return render(request, "office/imports.html", {"form": form, "history": history})


def _job(office: Office, pk: int) -> ImportJob:
    return get_for_office(office, ImportJob.objects.select_related("created_by"), pk)


@office_view(Section.BILLING)
def import_detail(request: HttpRequest, office: Office, pk: int) -> HttpResponse:
    job = _job(office, pk)
    counts = [
        (KIND_TITLES.get(name, name), count) for name, count in job.counts.items()
    ]
    ctx = {
        "job": job,
        "percent": services.import_job_progress(job),
        "counts": counts,
        "unpublished": Period.objects.filter(organisation=office.organisation, is_published=False).order_by("-month"),
    }
    return render(request, "office/import_detail.html", ctx)


@office_view(Section.BILLING)
def import_progress(request: HttpRequest, office: Office, pk: int) -> JsonResponse:
    job = _job(office, pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "percent": services.import_job_progress(job),
            "finished": job.is_finished,
        }
    )


@office_view(Section.BILLING)
def periods(request: HttpRequest, office: Office) -> HttpResponse:
    items = Period.objects.filter(organisation=office.organisation).order_by("-month")[:36]
    return render(request, "office/periods.html", {"periods": items})


@office_view(Section.BILLING)
def period_publish_confirm(request: HttpRequest, office: Office, pk: int) -> HttpResponse:
    period = get_for_office(office, Period.objects.all(), pk)
    if request.method == "POST":
        period_publish(period=period, user=office.user)
        messages.success(
            request,
            _("Период %(period)s опубликован: абоненты видят начисления.")
            % {"period": period.month.strftime("%m.%Y")},
        )
        return redirect("office:periods")
    charges = Charge.objects.filter(period=period)
    ctx = {
        "period": period,
        "accounts": charges.values("account_id").distinct().count(),
        "lines": charges.count(),
    }
    return render(request, "office/period_publish.html", ctx)


@office_view(Section.BILLING)
def exports(request: HttpRequest, office: Office) -> HttpResponse:
    readings_form = ExportReadingsForm(prefix="r")
    payments_form = ExportPaymentsForm(prefix="p")
    return render(
        request, "office/exports.html", {"readings_form": readings_form, "payments_form": payments_form}
    )


def _csv(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@office_view(Section.BILLING)
def export_readings(request: HttpRequest, office: Office) -> HttpResponse:
    form = ExportReadingsForm(request.POST, prefix="r")
    if not form.is_valid():
        return render(
            request,
            "office/exports.html",
            {"readings_form": form, "payments_form": ExportPaymentsForm(prefix="p")},
            status=400,
        )
    month = Period.parse(form.cleaned_data["period"])
    out = io.StringIO()
    count = readings_export(organisation=office.organisation, period=month, out=out)
    audit_record(
        actor=office.user,
        organisation=office.organisation,
        action="readings.export",
        object_type="readings",
        after={"period": f"{month:%Y-%m}", "rows": count, "status": _("Передано в расчёт")},
    )
    return _csv(out.getvalue(), f"readings-{office.organisation.code}-{month:%Y-%m}.csv")


@require_POST
@office_view(Section.BILLING)
def export_payments(request: HttpRequest, office: Office) -> HttpResponse:
    form = ExportPaymentsForm(request.POST, prefix="p")
    if not form.is_valid():
        return render(
            request,
            "office/exports.html",
            {"readings_form": ExportReadingsForm(prefix="r"), "payments_form": form},
            status=400,
        )
    data = form.cleaned_data
    rows = online_payment_rows(
        organisation=office.organisation, date_from=data["date_from"], date_to=data["date_to"]
    )
    out = io.StringIO()
    write_rows(out, rows)
    name = f"payments-{office.organisation.code}-{data['date_from']:%Y%m%d}-{data['date_to']:%Y%m%d}.csv"
    return _csv(out.getvalue(), name)
