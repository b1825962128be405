"""The payment document (ЕПД) of one account for one published period, as a PDF.

Laid out as the standard form of приказ Минстроя России № 43/пр and seed 002 fig. 26 (SPEC 2.3):
section 1 payer and payee (with the settlement agent where there is one), the amount due and the
ГОСТ Р 56042-2014 payment QR (SPEC 3.4); section 2 the charges table with penalties on their own
lines outside the services total, «Итого», footnotes for the volume basis and the numbered
recalculation reasons; section 3 the individual meters; «Справочная информация» and the
instalment block where the billing data give them. A table longer than the page continues on the
next one under its header repeated.

The amount due is the one rule of `billing.selectors.standing` (the same figure as every page).

Drawn as raw PDF operators on a ReportLab canvas with one embedded font (DejaVu Sans; bold is
the same glyphs filled and stroked), so the Cyrillic text is extractable, visible, and a document
takes a few milliseconds. Every text run sets its own fill colour: nothing drawn before it (the QR
code's white ground, a grey header) can leave the text invisible.

ReportLab keeps the font's per-document subset state in the one shared font object, which is not
safe to use from two threads at once (a gthread worker serving two downloads): rendering holds a
lock. Rendering is pure Python, so under the GIL the lock costs no parallelism.
"""

from __future__ import annotations

import datetime
import io
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import escapePDF
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from kabinet.billing.models import ZERO, Charge, PersonalAccount
from kabinet.billing.numwords import rubles_in_words
from kabinet.billing.qr import qr_matrix
from kabinet.billing.selectors import Month, Standing, month_summary, next_month, standing
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

_lock = threading.Lock()  # held while a document is drawn (see the module docstring)
_font_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    global _registered
    with _font_lock:
        if not _registered:
            pdfmetrics.registerFont(TTFont(FONT, f"{FONT_DIR}/DejaVuSans.ttf"))
            _registered = True


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
    # Payments dated after the period that no later published period holds (the one rule).
    paid_since: Decimal = ZERO

    @property
    def period(self) -> datetime.date:
        return self.month.period.month

    @property
    def standing(self) -> Standing:
        return standing(
            to_pay=self.month.to_pay,
            penalty_to_pay=self.month.penalty_to_pay,
            paid_since=self.paid_since,
        )

    @property
    def total(self) -> Decimal:
        """What the payer is asked to pay: services and penalties by the one rule, never below 0."""
        return self.standing.total_due


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
    summary = month_summary(account, period)
    if summary is None or summary.latest is None:
        return None
    return Epd(
        account,
        account.organisation,
        summary.latest,
        meter_rows(account, period),
        paid_since=summary.paid_since,
    )


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
MARGIN = 24
BOTTOM = 30  # the footer line lives below this
CONTENT_W = PAGE_W - 2 * MARGIN
HEADER_FILL = "0.9 g"  # light grey behind table headers; text on it stays black


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


