import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from kabinet.billing.imports import ImportRejected, billing_import
from kabinet.billing.models import (
    BillingPayment,
    Charge,
    ImportRun,
    Period,
    PersonalAccount,
    Service,
)
from kabinet.billing.tests.factories import (
    ACCOUNTS_HEADER,
    CHARGES_HEADER,
    METERS_HEADER,
    READINGS_HEADER,
    make_org,
    sample_files,
    write,
)
from kabinet.meters.models import Meter, Reading

pytestmark = pytest.mark.django_db

BILLING_TABLES = (
    "billing_personalaccount",
    "billing_service",
    "billing_period",
    "billing_charge",
    "billing_billingpayment",
    "meters_meter",
    "meters_reading",
)


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every billing table, ids included."""
    with connection.cursor() as cursor:
        out = {}
        for table in BILLING_TABLES:
            cursor.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608 - constant names
            out[table] = cursor.fetchall()
    return out


def rejected(org, paths, **kwargs) -> list[tuple[str, int, str, str]]:
    with pytest.raises(ImportRejected) as info:
        billing_import(organisation=org, paths=paths, **kwargs)
    return [(e.file, e.row, e.column, e.reason) for e in info.value.report.errors]


def test_it_imports_each_file_kind(tmp_path: Path) -> None:
    org = make_org()
    report = billing_import(organisation=org, paths=sample_files(tmp_path))

    assert {k: v.created for k, v in report.counts.items()} == {
        "accounts": 3,
        "charges": 3,
        "payments": 2,
        "meters": 2,
        "readings": 2,
    }
    ivanov = PersonalAccount.objects.get(organisation=org, number="1001")
    assert ivanov.owner_name == "Иванов Иван Иванович"
    assert ivanov.area == Decimal("54.30")
    assert ivanov.els == "80РС558347"
    petrova = PersonalAccount.objects.get(number="1002")
    assert petrova.area == Decimal("40.10")
    assert petrova.status == PersonalAccount.Status.ACTIVE
    assert PersonalAccount.objects.get(number="2001").status == PersonalAccount.Status.CLOSED

    charge = Charge.objects.get(account=petrova, service__code="hvs")
    assert charge.period.month == datetime.date(2025, 1, 1)
    assert charge.tariff == Decimal("45.12")
    assert charge.volume == Decimal("6.93")
    assert charge.recalculation == Decimal("-10.50")
    assert charge.recalculation_reason == "Отсутствие"
    assert charge.to_pay == Decimal("297.18")
    penalty = Charge.objects.get(account=ivanov, service__code="peni")
    assert penalty.kind == Charge.Kind.PENALTY
    assert penalty.tariff is None
    assert Service.objects.get(organisation=org, code="hvs").name == "Холодное водоснабжение"

    assert BillingPayment.objects.get(external_id="P-2").paid_on == datetime.date(2025, 2, 5)
    assert BillingPayment.objects.get(external_id="P-2").amount == Decimal("250.50")
    m2 = Meter.objects.get(external_id="M-2")
    assert (m2.zones, m2.digits, m2.decimals, m2.service) == (2, 6, 1, None)
    m1_service = Meter.objects.get(external_id="M-1").service
    assert m1_service is not None and m1_service.code == "hvs"
    reading = Reading.objects.get(meter=m2)
    assert (reading.reading_date, reading.value1, reading.value2, reading.value3) == (
        datetime.date(2025, 1, 20),
        Decimal("1000.5"),
        Decimal("400.2"),
        None,
    )
    assert ImportRun.objects.get().status == ImportRun.Status.SUCCEEDED


def test_it_derives_to_pay_when_the_column_is_absent(tmp_path: Path) -> None:
    org = make_org()
    accounts, *_ = sample_files(tmp_path)
    charges = write(
        tmp_path,
        "no_to_pay.csv",
        "account_number;period;service_code;debt_start;charged;recalculation;privilege;paid",
        "1001;2025-03;hvs;100.00;135.36;-10.50;5.25;100",
        "1002;2025-03;hvs;;200;;;",
    )
    billing_import(organisation=org, paths=[accounts, charges])

    assert Charge.objects.get(account__number="1001").to_pay == Decimal("119.61")
    assert Charge.objects.get(account__number="1002").to_pay == Decimal("200.00")


def test_it_derives_to_pay_when_the_cell_is_empty(tmp_path: Path) -> None:
    org = make_org()
    accounts, *_ = sample_files(tmp_path)
    charges = write(
        tmp_path,
        "charges.csv",
        CHARGES_HEADER,
        "1001;2025-03;hvs;Вода;service;м3;;;;;10;20;3;;1;2;",
    )
    billing_import(organisation=org, paths=[accounts, charges])

    assert Charge.objects.get().to_pay == Decimal("30.00")


def test_it_reads_bom_comma_decimals_and_quoted_cells(tmp_path: Path) -> None:
    org = make_org()
    accounts = write(
        tmp_path,
        "accounts.csv",
        "account_number;owner_name;address;area",
        '1001;Иванов И. И.;"г. Новосибирск; ул. Ленина, д. 1";54,3',
        bom=True,
    )
    billing_import(organisation=org, paths=[accounts])

    account = PersonalAccount.objects.get()
    assert account.address == "г. Новосибирск; ул. Ленина, д. 1"
    assert account.area == Decimal("54.30")


def test_it_loads_files_in_dependency_order(tmp_path: Path) -> None:
    org = make_org()
    files = sample_files(tmp_path)
    billing_import(organisation=org, paths=list(reversed(files)))

    assert Reading.objects.count() == 2


@pytest.mark.parametrize(
    ("line", "column", "reason_part"),
    [
        ("1001;2025-01;hvs;Вода;service;м3;;45.1x;;;0;1;0;;0;0;1", "tariff", "получено «45.1x»"),
        ("1001;2025-01;hvs;Вода;service;м3;;;;;0;1.234;0;;0;0;1", "charged", "2 после"),
        ("1001;2025-13;hvs;Вода;service;м3;;;;;0;1;0;;0;0;1", "period", "такого месяца нет"),
        ("1001;01.2025;hvs;Вода;service;м3;;;;;0;1;0;;0;0;1", "period", "период ГГГГ-ММ"),
        ("9999;2025-01;hvs;Вода;service;м3;;;;;0;1;0;;0;0;1", "account_number", "9999 не найден"),
        ("1001;2025-01;hvs;Вода;extra;м3;;;;;0;1;0;;0;0;1", "kind", "service, penalty"),
        ("1001;2025-01;hvs;Вода;service;м3;;;;guess;0;1;0;;0;0;1", "volume_basis", "одно из значений"),
        ("1001;2025-01;;Вода;service;м3;;;;;0;1;0;;0;0;1", "service_code", "обязательно"),
    ],
)
def test_it_refuses_a_bad_charge_cell_naming_row_and_column(
    tmp_path: Path, line: str, column: str, reason_part: str
) -> None:
    org = make_org()
    accounts, *_ = sample_files(tmp_path)
    charges = write(
        tmp_path,
        "charges.csv",
        CHARGES_HEADER,
        "1002;2025-01;hvs;Вода;service;м3;;;;;0;1;0;;0;0;1",
        line,
    )
    before = snapshot()

    errors = rejected(org, [accounts, charges])

    assert len(errors) == 1
    file, row, col, reason = errors[0]
    assert (file, row, col) == ("charges.csv", 3, column)
    assert reason_part in reason
    assert snapshot() == before


@pytest.mark.parametrize(
    ("line", "column", "reason_part"),
    [
        ("P-1;1001;2025-02-30;10;x", "paid_on", "такой даты нет"),
        ("P-1;1001;2025/02/03;10;x", "paid_on", "дата ГГГГ-ММ-ДД или ДД.ММ.ГГГГ"),
        ("P-1;1001;2025-02-03;десять;x", "amount", "получено «десять»"),
        ("P-1;1001;2025-02-03;-5;x", "amount", "больше нуля"),
    ],
)
def test_it_refuses_a_bad_payment_cell(tmp_path: Path, line: str, column: str, reason_part: str) -> None:
    org = make_org()
    accounts, *_ = sample_files(tmp_path)
    payments = write(tmp_path, "payments.csv", "external_id;account_number;paid_on;amount;channel", line)

    errors = rejected(org, [accounts, payments])

    assert [(e[0], e[1], e[2]) for e in errors] == [("payments.csv", 2, column)]
    assert reason_part in errors[0][3]
    assert not PersonalAccount.objects.exists()


def test_it_refuses_unknown_and_missing_columns(tmp_path: Path) -> None:
    org = make_org()
    accounts, *_ = sample_files(tmp_path)
    charges = write(
        tmp_path,
        "charges.csv",
        "account_number;service_code;charged;colour",
        "1001;hvs;10;red",
    )

    errors = rejected(org, [accounts, charges])

    assert ("charges.csv", 1, "colour") in [e[:3] for e in errors]
    assert ("charges.csv", 1, "period") in [e[:3] for e in errors]
    assert "нет обязательного столбца" in dict((e[2], e[3]) for e in errors)["period"]
    assert not PersonalAccount.objects.exists()


def test_it_refuses_a_file_of_unknown_kind(tmp_path: Path) -> None:
    org = make_org()
    odd = write(tmp_path, "odd.csv", "name;colour", "a;b")

    errors = rejected(org, [odd])

    assert errors[0][:2] == ("odd.csv", 1)
    assert "не удалось определить вид файла" in errors[0][3]


def test_it_refuses_a_row_with_a_wrong_number_of_cells(tmp_path: Path) -> None:
    org = make_org()
    accounts = write(tmp_path, "accounts.csv", "account_number;owner_name", "1001;Иванов;лишнее")

    errors = rejected(org, [accounts])

    assert errors == [("accounts.csv", 2, "", "значений в строке 3, а столбцов 2")]


def test_it_refuses_a_duplicate_key_inside_one_file(tmp_path: Path) -> None:
    org = make_org()
    accounts, *_ = sample_files(tmp_path)
    row = "1001;2025-01;hvs;Вода;service;м3;;;;;0;1;0;;0;0;1"
    charges = write(tmp_path, "charges.csv", CHARGES_HEADER, row, "1002;2025-01;hvs;Вода;;;;;;;0;1;0;;0;0;1", row)

    errors = rejected(org, [accounts, charges])

    assert [e[:3] for e in errors] == [("charges.csv", 4, "service_code")]
    assert "дублирует строку 2" in errors[0][3]


def test_it_refuses_a_duplicate_key_in_a_month_that_already_has_charges(tmp_path: Path) -> None:
    org = make_org()
    files = sample_files(tmp_path)
    billing_import(organisation=org, paths=files)
    row = "1001;2025-01;hvs;Холодное водоснабжение;service;м3;6.93;45.12;3.000;meter;100.00;135.36;0;;0;100.00;1.00"
    charges = write(tmp_path, "again.csv", CHARGES_HEADER, row, row)
    before = snapshot()

    errors = rejected(org, [charges])

    assert [e[:3] for e in errors] == [("again.csv", 3, "service_code")]
    assert snapshot() == before


def test_it_refuses_a_duplicate_account_inside_one_file(tmp_path: Path) -> None:
    org = make_org()
    accounts = write(tmp_path, "accounts.csv", "account_number;owner_name", "1001;А", "1001;Б")

    assert [e[:3] for e in rejected(org, [accounts])] == [("accounts.csv", 3, "account_number")]


def test_it_refuses_a_wrong_zones_count(tmp_path: Path) -> None:
    org = make_org()
    accounts, charges, _payments, meters, _readings = sample_files(tmp_path)
    readings = write(
        tmp_path,
        "readings.csv",
        READINGS_HEADER,
        "M-1;2025-02-20;124;5;;",  # one-zone meter, two values
        "M-2;2025-02-20;1001;;;",  # two-zone meter, one value
        "M-1;2025-03-20;125;;;",
    )

    errors = rejected(org, [accounts, charges, meters, readings])

    assert [e[:3] for e in errors] == [("readings.csv", 2, "value2"), ("readings.csv", 3, "value2")]
    assert "тарифных зон: 1, а значений показаний: 2" in errors[0][3]


def test_it_refuses_zones_outside_one_to_three(tmp_path: Path) -> None:
    org = make_org()
    accounts, *_ = sample_files(tmp_path)
    meters = write(tmp_path, "meters.csv", METERS_HEADER, "M-9;1001;;gas;G-1;4;5;3;м3;;")

    assert [e[:3] for e in rejected(org, [accounts, meters])] == [("meters.csv", 2, "zones")]


def test_it_refuses_readings_of_an_unknown_meter(tmp_path: Path) -> None:
    org = make_org()
    readings = write(tmp_path, "readings.csv", READINGS_HEADER, "M-404;2025-02-20;1;;;")

    assert [e[:3] for e in rejected(org, [readings])] == [("readings.csv", 2, "meter_id")]


def test_it_reports_every_error_not_just_the_first(tmp_path: Path) -> None:
    org = make_org()
    accounts = write(
        tmp_path, "accounts.csv", "account_number;area;residents", "1001;x;1", "1002;1;y", "1003;2;3"
    )

    errors = rejected(org, [accounts])

    assert [e[:3] for e in errors] == [("accounts.csv", 2, "area"), ("accounts.csv", 3, "residents")]


def test_it_leaves_the_database_as_before_when_the_last_row_of_a_large_file_is_bad(
    tmp_path: Path,
) -> None:
    org = make_org()
    files = sample_files(tmp_path)
    billing_import(organisation=org, paths=files)
    accounts = ["account_number;owner_name"] + [f"{5000 + n};Житель {n}" for n in range(500)]
    lines = [CHARGES_HEADER]
    for n in range(500):
        for month in range(1, 13):
            for code in ("hvs", "gvs", "el", "sod"):
                lines.append(f"{5000 + n};2024-{month:02d};{code};Услуга {code};service;;;;;;0;10.00;0;;0;0;10.00")
    lines.append("5000;2024-12;odn;ОДН;service;;;;;;0;1O.00;0;;0;0;10.00")  # letter O, not zero
    big = write(tmp_path, "big.csv", *lines)
    more_accounts = write(tmp_path, "more.csv", *accounts)
    before = snapshot()

    errors = rejected(org, [more_accounts, big])

    assert [e[:3] for e in errors] == [("big.csv", 24_002, "charged")]
    assert snapshot() == before
    assert ImportRun.objects.latest("started_at").status == ImportRun.Status.FAILED


def test_it_changes_nothing_on_a_second_import_of_the_same_files(tmp_path: Path) -> None:
    org = make_org()
    files = sample_files(tmp_path)
    billing_import(organisation=org, paths=files)
    before = snapshot()

    report = billing_import(organisation=org, paths=files)

    assert snapshot() == before
    assert all(c.created == c.updated == 0 for c in report.counts.values())
    assert report.counts["charges"].unchanged == 3


def test_it_updates_a_corrected_row_on_reimport(tmp_path: Path) -> None:
    org = make_org()
    files = sample_files(tmp_path)
    billing_import(organisation=org, paths=files)
    corrected = write(
        tmp_path,
        "fix.csv",
        CHARGES_HEADER,
        "1001;2025-01;hvs;Холодная вода;service;м3;6.93;45.12;3.000;meter;100.00;135.36;0;;0;100.00;35.36",
        "1001;2025-02;hvs;Холодная вода;service;м3;6.93;45.12;3.000;meter;35.36;135.36;0;;0;0;170.72",
    )

    report = billing_import(organisation=org, paths=[corrected])

    assert (report.counts["charges"].created, report.counts["charges"].updated) == (1, 1)
    assert Charge.objects.get(account__number="1001", service__code="hvs", period__month="2025-01-01").to_pay == Decimal("35.36")
    assert Service.objects.get(code="hvs").name == "Холодная вода"
    assert Charge.objects.count() == 4


def test_it_publishes_a_period(tmp_path: Path) -> None:
    org = make_org()

    report = billing_import(organisation=org, paths=sample_files(tmp_path), publish="2025-01")

    assert report.published == "2025-01"
    period = Period.objects.get(organisation=org, month="2025-01-01")
    assert period.is_published and period.published_at is not None


def test_it_refuses_to_publish_a_period_without_charges(tmp_path: Path) -> None:
    org = make_org()

    errors = rejected(org, sample_files(tmp_path), publish="2025-05")

    assert errors == [("--publish", 0, "", "за период 2025-05 нет начислений")]
    assert not Period.objects.exists()


def test_it_keeps_organisations_apart(tmp_path: Path) -> None:
    first, second = make_org("a"), make_org("b", inn="5406012341")
    billing_import(organisation=first, paths=sample_files(tmp_path))
    billing_import(organisation=second, paths=sample_files(tmp_path))

    assert PersonalAccount.objects.filter(number="1001").count() == 2
    assert Charge.objects.filter(account__organisation=second).count() == 3


def test_it_loads_the_same_data_on_the_fast_and_the_careful_path(tmp_path: Path) -> None:
    """A quoted cell sends the charges file to the row-by-row loader; the result is the same."""
    plain, careful = make_org("plain"), make_org("careful", inn="5406012341")
    accounts, charges, *_ = sample_files(tmp_path)
    text = charges.read_text(encoding="utf-8").replace("Отсутствие", '"Отсутствие"')
    quoted = tmp_path / "quoted.csv"
    quoted.write_text(text, encoding="utf-8")

    billing_import(organisation=plain, paths=[accounts, charges])
    billing_import(organisation=careful, paths=[accounts, quoted])

    def rows(org):
        return sorted(
            Charge.objects.filter(account__organisation=org).values_list(
                "account__number", "service__code", "kind", "unit", "norm", "tariff", "volume",
                "volume_basis", "debt_start", "charged", "recalculation", "recalculation_reason",
                "privilege", "paid", "to_pay",
            )
        )

    assert rows(plain) == rows(careful)


def test_the_command_prints_a_russian_report_and_fails_on_errors(tmp_path: Path, capsys) -> None:
    make_org("uk1")
    accounts = write(tmp_path, "accounts.csv", ACCOUNTS_HEADER.split(";")[0] + ";area", "1001;abc")

    with pytest.raises(CommandError):
        call_command("import_billing", "--org", "uk1", str(accounts))

    err = capsys.readouterr().err
    assert "Загрузка отклонена, ничего не изменено" in err
    assert "accounts.csv, строка 2, столбец «area»: ожидается число" in err


def test_the_command_loads_and_publishes(tmp_path: Path, capsys) -> None:
    make_org("uk1")
    files = [str(p) for p in sample_files(tmp_path)]

    call_command("import_billing", "--org", "uk1", "--publish", "2025-01", *files)

    out = capsys.readouterr().out
    assert "начисления: строк 3, добавлено 3" in out
    assert "опубликован период 2025-01" in out


def test_the_command_refuses_an_unknown_organisation(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="не найдена"):
        call_command("import_billing", "--org", "nope", str(tmp_path / "x.csv"))


def test_it_reports_progress_by_bytes_and_rows(tmp_path: Path) -> None:
    org = make_org()
    accounts = ["account_number;owner_name"] + [f"{n};Житель" for n in range(120_000)]
    path = write(tmp_path, "accounts.csv", *accounts)
    calls: list[tuple[str, int, int, int]] = []

    billing_import(organisation=org, paths=[path], progress=lambda *args: calls.append(args))

    assert calls[-1] == ("accounts.csv", path.stat().st_size, path.stat().st_size, -1)
    done = [c[1] for c in calls[:-1]]
    assert len(done) >= 2 and done == sorted(done) and done[-1] < path.stat().st_size


def test_it_imports_the_optional_pin_column(tmp_path: Path) -> None:
    """SPEC 3.2: `pin`, the binding code printed on the organisation's bills."""
    org = make_org()
    accounts = write(
        tmp_path,
        "accounts_pin.csv",
        "account_number;owner_name;apartment;pin",
        "1001;Иванов Иван Иванович;5;A7-3310",
        "1002;Петрова Анна Сергеевна;6;",
    )

    billing_import(organisation=org, paths=[accounts])

    pins = dict(PersonalAccount.objects.filter(organisation=org).values_list("number", "pin"))
    assert pins == {"1001": "A7-3310", "1002": ""}


