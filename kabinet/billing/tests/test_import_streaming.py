"""The streaming loaders (PostgreSQL) and the cost of an import: what it loads, what it counts.

Tests that name PostgreSQL run only there; the others run on both databases and show that
the row-by-row loader (SQLite, and PostgreSQL's fallback) keeps the same results.
"""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kabinet.billing.imports import ImportRejected, Source, billing_import
from kabinet.billing.models import BillingPayment, PersonalAccount
from kabinet.billing.tests.factories import (
    ACCOUNTS_HEADER,
    METERS_HEADER,
    PAYMENTS_HEADER,
    READINGS_HEADER,
    make_org,
    sample_files,
    write,
)
from kabinet.billing.tests.test_import import snapshot
from kabinet.meters.models import Meter, Reading

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the streaming loaders are PostgreSQL's"
)

BIG = 6000  # rows: more than one 256 KB block of each kind


def no_row_by_row_loader(monkeypatch) -> None:
    """Make the row-by-row loader fail, so a passing import went the streaming way."""

    def refuse(*args, **kwargs):
        raise AssertionError("the row-by-row loader was used")

    monkeypatch.setattr(Source, "parsed", refuse)


def address(i: int) -> str:
    """Every seventh address holds a `;` and is quoted."""
    if i % 7 == 0:
        return f'"г. Новосибирск; ул. Мира, д. {i % 90}"'
    return f"г. Новосибирск, ул. Мира, д. {i % 90}"


def big_files(tmp_path: Path, n: int = BIG, *, last: dict[str, str] | None = None) -> dict[str, Path]:
    """One file of each kind with `n` rows (readings: two meters' worth per account)."""
    last = last or {}
    accounts = [ACCOUNTS_HEADER] + [
        f"{7000000 + i};Д-{i};Население;Житель {i};;{address(i)};{i % 300 + 1};"
        f"{30 + i % 70}.{i % 10}0;{i % 5};{'closed' if i % 97 == 0 else 'active'};"
        for i in range(n)
    ]
    payments = [PAYMENTS_HEADER] + [
        f"{7000000 + i};{1 + i % 28:02d}.02.2025;{100 + i % 900}{',' if i % 5 == 0 else '.'}{i % 100:02d};Касса;PAY-{i}"
        for i in range(n)
    ]
    meters = [METERS_HEADER] + [
        f"MT-{i};{7000000 + i};;{'electricity' if i % 3 == 0 else 'cold_water'};S{i};{2 if i % 3 == 0 else 1};"
        f"6;3;;2020-01-{1 + i % 28:02d};2031-01-01"
        for i in range(n)
    ]
    readings = [READINGS_HEADER] + [
        f"MT-{i};2025-02-20;{i}.5;{'7.25' if i % 3 == 0 else ''};;billing" for i in range(n)
    ]
    out = {}
    for kind, lines in (("accounts", accounts), ("payments", payments), ("meters", meters), ("readings", readings)):
        if kind in last:
            lines[-1] = last[kind]
        out[kind] = write(tmp_path, f"{kind}.csv", *lines)
    return out


def test_it_loads_big_files_of_every_kind_and_counts_them(tmp_path: Path) -> None:
    org = make_org()
    files = big_files(tmp_path)

    report = billing_import(organisation=org, paths=list(files.values()))

    assert {k: (v.rows, v.created) for k, v in report.counts.items()} == {
        k: (BIG, BIG) for k in ("accounts", "payments", "meters", "readings")
    }
    account = PersonalAccount.objects.get(organisation=org, number="7000098")
    assert (account.address, account.area, account.residents, account.status, account.contract_number) == (
        "г. Новосибирск; ул. Мира, д. 8",
        Decimal("58.80"),
        3,
        "active",
        "Д-98",
    )
    assert PersonalAccount.objects.get(number="7000097").status == "closed"
    assert PersonalAccount.objects.get(number="7000001").els == ""
    payment = BillingPayment.objects.get(external_id="PAY-31")
    assert (payment.paid_on, payment.amount, payment.account.number) == (
        datetime.date(2025, 2, 4),
        Decimal("131.31"),
        "7000031",
    )
    meter = Meter.objects.get(external_id="MT-3")
    assert (meter.zones, meter.digits, meter.decimals, meter.unit, meter.service_id) == (2, 6, 3, "", None)
    reading = Reading.objects.get(meter=meter)
    assert (reading.value1, reading.value2, reading.value3, reading.source) == (
        Decimal("3.5"),
        Decimal("7.25"),
        None,
        "billing",
    )


