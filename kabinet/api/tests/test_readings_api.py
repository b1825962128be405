"""POST /api/v1/readings/ (SPEC 3.6): the rules of `reading_submit` as stable codes, the history
with status and source, and Idempotency-Key, also under concurrency on PostgreSQL."""

from __future__ import annotations

import datetime
import threading

import pytest
import time_machine
from django.db import connection

from kabinet.api.models import IdempotencyKey
from kabinet.api.tests.helpers import OPEN_WINDOW, api, client_for, make_token, meter
from kabinet.meters.models import ReadingSubmission
from kabinet.meters.services import submissions_set_status
from kabinet.meters.tests.helpers import local

URL = "/api/v1/readings/"


def post(client, body, key=None, when=OPEN_WINDOW):  # type: ignore[no-untyped-def]
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    with time_machine.travel(when, tick=False):
        return client.post(URL, body, format="json", **headers)


def test_it_accepts_a_reading_and_answers_with_its_status_and_source(world):
    m1 = meter(world, "M-1")
    response = post(api(world.holder), {"meter": m1.pk, "values": ["125,5"]})
    assert response.status_code == 201
    body = response.json()
    submission = ReadingSubmission.objects.get()
    assert body == {
        "id": f"s{submission.pk}",
        "meter": m1.pk,
        "reading_date": "2025-02-20",
        "values": ["125.5"],
        "status": "accepted",
        "status_label": "Принято в систему",
        "reason": "",
        "source": "resident_api",
        "submitted_at": body["submitted_at"],
        "replaced": False,
    }
    assert submission.source == ReadingSubmission.Source.API
    assert submission.user == world.holder


@pytest.mark.parametrize(
    ("external_id", "values", "code", "when"),
    [
        ("M-1", ["130"], "window_closed", local("2025-02-26 00:00")),
        ("M-2", ["1000.5"], "zones", OPEN_WINDOW),
        ("M-1", ["-1"], "negative", OPEN_WINDOW),
        ("M-1", ["123456"], "digits", OPEN_WINDOW),
        ("M-1", ["124.5678"], "digits", OPEN_WINDOW),
        ("M-1", ["100"], "below_previous", OPEN_WINDOW),
        ("M-1", ["200"], "needs_confirmation", OPEN_WINDOW),
        ("M-1", ["сто"], "not_a_number", OPEN_WINDOW),
    ],
)
def test_it_refuses_by_the_rules_with_a_stable_code_and_a_russian_detail(world, external_id, values, code, when):
    response = post(api(world.holder), {"meter": meter(world, external_id).pk, "values": values}, when=when)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert any("а" <= ch <= "я" for ch in body["detail"].lower())
    assert set(body) == {"code", "detail", "fields"}
    assert not ReadingSubmission.objects.exists()


def test_it_refuses_a_meter_past_its_verification(world):
    m1 = meter(world, "M-1")
    m1.next_verification_on = datetime.date(2025, 1, 31)
    m1.save()
    response = post(api(world.holder), {"meter": m1.pk, "values": ["125"]})
    assert response.status_code == 400
    assert response.json()["code"] == "verification_overdue"


def test_it_accepts_a_high_consumption_once_confirmed(world):
    client = api(world.holder)
    m1 = meter(world, "M-1")
    assert post(client, {"meter": m1.pk, "values": ["200"]}).json()["code"] == "needs_confirmation"
    response = post(client, {"meter": m1.pk, "values": ["200"], "confirm": True})
    assert response.status_code == 201
    assert ReadingSubmission.objects.get().high_confirmed


def test_it_refuses_a_malformed_body_with_fields(world):
    response = post(api(world.holder), {"meter": "первый", "values": []})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"meter", "values"}


def test_it_shows_the_history_with_status_and_source_of_each_reading(world):
    client = api(world.holder)
    m1 = meter(world, "M-1")
    post(client, {"meter": m1.pk, "values": ["124"]})
    submissions_set_status(submissions=ReadingSubmission.objects.all(), status="transferred")
    submissions_set_status(submissions=ReadingSubmission.objects.all(), status="rejected", reason="Фото не читается")
    with time_machine.travel(OPEN_WINDOW, tick=False):
        rows = client.get(f"/api/v1/meters/{m1.pk}/readings/").json()["results"]
    assert [(r["source"], r["status"], r["values"]) for r in rows] == [
        ("resident_api", "rejected", ["124"]),
        ("billing", "charged", ["123.456"]),
    ]
    assert rows[0]["reason"] == "Фото не читается"