EPD_CHARGE_LINES = (
    CHARGES_HEADER + ";excess;instalment_amount;instalment_rate;instalment_interest",
    "1001;2025-01;gvs;ГВС;service;м3;;116.52;4;meter;0;466.08;0;;0;0;466.08;12.34;300,00;5.5;16.50",
    "1001;2025-01;hvs;ХВС;service;м3;;45.12;3;meter;0;135.36;0;;0;0;135.36;;;;",
)


@pytest.mark.parametrize("quoted", [False, True], ids=["fast path", "careful path"])
def test_it_loads_the_optional_epd_columns(tmp_path: Path, quoted: bool) -> None:
    org = make_org()
    accounts = write(
        tmp_path, "accounts.csv",
        ACCOUNTS_HEADER + ";rooms;house_area;common_area",
        "1001;;;Иванов И. И.;;г. Новосибирск;5;54.3;2;active;;3;4402;498,6",
        "1002;;;Петрова А. С.;;г. Новосибирск;6;40;1;active;;;;",
    )
    lines = list(EPD_CHARGE_LINES)
    if quoted:  # a quoted cell takes the row-by-row loader
        lines[1] = lines[1].replace(";ГВС;", ';"ГВС";')
    charges = write(tmp_path, "charges.csv", *lines)

    billing_import(organisation=org, paths=[accounts, charges])

    one, two = PersonalAccount.objects.order_by("number")
    assert (one.rooms, one.house_area, one.common_area) == (3, Decimal("4402"), Decimal("498.6"))
    assert (two.rooms, two.house_area, two.common_area) == (None, None, None)
    gvs = Charge.objects.get(service__code="gvs")
    assert (gvs.excess, gvs.instalment_amount, gvs.instalment_rate, gvs.instalment_interest) == (
        Decimal("12.34"), Decimal("300.00"), Decimal("5.5"), Decimal("16.50")
    )
    hvs = Charge.objects.get(service__code="hvs")
    assert (hvs.excess, hvs.instalment_amount, hvs.instalment_rate, hvs.instalment_interest) == (
        None, None, None, None
    )


def test_it_refuses_a_bad_optional_epd_cell(tmp_path: Path) -> None:
    org = make_org()
    accounts = write(tmp_path, "accounts.csv", ACCOUNTS_HEADER, "1001;;;;;;;;;;")
    charges = write(
        tmp_path, "charges.csv", EPD_CHARGE_LINES[0],
        "1001;2025-01;gvs;ГВС;service;м3;;116.52;4;meter;0;466.08;0;;0;0;466.08;много;;;",
    )

    errors = rejected(org, [accounts, charges])

    assert [(e[1], e[2]) for e in errors] == [(2, "excess")]
