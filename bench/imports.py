"""The billing import against plain COPY, every file kind, on PostgreSQL, in one run.

    make bench                                          # the sizes of SPEC 4 and issue 15
    .venv/bin/python bench/imports.py --accounts 20000 --rows 100000 --charges 200000 \\
        --history-meters 20000 --history-months 24 --repeat 3

For each kind (accounts, payments, meters, readings, charges) it generates a file (SPEC 3.2) and,
`--repeat` times, after a CHECKPOINT each:
  (a) COPY of that file into a fresh unindexed table with the file's columns;
  (a') COPY of the same rows as the table stores them (ids for references) into an empty copy of
      the kind's own table with its primary and unique keys (what any load must pay to hold the
      key; bench/README.md says why the bar is judged on it);
  (b) `billing_import` of the file into empty tables, in a process of its own, so its peak
      resident memory (ru_maxrss) is the import's own.
It prints the medians: rows/s, the ratios b/a and b/a' (SPEC 4's bar of 1.5x is judged on b/a';
"met" only when the median is within it), the import's own CPU seconds and its peak RSS. Then a re-import of each file (nothing changes: the
staged upsert) and the monthly readings line: a readings file for --history-meters meters after
--history-months months of history (history written by SQL, not timed), against the same file
with no history. The bench drops and creates its own database: BENCH_DATABASE_URL, by default
postgres://postgres@127.0.0.1:5432/kabinet_bench (never DATABASE_URL, which may hold real data).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kabinet_bench"
BAR = 1.5  # SPEC 4: an import within 1.5x a plain COPY of the same file
A_KEYED, B_KEYED = "(a') s", "b/a'"  # column heads

SERVICES = [
    ("hvs", "Холодное водоснабжение", "м3", "meter"),
    ("gvs", "Горячее водоснабжение", "м3", "meter"),
    ("vo", "Водоотведение", "м3", "meter"),
    ("el", "Электроэнергия", "кВт·ч", "meter"),
    ("otop", "Отопление", "Гкал", "norm"),
    ("sod", "Содержание жилого помещения", "м2", "norm"),
    ("tko", "Обращение с ТКО", "чел", "norm"),
    ("odn", "Электроэнергия на ОДН", "кВт·ч", "common_meter"),
]
CHARGES_HEADER = (
    "account_number;period;service_code;service_name;kind;unit;norm;tariff;volume;volume_basis;"
    "debt_start;charged;recalculation;recalculation_reason;privilege;paid;to_pay"
)
ACCOUNTS_HEADER = "account_number;contract_number;category;owner_name;owner_inn;address;apartment;area;residents;status;els"
PAYMENTS_HEADER = "account_number;paid_on;amount;channel;external_id"
METERS_HEADER = (
    "meter_id;account_number;service_code;resource;serial_number;zones;digits;decimals;unit;"
    "installed_on;next_verification_on"
)
READINGS_HEADER = "meter_id;reading_date;value1;value2;value3;source"


def account(a: int) -> str:
    return f"{5400000000 + a}"


def write_lines(path: Path, header: str, lines) -> None:  # noqa: ANN001
    with open(path, "w", encoding="utf-8") as out:
        out.write(header + "\n")
        batch: list[str] = []
        for line in lines:
            batch.append(line)
            if len(batch) >= 10000:
                out.write("\n".join(batch) + "\n")
                batch.clear()
        if batch:
            out.write("\n".join(batch) + "\n")


def gen_accounts(path: Path, accounts: int) -> None:
    write_lines(
        path,
        ACCOUNTS_HEADER,
        (
            f"{account(a)};Д-{a};Население;Иванов Иван Иванович;;г. Новосибирск, ул. Ленина, д. {a // 300 + 1};"
            f"{a % 300 + 1};{30 + a % 70}.{a % 10}0;{a % 5};active;{a % 90 + 10:02d}РС{a % 1000000:06d}"
            for a in range(accounts)
        ),
    )


def gen_payments(path: Path, rows: int, accounts: int) -> None:
    write_lines(
        path,
        PAYMENTS_HEADER,
        (
            f"{account(i % accounts)};2025-{i % 12 + 1:02d}-{i % 28 + 1:02d};{100 + i % 4000}.{i % 100:02d};"
            f"Сбербанк Онлайн;PAY-{i:09d}"
            for i in range(rows)
        ),
    )


def meter_line(i: int, accounts: int) -> str:
    zones = 2 if i % 4 == 3 else 1
    resource = ("cold_water", "hot_water", "heat", "electricity")[i % 4]
    return (
        f"MTR-{i:08d};{account(i % accounts)};;{resource};{1000000 + i};{zones};6;3;;"
        f"2020-{i % 12 + 1:02d}-15;2030-{i % 12 + 1:02d}-15"
    )


def gen_meters(path: Path, rows: int, accounts: int) -> None:
    write_lines(path, METERS_HEADER, (meter_line(i, accounts) for i in range(rows)))


def reading_line(i: int, month: int) -> str:
    value = 100 + month * 7 + i % 50
    second = f"{50 + month * 3 + i % 20}.250" if i % 4 == 3 else ""
    year, m = 2024 + (month - 1) // 12, (month - 1) % 12 + 1
    return f"MTR-{i:08d};{year}-{m:02d}-20;{value}.125;{second};;billing"


def gen_readings(path: Path, rows: int, month: int = 1) -> None:
    write_lines(path, READINGS_HEADER, (reading_line(i, month) for i in range(rows)))


def gen_charges(path: Path, rows: int, accounts: int) -> None:
    def lines():
        written = 0
        for month in range(1, 13):
            for a in range(accounts):
                for i, (code, name, unit, basis) in enumerate(SERVICES):
                    if written >= rows:
                        return
                    charged = (a * 7 + i * 13) % 5000 + 0.45
                    recalc = -12.5 if (a + i) % 17 == 0 else 0
                    reason = "Перерасчёт за отсутствие" if recalc else ""
                    debt = (a % 11) * 10.0
                    to_pay = debt + charged + recalc - debt
                    yield (
                        f"{account(a)};2025-{month:02d};{code};{name};service;{unit};1.5;{35 + i}.27;3.250;{basis};"
                        f"{debt:.2f};{charged:.2f};{recalc:.2f};{reason};0.00;{debt:.2f};{to_pay:.2f}"
                    )
                    written += 1

    write_lines(path, CHARGES_HEADER, lines())


def fresh_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def copy_table_sql(kind) -> str:  # noqa: ANN001
    """An unindexed table with the file's columns, typed as the import stores them."""
    from django.db import connection

    from kabinet.billing.imports import kind_model

    model = kind_model(kind)
    columns = []
    for column in kind.columns:
        name = column.field_name
        field = model._meta.get_field(name) if name else None
        sql_type = "text" if field is None or field.is_relation else field.db_type(connection)
        if kind.name == "charges" and column.name == "period":
            sql_type = "text"
        columns.append(f"{column.name} {sql_type}")
    return f"CREATE TABLE bench_copy ({', '.join(columns)})"