@postgresql_only
def test_it_takes_the_streaming_path_for_every_kind_on_postgresql(tmp_path: Path, monkeypatch) -> None:
    org = make_org()
    files = big_files(tmp_path)
    no_row_by_row_loader(monkeypatch)

    first = billing_import(organisation=org, paths=list(files.values()))
    again = billing_import(organisation=org, paths=list(files.values()))

    assert all(c.created == BIG for c in first.counts.values())
    assert {k: (c.created, c.updated, c.unchanged) for k, c in again.counts.items()} == {
        k: (0, 0, BIG) for k in ("accounts", "payments", "meters", "readings")
    }


@pytest.mark.parametrize(
    ("kind", "line", "column"),
    [
        ("accounts", "7005999;Д;Население;Житель;;Адрес;1;12.5;1;open;", "status"),
        ("accounts", "7005999;Д;Население;Житель;;Адрес;1;12.5;1000;active;", "residents"),
        ("payments", "7005999;2025-02-30;10.00;Касса;PAY-5999", "paid_on"),
        ("payments", "7005999;2025-02-03;0,00;Касса;PAY-5999", "amount"),
        ("payments", "9999999;2025-02-03;10.00;Касса;PAY-5999", "account_number"),
        ("payments", "7005999;2025-02-03;10.00;Касса;PAY-0", "external_id"),
        ("meters", "MT-5999;7005999;;cold_water;S;4;6;3;;;", "zones"),
        ("meters", "MT-5999;7005999;;cold_water;S;1;6;3;;2025-01-10;2024-01-10", "next_verification_on"),
        ("meters", "MT-5999;7005999;gvs;cold_water;S;1;6;3;;;", "service_code"),
        ("readings", "MT-5999;2025-02-20;-1;;;billing", "value1"),
        ("readings", "MT-5999;2025-02-20;1;2;;billing", "value2"),
        ("readings", "MT-9999;2025-02-20;1;;;billing", "meter_id"),
        ("readings", "MT-0;2025-02-20;1;;;billing", "reading_date"),
    ],
)
def test_it_refuses_a_big_file_whose_last_row_is_bad_and_changes_nothing(
    tmp_path: Path, kind: str, line: str, column: str
) -> None:
    org = make_org()
    billing_import(organisation=org, paths=sample_files(tmp_path))
    files = big_files(tmp_path, last={kind: line})
    needs = {"accounts": [], "payments": ["accounts"], "meters": ["accounts"], "readings": ["accounts", "meters"]}
    before = snapshot()

    with pytest.raises(ImportRejected) as info:
        billing_import(organisation=org, paths=[files[k] for k in [*needs[kind], kind]])

    assert [(e.file, e.row, e.column) for e in info.value.report.errors] == [(f"{kind}.csv", BIG + 1, column)]
    assert snapshot() == before


def test_it_counts_added_changed_and_unchanged_rows_of_each_kind(tmp_path: Path) -> None:
    org = make_org()
    files = big_files(tmp_path, 50)
    billing_import(organisation=org, paths=list(files.values()))
    edits = {
        "accounts": ("7000003;", "7000003;Д-3;Население;Другой;;Адрес;1;10;1;active;", "7000050;Д;;Новый;;;;;;;"),
        "payments": ("7000004;", "7000004;2025-02-05;999.99;Касса;PAY-4", "7000050;2025-02-05;1;;PAY-50"),
        "meters": ("MT-5;", "MT-5;7000005;;gas;S5;1;6;3;;;", "MT-50;7000050;;gas;S50;1;6;3;;;"),
        "readings": ("MT-7;", "MT-7;2025-02-20;7.75;;;billing", "MT-50;2025-02-20;1;;;billing"),
    }
    for kind, (prefix, changed, added) in edits.items():
        path = files[kind]
        lines = path.read_text(encoding="utf-8").splitlines()
        lines = [changed if line.startswith(prefix) else line for line in lines] + [added]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    report = billing_import(organisation=org, paths=list(files.values()))

    assert {k: (c.rows, c.created, c.updated, c.unchanged) for k, c in report.counts.items()} == {
        k: (51, 1, 1, 49) for k in ("accounts", "payments", "meters", "readings")
    }
    assert PersonalAccount.objects.get(number="7000003").owner_name == "Другой"
    assert BillingPayment.objects.get(external_id="PAY-4").amount == Decimal("999.99")
    assert Meter.objects.get(external_id="MT-5").resource == "gas"
    assert Reading.objects.get(meter__external_id="MT-7").value1 == Decimal("7.75")


