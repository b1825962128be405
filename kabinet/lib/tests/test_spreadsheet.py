"""Exported CSV and XLSX cells cannot run as formulas (issue 10, item 9)."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kabinet.billing.models import Service
from kabinet.lib.spreadsheet import safe_cell
from kabinet.meters.models import Meter
from kabinet.meters.tests.test_export import export, send

PAYLOADS = ["=HYPERLINK(\"http://evil.example\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


@pytest.mark.parametrize("text", PAYLOADS)
def test_it_makes_a_formula_inert(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["-100.00", "+7", "12,5", "Отопление", "", None, 5])
def test_it_leaves_numbers_and_plain_text_alone(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_neutralises_formulas_in_the_residents_reports(client, world, fmt):
    Service.objects.filter(organisation=world.org).update(name=PAYLOADS[0])
    client.force_login(world.holder)
    url = reverse("report", args=[world.account.pk, "charges"])
    response = client.get(url, {"format": fmt, "since": "2024-01-01"})
    assert response.status_code == 200
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        names = [row[1] for row in rows[1:]]
    else:
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        cells = [row[1] for row in sheet.iter_rows(min_row=2)]
        assert all(cell.data_type == "s" for cell in cells)
        names = [str(cell.value) for cell in cells]
    assert names and set(names) == {"'" + PAYLOADS[0]}


def test_it_neutralises_formulas_in_export_readings(world):
    Meter.objects.filter(external_id="M-1").update(serial_number="=1+2")
    send(world, "2025-02-20 10:00:00", M_1=["130"])
    line = export("--org", "uk", "--period", "2025-02").splitlines()[1]
    assert line.split(";")[2] == "'=1+2"
