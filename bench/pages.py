"""Resident pages under load on the production server, against a trivial signed-in view.

    make bench                                    # 100,000 accounts × 24 months
    .venv/bin/python bench/pages.py --accounts 2000 --seconds 5

1. Generates billing files for N accounts × 24 months (8 services, 2–3 meters with monthly
   readings, a payment a month) and loads them with `import_billing` (the service behind the
   command), then publishes the 24 periods. N: --accounts, or BENCH_ACCOUNTS.
2. Starts the production server exactly as `make serve` does (bin/serve: migrate, collectstatic,
   gunicorn with DEBUG=0), with bench/settings.py adding one URL: /bench/trivial/, a signed-in
   view with no template and no query of its own.
3. Drives it with wrk (Debian package `wrk`): 8 connections, each request from one of 32 signed-in
   residents on their own accounts. For each page, the trivial view is measured right before it,
   so the ratio compares two figures taken under the same machine load. Every page is checked
   to answer 200 for every resident before it is measured (wrk would count a redirect to the
   sign-in page as a success).
4. Prints requests/s, p50, p95, p99 and the ratio for each page: the median of --repeat rounds.
   SPEC 4 bars for resident pages and API reads: p95 < 50 ms and ratio >= 0.5. «met» is printed
   only when the median meets the bar.

The bench drops and creates its own database: BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/kabinet_bench). Cache: BENCH_REDIS_URL (a Redis database the
bench may flush), else each server process caches in its own memory.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from imports import CHARGES_HEADER as HEADER  # noqa: E402
from imports import DEFAULT_URL, SERVICES, fresh_database  # noqa: E402

MONTHS = 24
RESIDENTS = 32
CLIENTS = 8
P95_BAR_MS = 50.0
RATIO_BAR = 0.5
METERS = [  # (service, resource, unit): the third only on every other account
    ("hvs", "cold_water", "м3"),
    ("gvs", "hot_water", "м3"),
    ("el", "electricity", "кВт·ч"),
]


def months(count: int) -> list[datetime.date]:
    """The `count` months up to the last full one before today, oldest first."""
    today = datetime.date.today()  # noqa: DTZ011 - only picks which months to generate
    year, month = today.year, today.month
    result = []
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        result.append(datetime.date(year, month, 1))
    return result[::-1]


def number(a: int) -> str:
    return f"{5400000000 + a}"


def generate(directory: Path, accounts: int) -> list[Path]:
    """accounts, charges, payments, meters and readings files (SPEC 3.2), in the order they load
    (meters name services that the charges create), written as streams."""
    periods = months(MONTHS)
    paths = {kind: directory / f"{kind}.csv" for kind in ("accounts", "charges", "payments",
                                                          "meters", "readings")}
    with paths["accounts"].open("w", encoding="utf-8") as out:
        out.write("account_number;owner_name;address;apartment;area;residents\n")
        for a in range(accounts):
            out.write(f"{number(a)};Иванов И. И.;г. Новосибирск, ул. Ленина, д. {a // 300 + 1};"
                      f"{a % 300 + 1};{40 + a % 50}.5;{1 + a % 4}\n")
    with paths["meters"].open("w", encoding="utf-8") as meters, \
            paths["readings"].open("w", encoding="utf-8") as readings:
        meters.write("meter_id;account_number;service_code;resource;serial_number;zones;digits;"
                     "decimals;unit;installed_on;next_verification_on\n")
        readings.write("meter_id;reading_date;value1;value2;value3;source\n")
        for a in range(accounts):
            for m, (service, resource, unit) in enumerate(METERS[: 2 + a % 2]):
                meter = f"M{a}-{m}"
                meters.write(f"{meter};{number(a)};{service};{resource};S{a:07d}{m};1;6;3;{unit};"
                             f"2020-01-10;2030-01-10\n")
                value = 100 + a % 97
                for period in periods:
                    value += 3 + (a + m) % 5
                    readings.write(f"{meter};{period:%Y-%m}-20;{value}.000;;;billing\n")
    with paths["charges"].open("w", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        for period in periods:
            lines = []
            for a in range(accounts):
                for i, (code, name, unit, basis) in enumerate(SERVICES):
                    charged = (a * 7 + i * 13) % 2000 + 0.45
                    lines.append(f"{number(a)};{period:%Y-%m};{code};{name};service;{unit};1.5;"
                                 f"{35 + i}.27;3.250;{basis};0.00;{charged:.2f};0.00;;0.00;0.00;"
                                 f"{charged:.2f}")
                if len(lines) > 20000:
                    out.write("\n".join(lines) + "\n")
                    lines.clear()
            out.write("\n".join(lines) + ("\n" if lines else ""))
    with paths["payments"].open("w", encoding="utf-8") as out:
        out.write("account_number;paid_on;amount;channel;external_id\n")
        for a in range(accounts):
            for period in periods:
                out.write(f"{number(a)};{period:%Y-%m}-05;{1000 + a % 3000}.00;Сбербанк;"
                          f"P{a}-{period:%Y%m}\n")
    return list(paths.values())


def load(accounts: int, directory: Path) -> dict[str, float]:
    """Generate and import; returns seconds per step."""
    from django.db import transaction
    from django.utils import timezone

    from kabinet.billing.imports import ImportRejected, billing_import
    from kabinet.billing.models import Period
    from kabinet.news.models import News
    from kabinet.orgs.models import Organisation

    timings = {}
    started = time.perf_counter()
    files = generate(directory, accounts)
    timings["generate"] = time.perf_counter() - started
    org = Organisation.objects.create(
        code="bench", name="УК «Бенчмарк»", inn="7707083893", kpp="540601001",
        bank_name="Сибирский банк ПАО Сбербанк", bik="045004641",
        account="40702810944050000001", corr_account="30101810500000000641",
        timezone="Asia/Novosibirsk",
    )
    for path in files:
        started = time.perf_counter()
        try:
            billing_import(organisation=org, paths=[path])
        except ImportRejected as rejected:
            sys.exit(f"{path.name}: {rejected}\n" + "\n".join(map(str, rejected.report.errors[:5])))
        timings[f"import {path.stem}"] = time.perf_counter() - started
        path.unlink()
    with transaction.atomic():
        Period.objects.filter(organisation=org).update(is_published=True,
                                                        published_at=timezone.now())
        News.objects.bulk_create(
            News(organisation=org, title=f"Новость {i}", body="Плановое отключение воды. " * 20)
            for i in range(40)
        )
    return timings


def residents(accounts: int) -> list[tuple[int, str, str]]:
    """RESIDENTS holders spread over the accounts: (account id, session cookie, API token)."""
    from django.conf import settings
    from django.test import Client

    from kabinet.accounts.models import AccountLink
    from kabinet.api.services import token_create
    from kabinet.billing.models import PersonalAccount
    from kabinet.users.models import User

    result = []
    step = max(accounts // RESIDENTS, 1)
    for r in range(min(RESIDENTS, accounts)):
        account = PersonalAccount.objects.get(number=number(r * step))
        user = User.objects.create_user(
            username=f"bench{r}@example.com", email=f"bench{r}@example.com",
            first_name="Иван", middle_name="Петрович", last_name="Бенчев",
        )
        AccountLink.objects.create(user=user, account=account, role=AccountLink.Role.HOLDER)
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        _token, secret = token_create(user=user, name="bench", scopes=["read"], expires_at=None)
        result.append((account.pk, f"{settings.SESSION_COOKIE_NAME}={cookie}", secret))
    return result


@dataclass
class Page:
    label: str
    path: str  # {a}: the resident's account id; {period}: the latest published period
    bar: bool = True
    figures: list[dict[str, float]] = field(default_factory=list)


def pages(api: bool) -> list[Page]:
    result = [
        Page("/home/", "/home/"),
        Page("/accounts/", "/accounts/"),
        Page("account card", "/accounts/{a}/"),
        Page("/charges/", "/charges/"),
        Page("/readings/<id>/", "/readings/{a}/"),
        Page("reading history", "/readings/{a}/history/"),
        Page("/payments/", "/payments/"),
        Page("pay page", "/payments/pay/"),
        Page("/requests/", "/requests/"),
        Page("/news/", "/news/"),
        Page("/settings/", "/settings/"),
    ]
    if api:
        result += [Page("API accounts", "/api/v1/accounts/")]
    # SPEC 4's bar for the ЕПД is bench/epd.py's documents per second per core.
    result.append(Page("ЕПД (PDF)", "/charges/{a}/{period}/epd.pdf", bar=False))
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str, header: tuple[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=dict([header]))  # noqa: S310
    opener = urllib.request.build_opener(NoRedirect())
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location", "")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def wrk(base: str, targets: Path, seconds: int) -> dict[str, float]:
    script = ROOT / "bench" / "wrk_report.lua"
    result = subprocess.run(
        ["wrk", "-t", "2", "-c", str(CLIENTS), "-d", f"{seconds}s", "--timeout", "10s",
         "-s", str(script), base, "--", str(targets)],
        capture_output=True, text=True, check=True,
    )
    line = result.stdout.strip().splitlines()[-1]
    data = json.loads(line)
    # Timeouts and non-200 answers are counted and printed with the page (and fail its bar),
    # not fatal: the other pages' figures still come out of the same run.
    return {
        "errors": float(data["errors"] + data["bad_status"]),
        "rps": (data["requests"] - data["bad_status"]) / (data["duration_us"] / 1e6),  # answered 200
        "p50": data["p50"] / 1000,
        "p95": data["p95"] / 1000,
        "p99": data["p99"] / 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--accounts", type=int,
                        default=int(os.environ.get("BENCH_ACCOUNTS", "100000")))
    parser.add_argument("--seconds", type=int, default=10, help="per measurement")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; medians are reported")
    parser.add_argument("--only", default="", help="comma-separated page labels to measure")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the database of the last run (skip generation and import)")
    args = parser.parse_args()

    if not subprocess.run(["which", "wrk"], capture_output=True, check=False).returncode == 0:
        sys.exit("bench/pages.py needs wrk (Debian: apt-get install wrk)")
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgres"):
        sys.exit("The bench needs PostgreSQL: set BENCH_DATABASE_URL=postgres://...")
    if not args.reuse:
        fresh_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    # Sessions made here must be valid on the server: one secret for both.
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(40)
    os.environ["LOG_LEVEL"] = "WARNING"
    redis_url = os.environ.get("BENCH_REDIS_URL", "")
    os.environ["REDIS_URL"] = redis_url

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.urls import Resolver404, resolve

    from kabinet.billing.models import Period
    from kabinet.users.models import User

    if args.reuse:
        User.objects.filter(username__startswith="bench").delete()
        timings: dict[str, float] = {}
    else:
        call_command("migrate", verbosity=0)
        with tempfile.TemporaryDirectory() as directory:
            timings = load(args.accounts, Path(directory))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT count(*) FROM billing_charge")
        charges = cursor.fetchone()[0]
    if redis_url:
        from django.core.cache import cache

        cache.clear()
    people = residents(args.accounts)
    latest = Period.objects.latest("month").month
    try:
        resolve("/api/v1/accounts/")
        api = True
    except Resolver404:
        api = False
    print(f"data: {args.accounts:,} accounts × {MONTHS} months, {charges:,} charges; "
          + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    if not api:
        print("API v1: not on this branch (no /api/v1/ URL): skipped")
    connection.close()

    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "PAYMENTS_SANDBOX": "1",
        # Measured: the API's reads, not its per-token limit.
        "API_RATE_LIMIT_PER_MINUTE": "100000000",
    }
    # The server's log (a JSON line per request) goes to a file: a pipe nobody reads would fill
    # and stall the server.
    log = tempfile.NamedTemporaryFile(prefix="bench-serve-", suffix=".log", delete=False)  # noqa: SIM115
    server = subprocess.Popen([str(ROOT / "bin" / "serve")], cwd=ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                sys.exit("the server did not start:\n" + Path(log.name).read_text()[-3000:])
            time.sleep(0.5)
        measure(base, people, latest, args, api)
    finally:
        server.terminate()
        server.wait(timeout=60)
        print(f"server log: {log.name}")


def measure(base: str, people: list[tuple[int, str, str]], latest: datetime.date,
            args: argparse.Namespace, api: bool) -> None:
    only = {label.strip() for label in args.only.split(",") if label.strip()}
    chosen = [p for p in pages(api) if not only or p.label in only]
    trivial_page = Page("trivial", "/bench/trivial/")
    work = Path(tempfile.mkdtemp())

    def targets(page: Page) -> Path:
        path = work / f"{abs(hash(page.path))}.txt"
        lines = []
        for account_id, cookie, token in people:
            url = page.path.format(a=account_id, period=f"{latest:%Y-%m}")
            # The API signs in with a personal access token, pages with the session.
            header = ("Authorization", f"Bearer {token}") if url.startswith("/api/") else ("Cookie", cookie)
            status, info = fetch(base + url, header)
            if status != 200:
                raise SystemExit(f"{page.label}: {url} answered {status} {info}")
            lines.append(f"{url}\t{header[0]}\t{header[1]}")
        path.write_text("\n".join(lines) + "\n")
        return path

    files = {page.label: targets(page) for page in [trivial_page, *chosen]}
    baselines: dict[str, list[float]] = {page.label: [] for page in chosen}
    for round_ in range(args.repeat):
        for page in chosen:
            trivial = wrk(base, files["trivial"], args.seconds)
            if trivial["errors"]:
                print(f"trivial view before {page.label}: {trivial['errors']:.0f} failed requests")
            figures = wrk(base, files[page.label], args.seconds)
            figures["ratio"] = figures["rps"] / trivial["rps"]
            page.figures.append(figures)
            baselines[page.label].append(trivial["rps"])
        print(f"round {round_ + 1}/{args.repeat} done", flush=True)

    load1, load5, _ = os.getloadavg()
    print(f"\n{CLIENTS} clients (wrk), {len(people)} residents, {args.seconds} s per measurement, "
          f"median of {args.repeat} rounds; load average {load1:.1f} / {load5:.1f}")
    print(f"{'page':<17}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
          f"{'trivial':>9}{'ratio':>7}  SPEC 4 (p95 < {P95_BAR_MS:.0f} ms, ratio >= {RATIO_BAR})")
    for page in chosen:
        median = {k: statistics.median(f[k] for f in page.figures) for k in page.figures[0]}
        errors = int(sum(f["errors"] for f in page.figures))
        trivial_rps = statistics.median(baselines[page.label])
        if not page.bar:
            verdict = "no page bar" + (f"; {errors} failed requests" if errors else "")
        else:
            missed = [f"{errors} failed requests"] if errors else []
            if median["p95"] >= P95_BAR_MS:
                missed.append("p95")
            if median["ratio"] < RATIO_BAR:
                missed.append("ratio")
            verdict = "met" if not missed else "MISSED: " + ", ".join(missed)
        print(f"{page.label:<17}{median['rps']:>8.0f}{median['p50']:>9.1f}{median['p95']:>9.1f}"
              f"{median['p99']:>9.1f}{trivial_rps:>9.0f}{median['ratio']:>7.2f}  {verdict}")


if __name__ == "__main__":
    main()
