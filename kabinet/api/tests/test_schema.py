"""The OpenAPI schema (SPEC 3.6): drf-spectacular without warnings, valid OpenAPI 3, and the live
API fuzzed by schemathesis with a real token: no 5xx, every answer as the schema says."""

from __future__ import annotations

import io

import pytest
import schemathesis
import time_machine
import yaml
from django.core.management import call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kabinet.api.tests.helpers import OPEN_WINDOW, make_token

SPEC_PATHS = {
    "/api/v1/accounts/": {"get"},
    "/api/v1/accounts/{account_id}/charges/": {"get"},
    "/api/v1/accounts/{account_id}/documents/{period}.pdf": {"get"},
    "/api/v1/meters/": {"get"},
    "/api/v1/meters/{meter_id}/readings/": {"get"},
    "/api/v1/readings/": {"post"},
    "/api/v1/payments/": {"get", "post"},
    "/api/v1/requests/": {"get", "post"},
    "/api/v1/requests/{request_id}/": {"get"},
    "/api/v1/requests/{request_id}/cancel/": {"post"},
    "/api/v1/request-types/": {"get"},
    "/api/v1/news/": {"get"},
}


def _schema_text() -> str:
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_generates_the_schema_without_warnings_and_it_validates():
    schema = yaml.safe_load(_schema_text())
    validate(schema)  # openapi-spec-validator
    assert schema["openapi"].startswith("3.")
    assert {path: set(ops) - {"parameters"} for path, ops in schema["paths"].items()} == SPEC_PATHS
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "Личный ключ из «Настройки → Доступ к API»",
    }


def test_it_serves_the_schema_at_its_address(client, db):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert yaml.safe_load(response.content)["info"]["title"] == "Кабинет API"


@pytest.fixture
def bearer(world, settings):  # type: ignore[no-untyped-def]
    settings.API_RATE_LIMIT_PER_MINUTE = 100_000
    return make_token(world.holder)[1]


@pytest.fixture
def live_schema(db):  # type: ignore[no-untyped-def]
    """The schema as the running application serves it. Requests go through the real WSGI
    application in this process; as Django's test client does, the start and end of a request
    must not close the test's database connection (and with it the test's transaction)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from config.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# schemathesis' own pytest plugin (`from_fixture`) does not run on pytest 9 yet, so each
# operation gets a Hypothesis test here: positive and negative data, as the plugin would.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"])
def test_it_answers_as_its_schema_says(live_schema, bearer, mode):
    operations = [result.ok() for result in live_schema.get_all_operations()]
    assert len(operations) == sum(len(methods) for methods in SPEC_PATHS.values())
    calls: list[int] = []
    for operation in operations:

        @hypothesis_settings(
            max_examples=15,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case):  # type: ignore[no-untyped-def]
            with time_machine.travel(OPEN_WINDOW):
                response = case.call(headers={"Authorization": f"Bearer {bearer}"})
            calls.append(response.status_code)
            case.validate_response(response, checks=CHECKS)

        check()
    assert len(calls) >= len(operations)
    if mode == GenerationMode.POSITIVE:
        assert any(200 <= status < 300 for status in calls)