def test_it_reads_the_same_rows_whatever_the_form_of_the_cells(tmp_path: Path) -> None:
    """Decimal commas, spaces around cells, dates either way: the cell-by-cell path agrees."""
    plain, odd = make_org("plain"), make_org("odd", inn="5406012341")
    accounts, *_ = sample_files(tmp_path)
    billing_import(organisation=plain, paths=[accounts])
    billing_import(organisation=odd, paths=[accounts])
    neat = write(tmp_path, "neat.csv", PAYMENTS_HEADER, "1001;2025-02-05;100.50;Касса;P-1")
    messy = write(tmp_path, "messy.csv", PAYMENTS_HEADER, " 1001 ;05.02.2025; 100,5 ;\"Касса\";P-1 ")

    billing_import(organisation=plain, paths=[neat])
    billing_import(organisation=odd, paths=[messy])

    def rows(org):
        return list(
            BillingPayment.objects.filter(organisation=org).values_list(
                "account__number", "paid_on", "amount", "channel", "external_id"
            )
        )

    assert rows(plain) == rows(odd) == [("1001", datetime.date(2025, 2, 5), Decimal("100.50"), "Касса", "P-1")]


def test_it_does_not_load_the_organisations_accounts_or_meters_for_a_small_file(tmp_path: Path) -> None:
    org = make_org()
    many = [ACCOUNTS_HEADER] + [f"{8000000 + i};;;;;;;;;;" for i in range(3000)]
    meters = [METERS_HEADER] + [f"MM-{i};{8000000 + i};;gas;S{i};1;6;3;;;" for i in range(3000)]
    billing_import(
        organisation=org,
        paths=[write(tmp_path, "many.csv", *many), write(tmp_path, "meters.csv", *meters)],
    )
    payment = write(tmp_path, "one.csv", PAYMENTS_HEADER, "8000001;2025-02-05;10;;ONE")
    reading = write(tmp_path, "reading.csv", READINGS_HEADER, "MM-1;2025-02-20;10;;;")

    with CaptureQueriesContext(connection) as queries:
        billing_import(organisation=org, paths=[payment, reading])

    reads = [
        q["sql"]
        for q in queries.captured_queries
        if "billing_personalaccount" in q["sql"] or "meters_meter" in q["sql"]
    ]
    assert reads, "the references were looked up"
    # Each lookup names the rows it wants, joins them to the file's own rows (staged, or just
    # added: ids above the last one before), or counts no further than the file's size (to
    # load them all when the file is as large).
    assert all(any(s in sql for s in (" IN (", "stage_", "id > ", "LIMIT")) for sql in reads), reads


def test_it_never_loads_a_meters_earlier_readings(tmp_path: Path, monkeypatch) -> None:
    org = make_org()
    accounts, charges, _payments, meters, _readings = sample_files(tmp_path)
    history = [READINGS_HEADER] + [f"M-1;{2023 + m // 12}-{m % 12 + 1:02d}-20;{100 + m};;;" for m in range(24)]
    billing_import(organisation=org, paths=[accounts, charges, meters, write(tmp_path, "history.csv", *history)])
    loaded: list[int] = []
    original = Reading.from_db.__func__  # type: ignore[attr-defined]

    def counting(cls, *args, **kwargs):
        loaded.append(1)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(Reading, "from_db", classmethod(counting))
    month = write(tmp_path, "month.csv", READINGS_HEADER, "M-1;2025-01-20;130;;;")

    report = billing_import(organisation=org, paths=[month])

    assert report.counts["readings"].created == 1
    assert loaded == []
    assert Reading.objects.filter(meter__external_id="M-1").count() == 25


