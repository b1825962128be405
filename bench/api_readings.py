"""Reading submissions through the REST API on PostgreSQL, served by the production server.

    make bench                                   # runs this after the other benches
    .venv/bin/python bench/api_readings.py --clients 8 --seconds 20
    .venv/bin/python bench/api_readings.py --cpu             # CPU ms per submission, in process
    .venv/bin/python bench/api_readings.py --cpu --profile   # and a pyinstrument tree

Creates its own database (BENCH_DATABASE_URL, default .../kabinet_bench_api; dropped and created
again), an organisation whose reading window is open, and one cabinet per client with its own
token, account and meter (a gateway per flat, as in life). Starts the server exactly as
`make serve` does (bin/serve: gunicorn with config/gunicorn.conf.py, DEBUG=0; --workers and
--threads set GUNICORN_WORKERS and GUNICORN_THREADS), then wrk drives `--clients` keep-alive
connections that POST /api/v1/readings/ with a fresh Idempotency-Key and a new value each
(bench/wrk_readings.lua), for `--seconds`. wrk is C: the load generator does not take the
Python CPU it would otherwise share with the server it measures.

Prints submissions per second (SPEC 4 asks for at least 300), the latency median and p95, and the
CPU the server side spent per submission (gunicorn workers plus their PostgreSQL backends, read
from /proc): on a machine shared with other work that figure stays put while the rate does not.
Then checks that every 201 left exactly one reading: every kept Idempotency-Key answer names a
reading of its own, no reading is without one, and wrk's 201s are all among them (a request wrk
abandons at the end may still be saved, and then it has its key too).

`--cpu` runs the same submission in this process through the WSGI application (no server, no
client): CPU ms of Python and of its PostgreSQL backend per submission, and the queries of one.

The per-token limit is raised for the run (API_RATE_LIMIT_PER_MINUTE): this measures submission,
not the limiter, which still counts every request in Redis as deployed.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
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


SERVER_ENV = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1",
    "API_RATE_LIMIT_PER_MINUTE": "100000000",
    "LOG_LEVEL": "WARNING",
}


def redis_url() -> str:
    # As deployed (README): the shared cache and limiter in Redis, not in PostgreSQL.
    return os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")


def start_server(url: str, port: int, workers: int, threads: int) -> tuple[subprocess.Popen, str]:
    """bin/serve, as `make serve` runs it; its log (a JSON line per request) goes to a file."""
    env = {
        **os.environ,
        **SERVER_ENV,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "REDIS_URL": redis_url(),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads),
    }
    log = tempfile.NamedTemporaryFile(prefix="bench-api-", suffix=".log", delete=False)  # noqa: SIM115
    server = subprocess.Popen([str(ROOT / "bin" / "serve")], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300  # a loaded machine boots slowly
    import urllib.request

    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:  # noqa: S310
                if response.status == 200:
                    return server, log.name
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.terminate()
            raise SystemExit("the server did not start:\n" + Path(log.name).read_text()[-3000:])
        time.sleep(0.3)


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu(server_pid: int, database: str) -> dict[int, float]:
    """CPU seconds so far of the gunicorn processes and of the PostgreSQL backends of `database`."""
    pids = {server_pid}
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children")
    if children.exists():
        pids |= {int(p) for p in children.read_text().split()}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if command.startswith("postgres: ") and f" {database} " in command:
                pids.add(int(entry.name))
    return {pid: _cpu_seconds(pid) for pid in pids}


def run_wrk(port: int, targets: Path, clients: int, seconds: float) -> dict:
    threads = max(1, min(2, clients))
    result = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{max(1, round(seconds))}s", "--timeout", "30s",
         "-s", str(ROOT / "bench" / "wrk_readings.lua"), f"http://127.0.0.1:{port}", "--", str(targets)],
        capture_output=True, text=True, check=True,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def check_saved(before_id: int, created: int) -> tuple[int, str | None]:
    """Readings saved since `before_id`, and what is wrong with them (None when nothing)."""
    from kabinet.api.models import IdempotencyKey
    from kabinet.meters.models import ReadingSubmission

    saved = set(ReadingSubmission.objects.filter(pk__gt=before_id).values_list("pk", flat=True))
    answered = [
        json.loads(body)["id"]
        for body in IdempotencyKey.objects.filter(status_code=201).values_list("body", flat=True)
    ]
    named = [int(entry[1:]) for entry in answered]
    mine = {pk for pk in named if pk > before_id}
    if len(mine) != len([pk for pk in named if pk > before_id]):
        return len(saved), "two kept answers name the same reading"
    if mine != saved:
        return len(saved), f"{len(saved ^ mine)} readings without a kept answer or answers without a reading"
    if created > len(saved):
        return len(saved), f"wrk counted {created} answers 201 but only {len(saved)} readings were saved"
    return len(saved), None


def cpu_in_process(url: str, requests: int, rounds: int, profile: bool) -> None:
    """CPU ms per submission through the WSGI application in this process (no server, no client)."""
    os.environ.update(SERVER_ENV)
    os.environ["REDIS_URL"] = redis_url()
    recreate_database(url)
    secret, meter_id = prepare(url, 1)[0]
    import logging

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from config.wsgi import application

    # The request log is written as in production, to a stream nobody reads.
    for handler in logging.getLogger("kabinet.request").handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(io.StringIO())
    sent = [0]

    def submit() -> None:
        sent[0] += 1
        body = json.dumps({"meter": meter_id, "values": [f"{100 + sent[0] / 2:.1f}"]}).encode()
        environ = {
            "REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/readings/", "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/json", "HTTP_AUTHORIZATION": f"Bearer {secret}",
            "HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex,
        }
        statuses: list[str] = []

        def start_response(status: str, headers: list, exc_info: object = None) -> Callable[[bytes], object]:
            statuses.append(status)
            return lambda data: None

        b"".join(application(environ, start_response))
        if not statuses[0].startswith("201"):
            raise SystemExit(f"submission answered {statuses[0]}")

    def backend() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return int(cursor.fetchone()[0])

    for _ in range(20):
        submit()
    with CaptureQueriesContext(connection) as captured:
        submit()
    queries = len(captured)  # now: the next request empties the log
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
        profiler.start()
        for _ in range(requests):
            submit()
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False))
    figures: list[tuple[float, float]] = []
    while len(figures) < rounds:
        pid = backend()
        started = (time.process_time(), _cpu_seconds(pid))
        for _ in range(requests):
            submit()
        if backend() != pid:  # the connection was renewed (CONN_MAX_AGE): its CPU is lost
            continue
        figures.append(((time.process_time() - started[0]) * 1000 / requests,
                        (_cpu_seconds(pid) - started[1]) * 1000 / requests))
    app = statistics.median(f[0] for f in figures)
    database = statistics.median(f[1] for f in figures)
    print(
        f"API reading submission in process: {queries} queries; CPU per submission {app:.2f} ms Python "
        f"+ {database:.2f} ms PostgreSQL backend = {app + database:.2f} ms (median of {rounds} rounds of "
        f"{requests}; rounds: " + ", ".join(f"{a:.2f}+{d:.2f}" for a, d in figures) + ")"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8, help="wrk connections, one cabinet each")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=0, help="GUNICORN_WORKERS (default: as configured)")
    parser.add_argument("--threads", type=int, default=0, help="GUNICORN_THREADS (default: as configured)")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--cpu", action="store_true", help="CPU per submission in this process instead")
    parser.add_argument("--profile", action="store_true", help="with --cpu: a pyinstrument tree too")
    parser.add_argument("--requests", type=int, default=300, help="with --cpu: submissions per round")
    parser.add_argument("--rounds", type=int, default=5, help="with --cpu: rounds, the median is printed")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if args.cpu:
        cpu_in_process(url, args.requests, args.rounds, args.profile)
        return
    if subprocess.run(["which", "wrk"], capture_output=True, check=False).returncode != 0:
        sys.exit("bench/api_readings.py needs wrk (Debian: apt-get install wrk)")
    recreate_database(url)
    pairs = prepare(url, args.clients)
    from django.db import connection

    from kabinet.meters.models import ReadingSubmission

    connection.close()
    port = free_port()
    workers = args.workers or int(os.environ.get("GUNICORN_WORKERS", "") or 2 * (os.cpu_count() or 1))
    threads = args.threads or int(os.environ.get("GUNICORN_THREADS", "") or 2)
    server, log = start_server(url, port, workers, threads)
    database = urlparse(url).path.lstrip("/")
    try:
        with tempfile.NamedTemporaryFile("w", prefix="bench-api-", suffix=".tsv") as targets:
            targets.write("".join(f"{secret}\t{meter}\n" for secret, meter in pairs))
            targets.flush()
            # Warm-up: every worker loads its code and opens its database connections.
            run_wrk(port, Path(targets.name), args.clients, args.warmup)
            before_id = ReadingSubmission.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            connection.close()
            cpu_before = server_cpu(server.pid, database)
            figures = run_wrk(port, Path(targets.name), args.clients, args.seconds)
            cpu_after = server_cpu(server.pid, database)
    finally:
        server.terminate()
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    seconds = figures["duration_us"] / 1e6
    cpu = sum(cpu_after[pid] - cpu_before.get(pid, 0.0) for pid in cpu_after)
    saved, problem = check_saved(before_id, figures["created"])
    rate = figures["created"] / seconds
    print(
        f"API reading submissions: {rate:.0f}/s with {args.clients} clients (wrk), {workers} gunicorn workers × "
        f"{threads} threads, {seconds:.1f} s; latency median {figures['p50'] / 1000:.1f} ms, p95 "
        f"{figures['p95'] / 1000:.1f} ms; server CPU {cpu * 1000 / max(1, saved):.2f} ms per submission "
        f"(gunicorn + PostgreSQL backends, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}); "
        f"201: {figures['created']}, other: {figures['other']}, errors: {figures['errors']}; saved {saved} "
        f"(SPEC 4 target: >= 300/s)"
    )
    print(f"server log: {log}")
    if figures["other"] or figures["errors"] or problem:
        raise SystemExit(problem or "every submission should be answered 201")


if __name__ == "__main__":
    main()
