"""The payment document (ЕПД) of one account for one published period, as a PDF.

The layout follows the «единый платёжный документ» of seed 002 fig. 26 as far as the billing data
carries it: payee requisites, payer and address, the per-service calculation, penalties apart,
the meters table, totals in figures and words, and the ГОСТ Р 56042-2014 payment QR (SPEC 3.4).
Drawn straight on a ReportLab canvas (no flowables) with DejaVu Sans, so the Cyrillic text is
extractable and one document takes a few milliseconds.
"""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from kabinet.billing.models import ZERO, Charge, PersonalAccount
from kabinet.billing.numwords import rubles_in_words
from kabinet.billing.qr import qr_matrix
from kabinet.billing.selectors import Month, account_month, next_month
from kabinet.meters.models import Meter, Reading
from kabinet.orgs.models import Organisation

FONT_DIR = getattr(settings, "EPD_FONT_DIR", "/usr/share/fonts/truetype/dejavu")
FONT = "DejaVuSans"

MONTHS = (
    "Январь",
    "Февраль",
    "Март",
    "Апрель",
    "Май",
    "Июнь",
    "Июль",
    "Август",
    "Сентябрь",
    "Октябрь",
    "Ноябрь",
    "Декабрь",
)
# Footnote numbers of the volume basis, as on the printed ЕПД.
BASIS_NOTE = {
    Charge.Basis.METER: 1,
    Charge.Basis.NORM: 2,
    Charge.Basis.COMMON_METER: 3,
    Charge.Basis.AVERAGE: 4,
}


@cache
def register_fonts() -> None:
    pdfmetrics.registerFont(TTFont(FONT, f"{FONT_DIR}/DejaVuSans.ttf"))


def month_name(month: datetime.date) -> str:
    return f"{MONTHS[month.month - 1]} {month.year}"


def rub(value: Decimal | None) -> str:
    """1234.5 -> «1 234,50»."""
    if value is None:
        return ""
    return f"{value:,.2f}".replace(",", " ").replace(".", ",")


def num(value: Decimal | None) -> str:
    """A volume, norm or tariff without trailing zeros: 3.000000 -> «3», 45.120000 -> «45,12»."""
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


def surname(owner_name: str) -> str:
    return owner_name.split()[0] if owner_name.split() else ""


@dataclass
class MeterRow:
    name: str
    serial: str
    unit: str
    previous: Decimal | None
    current: Decimal | None

    @property
    def consumption(self) -> Decimal | None:
        if self.previous is None or self.current is None:
            return None
        return self.current - self.previous


@dataclass
class Epd:
    account: PersonalAccount
    organisation: Organisation
    month: Month
    meters: list[MeterRow]

    @property
    def period(self) -> datetime.date:
        return self.month.period.month

    @property
    def total(self) -> Decimal:
        """What the payer is asked to pay: services and penalties, never below zero."""
        return max(self.month.total_to_pay, ZERO)


def meter_rows(account: PersonalAccount, period: datetime.date) -> list[MeterRow]:
    """Each meter zone with its last two readings up to the end of the period."""
    end = next_month(period)
    rows = []
    meters = list(Meter.objects.filter(account=account).select_related("service"))
    readings: dict[int, list[Reading]] = {}
    # Only the two readings the document shows per meter, not the whole history.
    newest = Window(RowNumber(), partition_by=[F("meter_id")], order_by=F("reading_date").desc())
    shown = (
        Reading.objects.filter(meter_id__in=[m.pk for m in meters], reading_date__lt=end)
        .annotate(rank=newest)
        .filter(rank__lte=2)
        .order_by("meter_id", "-reading_date")
    )
    for reading in shown:
        readings.setdefault(reading.meter_id, []).append(reading)
    for meter in meters:
        latest = readings.get(meter.pk, [])[:2]
        name = meter.service.name if meter.service else meter.get_resource_display()
        for zone in range(1, meter.zones + 1):
            values = [getattr(r, f"value{zone}") for r in latest]
            label = name if meter.zones == 1 else f"{name} (Т{zone})"
            rows.append(
                MeterRow(
                    label,
                    meter.serial_number,
                    meter.unit,
                    previous=values[1] if len(values) > 1 else None,
                    current=values[0] if values else None,
                )
            )
    return rows


def epd_for(account: PersonalAccount, period: datetime.date) -> Epd | None:
    """The document's data, or None when the period is not published for this account."""
    month = account_month(account, period)
    if month is None:
        return None
    return Epd(account, account.organisation, month, meter_rows(account, period))


def _field(value: str) -> str:
    # '|' separates fields and '=' names them: neither may appear inside a value.
    return " ".join(value.replace("|", " ").split())