def test_it_keeps_a_repeated_key_across_two_files_of_one_kind_an_error(tmp_path: Path) -> None:
    org = make_org()
    accounts, *_ = sample_files(tmp_path)
    billing_import(organisation=org, paths=[accounts])
    first = write(tmp_path, "p1.csv", PAYMENTS_HEADER, "1001;2025-02-05;10;;P-1")
    second = write(tmp_path, "p2.csv", PAYMENTS_HEADER, "1002;2025-02-05;20;;P-1")

    with pytest.raises(ImportRejected) as info:
        billing_import(organisation=org, paths=[first, second])

    assert [(e.file, e.row, e.column) for e in info.value.report.errors] == [("p2.csv", 2, "external_id")]
    assert not BillingPayment.objects.exists()


@postgresql_only
def test_a_first_load_goes_straight_into_the_tables(tmp_path: Path, monkeypatch) -> None:
    """Into an organisation's empty tables every kind takes the direct COPY (no staged table, no
    row-by-row loader): fields the file leaves out, services, and readings of one to three zones
    come out as the row-by-row loader stores them."""
    from kabinet.billing.models import Service

    org = make_org()
    service = Service.objects.create(organisation=org, code="hvs", name="ХВС")
    accounts = write(tmp_path, "a.csv", "account_number;owner_name", "9001;Иванов", "9002;Петров")
    meters = write(
        tmp_path,
        "m.csv",
        METERS_HEADER,
        "Z-1;9001;hvs;cold_water;S1;1;6;3;;2020-01-15;15.01.2030",
        "Z-2;9001;;electricity;S2;2;6;3;кВт·ч;;",
        "Z-3;9002;;electricity;S3;3;6;3;;;",
    )
    readings = write(
        tmp_path,
        "r.csv",
        READINGS_HEADER,
        "Z-1;2025-02-20;10.5;;;billing",
        "Z-2;2025-02-20;11;12;;",
        "Z-3;20.02.2025;1;2;3;",
    )
    payments = write(tmp_path, "p.csv", PAYMENTS_HEADER, "9002;2025-02-05;0.01;;P-1")
    no_row_by_row_loader(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        billing_import(organisation=org, paths=[accounts, meters, readings, payments])
    assert not [q["sql"] for q in queries.captured_queries if "stage_" in q["sql"]]

    account = PersonalAccount.objects.get(organisation=org, number="9001")
    assert (account.owner_name, account.pin, account.status, account.area) == (
        "Иванов",
        "",
        "active",
        None,
    )
    got = {
        m.external_id: (m.account.number, m.service_id, m.zones, m.unit)
        for m in Meter.objects.filter(organisation=org)
    }
    assert got == {
        "Z-1": ("9001", service.pk, 1, ""),
        "Z-2": ("9001", None, 2, "кВт·ч"),
        "Z-3": ("9002", None, 3, ""),
    }
    values = {
        r.meter.external_id: (r.reading_date, r.value1, r.value2, r.value3, r.source)
        for r in Reading.objects.filter(meter__organisation=org)
    }
    day = datetime.date(2025, 2, 20)
    assert values == {
        "Z-1": (day, Decimal("10.5"), None, None, "billing"),
        "Z-2": (day, Decimal(11), Decimal(12), None, ""),
        "Z-3": (day, Decimal(1), Decimal(2), Decimal(3), ""),
    }
    assert BillingPayment.objects.get(organisation=org).amount == Decimal("0.01")


@postgresql_only
@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("Z-1;2025-02-20;10;11;;", "value2"),  # a second value for a meter of one zone
        ("Z-2;2025-02-20;10;;;", "value2"),  # none for a meter of two
        ("Z-2;2025-02-20;10;;5;", "value2"),  # a third without a second
        ("Z-1;2025-02-20;-1;;;", "value1"),
    ],
)
def test_a_direct_load_refuses_readings_that_do_not_fit_their_meter(
    tmp_path: Path, line: str, column: str
) -> None:
    org = make_org()
    accounts = write(tmp_path, "a.csv", "account_number", "9001")
    meters = write(
        tmp_path,
        "m.csv",
        METERS_HEADER,
        "Z-1;9001;;cold_water;S1;1;6;3;;;",
        "Z-2;9001;;electricity;S2;2;6;3;;;",
    )
    billing_import(organisation=org, paths=[accounts, meters])
    readings = write(tmp_path, "r.csv", READINGS_HEADER, "Z-1;2025-01-20;9;;;", line)
    with pytest.raises(ImportRejected) as info:
        billing_import(organisation=org, paths=[readings])
    assert [(e.row, e.column) for e in info.value.report.errors] == [(3, column)]
    assert not Reading.objects.filter(meter__organisation=org).exists()
