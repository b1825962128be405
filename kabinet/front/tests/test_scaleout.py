"""Two gunicorn servers and a Celery worker on one PostgreSQL and one Redis (SPEC 4, scale-out).

The test starts them as real processes against the test database (committed data:
`transaction=True`) and shows that sessions, rate limits and exactly-once crediting hold across
the servers, and that a task queued by a server is done by the worker. Redis: SCALEOUT_REDIS_URL
(default database 14); each run uses its own cache key prefix and queue, so runs never mix.
"""

from __future__ import annotations

import functools
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = [pytest.mark.scaleout, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("SCALEOUT_REDIS_URL", "redis://127.0.0.1:6379/14")
# Generous: two servers and a worker start on a loaded two-core machine.
START_DEADLINE = 180.0
TASK_DEADLINE = 120.0
NOTIFICATIONS = 50
PHONE = "+79137654321"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(condition: Callable[[], bool], deadline: float, what: str) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {deadline:.0f} s")


def redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        return False


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


@dataclass
class Reply:
    status: int
    body: str
    location: str


class Browser:
    """A person's browser: one cookie jar, whichever server the balancer picks."""

    def __init__(self) -> None:
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def request(self, url: str, data: dict[str, str] | None = None) -> Reply:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(url, data=body, timeout=60) as response:
                return Reply(response.status, response.read().decode(), "")
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode(), error.headers.get("Location", ""))

    def csrf(self) -> str:
        return next(cookie.value for cookie in self.jar if cookie.name == "csrftoken") or ""

    def post_form(self, url: str, fields: dict[str, str]) -> Reply:
        self.request(url)  # sets the CSRF cookie, as opening the form would
        return self.request(url, {"csrfmiddlewaretoken": self.csrf(), **fields})


