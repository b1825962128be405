"""ЕПД rendering throughput on one core, against a trivial PDF from the same library.

    make bench                      # runs this after the import bench
    .venv/bin/python bench/epd.py --documents 600 --repeat 3

Renders N payment documents of the full standard form (payer, payee and settlement agent,
8 services with a recalculation footnote and an excess, a penalty, «Итого», 4 meter rows,
«Справочная информация», the instalment block, the amount in words, the QR code; text drawn
visibly) one after another in one process (one thread, so one core at a time), and N one-line
PDFs with the same ReportLab and the same DejaVu font as the baseline. Prints documents per second
of CPU time for both (each run and the median of the runs) and the ratio. SPEC 4's bar: at least
80 ЕПД per second per core; the verdict is on the median, never on a lucky run. The data is built
in memory: this measures rendering, which is where the time goes; the reads behind one document
are a few indexed queries.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

SERVICES = [
    ("Холодное водоснабжение", "м3", "meter"),
    ("Горячее водоснабжение", "м3", "meter"),
    ("Водоотведение", "м3", "meter"),
    ("Электроэнергия", "кВт·ч", "meter"),
    ("Отопление", "Гкал", "norm"),
    ("Содержание жилого помещения", "м2", "norm"),
    ("Обращение с ТКО", "чел", "norm"),
    ("Электроэнергия на ОДН", "кВт·ч", "common_meter"),
]


def documents(count: int):  # type: ignore[no-untyped-def]
    from kabinet.billing.epd import Epd, MeterRow
    from kabinet.billing.models import Charge, Period, PersonalAccount, Service
    from kabinet.billing.selectors import Month
    from kabinet.orgs.models import Organisation

    org = Organisation(
        pk=1, code="bench", name="ООО «УК Бенчмарк»", inn="7707083893", kpp="540601001",
        bank_name="Сибирский банк ПАО Сбербанк", bik="045004641",
        account="40702810944050000001", corr_account="30101810500000000641",
        address="г. Новосибирск, ул. Ленина, д. 1", phone="+7 (383) 000-00-00",
        agent_name="АО «Единый расчётный центр»", agent_inn="5406012341", agent_kpp="540601001",
        agent_bank_name="Сибирский банк ПАО Сбербанк", agent_bik="045004641",
        agent_account="40702810944050012345", agent_corr_account="30101810500000000641",
        agent_contacts="тел. 8-800-000-00-00, сайт erc.example",
    )
    period = Period(pk=1, organisation=org, month=datetime.date(2025, 1, 1), is_published=True)
    services = [Service(pk=i, organisation=org, code=f"s{i}", name=n) for i, (n, _u, _b) in enumerate(SERVICES)]
    penalty = Service(pk=99, organisation=org, code="peni", name="Пени")
    for i in range(count):
        account = PersonalAccount(
            pk=i + 1, organisation=org, number=f"{5400000000 + i}",
            owner_name=f"Иванов{i % 97} Иван Иванович", address=f"г. Новосибирск, ул. Мира, д. {i % 300}",
            apartment=str(i % 120 + 1), area=Decimal("54.30"), residents=2, els="80РС558347",
            rooms=2, house_area=Decimal("4402.00"), common_area=Decimal("498.60"),
        )
        month = Month(account.pk, period)
        for j, (service, (_name, unit, basis)) in enumerate(zip(services, SERVICES, strict=True)):
            charged = Decimal((i * 7 + j * 13) % 5000) + Decimal("0.45")
            month.services.append(
                Charge(
                    account=account, period=period, service=service, unit=unit,
                    norm=Decimal("1.5"), tariff=Decimal(f"{35 + j}.27"), volume=Decimal("3.25"),
                    volume_basis=basis, debt_start=Decimal("100.00"), charged=charged,
                    recalculation=Decimal("-12.50") if (i + j) % 17 == 0 else Decimal("0"),
                    recalculation_reason="Отсутствие" if (i + j) % 17 == 0 else "",
                    paid=Decimal("100.00"), to_pay=charged,
                    excess=Decimal("4.15") if j == 1 else None,
                    instalment_amount=Decimal("300.00") if j == 4 else None,
                    instalment_rate=Decimal("5.5") if j == 4 else None,
                    instalment_interest=Decimal("16.50") if j == 4 else None,
                )
            )
        month.penalties.append(
            Charge(account=account, period=period, service=penalty, kind="penalty",
                   charged=Decimal("1.20"), to_pay=Decimal("1.20"))
        )
        meters = [
            MeterRow("Холодное водоснабжение", "123456", "м3", Decimal("120"), Decimal("123.456")),
            MeterRow("Горячее водоснабжение", "654321", "м3", Decimal("80"), Decimal("82.1")),
            MeterRow("Электроэнергия (Т1)", "E-77", "кВт·ч", Decimal("1000.5"), Decimal("1100.5")),
            MeterRow("Электроэнергия (Т2)", "E-77", "кВт·ч", Decimal("400.2"), Decimal("450")),
        ]
        yield Epd(account, org, month, meters)


def trivial_pdf(i: int) -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    from kabinet.billing.epd import FONT, register_fonts

    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=True)
    canvas.setFont(FONT, 12)
    canvas.drawString(72, 720, f"Лицевой счёт {5400000000 + i}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


BAR = 80.0  # SPEC 4: ЕПД per second per core


def rate(work, count: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Documents per second of wall time and per second of this process's CPU time.

    The CPU figure is what "per core" means and holds on a busy machine; the wall figure is
    what one worker process would see here and now.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    work(count)
    return count / (time.perf_counter() - wall), count / (time.process_time() - cpu)


def verdict(median: float, bar: float = BAR) -> str:
    """«met» only when the median reaches the bar."""
    return "met" if median >= bar else "NOT MET"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from kabinet.billing.epd import render_epd

    docs = list(documents(args.documents))
    sizes: list[int] = []

    def render_all(count: int) -> None:
        sizes[:] = [len(render_epd(doc)) for doc in docs[:count]]

    def render_trivial(count: int) -> None:
        for i in range(count):
            trivial_pdf(i)

    render_all(10)  # fonts and imports loaded before timing
    render_trivial(10)
    epd_rates, base_rates = [], []
    for _ in range(args.repeat):
        base_rates.append(rate(render_trivial, args.documents))
        epd_rates.append(rate(render_all, args.documents))
    epd_wall = statistics.median(r[0] for r in epd_rates)
    epd_cpu = statistics.median(r[1] for r in epd_rates)
    base_wall = statistics.median(r[0] for r in base_rates)
    base_cpu = statistics.median(r[1] for r in base_rates)
    runs = ", ".join(f"{r[1]:.1f}" for r in epd_rates)
    print(f"ЕПД rendering in one process (one core), {args.documents} documents × {args.repeat} runs")
    print("                                                  per CPU second   per wall second  (medians)")
    print(f"  baseline (one-line PDF, same library and font): {base_cpu:10.1f}       {base_wall:10.1f}")
    print(f"  ЕПД (full form: 8 services, penalty, meters, QR):{epd_cpu:10.1f}       {epd_wall:10.1f}"
          f"   (median size {statistics.median(sizes) / 1024:.0f} KiB)")
    print(f"  ЕПД per CPU second, each run: {runs}")
    print(f"  ratio ЕПД/baseline (CPU): {epd_cpu / base_cpu:.2f}")
    print(f"  SPEC 4 bar {BAR:.0f} documents per second per core: {verdict(epd_cpu)} "
          f"(median {epd_cpu:.1f})")


if __name__ == "__main__":
    main()