def target_columns(kind) -> list[str]:  # noqa: ANN001
    from kabinet.billing.imports import kind_model

    return [f.column for f in kind_model(kind)._meta.concrete_fields if f.column and f.column != "id"]


def export_rows(kind, path: Path) -> None:  # noqa: ANN001
    """The rows the import stored, as the table holds them (ids in place of the references)."""
    from django.db import connection

    from kabinet.billing.imports import kind_model

    table = kind_model(kind)._meta.db_table
    with connection.cursor() as cursor, open(path, "wb") as out:
        sql = f"COPY (SELECT {', '.join(target_columns(kind))} FROM {table}) TO STDOUT (FORMAT csv, DELIMITER ';')"
        with cursor.cursor.copy(sql) as copy:
            for data in copy:
                out.write(data)


def time_keyed_copy(path: Path, kind) -> float:  # noqa: ANN001
    """(a') Seconds for COPY of the same rows as the table stores them (from `export_rows`) into
    an empty copy of the kind's own table with its primary key and unique keys (same types):
    what any load of these rows must pay to hold their key. The target's other indexes (of
    account_id, service_id) are left out, so the import pays them over (a')."""
    from django.db import connection

    from kabinet.billing.imports import kind_model

    table = kind_model(kind)._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute(f"CREATE TABLE bench_copy (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS)")
        cursor.execute("ALTER TABLE bench_copy ADD PRIMARY KEY (id)")
        cursor.execute(
            """
            SELECT array_agg(a.attname ORDER BY k.n)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
            CROSS JOIN unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
            WHERE c.relname = %s AND i.indisunique AND NOT i.indisprimary
            GROUP BY i.indexrelid
            """,
            [table],
        )
        for (names,) in cursor.fetchall():
            cursor.execute(f"CREATE UNIQUE INDEX ON bench_copy ({', '.join(names)})")
        cursor.execute("CHECKPOINT")
        started = time.perf_counter()
        sql = f"COPY bench_copy ({', '.join(target_columns(kind))}) FROM STDIN (FORMAT csv, DELIMITER ';')"
        with cursor.cursor.copy(sql) as copy, open(path, "rb") as handle:
            while chunk := handle.read(256 << 10):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_copy")
    return seconds


