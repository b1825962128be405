"""`manage.py export_readings` (SPEC 3.3) and the statuses it sets."""

import io

import pytest
from django.core.management import CommandError, call_command

from kabinet.meters.models import Meter, ReadingSubmission
from kabinet.meters.services import reading_submit, submissions_set_status
from kabinet.meters.tests.helpers import local

HEADER = "meter_id;account_number;serial_number;reading_date;value1;value2;value3;submitted_at;source"


def send(world, when: str, **values):
    meters = {m.external_id: m.pk for m in Meter.objects.filter(organisation=world.org)}
    return reading_submit(
        user=world.holder,
        account=world.account,
        values={meters[key.replace("_", "-")]: v for key, v in values.items()},
        now=local(when),
    )


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export_readings", *args, stdout=out)
    return out.getvalue()


def test_it_writes_the_spec_header_and_rows(world):
    send(world, "2025-02-20 10:00:00", M_1=["130"], M_2=["1010,5", "405"])
    text = export("--org", "uk", "--period", "2025-02")
    assert text.splitlines() == [
        HEADER,
        "M-1;1001;123456;2025-02-20;130.000;;;2025-02-20T10:00:00+07:00;web",
        "M-2;1001;E-77;2025-02-20;1010.5;405.0;;2025-02-20T10:00:00+07:00;web",
    ]


def test_it_exports_only_the_current_submission_of_the_period(world):
    send(world, "2025-02-20 10:00", M_1=["130"])
    send(world, "2025-02-21 08:30", M_1=["131"])
    send(world, "2025-03-20 08:30", M_1=["140"])
    lines = export("--org", "uk", "--period", "2025-02").splitlines()
    assert lines[1:] == ["M-1;1001;123456;2025-02-21;131.000;;;2025-02-21T08:30:00+07:00;web"]


def test_it_marks_exported_submissions_passed_to_billing(world):
    [sub] = send(world, "2025-02-20 10:00", M_1=["130"])
    export("--org", "uk", "--period", "2025-02")
    sub.refresh_from_db()
    assert sub.status == ReadingSubmission.Status.TRANSFERRED
    # Exporting again gives the same rows and changes nothing.
    assert len(export("--org", "uk", "--period", "2025-02").splitlines()) == 2


def test_it_leaves_rejected_submissions_out(world):
    [sub] = send(world, "2025-02-20 10:00", M_1=["130"])
    submissions_set_status(submissions=[sub], status=ReadingSubmission.Status.REJECTED, reason="Ошибка")
    assert export("--org", "uk", "--period", "2025-02").splitlines() == [HEADER]


def test_it_writes_a_utf8_file(world, tmp_path):
    send(world, "2025-02-20 10:00", M_1=["130"])
    path = tmp_path / "readings.csv"
    call_command("export_readings", "--org", "uk", "--period", "2025-02", "--output", str(path), stderr=io.StringIO())
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER and lines[1].startswith("M-1;1001;")


def test_it_refuses_an_unknown_org_or_a_bad_period(world):
    with pytest.raises(CommandError, match="не найдена"):
        export("--org", "nope", "--period", "2025-02")
    with pytest.raises(CommandError, match="ГГГГ-ММ"):
        export("--org", "uk", "--period", "02.2025")