@dataclass
class Cluster:
    servers: list[str]
    web_sms: Path
    worker_sms: Path
    logs: dict[str, Path]

    def log_tail(self) -> str:
        return "\n".join(
            f"--- {name}\n{path.read_text(errors='replace')[-3000:]}"
            for name, path in self.logs.items()
        )


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    if connection.vendor != "postgresql":
        pytest.skip("the scale-out test needs PostgreSQL (set DATABASE_URL)")
    if not redis_answers():
        pytest.skip(f"the scale-out test needs Redis at {REDIS_URL}")
    db = connection.settings_dict
    database_url = (
        f"postgres://{urllib.parse.quote(db['USER'] or '')}:{urllib.parse.quote(db['PASSWORD'] or '')}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    name = f"scaleout-{uuid.uuid4().hex[:12]}"
    web_sms, worker_sms = tmp_path / "sms-web", tmp_path / "sms-worker"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kabinet.front.tests.scaleout_settings",
        "SCALEOUT_NAME": name,
        "DATABASE_URL": database_url,
        "DB_CONN_MAX_AGE": "0",
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        "SECRET_KEY": settings.SECRET_KEY,
        "PAYMENTS_SANDBOX_SECRET": settings.PAYMENTS_SANDBOX_SECRET,
        "PAYMENTS_SANDBOX": "1",
        "DEBUG": "0",
        "STATIC_MANIFEST": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SMS_BACKEND": "file",
        "EMAIL_URL": "console:",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "4",
        "LOG_LEVEL": "WARNING",
    }
    processes: list[subprocess.Popen[bytes]] = []
    logs: dict[str, Path] = {}
    servers = []

    def start(label: str, argv: list[str], extra: dict[str, str]) -> None:
        logs[label] = tmp_path / f"{label}.log"
        with logs[label].open("wb") as log:
            processes.append(
                subprocess.Popen(
                    argv, cwd=ROOT, env={**env, **extra}, stdout=log, stderr=subprocess.STDOUT
                )
            )

    try:
        for label in ("server-a", "server-b"):
            port = free_port()
            servers.append(f"http://127.0.0.1:{port}")
            start(
                label,
                [
                    str(BIN / "gunicorn"),
                    "--config",
                    "config/gunicorn.conf.py",
                    "config.wsgi:application",
                ],
                {"GUNICORN_BIND": f"127.0.0.1:{port}", "SMS_FILE_DIR": str(web_sms)},
            )
        start(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "worker",
                "-Q",
                name,
                "--pool",
                "threads",
                "--concurrency",
                "2",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "warning",
            ],
            {"SMS_FILE_DIR": str(worker_sms)},
        )
        current = Cluster(servers, web_sms, worker_sms, logs)

        def healthy(url: str) -> bool:
            for process in processes:
                if process.poll() is not None:
                    raise AssertionError(f"a process exited early\n{current.log_tail()}")
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=5) as response:  # noqa: S310
                    return bool(response.status == 200)
            except OSError:
                return False

        for url in servers:
            wait_until(functools.partial(healthy, url), START_DEADLINE, f"{url}/healthz")
        yield current
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_it_keeps_sessions_limits_crediting_and_tasks_across_two_servers(
    cluster: Cluster, tmp_path: Path
) -> None:
    from kabinet.accounts.tests.factories import PASSWORD, make_world
    from kabinet.billing.models import BillingPayment
    from kabinet.payments.models import Payment
    from kabinet.payments.providers import sandbox
    from kabinet.payments.tests.helpers import started_payment

    world = make_world(tmp_path)
    world.holder.phone = PHONE
    world.holder.save(update_fields=["phone"])
    a, b = cluster.servers

    # A session made on one server works on the other.
    person = Browser()
    signed_in = person.post_form(
        f"{a}/login/", {"username": world.holder.email, "password": PASSWORD}
    )
    assert signed_in.status == 302, cluster.log_tail()
    assert signed_in.location.endswith("/home/")
    home = person.request(f"{b}/home/")
    assert home.status == 200, cluster.log_tail()
    assert "Иван" in home.body
    assert Browser().request(f"{b}/home/").status == 302  # without the cookie: to sign-in

    # A rate limit reached through one server holds on the other (codes: one a minute), and the
    # code's SMS, queued by server A, is sent by the worker.
    visitor = Browser()
    first = visitor.post_form(f"{a}/password/sms/", {"phone": PHONE})
    assert first.status == 302, first.body[-2000:]
    again = Browser().post_form(f"{b}/password/sms/", {"phone": PHONE})
    assert again.status == 200
    assert "Код можно запрашивать не чаще раза в минуту" in again.body

    def sms_sent() -> bool:
        return cluster.worker_sms.is_dir() and any(cluster.worker_sms.glob("*.json"))

    wait_until(sms_sent, TASK_DEADLINE, f"the worker's SMS\n{cluster.log_tail()}")
    [message] = [json.loads(p.read_text()) for p in cluster.worker_sms.glob("*.json")]
    assert message["to"] == PHONE
    assert re.search(r"код подтверждения \d{4}", message["text"])
    assert not cluster.web_sms.exists()  # the servers queued it; they did not send it

    # Fifty copies of one payment notification, spread across both servers, credit once.
    payment = started_payment(world)
    body = sandbox.notification_body(payment, "succeeded")
    signature = sandbox.sign(body)
    barrier = threading.Barrier(NOTIFICATIONS)
    statuses: list[int] = []

    def notify(server: str) -> None:
        request = urllib.request.Request(  # noqa: S310 - http to our own server
            f"{server}/payments/notify/sandbox/",
            data=body,
            headers={sandbox.SIGNATURE_HEADER: signature, "Content-Type": "application/json"},
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)

    threads = [
        threading.Thread(target=notify, args=(cluster.servers[i % 2],))
        for i in range(NOTIFICATIONS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * NOTIFICATIONS, cluster.log_tail()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    credited = BillingPayment.objects.filter(account=world.account, channel="Онлайн")
    assert list(credited.values_list("amount", flat=True)) == [Decimal("100.00")]
