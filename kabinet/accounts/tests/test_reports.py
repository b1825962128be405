"""Reports: payment, charge and reading history on screen, as CSV and as XLSX."""

import datetime
import io
from decimal import Decimal

from django.test import Client
from openpyxl import load_workbook
from pytest_django.asserts import assertContains, assertNotContains

from kabinet.accounts.tests.builders import history
from kabinet.billing.models import BillingPayment


def test_it_shows_the_payment_history(client: Client, world) -> None:
    BillingPayment.objects.create(
        organisation=world.org, account=world.account, external_id="P-9",
        paid_on=datetime.date(2024, 3, 1), amount=Decimal("42.00"), channel="Касса",
    )
    client.force_login(world.holder)
    url = f"/reports/{world.account.pk}/payments/"

    response = client.get(url)
    assertContains(response, "05.02.2025")
    assertContains(response, "100,00")
    assertContains(response, "Сбербанк")
    assertContains(response, "42,00")

    ranged = client.get(url, {"since": "2025-01-01", "until": "2025-12-31"})
    assertContains(ranged, "100,00")
    assertNotContains(ranged, "42,00")


def test_it_downloads_csv(client: Client, world) -> None:
    client.force_login(world.holder)

    response = client.get(f"/reports/{world.account.pk}/payments/", {"format": "csv"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="payments-1001.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert text.splitlines() == ["Дата;Сумма, руб.;Где оплачено", "05.02.2025;100.00;Сбербанк"]


def test_it_downloads_xlsx(client: Client, world) -> None:
    client.force_login(world.holder)

    response = client.get(f"/reports/{world.account.pk}/readings/", {"format": "xlsx"})

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:4] == ["Дата", "Услуга", "№ счётчика", "Показание (Т1)"]
    assert {(r[2], r[3], r[7]) for r in rows[1:]} == {
        ("123456", 123.456, "Принято к начислению"),
        ("E-77", 1000.5, "Принято к начислению"),
    }


def test_it_reports_the_last_six_months_of_charges_by_default(client: Client, world) -> None:
    [account] = history(world.org, world.holder, accounts=1, months=9, first=datetime.date(2024, 4, 1))
    client.force_login(world.holder)
    url = f"/reports/{account.pk}/charges/"

    response = client.get(url, {"format": "csv"})
    periods = {line.split(";")[0] for line in response.content.decode("utf-8-sig").splitlines()[1:]}
    assert periods == {"07.2024", "08.2024", "09.2024", "10.2024", "11.2024", "12.2024"}

    everything = client.get(url, {"since": "2024-01-01", "until": "2024-12-31", "format": "csv"})
    lines = everything.content.decode("utf-8-sig").splitlines()[1:]
    assert len({line.split(";")[0] for line in lines}) == 9


def test_it_shows_the_reading_history_on_screen(client: Client, world) -> None:
    client.force_login(world.member)
    response = client.get(f"/reports/{world.account.pk}/readings/")
    assertContains(response, "Показания приборов учёта")
    assertContains(response, "123,456")
    assertContains(response, "E-77")
    assertContains(response, "Скачать XLSX")