def qr_payload(epd: Epd) -> str:
    """The ГОСТ Р 56042-2014 string, fields in the SPEC 3.4 order."""
    org, account = epd.organisation, epd.account
    fields = [
        ("Name", org.name),
        ("PersonalAcc", org.account),
        ("BankName", org.bank_name),
        ("BIC", org.bik),
        ("CorrespAcc", org.corr_account or "0"),
        ("PayeeINN", org.inn),
        ("KPP", org.kpp),
        ("Sum", str(int(epd.total * 100))),
        ("Purpose", f"Оплата ЖКУ за {epd.period:%m.%Y}, л/с {account.number}"),
        ("PersAcc", account.number),
        ("PaymPeriod", f"{epd.period:%m%Y}"),
        ("LastName", surname(account.owner_name)),
        ("PayerAddress", payer_address(account)),
        ("TechCode", "02"),
    ]
    return "|".join(["ST00012"] + [f"{key}={_field(value)}" for key, value in fields if value])


def payer_address(account: PersonalAccount) -> str:
    if account.apartment:
        return f"{account.address}, кв. {account.apartment}"
    return account.address


# --- drawing ---------------------------------------------------------------------------------

PAGE_W, PAGE_H = landscape(A4)
MARGIN = 28
COLUMNS = (
    # title, width, align
    ("Вид услуг", 150, "l"),
    ("Ед. изм.", 40, "c"),
    ("Норматив", 52, "r"),
    ("Объём*", 62, "r"),
    ("Тариф, руб.", 56, "r"),
    ("Начислено, руб.", 64, "r"),
    ("Перерасчёт, руб.**", 64, "r"),
    ("Льготы/ субсидии, руб.", 56, "r"),
    ("Долг/аванс на начало (+/-), руб.", 68, "r"),
    ("Оплачено, руб.", 56, "r"),
    ("К оплате, руб.", 64, "r"),
)


def write(
    canvas: Canvas, x: float, y: float, text: str, size: float, bold: bool = False, align: str = "l"
) -> None:
    """Text in the one embedded font; bold is the same glyphs filled and stroked, which saves
    embedding a second font in every document (a third of the rendering time)."""
    canvas.setFont(FONT, size)
    mode = None
    if bold:
        canvas.setLineWidth(size * 0.045)
        mode = 2
    if align == "r":
        canvas.drawRightString(x, y, text, mode=mode)
    elif align == "c":
        canvas.drawCentredString(x, y, text, mode=mode)
    else:
        canvas.drawString(x, y, text, mode=mode)


class Page:
    def __init__(self, canvas: Canvas) -> None:
        self.c = canvas
        self.y = PAGE_H - MARGIN

    def text(self, x: float, text: str, size: float = 8, bold: bool = False) -> None:
        write(self.c, x, self.y, text, size, bold)

    def line(self, text: str, size: float = 8, bold: bool = False, gap: float = 1.35) -> None:
        self.text(MARGIN, text, size, bold)
        self.y -= size * gap

    def cell(self, x: float, width: float, text: str, align: str, size: float, bold: bool) -> None:
        if align == "r":
            write(self.c, x + width - 2, self.y, text, size, bold, "r")
        elif align == "c":
            write(self.c, x + width / 2, self.y, text, size, bold, "c")
        else:
            write(self.c, x + 2, self.y, text[:34], size, bold)

    def row(self, cells: list[str], size: float = 7, bold: bool = False) -> None:
        x = MARGIN
        for (_title, width, align), text in zip(COLUMNS, cells, strict=True):
            self.cell(x, width, text, align, size, bold)
            x += width
        self.c.setLineWidth(0.3)
        self.c.line(MARGIN, self.y - 3, MARGIN + sum(w for _t, w, _a in COLUMNS), self.y - 3)
        self.y -= size * 1.7

    def header_row(self) -> None:
        x = MARGIN
        size = 6
        for title, width, _align in COLUMNS:
            words, lines, current = title.split(), [], ""
            for word in words:
                candidate = f"{current} {word}".strip()
                if pdfmetrics.stringWidth(candidate, FONT, size) > width - 4 and current:
                    lines.append(current)
                    current = word
                else:
                    current = candidate
            lines.append(current)
            for i, text in enumerate(lines[:3]):
                write(self.c, x + width / 2, self.y - i * (size + 1), text, size, True, "c")
            x += width
        self.y -= 3 * (size + 1)
        self.c.setLineWidth(0.3)
        self.c.line(MARGIN, self.y, MARGIN + sum(w for _t, w, _a in COLUMNS), self.y)
        self.y -= 9


def _charge_cells(charge: Charge) -> list[str]:
    volume = num(charge.volume)
    if volume and charge.volume_basis:
        volume = f"{volume} ({BASIS_NOTE[Charge.Basis(charge.volume_basis)]})"
    return [
        charge.service.name,
        charge.unit,
        num(charge.norm),
        volume,
        num(charge.tariff),
        rub(charge.charged),
        rub(charge.recalculation) if charge.recalculation else "",
        rub(charge.privilege) if charge.privilege else "",
        rub(charge.debt_start),
        rub(charge.paid),
        rub(charge.to_pay),
    ]


DARK_RUN = re.compile("1+")