def time_copy(path: Path, kind) -> float:  # noqa: ANN001
    """Seconds for a plain COPY of the file into a fresh unindexed table with its columns."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute(copy_table_sql(kind))
        cursor.execute("SET datestyle = 'ISO, DMY'")
        cursor.execute("CHECKPOINT")
        header = path.open(encoding="utf-8").readline().strip().replace(";", ", ")
        started = time.perf_counter()
        with cursor.cursor.copy(
            f"COPY bench_copy ({header}) FROM STDIN (FORMAT csv, DELIMITER ';', HEADER true)"
        ) as copy:
            with open(path, "rb") as handle:
                while chunk := handle.read(256 << 10):
                    copy.write(chunk)
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_copy")
    return seconds


def child(org_code: str, paths: list[str]) -> None:
    """Runs in its own process: one import, its time and its peak memory as JSON."""
    from kabinet.billing.imports import billing_import
    from kabinet.orgs.models import Organisation

    org = Organisation.objects.get(code=org_code)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu = time.perf_counter(), time.process_time()
    report = billing_import(organisation=org, paths=paths)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    counts = {k: vars(v) for k, v in report.counts.items()}
    print(json.dumps({
        "seconds": seconds, "cpu_seconds": cpu, "rss_before_mb": before / 1024, "rss_peak_mb": peak / 1024,
        "counts": counts,
    }))


def run_import(org_code: str, *paths: Path) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
    out = subprocess.run(
        [sys.executable, __file__, "--child", org_code, *map(str, paths)],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def truncate(*tables: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")  # noqa: S608 - bench constants


TABLE = {
    "accounts": "billing_personalaccount",
    "payments": "billing_billingpayment",
    "meters": "meters_meter",
    "readings": "meters_reading",
    "charges": "billing_charge",
}
EMPTY_BEFORE = {
    # What each kind's timed import starts from: its own table (and what refers to it) empty.
    "accounts": ("meters_reading", "meters_meter", "billing_billingpayment", "billing_charge", "billing_personalaccount"),
    "payments": ("billing_billingpayment",),
    "meters": ("meters_reading", "meters_meter"),
    "readings": ("meters_reading",),
    "charges": ("billing_charge",),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--accounts", type=int, default=100_000, help="accounts file rows (and accounts)")
    parser.add_argument("--rows", type=int, default=540_000, help="rows of the payments, meters, readings files")
    parser.add_argument("--charges", type=int, default=1_000_000, help="rows of the charges file")
    parser.add_argument("--history-meters", type=int, default=250_000)
    parser.add_argument("--history-months", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=3, help="runs of (a) and (b); medians are compared")
    parser.add_argument("--kinds", default="accounts,payments,meters,readings,charges")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgres"):
        sys.exit("The bench needs PostgreSQL: set BENCH_DATABASE_URL=postgres://...")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if args.child:
        import django

        django.setup()
        child(args.child[0], args.child[1:])
        return

    fresh_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from kabinet.billing.importfiles import KINDS
    from kabinet.orgs.models import Organisation

    call_command("migrate", verbosity=0)
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} ({os.cpu_count()} cores)")
    data = ROOT / "bench" / "data"
    data.mkdir(exist_ok=True)
    for stale in data.glob("*.stored.csv"):
        stale.unlink()
    kinds = args.kinds.split(",")
    files = {
        "accounts": data / "accounts.csv",
        "payments": data / "payments.csv",
        "meters": data / "meters.csv",
        "readings": data / "readings.csv",
        "charges": data / "charges.csv",
    }
    started = time.perf_counter()
    gen_accounts(files["accounts"], args.accounts)
    gen_payments(files["payments"], args.rows, args.accounts)
    gen_meters(files["meters"], args.rows, args.accounts)
    gen_readings(files["readings"], args.rows)
    gen_charges(files["charges"], args.charges, max(args.accounts, -(-args.charges // 96)))
    print(f"generated the files in {time.perf_counter() - started:.0f} s: " + ", ".join(
        f"{k} {sum(1 for _ in open(p, 'rb')) - 1:,} rows ({p.stat().st_size / 1e6:.0f} MB)" for k, p in files.items()
    ))
    Organisation.objects.create(code="bench", name="Бенчмарк", inn="7707083893")
    by_name = {k.name: k for k in KINDS}
    results: dict[str, dict] = {}
    needs = {"payments": ["accounts"], "meters": ["accounts"], "readings": ["accounts", "meters"], "charges": ["accounts"]}
    loaded: set[str] = set()  # kinds whose rows are in the tables now
    for kind in kinds:
        copies, keyed, imports, cpus, rss = [], [], [], [], []
        for _ in range(args.repeat):
            copies.append(time_copy(files[kind], by_name[kind]))
            truncate(*EMPTY_BEFORE[kind])
            loaded -= {k for k, table in TABLE.items() if table in EMPTY_BEFORE[kind]}
            for need in needs.get(kind, []):
                if need not in loaded:
                    run_import("bench", files[need])
                    loaded.add(need)
            if kind == "charges":
                with connection.cursor() as cursor:
                    cursor.execute("DELETE FROM billing_period")
            result = run_import("bench", files[kind])
            assert result["counts"][kind]["created"] > 0, result
            imports.append(result["seconds"])
            cpus.append(result["cpu_seconds"])
            stored = data / f"{kind}.stored.csv"
            if not stored.exists():
                export_rows(by_name[kind], stored)
            keyed.append(time_keyed_copy(stored, by_name[kind]))
            rss.append(result["rss_peak_mb"])
            loaded.add(kind)
        again = run_import("bench", files[kind])
        rows = again["counts"][kind]["rows"]
        results[kind] = {
            "rows": rows,
            "copy": statistics.median(copies),
            "keyed": statistics.median(keyed),
            "import": statistics.median(imports),
            "cpu": statistics.median(cpus),
            "copies": copies,
            "keyeds": keyed,
            "imports": imports,
            "rss": statistics.median(rss),
            "again": again["seconds"],
            "unchanged": again["counts"][kind]["unchanged"],
        }

    print(f"\nImport against COPY of the same file (SPEC 4 bar: {BAR}x), median of {args.repeat} runs;")
    print("  (a)  COPY into a fresh table with the file's columns and no index at all;")
    print("  (a') COPY of the rows as stored into a copy of the kind's table with its primary and unique keys")
    print("       (the bar is judged on it);")
    print("  client CPU: the import process's own CPU seconds (the rest is PostgreSQL's)")
    print(f"{'kind':10} {'rows':>10} {'(a) s':>7} {A_KEYED:>7} {'import s':>9} {'rows/s':>9} {'b/a':>6} "
          f"{B_KEYED:>6} {'bar':>7} {'client CPU':>10} {'peak RSS':>9} {'re-import s':>11} {'unchanged':>10}")
    for kind, r in results.items():
        ratio, keyed_ratio = r["import"] / r["copy"], r["import"] / r["keyed"]
        verdict = "met" if keyed_ratio <= BAR else "MISSED"
        print(f"{kind:10} {r['rows']:>10,} {r['copy']:7.2f} {r['keyed']:7.2f} {r['import']:9.2f} "
              f"{r['rows'] / r['import']:9,.0f} {ratio:6.2f} {keyed_ratio:6.2f} {verdict:>7} {r['cpu']:8.2f} s "
              f"{r['rss']:6.0f} MB {r['again']:11.2f} {r['unchanged']:>10,}")
        print(f"{'':10} runs: (a) {', '.join(f'{t:.2f}' for t in r['copies'])}; "
              f"(a') {', '.join(f'{t:.2f}' for t in r['keyeds'])}; import {', '.join(f'{t:.2f}' for t in r['imports'])}")

    if args.history_months and args.history_meters:
        monthly_readings(args, data)
    load = os.getloadavg()
    print(f"\nload average at end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    if not args.keep:
        for path in data.glob("*.csv"):
            path.unlink()


def monthly_readings(args: argparse.Namespace, data: Path) -> None:
    """A monthly readings file after N months of history costs what the file costs."""
    from django.db import connection

    meters, months = args.history_meters, args.history_months
    truncate(*EMPTY_BEFORE["accounts"])
    accounts_path, meters_path = data / "h_accounts.csv", data / "h_meters.csv"
    accounts = max(meters * 10 // 25, 1)  # 2.5 meters an account
    gen_accounts(accounts_path, accounts)
    gen_meters(meters_path, meters, accounts)
    run_import("bench", accounts_path, meters_path)
    first, month_file = data / "h_first.csv", data / "h_month.csv"
    gen_readings(first, meters, 1)
    gen_readings(month_file, meters, months + 1)
    no_history = run_import("bench", first)

    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Months 2..N for every meter, by SQL (not timed): the history the file must not pay for.
        cursor.execute(
            """
            INSERT INTO meters_reading (meter_id, reading_date, value1, value2, value3, source)
            SELECT m.id, make_date(2024 + (g - 1) / 12, (g - 1) %% 12 + 1, 20), 100 + g * 7,
                   CASE WHEN m.zones = 2 THEN 50 + g * 3 END, NULL, 'billing'
            FROM meters_meter m CROSS JOIN generate_series(2, %s) AS g
            """,
            [months],
        )
        cursor.execute("ANALYZE meters_reading")
        cursor.execute("SELECT count(*) FROM meters_reading")
        history = cursor.fetchone()[0]
    print(f"\nMonthly readings: {meters:,} meters, history of {months} months = {history:,} readings "
          f"(written by SQL in {time.perf_counter() - started:.0f} s)")
    with_history = run_import("bench", month_file)
    for label, r in (("month 1, no history", no_history), (f"month {months + 1}, after {months} months", with_history)):
        rows = r["counts"]["readings"]["rows"]
        print(f"  {label:32} {r['seconds']:7.2f} s {rows / r['seconds']:9,.0f} rows/s  "
              f"peak RSS {r['rss_peak_mb']:5.0f} MB (before the import {r['rss_before_mb']:.0f} MB)")
    ratio = with_history["seconds"] / no_history["seconds"]
    print(f"  after history / without: time {ratio:.2f}x, memory "
          f"{with_history['rss_peak_mb'] / no_history['rss_peak_mb']:.2f}x")


if __name__ == "__main__":
    main()
