"""The ЕПД as a person and a bank app see it: the page rendered to an image and looked at word by
word, text extracted with pdftotext, the QR read back by zbar."""

import datetime
import re
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from PIL import Image
from pyzbar.pyzbar import ZBarSymbol, decode

from kabinet.billing.epd import Epd, epd_for, qr_payload, render_epd
from kabinet.billing.models import Charge, Period, Service
from kabinet.meters.models import Meter, Reading

JANUARY = datetime.date(2025, 1, 1)


def document(account) -> Epd:  # type: ignore[no-untyped-def]
    epd = epd_for(account, JANUARY)
    assert epd is not None
    return epd

EXPECTED_QR = (
    "ST00012|Name=УК uk|PersonalAcc=40702810944050000001|BankName=Сибирский банк ПАО Сбербанк"
    "|BIC=045004641|CorrespAcc=30101810500000000641|PayeeINN=7707083893|KPP=540601001"
    "|Sum=118264|Purpose=Оплата ЖКУ за 01.2025, л/с 1001|PersAcc=1001|PaymPeriod=012025"
    "|LastName=Иванов|PayerAddress=г. Новосибирск, ул. Ленина, д. 1, кв. 5|TechCode=02"
)


@pytest.fixture
def account(world):
    """Account 1001 with three services, a recalculation, a privilege, a penalty and a meter
    with two readings in January 2025."""
    org, account = world.org, world.account
    period = Period.objects.get(organisation=org, month=JANUARY)
    gvs = Service.objects.create(organisation=org, code="gvs", name="Горячее водоснабжение")
    el = Service.objects.create(organisation=org, code="el", name="Электроснабжение")
    Charge.objects.create(
        account=account, period=period, service=gvs, unit="м3", tariff=Decimal("116.52"),
        volume=Decimal("4"), volume_basis="norm", charged=Decimal("466.08"),
        recalculation=Decimal("-20.00"), recalculation_reason="Отсутствие потребителя",
        to_pay=Decimal("446.08"),
    )
    Charge.objects.create(
        account=account, period=period, service=el, unit="кВт·ч", tariff=Decimal("1.95"),
        volume=Decimal("400"), volume_basis="meter", charged=Decimal("780.00"),
        privilege=Decimal("80.00"), to_pay=Decimal("700.00"),
    )
    Reading.objects.create(
        meter=Meter.objects.get(external_id="M-1"), reading_date=datetime.date(2024, 12, 20),
        value1=Decimal("120"),
    )
    return account


def test_it_builds_the_gost_payment_string(account) -> None:
    assert qr_payload(document(account)) == EXPECTED_QR


def test_it_has_no_document_for_an_unpublished_period(account) -> None:
    Period.objects.filter(month=JANUARY).update(is_published=False)
    assert epd_for(account, JANUARY) is None
    assert epd_for(account, datetime.date(2024, 12, 1)) is None


def test_it_renders_a_pdf_whose_text_has_every_section(account, tmp_path: Path) -> None:
    pdf = tmp_path / "epd.pdf"
    pdf.write_bytes(render_epd(document(account)))

    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    lines = text.splitlines()

    def line_with(*parts: str) -> str:
        found = [line for line in lines if all(part in line for part in parts)]
        assert found, f"no line with {parts} in:\n{text}"
        return found[0]

    assert "ЕДИНЫЙ ПЛАТЁЖНЫЙ ДОКУМЕНТ" in text
    assert "за Январь 2025" in text
    line_with("УК uk")
    line_with("ИНН 7707083893", "КПП 540601001")
    line_with("Р/с 40702810944050000001", "Сибирский банк ПАО Сбербанк")
    line_with("БИК 045004641", "К/с 30101810500000000641")
    line_with("Иванов Иван Иванович")
    line_with("г. Новосибирск, ул. Ленина, д. 1, кв. 5")
    line_with("Лицевой счёт: 1001", "ЕЛС: 80РС558347")
    line_with("Площадь: 54,3 м²", "Количество проживающих: 2")
    # Each service row: name, volume with its basis note, charged and to pay.
    line_with("Холодное водоснабжение", "3 (1)", "45,12", "135,36", "100,00")
    line_with("Горячее водоснабжение", "4 (2)", "116,52", "466,08", "-20,00 (1)", "446,08")
    line_with("Электроснабжение", "400 (1)", "1,95", "780,00", "80,00", "700,00")
    line_with("Итого по услугам:", "1 381,44", "1 281,44")
    # Penalties on their own line, after the services total, then «Итого» with both.
    line_with("Пени", "1,20")
    assert text.index("Итого по услугам:") < text.index("Пени (ЖК РФ") < text.index("Итого:")
    line_with("Итого:", "1 282,64")
    # The payment of 05.02.2025 came after the period: the amount due counts it once.
    line_with("Оплачено после окончания расчётного периода", "100,00")
    line_with("Итого к оплате: 1 182,64 руб.")
    line_with("Одна тысяча сто восемьдесят два рубля 64 копейки")
    line_with("(1) Отсутствие потребителя")
    # Meters: previous, current, consumption.
    line_with("Холодное водоснабжение", "123456", "120", "123,456", "3,456 м3")