def draw_qr(canvas: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """The QR code as vector squares, one rectangle per horizontal run of dark modules.

    Drawn in module units under a transform, as raw path operators: thousands of rectangles
    through the path API would cost more than the rest of the page.
    """
    matrix = qr_matrix(payload)
    quiet = 4  # modules of white around the code, which readers need
    count = len(matrix) + 2 * quiet
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    module = size / count
    # Origin at the top-left module, y growing downwards.
    canvas.transform(module, 0, 0, -module, x + quiet * module, y + size - quiet * module)
    ops: list[str] = []
    for r, row in enumerate(matrix):
        line = "".join("1" if v else "0" for v in row)
        ops.extend(f"{m.start()} {r} {m.end() - m.start()} 1 re" for m in DARK_RUN.finditer(line))
    canvas.addLiteral("\n".join(ops) + "\nf")
    canvas.restoreState()


def render_epd(epd: Epd) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_W, PAGE_H), invariant=True)
    org, account, month = epd.organisation, epd.account, epd.month
    canvas.setTitle(f"ЕПД {account.number} {epd.period:%m.%Y}")
    canvas.setAuthor(org.name)
    page = Page(canvas)

    qr_size = 150
    draw_qr(canvas, qr_payload(epd), PAGE_W - MARGIN - qr_size, PAGE_H - MARGIN - qr_size, qr_size)

    page.line("ЕДИНЫЙ ПЛАТЁЖНЫЙ ДОКУМЕНТ", 13, bold=True)
    page.line(f"за {month_name(epd.period)}", 11, bold=True, gap=1.8)

    page.line("Получатель платежа:", 8, bold=True)
    page.line(org.name)
    page.line(f"ИНН {org.inn}" + (f"  КПП {org.kpp}" if org.kpp else ""))
    page.line(f"Р/с {org.account}  в {org.bank_name}")
    page.line(f"БИК {org.bik}  К/с {org.corr_account}")
    contacts = ", ".join(part for part in (org.address, f"тел. {org.phone}" if org.phone else "", org.email) if part)
    if contacts:
        page.line(contacts)
    page.y -= 4

    page.line("Плательщик:", 8, bold=True)
    page.line(account.owner_name)
    page.line(f"Адрес: {payer_address(account)}")
    facts = [f"Лицевой счёт: {account.number}"]
    if account.els:
        facts.append(f"ЕЛС: {account.els}")
    if account.area is not None:
        facts.append(f"Площадь: {num(account.area)} м²")
    if account.residents is not None:
        facts.append(f"Проживающих: {account.residents}")
    page.line(";  ".join(facts))
    page.y -= 2
    page.line(f"Сумма к оплате: {rub(epd.total)} руб.", 11, bold=True)
    page.line(rubles_in_words(epd.total), 8, gap=2.2)

    page.line("Расчёт размера платы за жилищно-коммунальные услуги", 9, bold=True, gap=1.6)
    page.header_row()
    for charge in month.services:
        page.row(_charge_cells(charge))
    page.row(
        [
            "Итого:",
            "",
            "",
            "",
            "",
            rub(month.charged),
            rub(month.recalculation),
            rub(month.privilege),
            rub(month.debt_start),
            rub(month.paid),
            rub(month.to_pay),
        ],
        bold=True,
    )
    if month.penalties:
        page.y -= 4
        for charge in month.penalties:
            page.row(_charge_cells(charge))
        page.row(["Итого пени:"] + [""] * 9 + [rub(month.penalty_to_pay)], bold=True)
    page.y -= 4
    page.line(f"Всего к оплате: {rub(epd.total)} руб. ({rubles_in_words(epd.total)})", 9, bold=True)
    page.line(
        "* Объём определён исходя из: (1) показаний прибора учёта; (2) норматива потребления; "
        "(3) показаний общедомового прибора учёта; (4) среднемесячного потребления.",
        6,
    )
    reasons = [
        f"{c.service.name}: {c.recalculation_reason}"
        for c in month.services + month.penalties
        if c.recalculation and c.recalculation_reason
    ]
    page.line("** Основания перерасчёта: " + ("; ".join(reasons) if reasons else "нет"), 6, gap=2.2)

    if epd.meters:
        page.line("Показания индивидуальных приборов учёта", 9, bold=True, gap=1.6)
        columns = ((MARGIN, "Вид услуги", "l"), (MARGIN + 200, "Заводской номер", "l"),
                   (MARGIN + 390, "Предыдущие показания", "r"), (MARGIN + 500, "Текущие показания", "r"),
                   (MARGIN + 600, "Потребление", "r"))
        for x, title, align in columns:
            write(canvas, x, page.y, title, 7, True, align)
        page.y -= 11
        for meter in epd.meters:
            consumption = meter.consumption
            values = (
                meter.name,
                meter.serial,
                num(meter.previous),
                num(meter.current),
                f"{num(consumption)} {meter.unit}".strip() if consumption is not None else "",
            )
            for (x, _title, align), value in zip(columns, values, strict=True):
                write(canvas, x, page.y, value, 7, False, align)
            page.y -= 11

    canvas.setFont(FONT, 6)
    canvas.drawString(
        MARGIN, MARGIN - 10, f"Оплатить можно по QR-коду в приложении банка. Лицевой счёт {account.number}."
    )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