class Sheet:
    """The document being drawn: raw PDF operators per page, a cursor `y`, page breaks.

    Text goes through the font's subset mapping and straight into the page's content stream:
    ReportLab's text objects cost more than the rest of the document together.
    """

    def __init__(self, canvas: Canvas, epd: Epd) -> None:
        self.canvas = canvas
        self.doc = canvas._doc
        self.font = pdfmetrics.getFont(FONT)
        self.epd = epd
        self.ops: list[str] = ["0 g 0 G"]
        self.page = 1
        self.y = PAGE_H - MARGIN
        self.repeat_header: Callable[[], None] | None = None
        self._subset_names: dict[int, str] = {}
        self._codes: dict[int, int] | None = None  # character -> code, once the font has a state

    # -- primitives --

    def width(self, text: str, size: float) -> float:
        return pdfmetrics.stringWidth(text, FONT, size)

    def text(
        self, x: float, y: float, text: str, size: float = 7, bold: bool = False, align: str = "l"
    ) -> None:
        if not text:
            return
        if align != "l":
            w = self.width(text, size)
            x -= w if align == "r" else w / 2
        mode = f"2 Tr {_fmt(size * 0.045)} w" if bold else "0 Tr"
        self.ops.append(f"BT 0 g 0 G {mode} 1 0 0 1 {x:.2f} {y:.2f} Tm {self._runs(text, size)} ET")

    def _runs(self, text: str, size: float) -> str:
        """Text operators for `text`. Characters the document has met already map straight to
        their codes in the first subset; anything else goes through ReportLab's `splitString`,
        which assigns codes (and gives the same bytes for what it has assigned)."""
        if self._codes is not None:
            try:
                chunk = bytes([self._codes[c] for c in map(ord, text)])
            except (KeyError, ValueError):  # a new character, or one past the first subset
                pass
            else:
                return f"{self._subset_names[0]} {_fmt(size)} Tf ({escapePDF(chunk)}) Tj"
        runs = []
        for subset, chunk in self.font.splitString(text, self.doc):
            name = self._subset_names.get(subset)
            if name is None:
                name = self._subset_names[subset] = self.font.getSubsetInternalName(subset, self.doc)
            runs.append(f"{name} {_fmt(size)} Tf ({escapePDF(chunk)}) Tj")
        if self._codes is None and 0 in self._subset_names:
            self._codes = self.font.state[self.doc].assignments
        return " ".join(runs)

    def fit(self, text: str, width: float, size: float) -> tuple[str, float]:
        """The text at a size that fits the width (down to 5 pt), cut with «…» if even that fails."""
        if self.width(text, size) <= width:
            return text, size
        while size > 5:
            size -= 0.5
            if self.width(text, size) <= width:
                return text, size
        while text and self.width(text + "…", size) > width:
            text = text[:-1]
        return text + "…", size

    def wrap(self, text: str, width: float, size: float) -> list[str]:
        if self.width(text, size) <= width:
            return [text]
        lines: list[str] = []
        current = ""
        for word in text.split():
            candidate = f"{current} {word}".strip()
            if current and self.width(candidate, size) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        if current:
            lines.append(current)
        return [self.fit(line, width, size)[0] for line in lines]

    def hline(self, x1: float, x2: float, y: float, width: float = 0.4) -> None:
        self.ops.append(f"{_fmt(width)} w {x1:.2f} {y:.2f} m {x2:.2f} {y:.2f} l S")

    def box(self, x: float, y: float, w: float, h: float, fill: str | None = None) -> None:
        """A rectangle with its lower-left corner at (x, y), outlined; filled light if asked."""
        if fill:
            self.ops.append(f"{fill} {x:.2f} {y:.2f} {w:.2f} {h:.2f} re f 0 g")
        self.ops.append(f"0.4 w {x:.2f} {y:.2f} {w:.2f} {h:.2f} re S")

    def line(self, text: str, size: float = 7, bold: bool = False, x: float = MARGIN, gap: float = 1.35) -> None:
        self.need(size * gap)
        self.text(x, self.y - size, text, size, bold)
        self.y -= size * gap

    def paragraph(self, text: str, size: float = 6.5, width: float = CONTENT_W, x: float = MARGIN) -> None:
        for piece in self.wrap(text, width, size):
            self.line(piece, size, x=x, gap=1.3)

    # -- pages --

    def need(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self.new_page()

    def footer(self) -> None:
        account = self.epd.account
        self.text(
            MARGIN,
            14,
            f"ЕПД за {month_name(self.epd.period)} · лицевой счёт {account.number} · "
            f"{self.epd.organisation.name}",
            6,
        )
        self.text(PAGE_W - MARGIN, 14, f"Страница {self.page}", 6, align="r")

    def flush(self) -> None:
        self.footer()
        self.canvas.addLiteral("\n".join(self.ops))
        self.canvas.showPage()
        self.ops = ["0 g 0 G"]

    def new_page(self) -> None:
        self.flush()
        self.page += 1
        self.y = PAGE_H - MARGIN
        epd = self.epd
        self.text(
            MARGIN,
            self.y - 9,
            f"ЕДИНЫЙ ПЛАТЁЖНЫЙ ДОКУМЕНТ за {month_name(epd.period)} · "
            f"лицевой счёт {epd.account.number} (продолжение)",
            9,
            bold=True,
        )
        self.y -= 20
        if self.repeat_header is not None:
            self.repeat_header()


@dataclass(frozen=True)
class Col:
    title: str
    width: float
    align: str = "r"


class Table:
    """A table with a grey header of wrapped titles, repeated on every page it runs onto."""

    def __init__(self, sheet: Sheet, columns: Sequence[Col], size: float = 6.5) -> None:
        self.sheet = sheet
        self.columns = columns
        self.size = size
        self.titles = [sheet.wrap(col.title, col.width - 4, 5.5) for col in columns]
        self.header_h = max(len(t) for t in self.titles) * 6.5 + 5
        self.total_w = sum(col.width for col in columns)
        self.top = sheet.y

    def header(self) -> None:
        s = self.sheet
        s.need(self.header_h + 12)
        top = s.y
        s.box(MARGIN, top - self.header_h, self.total_w, self.header_h, fill=HEADER_FILL)
        x: float = MARGIN
        for col, lines in zip(self.columns, self.titles, strict=True):
            if x > MARGIN:
                s.ops.append(f"0.4 w {x:.2f} {top:.2f} m {x:.2f} {top - self.header_h:.2f} l S")
            for i, text in enumerate(lines):
                s.text(x + col.width / 2, top - 7 - i * 6.5, text, 5.5, bold=True, align="c")
            x += col.width
        s.y = top - self.header_h
        self.top = top

    def rules(self) -> None:
        """The column rules and the frame of the rows drawn on this page so far."""
        s = self.sheet
        ops = ["0.3 w"]
        x: float = MARGIN
        for col in self.columns:
            ops.append(f"{x:.2f} {self.top:.2f} m {x:.2f} {s.y:.2f} l")
            x += col.width
        ops.append(f"{x:.2f} {self.top:.2f} m {x:.2f} {s.y:.2f} l S")
        s.ops.append(" ".join(ops))

    def start(self) -> None:
        self.sheet.repeat_header = self.header
        self.header()

    def end(self) -> None:
        self.rules()
        self.sheet.repeat_header = None
        self.sheet.y -= 6

    def row(self, cells: Sequence[str], bold: bool = False, wrap_first: bool = True) -> None:
        s = self.sheet
        size = self.size
        first = self.columns[0]
        lines = s.wrap(cells[0], first.width - 4, size) if wrap_first else [cells[0]]
        lines = lines[:3]
        height = len(lines) * (size + 1.5) + 4
        if s.y - height < BOTTOM:
            self.rules()
            s.new_page()
        top = s.y
        base = top - size - 2
        x: float = MARGIN
        for col, text in zip(self.columns, cells, strict=True):
            if col is first:
                for i, piece in enumerate(lines):
                    s.text(x + 2, base - i * (size + 1.5), piece, size, bold)
            elif text:
                shown, fitted = s.fit(text, col.width - 4, size)
                if col.align == "r":
                    s.text(x + col.width - 2, base, shown, fitted, bold, "r")
                elif col.align == "c":
                    s.text(x + col.width / 2, base, shown, fitted, bold, "c")
                else:
                    s.text(x + 2, base, shown, fitted, bold)
            x += col.width
        s.y = top - height
        s.hline(MARGIN, MARGIN + self.total_w, s.y, 0.3)


CHARGE_COLUMNS = (
    Col("Вид услуги", 150, "l"),
    Col("Ед. изм.", 34, "c"),
    Col("Объём*: индивид. потребление", 54),
    Col("Объём*: общедом. нужды", 50),
    Col("Норматив", 46),
    Col("Тариф, руб./ед.", 50),
    Col("Начислено по тарифу, руб.", 58),
    Col("Размер превышения платы, руб.**", 54),
    Col("Перерасчёт, руб.***", 62),
    Col("Льготы/ субсидии, руб.", 50),
    Col("Долг (+)/ аванс (−) на начало, руб.", 64),
    Col("Оплачено, руб.", 56),
    Col("Итого к оплате, руб.", 66),
)
METER_COLUMNS = (
    Col("Вид услуги", 220, "l"),
    Col("Заводской номер", 120, "l"),
    Col("Предыдущие показания", 110),
    Col("Текущие показания", 110),
    Col("Потребление", 110),
)
INSTALMENT_COLUMNS = (
    Col("Вид услуги", 220, "l"),
    Col("Сумма платы с учётом рассрочки, руб.", 130),
    Col("Проценты за рассрочку, %", 110),
    Col("Проценты за рассрочку, руб.", 110),
    Col("Сумма к оплате с учётом процентов, руб.", 130),
)


@dataclass
class Notes:
    """Numbered recalculation reasons, in order of first appearance."""

    reasons: dict[str, int] = field(default_factory=dict)

    def number(self, reason: str) -> int:
        return self.reasons.setdefault(reason, len(self.reasons) + 1)


def _charge_cells(charge: Charge, notes: Notes) -> list[str]:
    volume = num(charge.volume)
    individual = common = ""
    if volume:
        basis = charge.volume_basis
        marked = f"{volume} ({BASIS_NOTE[Charge.Basis(basis)]})" if basis else volume
        if basis == Charge.Basis.COMMON_METER:
            common = marked
        else:
            individual = marked
    recalculation = ""
    if charge.recalculation:
        recalculation = rub(charge.recalculation)
        if charge.recalculation_reason:
            recalculation += f" ({notes.number(charge.recalculation_reason)})"
    return [
        charge.service.name,
        charge.unit,
        individual,
        common,
        num(charge.norm),
        num(charge.tariff),
        rub(charge.charged),
        rub(charge.excess),
        recalculation,
        rub(charge.privilege) if charge.privilege else "",
        rub(charge.debt_start),
        rub(charge.paid),
        rub(charge.to_pay),
    ]


BITS = bytes.maketrans(b"\x00\x01", b"01")


def qr_ops(payload: str, x: float, y: float, size: float) -> str:
    """The QR code on a white square with the quiet zone readers need, as one 1-bit image mask
    (one sample per module, painted black, never smoothed: a mask is drawn as sharp squares).
    Thousands of rectangles through any path API cost more than the rest of the page."""
    matrix = qr_matrix(payload)
    quiet = 4
    n = len(matrix)
    module = size / (n + 2 * quiet)
    rows = []
    pad = b"0" * (-n % 8)
    for row in matrix:
        bits = bytes(row).translate(BITS) + pad
        rows.append(f"{int(bits, 2):0{len(bits) // 4}x}")
    side = n * module
    return (
        f"q 1 g {x:.2f} {y:.2f} {size:.2f} {size:.2f} re f 0 g "
        f"{side:.4f} 0 0 {side:.4f} {x + quiet * module:.4f} {y + quiet * module:.4f} cm\n"
        f"BI /W {n} /H {n} /IM true /BPC 1 /D [1 0] /F /AHx ID\n{''.join(rows)}>\nEI Q 0 g 0 G"
    )


def draw_qr(canvas: Canvas, payload: str, x: float, y: float, size: float) -> None:
    canvas.addLiteral(qr_ops(payload, x, y, size))


def _requisites(org: Organisation) -> list[str]:
    lines = [org.name]
    lines.append(f"ИНН {org.inn}" + (f"  КПП {org.kpp}" if org.kpp else ""))
    if org.account:
        lines.append(f"Р/с {org.account} в {org.bank_name}".strip())
    if org.bik or org.corr_account:
        lines.append(f"БИК {org.bik}  К/с {org.corr_account}".strip())
    contacts = ", ".join(
        part
        for part in (
            org.address,
            f"тел. {org.phone}" if org.phone else "",
            org.email,
            org.website,
        )
        if part
    )
    if contacts:
        lines.append(contacts)
    return lines


def _agent(org: Organisation) -> list[str]:
    if not org.agent_name:
        return []
    lines = [org.agent_name]
    if org.agent_inn:
        lines.append(f"ИНН {org.agent_inn}" + (f"  КПП {org.agent_kpp}" if org.agent_kpp else ""))
    if org.agent_account:
        lines.append(f"Р/с {org.agent_account} в {org.agent_bank_name}".strip())
    if org.agent_bik or org.agent_corr_account:
        lines.append(f"БИК {org.agent_bik}  К/с {org.agent_corr_account}".strip())
    if org.agent_contacts:
        lines.append(org.agent_contacts)
    return lines


def _section_one(s: Sheet, epd: Epd) -> None:
    org, account = epd.organisation, epd.account
    top = s.y
    qr_size = 128
    qr_x = PAGE_W - MARGIN - qr_size
    s.ops.append(qr_ops(qr_payload(epd), qr_x, top - qr_size, qr_size))
    s.text(qr_x + qr_size / 2, top - qr_size - 8, "Оплата по QR-коду в приложении банка", 5.5, align="c")

    s.text(MARGIN, top - 12, "ЕДИНЫЙ ПЛАТЁЖНЫЙ ДОКУМЕНТ", 12, bold=True)
    s.text(
        MARGIN,
        top - 24,
        f"для внесения платы за жилищно-коммунальные услуги за {month_name(epd.period)}",
        8.5,
        bold=True,
    )
    s.text(MARGIN, top - 35, "Раздел 1. Сведения о плательщике и исполнителе услуг", 7.5, bold=True)

    # Payer (left) and payee with the settlement agent (middle).
    left_w, mid_x = 290, MARGIN + 300
    mid_w = qr_x - 10 - mid_x
    y = top - 48
    s.text(MARGIN, y, "Плательщик:", 7, bold=True)
    y -= 9
    payer = [account.owner_name, f"Адрес: {payer_address(account)}"]
    ids = f"Лицевой счёт: {account.number}"
    if account.els:
        ids += f"   ЕЛС: {account.els}"
    payer.append(ids)
    facts = []
    if account.area is not None:
        facts.append(f"Площадь: {num(account.area)} м²")
    if account.rooms is not None:
        facts.append(f"Количество комнат: {account.rooms}")
    if account.residents is not None:
        facts.append(f"Количество проживающих: {account.residents}")
    if facts:
        payer.append("; ".join(facts))
    payer.append(f"Расчётный период: {month_name(epd.period)}")
    if account.contract_number:
        payer.append(f"Договор: {account.contract_number}")
    for item in payer:
        for piece in s.wrap(item, left_w, 7):
            s.text(MARGIN, y, piece, 7)
            y -= 9
    left_bottom = y

    y = top - 48
    s.text(mid_x, y, "Получатель платежа (исполнитель услуг):", 7, bold=True)
    y -= 9
    for item in _requisites(org):
        for piece in s.wrap(item, mid_w, 7):
            s.text(mid_x, y, piece, 7)
            y -= 9
    agent = _agent(org)
    if agent:
        y -= 2
        s.text(mid_x, y, "Платёжный агент (расчётный центр):", 7, bold=True)
        y -= 9
        for item in agent:
            for piece in s.wrap(item, mid_w, 7):
                s.text(mid_x, y, piece, 7)
                y -= 9
    s.y = min(left_bottom, y, top - qr_size - 14) - 4

    # The amount due, in figures and in words, in a framed band.
    band = 30
    s.box(MARGIN, s.y - band, CONTENT_W, band)
    s.text(MARGIN + 6, s.y - 12, f"Сумма к оплате: {rub(epd.total)} руб.", 10, bold=True)
    s.text(MARGIN + 6, s.y - 24, f"({rubles_in_words(epd.total)})", 7)
    due_on = next_month(epd.period).replace(day=min(org.payment_due_day, 28))
    s.text(PAGE_W - MARGIN - 6, s.y - 12, f"Оплатить до {due_on:%d.%m.%Y}", 7.5, bold=True, align="r")
    s.y -= band + 8


def _section_two(s: Sheet, epd: Epd, notes: Notes) -> None:
    month = epd.month
    s.line("Раздел 2. Расчёт размера платы за жилищно-коммунальные услуги", 7.5, bold=True, gap=1.6)
    table = Table(s, CHARGE_COLUMNS)
    table.start()
    for charge in month.services:
        table.row(_charge_cells(charge, notes))
    excess = [c.excess for c in month.services if c.excess is not None]
    table.row(
        [
            "Итого по услугам:",
            "",
            "",
            "",
            "",
            "",
            rub(month.charged),
            rub(sum(excess, ZERO)) if excess else "",
            rub(month.recalculation),
            rub(month.privilege),
            rub(month.debt_start),
            rub(month.paid),
            rub(month.to_pay),
        ],
        bold=True,
    )
    # Penalties (ЖК РФ ст. 155 ч. 14) on their own lines, outside the services total.
    for charge in month.penalties:
        cells = _charge_cells(charge, notes)
        cells[0] = f"{charge.service.name} (ЖК РФ ст. 155 ч. 14)"
        table.row(cells)
    table.row(
        ["Итого:"] + [""] * 11 + [rub(month.total_to_pay)],
        bold=True,
    )
    table.end()

    total = epd.standing
    if epd.paid_since:
        s.line(
            f"Оплачено после окончания расчётного периода (с {next_month(epd.period):%d.%m.%Y}): "
            f"{rub(epd.paid_since)} руб.",
            7,
        )
    parts = f"Итого к оплате: {rub(epd.total)} руб."
    if month.penalties:
        parts += f"  (в том числе за услуги {rub(total.due)} руб., пени {rub(total.penalty_due)} руб.)"
    s.line(parts, 8.5, bold=True, gap=1.5)
    s.line(f"Сумма прописью: {rubles_in_words(epd.total)}", 7, gap=1.6)

    s.paragraph(
        "* Объём коммунальных услуг определён исходя из: (1) показаний прибора учёта; "
        "(2) норматива потребления; (3) показаний общедомового прибора учёта; "
        "(4) среднемесячного потребления."
    )
    s.paragraph(
        "** Размер превышения платы за коммунальную услугу, рассчитанной с применением "
        "повышающего коэффициента, над размером платы, рассчитанной без его учёта."
    )
    if notes.reasons:
        listed = "; ".join(f"({n}) {reason}" for reason, n in notes.reasons.items())
        s.paragraph(f"*** Основания перерасчёта: {listed}.")
    else:
        s.paragraph("*** Основания перерасчёта: перерасчётов в этом периоде нет.")
    s.y -= 4


def _section_three(s: Sheet, epd: Epd) -> None:
    if not epd.meters:
        return
    s.need(40)
    s.line("Раздел 3. Показания индивидуальных приборов учёта", 7.5, bold=True, gap=1.6)
    table = Table(s, METER_COLUMNS)
    table.start()
    for meter in epd.meters:
        consumption = meter.consumption
        table.row(
            [
                meter.name,
                meter.serial,
                num(meter.previous),
                num(meter.current),
                f"{num(consumption)} {meter.unit}".strip() if consumption is not None else "",
            ]
        )
    table.end()


def _reference(s: Sheet, epd: Epd) -> None:
    account = epd.account
    if account.house_area is None and account.common_area is None:
        return
    s.need(24)
    s.line("Справочная информация", 7.5, bold=True, gap=1.5)
    parts = []
    if account.common_area is not None:
        parts.append(f"мест общего пользования: {num(account.common_area)} м²")
    if account.house_area is not None:
        parts.append(f"жилых и нежилых помещений: {num(account.house_area)} м²")
    s.line("Площадь дома: " + ", ".join(parts) + ".", 7, gap=1.6)


def _instalment(s: Sheet, epd: Epd) -> None:
    rows = [
        c
        for c in epd.month.services + epd.month.penalties
        if c.instalment_amount is not None or c.instalment_interest is not None
    ]
    if not rows:
        return
    s.need(40)
    s.line("Расчёт суммы к оплате с учётом рассрочки платежа", 7.5, bold=True, gap=1.6)
    table = Table(s, INSTALMENT_COLUMNS)
    table.start()
    for charge in rows:
        amount = charge.instalment_amount or ZERO
        interest = charge.instalment_interest or ZERO
        table.row(
            [
                charge.service.name,
                rub(amount),
                num(charge.instalment_rate),
                rub(interest),
                rub(amount + interest),
            ]
        )
    table.end()


def render_epd(epd: Epd) -> bytes:
    with _lock:
        register_fonts()
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pagesize=(PAGE_W, PAGE_H), invariant=True)
        canvas.setTitle(f"ЕПД {epd.account.number} {epd.period:%m.%Y}")
        canvas.setAuthor(epd.organisation.name)
        sheet = Sheet(canvas, epd)
        notes = Notes()
        _section_one(sheet, epd)
        _section_two(sheet, epd, notes)
        _section_three(sheet, epd)
        _reference(sheet, epd)
        _instalment(sheet, epd)
        sheet.flush()
        canvas.save()
        return buffer.getvalue()