def test_it_tells_estimated_readings_from_billing_ones(world):
    from kabinet.meters.models import Reading

    m1 = meter(world, "M-1")
    Reading.objects.create(meter=m1, reading_date=datetime.date(2024, 12, 20), value1=120, source="расчётное")
    rows = api(world.holder).get(f"/api/v1/meters/{m1.pk}/readings/").json()["results"]
    assert [r["source"] for r in rows] == ["billing", "estimated"]


def test_it_lists_meters_with_their_window_and_last_reading(world):
    with time_machine.travel(OPEN_WINDOW, tick=False):
        body = api(world.holder).get(f"/api/v1/meters/?account={world.account.pk}").json()
    by_serial = {row["serial_number"]: row for row in body["results"]}
    m1 = by_serial["123456"]
    assert m1["window"] == {"open": True, "opens_at": "2025-02-15T00:00:00+07:00", "closes_at": "2025-02-26T00:00:00+07:00"}
    assert m1["last_reading"]["values"] == ["123.456"]
    assert m1["last_reading"]["source"] == "billing"
    assert by_serial["E-77"]["zones"] == 2 and by_serial["E-77"]["last_reading"]["values"] == ["1000.5", "400.2"]
    with time_machine.travel(local("2025-02-27 10:00"), tick=False):
        closed = api(world.holder).get(f"/api/v1/meters/?account={world.account.pk}").json()["results"][0]
    assert closed["window"]["open"] is False
    assert closed["window"]["opens_at"] == "2025-03-15T00:00:00+07:00"


# --- Idempotency-Key -------------------------------------------------------------------------


def test_it_answers_a_repeat_with_the_same_key_the_same_and_saves_once(world):
    client = api(world.holder)
    body = {"meter": meter(world, "M-1").pk, "values": ["125.5"]}
    first = post(client, body, key="ha-2025-02-20")
    again = post(client, body, key="ha-2025-02-20")
    assert first.status_code == again.status_code == 201
    assert first.content == again.content
    assert again["Idempotent-Replayed"] == "true"
    assert ReadingSubmission.objects.count() == 1


def test_it_answers_409_to_the_same_key_with_another_body(world):
    client = api(world.holder)
    m1 = meter(world, "M-1")
    post(client, {"meter": m1.pk, "values": ["125.5"]}, key="k1")
    response = post(client, {"meter": m1.pk, "values": ["126"]}, key="k1")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_conflict"
    assert ReadingSubmission.objects.count() == 1


def test_it_replays_a_refusal_too(world):
    client = api(world.holder)
    body = {"meter": meter(world, "M-1").pk, "values": ["-5"]}
    first = post(client, body, key="neg")
    assert first.status_code == 400
    assert post(client, body, key="neg").content == first.content


def test_it_keeps_keys_apart_per_person(world):
    body = {"meter": meter(world, "M-1").pk, "values": ["125.5"]}
    assert post(api(world.holder), body, key="same").status_code == 201
    assert post(api(world.member), body, key="same").status_code == 201
    assert ReadingSubmission.objects.count() == 2


def test_it_does_not_keep_a_key_of_a_request_that_was_not_found(world):
    client = api(world.stranger)
    body = {"meter": meter(world, "M-1").pk, "values": ["125.5"]}
    assert post(client, body, key="x").status_code == 404
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_it_saves_one_reading_for_twenty_concurrent_repeats(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises all writers; the unique-key wait is only exercised on PostgreSQL")
    _token, secret = make_token(world.holder)
    body = {"meter": meter(world, "M-1").pk, "values": ["125.5"]}
    start = threading.Barrier(20)
    results: list = [None] * 20

    def worker(index: int) -> None:
        try:
            client = client_for(secret)
            start.wait()
            response = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="gateway-42")
            results[index] = (response.status_code, response.content)
        finally:
            connection.close()

    with time_machine.travel(OPEN_WINDOW, tick=False):
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert ReadingSubmission.objects.count() == 1
    assert len(set(results)) == 1, set(results)
    assert results[0][0] == 201
