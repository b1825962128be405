"""Reports (seed 002 «Отчеты»): payment, charge and reading history as rows, on screen or as files."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from kabinet.billing.epd import num, rub
from kabinet.billing.models import PersonalAccount
from kabinet.billing.selectors import Month
from kabinet.lib.spreadsheet import safe_row
from kabinet.meters.models import Reading
from kabinet.payments.models import money_received

Cell = str | Decimal | datetime.date | int | None


@dataclass
class Table:
    title: str
    slug: str
    headers: list[str]
    rows: list[list[Cell]]


def payments_table(
    account: PersonalAccount, since: datetime.date | None, until: datetime.date | None
) -> Table:
    payments = money_received().filter(account=account).order_by("-paid_on", "-pk")
    if since:
        payments = payments.filter(paid_on__gte=since)
    if until:
        payments = payments.filter(paid_on__lte=until)
    return Table(
        _("История платежей"),
        "payments",
        [_("Дата"), _("Сумма, руб."), _("Где оплачено")],
        [[p.paid_on, p.amount, p.channel] for p in payments],
    )


def charges_table(months: Sequence[Month]) -> Table:
    rows: list[list[Cell]] = []
    for month in months:
        for charge in month.services + month.penalties:
            rows.append(
                [
                    f"{month.period.month:%m.%Y}",
                    charge.service.name,
                    charge.tariff,
                    charge.volume,
                    charge.unit,
                    charge.debt_start,
                    charge.charged,
                    charge.recalculation,
                    charge.privilege,
                    charge.paid,
                    charge.to_pay,
                ]
            )
    return Table(
        _("История начислений"),
        "charges",
        [
            _("Период"),
            _("Услуга"),
            _("Тариф, руб."),
            _("Объём"),
            _("Ед. изм."),
            _("Долг/переплата на начало, руб."),
            _("Начислено, руб."),
            _("Перерасчёт, руб."),
            _("Льготы/субсидии, руб."),
            _("Оплачено, руб."),
            _("К оплате, руб."),
        ],
        rows,
    )


def readings_table(
    account: PersonalAccount, since: datetime.date | None, until: datetime.date | None
) -> Table:
    readings = (
        Reading.objects.filter(meter__account=account)
        .select_related("meter__service")
        .order_by("-reading_date", "meter__serial_number")
    )
    if since:
        readings = readings.filter(reading_date__gte=since)
    if until:
        readings = readings.filter(reading_date__lte=until)
    rows: list[list[Cell]] = []
    for reading in readings:
        meter = reading.meter
        rows.append(
            [
                reading.reading_date,
                meter.service.name if meter.service else meter.get_resource_display(),
                meter.serial_number,
                reading.value1,
                reading.value2,
                reading.value3,
                meter.unit,
                # Readings that came back from the billing system are the accepted ones.
                _("Принято к начислению"),
            ]
        )
    return Table(
        _("Показания приборов учёта"),
        "readings",
        [
            _("Дата"),
            _("Услуга"),
            _("№ счётчика"),
            _("Показание (Т1)"),
            _("Показание (Т2)"),
            _("Показание (Т3)"),
            _("Ед. изм."),
            _("Статус"),
        ],
        rows,
    )


def display(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal):
        return rub(value) if value == value.quantize(Decimal("0.01")) else num(value)
    return str(value)


def csv_response(table: Table, filename: str) -> HttpResponse:
    buffer = io.StringIO()
    # A BOM and ';' so that a double click opens it right in Excel with a Russian locale.
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(safe_row(table.headers))
    for row in table.rows:
        writer.writerow(
            safe_row(
                f"{cell:f}" if isinstance(cell, Decimal) else display(cell)
                for cell in row
            )
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(table: Table, filename: str) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.title[:31])
    sheet.append(safe_row(table.headers))
    for row in table.rows:
        sheet.append(safe_row(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