def test_it_prints_a_qr_code_that_zbar_reads_back_exactly(account, tmp_path: Path) -> None:
    pdf = tmp_path / "epd.pdf"
    pdf.write_bytes(render_epd(document(account)))

    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-singlefile", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    symbols = decode(Image.open(tmp_path / "page.png"), symbols=[ZBarSymbol.QRCODE])

    assert [symbol.data.decode("utf-8") for symbol in symbols] == [EXPECTED_QR]


def test_it_keeps_separators_out_of_the_values(account) -> None:
    account.owner_name = "Иванов|Sum=1 Иван"
    account.address = "ул. Ленина|д. 1"

    payload = qr_payload(document(account))

    keys = [part.split("=", 1)[0] for part in payload.split("|")]
    assert keys == [
        "ST00012", "Name", "PersonalAcc", "BankName", "BIC", "CorrespAcc", "PayeeINN", "KPP",
        "Sum", "Purpose", "PersAcc", "PaymPeriod", "LastName", "PayerAddress", "TechCode",
    ]
    assert "|PayerAddress=ул. Ленина д. 1, кв. 5|" in payload


# --- what a person sees ------------------------------------------------------------------------


def page_words(pdf: Path, page: int = 1) -> list[tuple[str, float, float, float, float]]:
    """(word, xMin, yMin, xMax, yMax) in points from the top-left, from the text layer."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True, text=True, check=True,
    ).stdout
    pattern = re.compile(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    )
    return [
        (unescape(m[5]), float(m[1]), float(m[2]), float(m[3]), float(m[4]))
        for m in pattern.finditer(html)
    ]


def drawn_dark_on_light(image: Image.Image, box: tuple[float, float, float, float], dpi: int) -> bool:
    """Inside the word's box some pixels are dark (the glyphs) and most are light (the paper)."""
    scale = dpi / 72
    x0, y0, x1, y1 = (round(v * scale) for v in box)
    pixels = image.crop((x0, y0, max(x1, x0 + 1), max(y1, y0 + 1))).tobytes()
    dark = sum(1 for p in pixels if p < 100)
    light = sum(1 for p in pixels if p > 200)
    return dark >= max(3, len(pixels) // 50) and light > len(pixels) // 2


def test_it_draws_the_words_dark_on_light_where_a_person_reads_them(account, tmp_path: Path) -> None:
    pdf = tmp_path / "epd.pdf"
    pdf.write_bytes(render_epd(document(account)))
    dpi = 100
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-gray", "-png", "-f", "1", "-singlefile", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    image = Image.open(tmp_path / "page.png").convert("L")
    words = page_words(pdf)

    wanted = {
        "Иванов": "the payer's surname",
        "1001": "the account number",
        "Электроснабжение": "a service name",
        "uk": "the payee's name («УК uk»)",
        "Итого:": "the total",
    }
    for word, what in wanted.items():
        boxes = [w[1:] for w in words if w[0] == word]
        assert boxes, f"{what}: «{word}» is not in the text layer"
        assert any(drawn_dark_on_light(image, box, dpi) for box in boxes), (
            f"{what}: «{word}» is in the text layer but not drawn dark on light"
        )


def test_it_tells_invisible_text_apart(account, tmp_path: Path) -> None:
    """The check above is not blind: a word drawn white on white fails it."""
    from reportlab.pdfgen.canvas import Canvas

    from kabinet.billing.epd import FONT, register_fonts

    register_fonts()
    pdf = tmp_path / "white.pdf"
    canvas = Canvas(str(pdf))
    canvas.setFont(FONT, 12)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.drawString(72, 700, "Невидимка")
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawString(72, 650, "Видимый")
    canvas.save()
    subprocess.run(["pdftoppm", "-r", "100", "-gray", "-png", "-singlefile", str(pdf), str(tmp_path / "w")], check=True)
    image = Image.open(tmp_path / "w.png").convert("L")
    boxes = {w[0]: w[1:] for w in page_words(pdf)}

    assert not drawn_dark_on_light(image, boxes["Невидимка"], 100)
    assert drawn_dark_on_light(image, boxes["Видимый"], 100)


def test_it_continues_a_long_table_on_the_next_page_under_its_header(account, tmp_path: Path) -> None:
    period = Period.objects.get(organisation=account.organisation, month=JANUARY)
    for n in range(1, 38):  # 3 services already: 40 in all
        service = Service.objects.create(
            organisation=account.organisation, code=f"x{n}", name=f"Дополнительная услуга № {n}"
        )
        Charge.objects.create(
            account=account, period=period, service=service, unit="шт", tariff=Decimal("10"),
            volume=Decimal("1"), volume_basis="norm", charged=Decimal("10.00"), to_pay=Decimal("10.00"),
        )
    pdf = tmp_path / "epd.pdf"
    pdf.write_bytes(render_epd(document(account)))

    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+2$", info, re.M)

    def page_text(n: int) -> str:
        return subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
            capture_output=True, text=True, check=True,
        ).stdout

    first, second = page_text(1), page_text(2)
    assert "Дополнительная услуга № 1 " in first
    assert "(продолжение)" in second and "лицевой счёт 1001" in second
    # The header of the charges table again, above the rows that continue it.
    header = second.index("Вид услуги")
    assert "Итого к оплате, руб." in second
    assert header < second.index("Дополнительная услуга № 37")
    assert "Дополнительная услуга № 37" not in first
    assert "Итого по услугам:" in second and "1 751,44" in second
    assert "Страница 2" in second


