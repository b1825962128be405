"""Billing import against plain COPY, on PostgreSQL, in one run.

    make bench                         # 1,000,000 charge rows
    .venv/bin/python bench/import_charges.py --rows 200000

Generates a charges file (SPEC 3.2) of N rows, then times
  (a) a plain COPY of that file into an unindexed table with the same columns, and
  (b) `import_billing` of the same file into an empty organisation,
and prints both and the ratio b/a. A second import of the same file (nothing changes) is timed
too. The bench drops and creates its own database: BENCH_DATABASE_URL, by default
postgres://postgres@127.0.0.1:5432/kabinet_bench (never DATABASE_URL, which may hold real data).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kabinet_bench"

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
HEADER = (
    "account_number;period;service_code;service_name;kind;unit;norm;tariff;volume;volume_basis;"
    "debt_start;charged;recalculation;recalculation_reason;privilege;paid;to_pay"
)


def fresh_database(url: str) -> None:
    """Drop and create the bench database, so every run starts from the same empty tables."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def generate(path: Path, rows: int) -> int:
    """A charges file of `rows` rows; returns the number of accounts it refers to."""
    months = [f"2025-{m:02d}" for m in range(1, 13)] + [f"2026-{m:02d}" for m in range(1, 13)]
    per_account = len(SERVICES) * 12
    accounts = -(-rows // per_account)
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        batch = []
        for month in months[:12]:
            for a in range(accounts):
                number = f"{5400000000 + a}"
                for i, (code, name, unit, basis) in enumerate(SERVICES):
                    if written >= rows:
                        break
                    charged = (a * 7 + i * 13) % 5000 + 0.45
                    recalc = -12.5 if (a + i) % 17 == 0 else 0
                    reason = "Перерасчёт за отсутствие" if recalc else ""
                    debt = (a % 11) * 10.0
                    paid = debt
                    to_pay = debt + charged + recalc - paid
                    batch.append(
                        f"{number};{month};{code};{name};service;{unit};1.5;{35 + i}.27;3.250;{basis};"
                        f"{debt:.2f};{charged:.2f};{recalc:.2f};{reason};0.00;{paid:.2f};{to_pay:.2f}"
                    )
                    written += 1
                if len(batch) > 10000:
                    out.write("\n".join(batch) + "\n")
                    batch.clear()
        out.write("\n".join(batch) + ("\n" if batch else ""))
    return accounts


def fmt(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


def time_copy(connection, charges: Path) -> float:
    """Seconds for a plain COPY of the file into a fresh unindexed table with the same columns."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute(
            """CREATE TABLE bench_copy (
                account_number text, period text, service_code text, service_name text, kind text,
                unit text, norm numeric, tariff numeric, volume numeric, volume_basis text,
                debt_start numeric, charged numeric, recalculation numeric, recalculation_reason text,
                privilege numeric, paid numeric, to_pay numeric)"""
        )
        cursor.execute("CHECKPOINT")
        started = time.perf_counter()
        with cursor.cursor.copy("COPY bench_copy FROM STDIN (FORMAT csv, DELIMITER ';', HEADER true)") as copy:
            with open(charges, "rb") as handle:
                while chunk := handle.read(256 << 10):
                    copy.write(chunk)
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_copy")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of (a) and (b); medians are compared")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgres"):
        sys.exit("The bench needs PostgreSQL: set BENCH_DATABASE_URL=postgres://...")
    fresh_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from kabinet.billing.imports import billing_import
    from kabinet.orgs.models import Organisation

    call_command("migrate", verbosity=0)
    data = ROOT / "bench" / "data"
    data.mkdir(exist_ok=True)
    charges = data / f"charges_{args.rows}.csv"
    started = time.perf_counter()
    accounts = generate(charges, args.rows)
    print(f"generated {args.rows:,} rows for {accounts:,} accounts in {time.perf_counter() - started:.1f} s"
          f" ({charges.stat().st_size / 1e6:.0f} MB)")

    # An organisation with its accounts; the accounts load is not timed.
    org = Organisation.objects.create(code="bench", name="Бенчмарк", inn="7707083893")
    accounts_file = data / "accounts.csv"
    with open(accounts_file, "w", encoding="utf-8") as out:
        out.write("account_number;owner_name;address;apartment\n")
        for a in range(accounts):
            out.write(f"{5400000000 + a};Иванов И. И.;г. Новосибирск, ул. Ленина, д. 1;{a % 300 + 1}\n")
    billing_import(organisation=org, paths=[accounts_file])

    copy_times, import_times = [], []
    for _ in range(args.repeat):
        copy_times.append(time_copy(connection, charges))
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE billing_charge")
            cursor.execute("DELETE FROM billing_period")
            cursor.execute("CHECKPOINT")
        started = time.perf_counter()
        report = billing_import(organisation=org, paths=[charges])
        import_times.append(time.perf_counter() - started)
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
    started = time.perf_counter()
    again = billing_import(organisation=org, paths=[charges])
    again_seconds = time.perf_counter() - started

    copy_seconds, import_seconds = statistics.median(copy_times), statistics.median(import_times)
    print(f"rows: {report.counts['charges'].created:,} imported, "
          f"{again.counts['charges'].unchanged:,} unchanged on re-import; median of {args.repeat} runs")
    print(f"(a) COPY into an unindexed table: {copy_seconds:6.2f} s   runs: {fmt(copy_times)}")
    print(f"(b) import_billing:               {import_seconds:6.2f} s   runs: {fmt(import_times)}")
    print(f"    ratio b/a = {import_seconds / copy_seconds:.2f}")
    print(f"(c) re-import, nothing changes:   {again_seconds:6.2f} s   ratio c/a = {again_seconds / copy_seconds:.2f}")
    if not args.keep:
        charges.unlink()
        accounts_file.unlink()


if __name__ == "__main__":
    main()
