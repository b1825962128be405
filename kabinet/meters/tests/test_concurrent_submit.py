"""«Передать показания» pressed twenty times at once leaves one current reading per meter."""

import threading

import pytest
from django.db import connection, connections

from kabinet.accounts.tests.factories import make_world
from kabinet.meters.models import Meter, ReadingSubmission
from kabinet.meters.services import ReadingsRejected, reading_submit
from kabinet.meters.tests.helpers import local

NOW = local("2025-02-20 12:00")
THREADS = 20


@pytest.mark.django_db(transaction=True)
def test_it_keeps_one_current_reading_when_twenty_submissions_race(tmp_path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are what this shows; SQLite serialises writers anyway")
    world = make_world(tmp_path)
    meter = Meter.objects.get(organisation=world.org, external_id="M-1")
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def post(n: int) -> None:
        try:
            start.wait()
            reading_submit(
                user=world.holder, account=world.account, values={meter.pk: [str(130 + n)]}, now=NOW
            )
        except ReadingsRejected:
            pass  # a refusal is an answer too; what matters is what is left current
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    submissions = ReadingSubmission.objects.filter(meter=meter)
    assert submissions.count() == THREADS
    assert submissions.filter(replaced_by__isnull=True).count() == 1
