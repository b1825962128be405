"""Reading submissions through the REST API on PostgreSQL, served by the production server.

    make bench                                   # runs this after the other benches
    .venv/bin/python bench/api_readings.py --clients 8 --seconds 20 --workers 4

Creates its own database (BENCH_DATABASE_URL, default .../kabinet_bench_api; dropped and created
again), an organisation whose reading window is open, and one cabinet per client with its own
token, account and meter (a gateway per flat, as in life). Starts gunicorn (the production WSGI
server) with DEBUG=0 on a free port, then `--clients` concurrent clients POST /api/v1/readings/
with a fresh Idempotency-Key each, over keep-alive connections, for `--seconds`. Prints
submissions per second (SPEC 4 asks for at least 300) and the latency median and p95, and checks
that every 201 left exactly one reading in the database.

The per-token limit is raised for the run (API_RATE_LIMIT_PER_MINUTE): this measures submission,
not the limiter.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kabinet_bench_api"


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def prepare(url: str, clients: int) -> list[tuple[str, int]]:
    """Migrate and create one cabinet per client; returns (token, meter id) pairs."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import datetime

    from kabinet.accounts.models import AccountLink
    from kabinet.api.services import token_create
    from kabinet.billing.models import PersonalAccount
    from kabinet.meters.models import Meter
    from kabinet.orgs.models import Organisation
    from kabinet.users.models import User

    org = Organisation.objects.create(
        code="bench",
        name="УК Бенчмарк",
        inn="7707083893",
        timezone="Asia/Novosibirsk",
        reading_first_day=1,
        reading_last_day=31,
        reading_closes_at=datetime.time(23, 59),
    )
    pairs = []
    for n in range(clients):
        account = PersonalAccount.objects.create(organisation=org, number=f"B{n:05d}", address="ул. Ленина, 1")
        user = User.objects.create_user(username=f"bench{n}@example.com", email=f"bench{n}@example.com")
        AccountLink.objects.create(user=user, account=account)
        meter = Meter.objects.create(
            organisation=org,
            external_id=f"BM-{n}",
            account=account,
            resource=Meter.Resource.COLD_WATER,
            serial_number=f"SN{n}",
            digits=8,
            decimals=3,
        )
        _token, secret = token_create(user=user, name="bench", scopes=["read", "readings"])
        pairs.append((secret, meter.pk))
    return pairs


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1",
        "API_RATE_LIMIT_PER_MINUTE": "100000000",
        "LOG_LEVEL": "WARNING",
        # As deployed (README): the shared cache and limiter in Redis, not in PostgreSQL.
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--preload",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,  # one JSON line per request: kept out of the report
    )
    deadline = time.monotonic() + 180  # a loaded machine boots slowly
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", "/api/v1/accounts/")
            conn.getresponse().read()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def client(port: int, secret: str, meter_id: int, stop_at: float, latencies: list[float], statuses: dict) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    value = 100.0
    while time.monotonic() < stop_at:
        value += 0.5
        body = json.dumps({"meter": meter_id, "values": [f"{value:.1f}"]})
        headers = {
            "Authorization": f"Bearer {secret}",
            "Content-Type": "application/json",
            "Idempotency-Key": uuid.uuid4().hex,
        }
        started = time.perf_counter()
        conn.request("POST", "/api/v1/readings/", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        latencies.append(time.perf_counter() - started)
        statuses[response.status] = statuses.get(response.status, 0) + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--warmup", type=float, default=3.0)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    recreate_database(url)
    pairs = prepare(url, args.clients)
    port = free_port()
    server = start_server(url, port, args.workers)
    try:
        # Warm-up: every worker loads its code and opens its database connection.
        warm: list[float] = []
        threads = [
            threading.Thread(target=client, args=(port, s, m, time.monotonic() + args.warmup, warm, {}))
            for s, m in pairs
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        from kabinet.meters.models import ReadingSubmission

        before = ReadingSubmission.objects.count()
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        stop_at = time.monotonic() + args.seconds
        started = time.monotonic()
        threads = [
            threading.Thread(target=client, args=(port, s, m, stop_at, latencies, statuses)) for s, m in pairs
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    saved = ReadingSubmission.objects.count() - before
    ordered = sorted(latencies)
    p95 = ordered[int(len(ordered) * 0.95) - 1] * 1000 if ordered else float("nan")
    rate = len(latencies) / elapsed
    print(
        f"API reading submissions: {rate:.0f}/s with {args.clients} clients, {args.workers} gunicorn "
        f"workers, {elapsed:.1f} s; latency median {statistics.median(ordered) * 1000:.1f} ms, "
        f"p95 {p95:.1f} ms; statuses {dict(sorted(statuses.items()))}; saved {saved} "
        f"(SPEC 4 target: >= 300/s)"
    )
    if statuses.get(201, 0) != saved or set(statuses) != {201}:
        raise SystemExit("every submission should be 201 and saved exactly once")


if __name__ == "__main__":
    main()
