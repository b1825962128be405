"""The ЕПД as a person and a bank app see it: the page rendered to an image and looked at word by
word, text extracted with pdftotext, the QR read back by zbar."""

import datetime
import subprocess
from decimal import Decimal
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