def test_it_prints_the_settlement_agent_rooms_reference_and_instalment_where_given(
    account, tmp_path: Path
) -> None:
    org = account.organisation
    org.agent_name = "АО «Расчётный центр»"
    org.agent_inn = "5406012341"
    org.agent_account = "40702810944050012345"
    org.agent_bank_name = "Сибирский банк ПАО Сбербанк"
    org.agent_contacts = "тел. 8-800-000-00-00"
    org.save()
    account.rooms = 3
    account.house_area = Decimal("4402.00")
    account.common_area = Decimal("498.60")
    account.save()
    Charge.objects.filter(account=account, service__code="gvs").update(
        excess=Decimal("12.34"), instalment_amount=Decimal("300.00"),
        instalment_rate=Decimal("5.5"), instalment_interest=Decimal("16.50"),
    )
    pdf = tmp_path / "epd.pdf"
    pdf.write_bytes(render_epd(document(account)))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout

    assert "Платёжный агент (расчётный центр):" in text and "АО «Расчётный центр»" in text
    assert "Количество комнат: 3" in text
    assert "Справочная информация" in text
    assert "мест общего пользования: 498,6 м²" in text and "жилых и нежилых помещений: 4402 м²" in text
    assert "Расчёт суммы к оплате с учётом рассрочки платежа" in text
    assert re.search(r"Горячее водоснабжение\s+300,00\s+5,5\s+16,50\s+316,50", text)
    assert re.search(r"Горячее водоснабжение.*12,34.*-20,00 \(1\)", text)


def test_it_leaves_out_blocks_without_data(account, tmp_path: Path) -> None:
    pdf = tmp_path / "epd.pdf"
    pdf.write_bytes(render_epd(document(account)))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout

    assert "Платёжный агент" not in text
    assert "Справочная информация" not in text
    assert "рассрочки" not in text


def test_it_renders_documents_in_eight_threads_at_once(account) -> None:
    """ReportLab's font object is shared by every document: concurrent renders must not trip
    over each other (issue 16: one 500 in 821 concurrent downloads under gthread workers)."""
    epd = document(account)
    expected = render_epd(epd)  # invariant=True: the same data gives the same bytes
    barrier = threading.Barrier(8)
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible

    def work(_n: int) -> list[bytes]:
        barrier.wait()
        return [render_epd(epd) for _ in range(12)]

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = [pdf for batch in pool.map(work, range(8)) for pdf in batch]
    finally:
        sys.setswitchinterval(switch)

    assert len(results) == 96
    assert all(pdf == expected for pdf in results)
