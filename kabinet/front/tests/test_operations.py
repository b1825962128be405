"""`make serve`, /healthz, the request log and the periodic jobs (issue 15, items 1 and 2)."""

import json
import logging
import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

from config.celery import app
from kabinet.lib import health
from kabinet.lib.requestlog import JsonFormatter

ROOT = Path(__file__).resolve().parents[3]
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def serve(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    return subprocess.run(
        [str(ROOT / "bin" / "serve")],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_refuses_to_serve_without_secret_key() -> None:
    result = serve({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/none"})

    assert result.returncode == 2
    assert "не задано: SECRET_KEY." in result.stderr
    assert "Сервер не запущен" in result.stderr
    assert "Operations to perform" not in result.stdout  # it stopped before migrating


def test_it_refuses_to_serve_without_database_url() -> None:
    result = serve({"SECRET_KEY": "a-long-enough-secret-for-the-test"})

    assert result.returncode == 2
    assert "не задано: DATABASE_URL." in result.stderr


def test_it_serves_with_gunicorn_from_make_serve() -> None:
    makefile = (ROOT / "Makefile").read_text()
    script = (ROOT / "bin" / "serve").read_text()
    assert "serve: install\n\tbin/serve" in makefile
    assert "export DEBUG=0" in script
    assert "manage.py migrate --noinput" in script
    assert "manage.py collectstatic --noinput" in script
    assert 'gunicorn" --config config/gunicorn.conf.py config.wsgi:application' in script


@pytest.mark.django_db
def test_it_answers_healthz_without_sign_in(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
    }
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_it_answers_503_naming_the_cache_that_failed(client: Client) -> None:
    broken = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
        }
    }
    with override_settings(CACHES=broken):
        response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"].startswith("error: ")
    # No host, port or password of the dependency in a public answer.
    assert "127.0.0.1" not in response.content.decode()


@pytest.mark.django_db
def test_it_answers_503_naming_the_broker_that_failed(client: Client) -> None:
    with override_settings(CELERY_BROKER_URL=UNREACHABLE_REDIS):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error: ")
    assert response.json()["checks"]["cache"] == "ok"


@pytest.mark.django_db
def test_it_answers_503_when_the_database_fails(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    def refuse() -> None:
        raise OperationalError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error: OperationalError"


def request_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "kabinet.request"]


@pytest.mark.django_db
def test_it_logs_one_line_per_request_without_the_query_string(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="kabinet.request"):
        response = client.get("/login/?next=/home/&email=ivanov@example.com")

    [record] = request_lines(caplog)
    line = json.loads(JsonFormatter().format(record))
    assert line["method"] == "GET"
    assert line["path"] == "/login/"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["request_id"] == response["X-Request-ID"]
    assert len(line["request_id"]) == 32
    assert "ivanov" not in json.dumps(line)


@pytest.mark.django_db
def test_it_keeps_the_request_id_a_proxy_sent(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="kabinet.request"):
        response = client.get("/healthz", headers={"X-Request-ID": "nginx-4f1c2a9e"})
        forged = client.get("/healthz", headers={"X-Request-ID": "x\nlevel=ERROR forged"})

    assert response["X-Request-ID"] == "nginx-4f1c2a9e"
    assert forged["X-Request-ID"] != "x\nlevel=ERROR forged"
    assert [r.request_id for r in request_lines(caplog)] == [  # type: ignore[attr-defined]
        "nginx-4f1c2a9e",
        forged["X-Request-ID"],
    ]


@pytest.mark.django_db
def test_it_masks_secret_tokens_in_logged_paths(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="kabinet.request"):
        client.get("/password/reset/MQ/abc123-secret-token/")

    [record] = request_lines(caplog)
    assert "abc123-secret-token" not in record.path  # type: ignore[attr-defined]
    assert "MQ" not in record.path  # type: ignore[attr-defined]


def test_it_schedules_the_periodic_jobs_in_code() -> None:
    app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE
    tasks = {entry["task"] for entry in schedule.values()}

    assert tasks == {
        "kabinet.payments.tasks.reconcile_payments",
        "kabinet.meters.tasks.send_reading_reminders",
        "kabinet.lib.tasks.send_outbox",
    }
    assert tasks <= set(app.tasks)


@pytest.mark.scaleout
@pytest.mark.django_db(transaction=True)
def test_it_serves_healthz_and_the_start_page_from_make_serve(tmp_path: Path) -> None:
    """bin/serve (what `make serve` runs) migrates, collects static files and answers over HTTP."""
    import urllib.request

    from django.db import connection

    from kabinet.front.tests.test_scaleout import START_DEADLINE, free_port, wait_until

    if connection.vendor != "postgresql":
        pytest.skip("make serve is for PostgreSQL (set DATABASE_URL)")
    db = connection.settings_dict
    port = free_port()
    env = {
        **os.environ,
        "SECRET_KEY": "a-long-enough-secret-for-the-serve-test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "DB_CONN_MAX_AGE": "0",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "ALLOWED_HOSTS": "127.0.0.1",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "LOG_LEVEL": "WARNING",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(ROOT / "bin" / "serve")], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"

    def status(path: str) -> int:
        assert server.poll() is None, log.read_text()[-3000:]
        try:
            with urllib.request.urlopen(base + path, timeout=5) as response:  # noqa: S310
                return int(response.status)
        except OSError:
            return 0

    try:
        wait_until(lambda: status("/healthz") == 200, START_DEADLINE, "make serve: /healthz")
        assert status("/") == 200
        # DEBUG=0 with the manifest: the start page links hashed static files it can serve.
        with urllib.request.urlopen(base + "/", timeout=5) as response:  # noqa: S310
            page = response.read().decode()
        css = next(part.split('"')[0] for part in page.split('href="')[1:] if ".css" in part)
        assert css != "/static/css/kabinet.css"  # hashed name from collectstatic
        assert status(css) == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
